"""The sharing indicators are counted from the registry, as of the period's end."""

from datetime import date

import pytest

from hatangso.analytics.services import evaluate_scorecard
from hatangso.core.scoping import COMMAND_LINE
from hatangso.registry.imports import import_ducts, import_gov_links, import_poles, import_stations
from hatangso.registry.models import Operator, Pole
from hatangso.registry.services import add_tenancy, end_tenancy
from hatangso.utilities.errors import Conflict
from hatangso.utilities.periods import parse_period

Y2024 = parse_period("2024")


def indicator(plan, code, unit=None, period=Y2024):
    card = evaluate_scorecard(plan=plan, unit=unit or plan.area_unit, period=period).as_json()
    return next(i for i in card["indicators"] if i["code"] == code)


@pytest.fixture
def registry(seed_plan, actor, tmp_path):
    stations = tmp_path / "tram.csv"
    # Site 1: Viettel + VNPT together; site 2: MobiFone alone; site 3: Viettel, built in 2025.
    stations.write_text(
        "ma_tram,doanh_nghiep,cong_nghe,vi_do,kinh_do,ma_don_vi,ngay_hoat_dong\n"
        "V1,viettel,4G,16.53,107.47,19996,01/03/2019\n"
        "N1,vnpt,4G,16.53005,107.47005,19996,01/06/2021\n"
        "M1,mobifone,4G,16.54,107.48,20005,01/01/2018\n"
        "V2,viettel,5G,16.56,107.49,20008,01/02/2025\n",
        encoding="utf-8",
    )
    import_stations(path=stations, actor=actor, synthetic=True, user=COMMAND_LINE)
    poles = tmp_path / "cot.csv"
    poles.write_text(
        "ma_cot,chu_so_huu,vi_do,kinh_do,ma_don_vi,doanh_nghiep_dung_chung,ngay_hoat_dong\n"
        "C1,viettel,16.53,107.47,19996,viettel;vnpt,01/01/2020\n"
        "C2,viettel,16.531,107.471,19996,viettel,01/01/2020\n",
        encoding="utf-8",
    )
    import_poles(path=poles, actor=actor, synthetic=True, user=COMMAND_LINE)
    return tmp_path


def test_bts_site_sharing_comes_from_the_registry(seed_plan, registry):
    result = indicator(seed_plan, "bts_site_sharing")
    assert result["sources"] == ["registry"]
    # 2024: two sites stand (V2 comes in 2025), one of them shared.
    assert (result["numerator"], result["denominator"], result["value"]) == (1, 2, 50.0)
    assert result["status"] == "achieved"  # target 17%
    in_tu_ha = indicator(seed_plan, "bts_site_sharing", unit=seed_plan.area_unit.children.get(code="19996"))
    assert (in_tu_ha["numerator"], in_tu_ha["denominator"]) == (1, 1)


def test_pole_sharing_changes_when_a_tenancy_is_added(seed_plan, registry, actor):
    assert indicator(seed_plan, "pole_sharing")["value"] == 50.0
    c2 = Pole.objects.get(code="C2")
    add_tenancy(
        item=c2,
        operator=Operator.objects.get(code="fpt"),
        since=date(2024, 7, 1),
        actor=actor,
        user=COMMAND_LINE,
    )
    assert indicator(seed_plan, "pole_sharing")["value"] == 100.0
    # Before the tenancy started, the pole was not shared.
    assert indicator(seed_plan, "pole_sharing", period=parse_period("2024Q1"))["value"] == 50.0
    with pytest.raises(Conflict):
        add_tenancy(item=c2, operator=Operator.objects.get(code="fpt"), actor=actor, user=COMMAND_LINE)
    end_tenancy(
        item=c2,
        operator=Operator.objects.get(code="fpt"),
        until=date(2024, 12, 1),
        actor=actor,
        user=COMMAND_LINE,
    )
    assert indicator(seed_plan, "pole_sharing")["value"] == 50.0


