"""Unit lists of several dates never rewrite a unit's history; the 2025 crosswalk links old units to
new ones; a unit of another date without links says what is missing (issue 18, items 1–3)."""

import csv
import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from hatangso.analytics.engine import build_scope, evaluate_plan
from hatangso.analytics.providers import PROVIDERS
from hatangso.collection.models import DataElement
from hatangso.collection.services import set_value
from hatangso.core.scoping import COMMAND_LINE
from hatangso.geography.models import AdministrativeUnit, UnitSuccession
from hatangso.geography.selectors import missing_crosswalk, resolve_unit
from hatangso.geography.services import (
    REFERENCE_CROSSWALK,
    PopulationPoints,
    import_boundaries,
    import_crosswalk,
    import_gso_list,
)
from hatangso.plans.services import SEED_PLAN_FILE, load_plan
from hatangso.registry.operators import load_reference_operators
from hatangso.utilities.errors import UserError
from hatangso.utilities.importing import ImportRejected
from hatangso.utilities.periods import parse_period
from hatangso.utilities.testing import RESEARCH_DATA, needs_shared

LIST_2021 = RESEARCH_DATA / "gso_xa_2021-02-03_thuathienhue.csv"
LIST_2025_07 = RESEARCH_DATA / "gso_cap-xa_2025-07_hue.csv"
CROSSWALK = RESEARCH_DATA / "conversion_2025-07_old_to_new_communes_hue.csv"
NATIONAL_2021 = RESEARCH_DATA / "national" / "gso_xa_2021-02-03_national.csv"
JUNE_2024, JULY_2025 = date(2024, 6, 1), date(2025, 7, 1)
Y2024 = parse_period("2024")

pytestmark = needs_shared(RESEARCH_DATA)

HEADER = [
    ["Đơn vị hành chính từ ngày 01/7/2025", "", "", "Đơn vị hành chính trước ngày 01/7/2025"],
    [
        "Tỉnh, thành phố",
        "Tên Xã mới",
        "Mã Xã mới",
        "Tên Xã cũ",
        "Mã Xã cũ",
        "Ghi chú",
        "Quận/huyện",
        "Tỉnh cũ",
        "Tỷ lệ",
    ],
]


def _import_2025_07(actor, **dates):
    return import_gso_list(path=LIST_2025_07, actor=actor, province_code="46", **dates)


@pytest.fixture
def home_2021(db, actor):
    """A blank install that imported the 2021 list of Thừa Thiên Huế, without dates."""
    summary = import_gso_list(path=LIST_2021, actor=actor)
    assert (summary.created, summary.updated) == (1 + 9 + 145, 0)


def test_an_undated_list_that_renames_units_is_refused_and_writes_nothing(home_2021, actor, table_counts):
    before = table_counts()
    with pytest.raises(UserError) as caught:
        _import_2025_07(actor)
    assert caught.value.en == (
        "The list would turn Tỉnh Thừa Thiên Huế (46, valid … – …) into Thành phố Huế under —; to keep "
        "its history add --valid-from (the day the list takes effect) or --valid-to (the last day of an "
        "older list)"
    )
    assert caught.value.vi.startswith(
        "Danh mục sẽ đổi Tỉnh Thừa Thiên Huế (46, hiệu lực … – …) thành Thành phố Huế"
    )
    assert table_counts() == before


