"""The unit tree: shipped reference data, validity, the 2025 crosswalk, villages, GSO import."""

from datetime import date

import pytest

from hatangso.core.models import ChangeLogEntry
from hatangso.geography.models import AdministrativeUnit, UnitSuccession
from hatangso.geography.selectors import predecessors, resolve_unit, rollup_units
from hatangso.geography.services import create_village, import_gso_list, import_villages, load_reference_units
from hatangso.utilities.errors import UserError
from hatangso.utilities.importing import ImportRejected
from hatangso.utilities.testing import RESEARCH_DATA, needs_shared, plan_without_scans

RESEARCH = RESEARCH_DATA
JUNE_2024 = date(2024, 6, 1)
JULY_2025 = date(2025, 7, 1)


def test_reference_units_of_hue_before_and_after_2025(reference_units):
    assert AdministrativeUnit.objects.count() == 184
    huong_tra = resolve_unit("480", start=JUNE_2024)
    assert (huong_tra.name, huong_tra.level, huong_tra.valid_to) == (
        "Thị xã Hương Trà",
        "district",
        date(2025, 6, 30),
    )
    communes = huong_tra.children.valid_on(JUNE_2024)
    assert sorted(c.code for c in communes) == [
        "19996",
        "20005",
        "20008",
        "20011",
        "20017",
        "20020",
        "20026",
        "20035",
        "20041",
    ]
    assert resolve_unit("19996", start=JUNE_2024).name == "Phường Tứ Hạ"
    assert resolve_unit("19996", start=JULY_2025).name == "Phường Hương Trà"
    assert resolve_unit("46", start=JULY_2025).former_names == "Tỉnh Thừa Thiên Huế (đến 31/12/2024)"
    assert all(
        u.path.startswith(resolve_unit("46", start=JUNE_2024).path) for u in AdministrativeUnit.objects.all()
    )


def test_crosswalk_of_the_2025_reorganisation(reference_units):
    assert UnitSuccession.objects.count() == 133
    expected = {
        "19996": {"19996", "20011", "20008"},
        "20017": {"20020", "20017", "20005"},
        "20035": {"20026", "20035", "20041"},
    }
    for new_code, old_codes in expected.items():
        successor = resolve_unit(new_code, start=JULY_2025)
        assert {p.code for p in predecessors(successor)} == old_codes
        assert set(successor.predecessions.values_list("source", flat=True)) == {
            "Nghị quyết 1675/NQ-UBTVQH15"
        }
    rolled = rollup_units(
        resolve_unit("19996", start=JULY_2025), start=date(2024, 1, 1), end=date(2024, 12, 31)
    )
    assert {u.code for u in rolled} == {"19996", "20011", "20008"}


def test_reloading_reference_units_changes_nothing(reference_units, actor):
    entries = ChangeLogEntry.objects.count()
    summary = load_reference_units(actor=actor)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 184)
    assert ChangeLogEntry.objects.count() == entries


def test_villages_get_commune_codes_and_validity(reference_units, actor):
    tu_ha = resolve_unit("19996", start=JUNE_2024)
    first = create_village(commune=tu_ha, name="Tổ dân phố 1", type_name="Tổ dân phố", actor=actor)
    second = create_village(commune=tu_ha, name="Tổ dân phố 2", type_name="Tổ dân phố", actor=actor)
    assert (first.code, second.code) == ("19996.01", "19996.02")
    assert first.valid_to == date(2025, 6, 30)
    assert first.path.startswith(tu_ha.path) and first.path != tu_ha.path
    assert ChangeLogEntry.objects.filter(
        object_type="geography.administrativeunit", object_id=str(first.pk)
    ).exists()
    with pytest.raises(UserError) as caught:
        create_village(commune=tu_ha, name="tổ dân phố  1", actor=actor)
    assert caught.value.en == "Phường Tứ Hạ already has a village 'tổ dân phố 1'"
    with pytest.raises(UserError):
        create_village(commune=resolve_unit("480", start=JUNE_2024), name="Thôn X", actor=actor)


def test_village_import_is_all_or_nothing(reference_units, actor, tmp_path, table_counts):
    bad = tmp_path / "thon.csv"
    bad.write_text(
        "ma_xa,ten,loai\n20005,Thôn Giáp Nam,Thôn\n99999,Thôn A,Thôn\n20005,Thôn Giáp Nam,Thôn\n",
        encoding="utf-8",
    )
    before = table_counts()
    with pytest.raises(ImportRejected) as caught:
        import_villages(path=bad, actor=actor)
    assert table_counts() == before
    assert [(e.row, e.reason_en) for e in caught.value.errors] == [
        (3, "no commune has this code"),
        (4, "duplicates row 2"),
    ]
    good = tmp_path / "thon-ok.csv"
    good.write_text("ma_xa,ten,loai\n20005,Thôn Giáp Nam,Thôn\n20005,Thôn Giáp Đông,Thôn\n", encoding="utf-8")
    assert import_villages(path=good, actor=actor) == 2
    # 20005 no longer exists after 30/06/2025; the villages go to the last Hương Toàn
    assert resolve_unit("20005", start=JUNE_2024).children.count() == 2


