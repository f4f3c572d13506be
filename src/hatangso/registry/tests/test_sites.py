"""Shared-site detection on hand-built cases, and the plan owner's decisions surviving re-runs."""

import math

import numpy as np
import pytest

from hatangso.core.scoping import COMMAND_LINE
from hatangso.registry.imports import import_stations
from hatangso.registry.models import Site, Station
from hatangso.registry.sites import close_pairs, cluster_labels, confirm_site, detect_sites, split_site
from hatangso.utilities.errors import UserError

# A point in Tứ Hạ; offsets in metres are turned into degrees around it.
LAT, LON = 16.5300, 107.4700


def offset(north_m: float, east_m: float) -> tuple[float, float]:
    lat = LAT + north_m / 111_320
    lon = LON + east_m / (111_320 * math.cos(math.radians(LAT)))
    return round(lat, 7), round(lon, 7)


def write_stations(tmp_path, rows, name="tram.csv"):
    lines = ["ma_tram,doanh_nghiep,cong_nghe,vi_do,kinh_do,ma_don_vi,ngay_hoat_dong"]
    for code, operator, north, east in rows:
        lat, lon = offset(north, east)
        lines.append(f"{code},{operator},4G,{lat},{lon},19996,01/01/2020")
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def sites_by_station() -> dict[str, str]:
    return {
        f"{s.operator.code}:{s.code}": s.site.code for s in Station.objects.select_related("operator", "site")
    }


def operators_of(site_code: str) -> set[str]:
    return set(Station.objects.filter(site__code=site_code).values_list("operator__code", flat=True))


def test_pairs_and_clusters_respect_the_distance():
    points = [offset(0, 0), offset(29, 0), offset(0, 31), offset(500, 500)]
    lats, lons = zip(*points, strict=True)
    pairs = close_pairs(np.array(lons), np.array(lats), 30)
    assert {tuple(p) for p in pairs.tolist()} == {(0, 1)}
    labels = cluster_labels(4, pairs)
    assert labels[0] == labels[1] and len(set(labels.tolist())) == 3


def test_one_operators_colocated_stations_are_one_site_but_not_shared(seed_plan, actor, tmp_path):
    path = write_stations(
        tmp_path, [("A1", "viettel", 0, 0), ("A2", "viettel", 5, 5), ("B1", "vnpt", 300, 0)]
    )
    import_stations(path=path, actor=actor, user=COMMAND_LINE)
    sites = sites_by_station()
    assert sites["viettel:A1"] == sites["viettel:A2"] != sites["vnpt:B1"]
    assert operators_of(sites["viettel:A1"]) == {"viettel"}
    assert Site.objects.count() == 2


def test_three_operators_at_one_site_count_once(seed_plan, actor, tmp_path):
    rows = [
        ("V1", "viettel", 0, 0),
        ("N1", "vnpt", 10, 0),
        ("M1", "mobifone", 0, 12),
        ("M2", "mobifone", 2000, 0),
    ]
    import_stations(path=write_stations(tmp_path, rows), actor=actor, user=COMMAND_LINE)
    sites = sites_by_station()
    shared = sites["viettel:V1"]
    assert sites["vnpt:N1"] == sites["mobifone:M1"] == shared
    assert operators_of(shared) == {"viettel", "vnpt", "mobifone"}
    summary = detect_sites(actor=actor)
    assert (summary.sites, summary.shared_sites, summary.created, summary.moved) == (2, 1, 0, 0)


def test_the_distance_threshold_is_respected_and_configurable(seed_plan, actor, tmp_path):
    import_stations(
        path=write_stations(tmp_path, [("V1", "viettel", 0, 0), ("N1", "vnpt", 35, 0)]),
        actor=actor,
        user=COMMAND_LINE,
    )
    assert detect_sites(actor=actor).shared_sites == 0  # 35 m apart, default 30 m
    assert detect_sites(actor=actor, distance_m=40).shared_sites == 1
    assert detect_sites(actor=actor, distance_m=30).shared_sites == 0
    with pytest.raises(UserError) as error:
        detect_sites(actor=actor, distance_m=0)
    assert error.value.en == "Distance 0 m is invalid (0 < distance ≤ 1000 m)"


def test_a_confirmed_split_survives_detection_and_reimport(seed_plan, actor, tmp_path):
    rows = [("V1", "viettel", 0, 0), ("N1", "vnpt", 20, 0), ("M1", "mobifone", 0, 20)]
    path = write_stations(tmp_path, rows)
    import_stations(path=path, actor=actor, user=COMMAND_LINE)
    site = Site.objects.get()
    # The plan owner knows MobiFone's mast is across the road: split it off.
    new_site = split_site(
        site=site, stations=list(Station.objects.filter(code="M1")), actor=actor, user=COMMAND_LINE
    )
    assert operators_of(new_site.code) == {"mobifone"} and operators_of(site.code) == {"viettel", "vnpt"}

    detect_sites(actor=actor)
    import_stations(path=path, actor=actor, user=COMMAND_LINE)  # the operator sends the same list again
    after = sites_by_station()
    assert after["mobifone:M1"] == new_site.code
    assert after["viettel:V1"] == after["vnpt:N1"] == site.code
    # A new station next to the split-off mast joins it, not the other site.
    rows.append(("M9", "vietnamobile", 1, 21))
    import_stations(path=write_stations(tmp_path, rows, "tram-2.csv"), actor=actor, user=COMMAND_LINE)
    assert sites_by_station()["vietnamobile:M9"] == new_site.code


def test_confirming_keeps_a_site_together(seed_plan, actor, tmp_path):
    import_stations(
        path=write_stations(tmp_path, [("V1", "viettel", 0, 0), ("N1", "vnpt", 25, 0)]),
        actor=actor,
        user=COMMAND_LINE,
    )
    site = Site.objects.get()
    confirm_site(site=site, actor=actor, user=COMMAND_LINE)
    detect_sites(actor=actor, distance_m=5)  # a stricter run would separate them
    assert operators_of(site.code) == {"viettel", "vnpt"}
    assert Site.objects.get().confirmed_by == "system"


def test_a_split_needs_some_but_not_all_stations(seed_plan, actor, tmp_path):
    import_stations(
        path=write_stations(tmp_path, [("V1", "viettel", 0, 0), ("N1", "vnpt", 25, 0)]),
        actor=actor,
        user=COMMAND_LINE,
    )
    site = Site.objects.get()
    with pytest.raises(UserError) as error:
        split_site(site=site, stations=list(site.stations.all()), actor=actor, user=COMMAND_LINE)
    assert error.value.en == "Choose some, not all, of this site's stations to split off"
    assert Site.objects.count() == 1