def test_a_dated_list_closes_the_old_units_and_opens_the_new_ones(home_2021, actor, table_counts):
    summary = _import_2025_07(actor, valid_from=JULY_2025)
    # Every unit of the list is new: the province was renamed, the communes moved under it.
    assert (summary.created, summary.updated, summary.unchanged) == (1 + 40, 0, 0)
    # All 155 units of 2021 end on 30/06/2025: renamed or moved (41) or no longer listed.
    assert summary.closed == 155
    assert AdministrativeUnit.objects.valid_on(JUNE_2024).count() == 155
    assert AdministrativeUnit.objects.valid_on(JULY_2025).count() == 41
    tu_ha = resolve_unit("19996", start=JUNE_2024)
    assert (tu_ha.name, tu_ha.parent.code, tu_ha.valid_to) == ("Phường Tứ Hạ", "480", date(2025, 6, 30))
    huong_tra = resolve_unit("19996", start=JULY_2025)
    assert (huong_tra.name, huong_tra.parent.name, huong_tra.valid_from) == (
        "Phường Hương Trà",
        "Thành phố Huế",
        JULY_2025,
    )
    assert resolve_unit("19999", start=JUNE_2024).valid_to == date(2025, 6, 30)
    before = table_counts()
    again = _import_2025_07(actor, valid_from=JULY_2025)
    assert (again.created, again.updated, again.unchanged, again.closed) == (0, 0, 41, 0)
    assert table_counts() == before


def test_the_2021_list_goes_into_a_home_with_2025_units_with_dates(reference_units, actor, table_counts):
    """In 2021 code 474 was Thành phố Huế (district level); since 2025 it is Quận Thuận Hóa."""
    before = table_counts()
    with pytest.raises(UserError) as caught:
        import_gso_list(path=LIST_2021, actor=actor)
    assert caught.value.en.startswith(
        "The list would turn Quận Thuận Hóa (474, valid … – 30/06/2025) into Thành phố Huế under 46;"
    )
    assert table_counts() == before
    summary = import_gso_list(path=LIST_2021, actor=actor, valid_to=date(2024, 12, 31))
    # 85 units are named again; 57 renamed or moved ones begin on 01/01/2025 after their 2021 state;
    # 13 codes of 2021 are no longer in use at all.
    assert (summary.created, summary.updated, summary.unchanged, summary.closed) == (57 + 13, 0, 85, 57)
    thuan_hoa = AdministrativeUnit.objects.get(code="474", name="Quận Thuận Hóa")
    assert (thuan_hoa.valid_from, thuan_hoa.valid_to) == (date(2025, 1, 1), date(2025, 6, 30))
    assert resolve_unit("474", start=JUNE_2024).name == "Thành phố Huế"
    # Hương Trà kept its name: the same unit, with its 15 communes of 2021 and 9 of 2025.
    huong_tra = resolve_unit("480", start=date(2021, 3, 1))
    assert huong_tra == resolve_unit("480", start=date(2025, 3, 1))
    assert huong_tra.children.valid_on(date(2021, 3, 1)).count() == 15
    assert huong_tra.children.valid_on(date(2025, 3, 1)).count() == 9
    before = table_counts()
    again = import_gso_list(path=LIST_2021, actor=actor, valid_to=date(2024, 12, 31))
    assert (again.created, again.updated, again.closed) == (0, 0, 0)
    assert table_counts() == before


def test_a_list_inside_a_units_validity_is_refused(reference_units, actor, tmp_path, table_counts):
    path = tmp_path / "gso.csv"
    path.write_text(
        "Tỉnh Thành Phố,Mã TP,Quận Huyện,Mã QH,Phường Xã,Mã PX,Cấp,Tên Tiếng Anh\n"
        "Thành phố Huế,46,Thị xã Hương Trà,480,Phường Mới,19996,Phường,\n",
        encoding="utf-8",
    )
    before = table_counts()
    with pytest.raises(UserError) as caught:
        import_gso_list(path=path, actor=actor, valid_from=date(2024, 1, 1), valid_to=date(2024, 12, 31))
    assert caught.value.en == (
        "The list (Phường Mới, 19996) falls inside the validity … – 30/06/2025 of Phường Tứ Hạ; "
        "give only --valid-from or only --valid-to"
    )
    assert table_counts() == before