@needs_shared(RESEARCH)
def test_gso_list_import_into_an_empty_database(db, actor):
    summary = import_gso_list(
        path=RESEARCH / "gso_xa_2021-02-03_thuathienhue.csv",
        actor=actor,
        valid_to=date(2021, 6, 30),
        source="GSO 03/02/2021",
    )
    assert summary.created == 1 + 9 + 145
    district = AdministrativeUnit.objects.get(code="480")
    assert district.children.count() == 15
    again = import_gso_list(
        path=RESEARCH / "gso_xa_2021-02-03_thuathienhue.csv",
        actor=actor,
        valid_to=date(2021, 6, 30),
        source="GSO 03/02/2021",
    )
    assert again.unchanged == 155


def test_a_code_cannot_be_used_twice_at_the_same_time(reference_units, actor, tmp_path):
    path = tmp_path / "gso.csv"
    path.write_text(
        "Tỉnh Thành Phố,Mã TP,Quận Huyện,Mã QH,Phường Xã,Mã PX,Cấp,Tên Tiếng Anh\n"
        "Thành phố Huế,46,Thị xã Hương Trà,480,Phường Mới,19996,Phường,\n",
        encoding="utf-8",
    )
    with pytest.raises(UserError) as caught:
        import_gso_list(path=path, actor=actor, valid_from=date(2024, 1, 1), valid_to=date(2024, 12, 31))
    assert caught.value.en == (
        "The list (Phường Mới, 19996) falls inside the validity … – 30/06/2025 of Phường Tứ Hạ; "
        "give only --valid-from or only --valid-to"
    )


@needs_shared(RESEARCH)
def test_a_list_naming_known_units_again_changes_nothing(reference_units, actor, table_counts):
    before = table_counts()
    summary = import_gso_list(
        path=RESEARCH / "gso_xa_2025-01-04_hue.csv", actor=actor, valid_to=date(2025, 6, 30)
    )
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 1 + 9 + 134)
    assert table_counts() == before


@needs_shared(RESEARCH)
def test_a_code_whose_unit_changed_needs_validity_dates(reference_units, actor, table_counts):
    """In 2021 code 474 was Thành phố Huế (district level); since 2025 it is Quận Thuận Hóa. Without
    dates that separate them the import must stop, not rename the unit (test_unit_history.py imports
    it with dates)."""
    before = table_counts()
    with pytest.raises(UserError) as caught:
        import_gso_list(path=RESEARCH / "gso_xa_2021-02-03_thuathienhue.csv", actor=actor)
    assert caught.value.en == (
        "The list would turn Quận Thuận Hóa (474, valid … – 30/06/2025) into Thành phố Huế under 46; to keep "
        "its history add --valid-from (the day the list takes effect) or --valid-to (the last day of an "
        "older list)"
    )
    assert table_counts() == before


def test_moving_a_unit_moves_its_subtree(reference_units, actor):
    from hatangso.geography.services import UnitRecord, upsert_units

    tu_ha = resolve_unit("19996", start=JUNE_2024)
    village = create_village(commune=tu_ha, name="Tổ dân phố 1", actor=actor)
    phong_dien = resolve_unit("477", start=JUNE_2024)
    summary = upsert_units(
        records=[
            UnitRecord(
                code="19996",
                name=tu_ha.name,
                level="commune",
                type_name="Phường",
                parent_code="477",
                valid_to=tu_ha.valid_to,
                source="test",
            )
        ],
        actor=actor,
    )
    assert summary.updated == 1
    village.refresh_from_db()
    assert village.path.startswith(phong_dien.path)
    assert village in rollup_units(phong_dien, start=JUNE_2024, end=JUNE_2024)


def test_whether_a_reorganisation_took_effect_in_a_period_is_one_probe_of_an_index(reference_units):
    """Every scorecard asks it; a national crosswalk has ten thousand links."""
    in_the_period = UnitSuccession.objects.filter(effective__gt=JUNE_2024, effective__lte=JULY_2025)
    assert "succession_by_effective_date" in plan_without_scans(in_the_period)