def test_no_registry_items_means_no_data_not_zero(seed_plan, registry):
    duct = indicator(seed_plan, "duct_sharing")
    assert duct["status"] == "no_data" and duct["value"] is None
    links = indicator(seed_plan, "commune_government_network")
    assert links["status"] == "no_data"


def test_duct_and_gov_network_indicators(seed_plan, registry, actor):
    ducts = registry / "cong.csv"
    ducts.write_text(
        "ma_tuyen,chu_so_huu,toa_do_tuyen,ma_don_vi,doanh_nghiep_dung_chung,ngay_hoat_dong\n"
        '"D1",vnpt,"LINESTRING (107.47 16.53, 107.48 16.53)",19996,vnpt;viettel,01/01/2020\n'
        '"D2",vnpt,"LINESTRING (107.48 16.53, 107.49 16.53)",19996,vnpt,01/01/2020\n'
        '"D3",vnpt,"LINESTRING (107.49 16.53, 107.50 16.53)",19996,vnpt,01/01/2020\n',
        encoding="utf-8",
    )
    import_ducts(path=ducts, actor=actor, user=COMMAND_LINE)
    duct = indicator(seed_plan, "duct_sharing")
    assert (duct["numerator"], duct["denominator"], duct["status"]) == (1, 3, "not_achieved")
    links = registry / "tslcd.csv"
    rows = ["ma,tru_so,tru_so_ubnd,ma_don_vi,loai_ket_noi,trang_thai,ngay_hoat_dong"]
    codes = ["19996", "20005", "20008", "20011", "20017", "20020", "20026", "20035", "20041"]
    for code in codes:
        status = "tạm ngừng" if code == "20041" else "active"
        rows.append(f"L{code},UBND {code},1,{code},tslcd_2,{status},01/01/2019")
    links.write_text("\n".join(rows) + "\n", encoding="utf-8")
    import_gov_links(path=links, actor=actor, user=COMMAND_LINE)
    network = indicator(seed_plan, "commune_government_network")
    assert (network["numerator"], network["denominator"], network["status"]) == (8, 9, "not_achieved")
    assert network["sources"] == ["geography", "registry"]


def test_compute_json_names_the_registry_and_its_items(seed_plan, registry, settings, tmp_path):
    from hatangso.analytics.models import IndicatorResult
    from hatangso.analytics.services import compute_scorecard

    compute_scorecard(plan=seed_plan, unit=seed_plan.area_unit, period=Y2024)
    stored = IndicatorResult.objects.get(indicator__code="bts_site_sharing", unit=seed_plan.area_unit)
    lineage = stored.lineage["registry_bts_sites"]
    assert lineage["provider"] == "registry" and len(lineage["items"]) == 2
    shared = stored.lineage["registry_bts_sites_shared"]["items"]
    assert len(shared) == 1 and shared[0] in lineage["items"]
    from hatangso.registry.models import Site

    assert set(Site.objects.get(code=shared[0]).stations.values_list("code", flat=True)) == {"V1", "N1"}
    card = evaluate_scorecard(plan=seed_plan, unit=seed_plan.area_unit, period=Y2024)
    assert card.synthetic is True  # the registry rows were imported as synthetic


def test_a_register_with_items_none_in_service_counts_zero_and_an_empty_one_gives_no_data(
    seed_plan, registry
):
    from hatangso.analytics.engine import build_scope
    from hatangso.analytics.providers import PROVIDERS
    from hatangso.collection.models import DataElement

    elements = list(DataElement.objects.filter(code__in=["registry_bts_sites", "registry_poles"]))
    commune = seed_plan.area_unit.children.get(code="20008")  # its one station (V2) starts in 2025
    totals = PROVIDERS["registry"].totals(elements, build_scope(commune, Y2024))
    assert (totals["registry_bts_sites"].value, totals["registry_poles"].value) == (0, None)
    in_2025 = PROVIDERS["registry"].totals(elements, build_scope(commune, parse_period("2025")))
    assert (in_2025["registry_bts_sites"].value, len(in_2025["registry_bts_sites"].items)) == (1, 1)