def test_a_unit_never_loses_data_to_a_shorter_validity(seed_plan, actor, tmp_path, table_counts):
    set_value(
        element=DataElement.objects.get(code="population"),
        unit=resolve_unit("19996", start=JUNE_2024),
        period="2024",
        value="1000",
        actor=actor,
    )
    path = tmp_path / "gso.csv"
    path.write_text(
        "Tỉnh Thành Phố,Mã TP,Quận Huyện,Mã QH,Phường Xã,Mã PX,Cấp,Tên Tiếng Anh\n"
        "Thành phố Huế,46,Thị xã Hương Trà,480,Phường Mới,19996,Phường,\n",
        encoding="utf-8",
    )
    before = table_counts()
    with pytest.raises(UserError) as caught:
        import_gso_list(path=path, actor=actor, valid_from=date(2024, 7, 1), valid_to=date(2025, 6, 30))
    assert caught.value.en == (
        "Phường Tứ Hạ (19996) has data for 2024 outside its new validity … – 30/06/2024; "
        "check the dates of --valid-from / --valid-to"
    )
    assert table_counts() == before


def _blank_install_with_2024_data(actor):
    import_gso_list(path=LIST_2021, actor=actor)
    load_reference_operators(actor=actor)
    plan = load_plan(path=SEED_PLAN_FILE, actor=actor, user=COMMAND_LINE).plan
    for code, population, users in (
        ("19996", 10000, 9800),
        ("20011", 6000, 5700),
        ("20008", 4000, 3900),
        ("20005", 7000, 6000),
    ):
        for element, value in (("population", population), ("internet_users", users)):
            set_value(
                element=DataElement.objects.get(code=element),
                unit=resolve_unit(code, start=JUNE_2024),
                period="2024",
                value=str(value),
                actor=actor,
            )
    return plan


def _scorecard(plan, unit):
    return {
        e.indicator.code: (e.status, e.numerator, e.denominator, e.reason)
        for e in evaluate_plan(plan, unit, Y2024)
    }


def test_a_blank_install_says_it_lacks_the_crosswalk_until_it_is_imported(db, actor, capsys, table_counts):
    plan = _blank_install_with_2024_data(actor)
    district_2024 = _scorecard(plan, resolve_unit("480", start=JUNE_2024))
    _import_2025_07(actor, valid_from=JULY_2025)
    # The dated list keeps the 2024 scorecards identical.
    assert _scorecard(plan, resolve_unit("480", start=JUNE_2024)) == district_2024
    huong_tra = resolve_unit("19996", start=JULY_2025)
    users = _scorecard(plan, huong_tra)["internet_users"]
    assert users[0] == "no_data"
    assert users[3] == (
        "Chưa nạp bảng chuyển đổi cho ngày 01/07/2025: `hatangso import crosswalk TỆP --effective "
        "2025-07-01` để số liệu của các đơn vị cũ được tính cho Phường Hương Trà / no crosswalk loaded for "
        "2025-07-01: "
        "`hatangso import crosswalk FILE --effective 2025-07-01` so that the former units' data count for "
        "Phường Hương Trà"
    )
    call_command(
        "compute", "--plan", plan.code, "--unit", "19996", "--period", "2024", "--as-of", "2025-07-01"
    )
    assert "no crosswalk loaded for 2025-07-01" in " ".join(capsys.readouterr().out.split())

    call_command("import", "crosswalk", str(CROSSWALK), "--effective", "2025-07-01")
    out = " ".join(capsys.readouterr().out.split())
    # 133 communes and the renamed province; 25 rows carry a draft code of the new unit.
    assert "successor links: 134 mới / created, 0 cập nhật / updated, 0 không đổi / unchanged" in out
    assert "25 dòng có mã dự thảo" in out
    users = _scorecard(plan, huong_tra)["internet_users"]
    # Tứ Hạ + Hương Văn + Hương Vân, not Hương Toàn (which went to Kim Trà)
    assert users[:3] == ("achieved", 9800 + 5700 + 3900, 10000 + 6000 + 4000)
    # The same links as the crosswalk shipped with the product (built from the official codes).
    with REFERENCE_CROSSWALK.open(encoding="utf-8") as handle:
        shipped = {(row["old_code"], row["new_code"]) for row in csv.DictReader(handle)}
    imported = set(
        UnitSuccession.objects.filter(predecessor__level="commune").values_list(
            "predecessor__code", "successor__code"
        )
    )
    assert imported == shipped
    before = table_counts()
    again = import_crosswalk(path=CROSSWALK, actor=actor)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 134)
    assert table_counts() == before


@pytest.fixture
def home_2025(home_2021, actor):
    """The blank install after the dated 2025-07 list: old and new units, no crosswalk yet."""
    _import_2025_07(actor, valid_from=JULY_2025)


def _crosswalk(tmp_path, *rows: tuple[str, ...]):
    """A conversion table of Hương Trà's communes; a row is (new name, new code, old name, old code,
    note, share)."""
    path = tmp_path / "chuyen-doi.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerows(HEADER)
        for new_name, new_code, old_name, old_code, note, share in rows:
            hue, district = "Thành phố Huế (46)", "Thị xã Hương Trà (480)"
            writer.writerow([hue, new_name, new_code, old_name, old_code, note, district, hue, share])
    return path


def _links():
    return {
        (link.predecessor.code, link.successor.code): (link.share, link.share_basis)
        for link in UnitSuccession.objects.filter(predecessor__level="commune").select_related(
            "predecessor", "successor"
        )
    }


def test_partly_merged_communes_get_a_share_per_new_commune(home_2025, actor, tmp_path):
    path = _crosswalk(
        tmp_path,
        ("Phường Hương Trà", "19996", "Phường Tứ Hạ", "19996", "Nhập một phần", "60%"),
        ("Phường Kim Trà", "20017", "Phường Tứ Hạ", "19996", "Nhập một phần", "0,4"),
        ("Phường Hương Trà", "19996", "Phường Hương Văn", "20011", "Nhập một phần diện tích", ""),
        (
            "Phường Kim Trà",
            "20017",
            "Phường Hương Văn",
            "20011",
            "Nhập một phần diện tích, toàn bộ dân số",
            "",
        ),
        ("Phường Hương Trà", "19996", "Phường Hương Vân", "20008", "Nhập một phần", ""),
        ("Xã Bình Điền", "20035", "Phường Hương Vân", "20008", "Nhập một phần", ""),
        ("Phường Kim Trà", "20017", "Xã Hương Toàn", "20005", "Nhập toàn bộ", ""),
    )
    summary = import_crosswalk(path=path, actor=actor)
    assert (summary.created, summary.partial, summary.flagged) == (7 + 1, 6, 2)
    assert _links() == {
        ("19996", "19996"): (Decimal("0.6"), "declared"),
        ("19996", "20017"): (Decimal("0.4"), "declared"),
        ("20011", "19996"): (Decimal(0), "declared"),
        ("20011", "20017"): (Decimal(1), "declared"),
        ("20008", "19996"): (None, "unknown"),
        ("20008", "20035"): (None, "unknown"),
        ("20005", "20017"): (Decimal(1), "whole"),
    }


def test_a_bad_crosswalk_names_every_bad_row_and_writes_nothing(home_2025, actor, tmp_path, table_counts):
    path = _crosswalk(
        tmp_path,
        ("Phường Hương Trà", "19996", "Phường Tứ Hạ", "19996", "Nhập một phần", "60%"),
        ("Phường Kim Trà", "20017", "Phường Tứ Hạ", "19996", "Nhập một phần", "30%"),
        ("Phường Không Có", "99999", "Phường Hương Văn", "20011", "Nhập toàn bộ", ""),
        ("Phường Kim Trà", "20017", "Xã Không Có", "88888", "Nhập toàn bộ", ""),
    )
    before = table_counts()
    with pytest.raises(ImportRejected) as caught:
        import_crosswalk(path=path, actor=actor)
    assert [(e.row, e.column, e.value, e.reason_en) for e in caught.value.errors] == [
        (
            3,
            "Tỷ lệ",
            "60%",
            "the shares of Phường Tứ Hạ (19996) add up to 90.0%; every new commune needs one and they must "
            "add up to 100%",
        ),
        (
            5,
            "Mã Xã mới",
            "99999",
            "no commune with code 99999 or name Phường Không Có is in force on 2025-07-01",
        ),
        (6, "Mã Xã cũ", "88888", "no commune with code 88888 is in force on 2025-06-30"),
    ]
    assert table_counts() == before


def test_a_crosswalk_needs_the_new_units_in_force(home_2021, actor, table_counts):
    before = table_counts()
    with pytest.raises(ImportRejected) as caught:
        import_crosswalk(path=CROSSWALK, actor=actor)
    # Without the 2025 list only the units that kept their code and name are found.
    assert len(caught.value.errors) == 104
    assert (caught.value.errors[0].row, caught.value.errors[0].reason_en) == (
        3,
        "no commune with code 19753 or name Phường Phú Xuân is in force on 2025-07-01",
    )
    assert table_counts() == before


def test_the_national_lists_read_with_their_quirks():
    from hatangso.geography.gso import (
        read_conversion_table,
        read_gso_three_level,
        read_gso_two_level_national,
    )

    units = read_gso_three_level(NATIONAL_2021)
    counts = {
        level: sum(1 for u in units if u.level == level) for level in ("province", "district", "commune")
    }
    assert counts == {"province": 63, "district": 705, "commune": 10603}
    rows = read_conversion_table(
        RESEARCH_DATA / "national" / "conversion_2025-07_old_to_new_communes_national.csv"
    )
    assert len(rows) == 10571  # the 34 province title rows are left out
    assert len({r.new_code for r in rows}) == 3321
    island = next(r for r in rows if r.old_district == "Huyện Bạch Long Vĩ (318)")
    assert (island.row, island.old_code, island.new_name) == (3969, "", "Đặc khu Bạch Long Vĩ")
    assert sum("một phần" in r.note for r in rows) == 969
    after = read_gso_two_level_national(
        RESEARCH_DATA / "national" / "gso_cap-xa_2025-07_national.csv",
        RESEARCH_DATA / "national" / "gso_cap-tinh_2025-07_national.csv",
    )
    assert sum(u.level == "province" for u in after) == 34
    assert sum(u.level == "commune" for u in after) == 3321
    by_code = {u.code: u for u in after}
    # "Tp Hải Phòng" in the list is the province "Thành phố Hải Phòng" (31); "Cao Bằng" is a Tỉnh.
    assert (by_code["11948"].name, by_code["11948"].parent_code) == ("Đặc khu Bạch Long Vĩ", "31")
    assert by_code["04"].name == "Tỉnh Cao Bằng" and by_code["00733"].name == "Xã Sà Phìn"


PARTIAL_HUONG_TRA = (
    ("Phường Hương Trà", "19996", "Phường Tứ Hạ", "19996", "Nhập một phần", "60%"),
    ("Phường Kim Trà", "20017", "Phường Tứ Hạ", "19996", "Nhập một phần", "40%"),
    ("Phường Hương Trà", "19996", "Phường Hương Văn", "20011", "Nhập một phần diện tích", ""),
    ("Phường Kim Trà", "20017", "Phường Hương Văn", "20011", "Nhập một phần diện tích, toàn bộ dân số", ""),
    ("Phường Hương Trà", "19996", "Phường Hương Vân", "20008", "Nhập một phần", ""),
    ("Xã Bình Điền", "20035", "Phường Hương Vân", "20008", "Nhập một phần", ""),
    ("Phường Kim Trà", "20017", "Xã Hương Toàn", "20005", "Nhập toàn bộ", ""),
)


def test_a_partly_merged_communes_counts_roll_up_by_its_shares(db, actor, tmp_path):
    plan = _blank_install_with_2024_data(actor)
    _import_2025_07(actor, valid_from=JULY_2025)
    import_crosswalk(path=_crosswalk(tmp_path, *PARTIAL_HUONG_TRA), actor=actor)
    huong_tra, kim_tra = (resolve_unit(code, start=JULY_2025) for code in ("19996", "20017"))
    users = {e.indicator.code: e for e in evaluate_plan(plan, huong_tra, Y2024)}["internet_users"]
    # 60% of Tứ Hạ, none of Hương Văn (its people went to Kim Trà), Hương Vân whole (share unknown).
    assert (users.numerator, users.denominator) == (5880 + 3900, 6000 + 4000)
    assert sorted(users.lineage["population"]["items"]) == [
        "Phường Hương Vân (20008) × 100% (chưa rõ tỷ lệ / share unknown)",
        "Phường Hương Văn (20011) × 0%",
        "Phường Tứ Hạ (19996) × 60%",
    ]
    users = {e.indicator.code: e for e in evaluate_plan(plan, kim_tra, Y2024)}["internet_users"]
    assert (users.numerator, users.denominator) == (3920 + 5700 + 6000, 4000 + 6000 + 7000)
    totals = PROVIDERS["values"].totals(
        list(DataElement.objects.filter(code__in=["population", "internet_users"])),
        build_scope(kim_tra, Y2024),
    )
    assert totals["population"].estimated and totals["internet_users"].estimated
    assert "estimated" in users.flags  # the ratio of a partly merged commune is an estimate
    # The 2024 view of the old communes is untouched by the shares.
    tu_ha = {e.indicator.code: e for e in evaluate_plan(plan, resolve_unit("19996", start=JUNE_2024), Y2024)}
    assert (tu_ha["internet_users"].numerator, tu_ha["internet_users"].denominator) == (9800, 10000)
    assert "estimated" not in tu_ha["internet_users"].flags


def _squares(tmp_path, name: str, squares: dict[str, tuple[float, float]]):
    """A GeoJSON file of rectangles (lon from–to, lat 16.0–16.1) by unit code."""
    features = [
        {
            "type": "Feature",
            "properties": {"ma": code},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[west, 16.0], [east, 16.0], [east, 16.1], [west, 16.1], [west, 16.0]]],
            },
        }
        for code, (west, east) in squares.items()
    ]
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def test_population_points_give_the_shares_before_declared_ones(home_2025, actor, tmp_path):
    import_boundaries(
        path=_squares(tmp_path, "cu.geojson", {"19996": (107.0, 107.2)}), actor=actor, on=JUNE_2024
    )
    new = {"19996": (107.0, 107.12), "20017": (107.12, 107.2)}
    import_boundaries(path=_squares(tmp_path, "moi.geojson", new), actor=actor, on=JULY_2025)
    points = PopulationPoints(
        lons=[107.05, 107.1, 107.15, 107.5],
        lats=[16.05, 16.05, 16.05, 16.05],
        population=[300, 300, 400, 999],
    )
    rows = [
        ("Phường Hương Trà", "19996", "Phường Tứ Hạ", "19996", "Nhập một phần", "50%"),
        ("Phường Kim Trà", "20017", "Phường Tứ Hạ", "19996", "Nhập một phần", "50%"),
    ]
    summary = import_crosswalk(path=_crosswalk(tmp_path, *rows), actor=actor, population=points)
    assert (summary.partial, summary.flagged) == (2, 0)
    # The point outside every boundary (999 people) counts for neither.
    assert _links() == {
        ("19996", "19996"): (Decimal("0.6"), "population"),
        ("19996", "20017"): (Decimal("0.4"), "population"),
    }
    # Without points the declared shares are used (a re-import updates the links).
    again = import_crosswalk(path=_crosswalk(tmp_path, *rows), actor=actor)
    assert (again.created, again.updated) == (0, 2)
    assert _links() == {
        ("19996", "19996"): (Decimal("0.5"), "declared"),
        ("19996", "20017"): (Decimal("0.5"), "declared"),
    }


def test_the_command_shares_partial_merges_by_the_population_layer(home_2025, actor, tmp_path, capsys):
    from hatangso.analytics.measurements.population import import_population

    import_boundaries(
        path=_squares(tmp_path, "cu.geojson", {"19996": (107.0, 107.2)}), actor=actor, on=JUNE_2024
    )
    new = {"19996": (107.0, 107.12), "20017": (107.12, 107.2)}
    import_boundaries(path=_squares(tmp_path, "moi.geojson", new), actor=actor, on=JULY_2025)
    points = tmp_path / "dan-so.csv"
    points.write_text(
        "lat,lon,population\n16.05,107.05,300\n16.05,107.1,450\n16.05,107.15,250\n", encoding="utf-8"
    )
    import_population(path=points, actor=actor, on=JULY_2025)
    rows = [
        ("Phường Hương Trà", "19996", "Phường Tứ Hạ", "19996", "Nhập một phần", ""),
        ("Phường Kim Trà", "20017", "Phường Tứ Hạ", "19996", "Nhập một phần", ""),
    ]
    call_command("import", "crosswalk", str(_crosswalk(tmp_path, *rows)))
    assert "2 nhập một phần / partial, 0 chưa rõ tỷ lệ / share unknown" in " ".join(
        capsys.readouterr().out.split()
    )
    assert _links() == {
        ("19996", "19996"): (Decimal("0.75"), "population"),
        ("19996", "20017"): (Decimal("0.25"), "population"),
    }


def test_a_blank_install_says_on_the_dashboard_which_crosswalk_it_lacks(db, actor, tmp_path, client):
    from hatangso.core.services import create_user, grant_membership

    plan = _blank_install_with_2024_data(actor)
    _import_2025_07(actor, valid_from=JULY_2025)
    owner = create_user(username="owner", password="a long pass 2024", actor=actor)
    grant_membership(user=owner, role="plan_owner", actor=actor, unit=plan.area_unit)
    client.force_login(owner)
    page = client.get(f"/ke-hoach/{plan.slug}/").content.decode()
    assert "không có trong bảng chuyển đổi đã nạp" in page and "--effective 2025-07-01" in page
    gap = page.split('class="meta unlinked">')[1].split("</p>")[0]
    assert gap.startswith("Phường Tứ Hạ (19996) và "), gap
    assert "sau sắp xếp (từ" not in page  # nothing to switch to yet
    leader = create_user(username="leader", password="a long pass 2024", actor=actor)
    grant_membership(user=leader, role="leader", actor=actor, unit=plan.area_unit)
    client.force_login(leader)
    page = client.get(f"/ke-hoach/{plan.slug}/").content.decode()
    assert "không có trong bảng chuyển đổi đã nạp" in page  # told, but not the command it cannot run
    assert "hatangso import crosswalk" not in page
    client.force_login(owner)

    import_crosswalk(path=_crosswalk(tmp_path, *PARTIAL_HUONG_TRA), actor=actor)
    page = client.get(f"/ke-hoach/{plan.slug}/").content.decode()
    assert "sau sắp xếp (từ 01/07/2025)" in page


def test_a_crosswalk_with_a_bad_row_imports_the_valid_rows_only_when_asked(
    home_2025, actor, tmp_path, capsys, table_counts, settings
):
    settings.HOME = tmp_path / "home"
    path = _crosswalk(
        tmp_path,
        ("Phường Hương Trà", "19996", "Phường Tứ Hạ", "19996", "Nhập một phần", "60%"),
        ("Phường Kim Trà", "20017", "Phường Tứ Hạ", "19996", "Nhập một phần", "40%"),
        ("Phường Kim Trà", "20017", "Xã Không Có", "88888", "Nhập toàn bộ", ""),
        ("Phường Kim Trà", "20017", "Xã Hương Toàn", "20005", "Nhập toàn bộ", ""),
    )
    before = table_counts()
    with pytest.raises(ImportRejected) as caught:  # all or nothing without the flag
        import_crosswalk(path=path, actor=actor)
    assert caught.value.en == "File chuyen-doi.csv has 1 error(s); nothing was written"
    assert table_counts() == before

    call_command("import", "crosswalk", str(path), "--skip-invalid-rows")
    out = " ".join(capsys.readouterr().out.split())
    assert _links() == {
        ("19996", "19996"): (Decimal("0.6"), "declared"),
        ("19996", "20017"): (Decimal("0.4"), "declared"),
        ("20005", "20017"): (Decimal(1), "whole"),
    }
    refused = (
        "dòng/row 5, cột/column Mã Xã cũ, '88888': không có xã, phường mã 88888 có hiệu lực ngày "
        "30/06/2025 / no commune with code 88888 is in force on 2025-06-30"
    )
    assert "1 dòng bị từ chối, không nhập / rows refused, not imported" in out
    assert refused in out
    [kept] = (settings.HOME / "imports" / "crosswalk").glob("*-refused.csv")
    with kept.open(encoding="utf-8") as handle:
        assert [(row["row"], row["value"], row["reason_en"]) for row in csv.DictReader(handle)] == [
            ("5", "88888", "no commune with code 88888 is in force on 2025-06-30")
        ]


def test_a_refused_row_of_a_partly_merged_commune_leaves_out_its_other_rows(home_2025, actor, tmp_path):
    path = _crosswalk(
        tmp_path,
        ("Phường Hương Trà", "19996", "Phường Tứ Hạ", "19996", "Nhập một phần", "60%"),
        ("Phường Không Có", "99999", "Phường Tứ Hạ", "19996", "Nhập một phần", "40%"),
        ("Phường Kim Trà", "20017", "Xã Hương Toàn", "20005", "Nhập toàn bộ", ""),
    )
    summary = import_crosswalk(path=path, actor=actor, skip_invalid_rows=True)
    assert [(e.row, e.column, e.reason_en) for e in summary.refused] == [
        (3, "Mã Xã cũ", "left out with row 4: a partly merged commune needs all its rows"),
        (4, "Mã Xã mới", "no commune with code 99999 or name Phường Không Có is in force on 2025-07-01"),
    ]
    assert _links() == {("20005", "20017"): (Decimal(1), "whole")}
    assert (summary.created, summary.partial) == (1 + 1, 0)
    # Phường Hương Trà's rows were refused: its view of 2024 says so, not that no crosswalk is loaded.
    huong_tra = resolve_unit("19996", start=JULY_2025)
    assert missing_crosswalk(huong_tra, start=Y2024.start, end=Y2024.end) == (
        "Bảng chuyển đổi đã nạp cho ngày 01/07/2025 không có dòng nào cho Phường Hương Trà (19996): nạp "
        "lại bảng có dòng của đơn vị này / the crosswalk loaded for 2025-07-01 has no row for Phường "
        "Hương Trà (19996): import one that has its rows"
    )


def test_a_unit_import_says_how_many_units_are_in_force(db, capsys):
    call_command("import", "admin-units", str(LIST_2021), "--valid-to", "2025-06-30")
    call_command("import", "admin-units", str(LIST_2025_07), "--province", "46", "--valid-from", "2025-07-01")
    out = " ".join(capsys.readouterr().out.split())
    assert "in force on 30/06/2025: 1 tỉnh / provinces, 9 huyện / districts, 145 xã / communes" in out
    assert "in force on 01/07/2025: 1 tỉnh / provinces, 0 huyện / districts, 40 xã / communes" in out


def test_importing_the_same_boundaries_again_changes_and_audits_nothing(home_2025, actor, tmp_path):
    from hatangso.core.models import ChangeLogEntry
    from hatangso.geography.models import UnitBoundary

    squares = {"19996": (107.0, 107.12), "20017": (107.12, 107.2)}
    import_boundaries(path=_squares(tmp_path, "moi.geojson", squares), actor=actor, on=JULY_2025)
    logged, stored = ChangeLogEntry.objects.count(), list(UnitBoundary.objects.values())
    import_boundaries(path=_squares(tmp_path, "moi.geojson", squares), actor=actor, on=JULY_2025)
    assert (ChangeLogEntry.objects.count(), list(UnitBoundary.objects.values())) == (logged, stored)

    squares["20017"] = (107.12, 107.3)  # one shape changes: one update, audited
    import_boundaries(path=_squares(tmp_path, "moi.geojson", squares), actor=actor, on=JULY_2025)
    assert ChangeLogEntry.objects.count() == logged + 1
