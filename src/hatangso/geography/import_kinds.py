"""The geography app's kinds of `hatangso import`: unit lists, the crosswalk, villages, boundaries."""

from collections.abc import Callable
from pathlib import Path

from hatangso.utilities.import_kinds import ON, SOURCE, SYNTHETIC, ImportKind, Option, register_import
from hatangso.utilities.numbers import format_number
from hatangso.utilities.periods import parse_iso_day

# Where the crosswalk takes population points from to share partial merges: the analytics app
# registers its population layer here (geography cannot depend on it).
POPULATION_SOURCES: list[Callable[[], object]] = []


def _day(text: str | None):
    return parse_iso_day(text) if text else None


def _admin_units(*, path, actor, options):
    from datetime import date

    from hatangso.geography.selectors import units_in_force
    from hatangso.geography.services import import_gso_list

    summary = import_gso_list(
        path=path,
        actor=actor,
        province_code=options["province"],
        provinces_path=options["provinces"],
        source=options["source"],
        valid_from=_day(options["valid_from"]),
        valid_to=_day(options["valid_to"]),
    )
    yield (
        f"Đơn vị hành chính / units: {summary.created} mới / created, "
        f"{summary.updated} cập nhật / updated, {summary.unchanged} không đổi / unchanged, "
        f"{summary.closed} đã đóng hoặc lùi hiệu lực / validity ended or deferred"
    )
    day = _day(options["valid_from"]) or _day(options["valid_to"]) or date.today()
    counts = {level: format_number(count, 0) for level, count in units_in_force(day).items()}
    yield (
        f"Có hiệu lực ngày / in force on {day:%d/%m/%Y}: {counts.get('province', 0)} tỉnh / provinces, "
        f"{counts.get('district', 0)} huyện / districts, {counts.get('commune', 0)} xã / communes"
    )


def _crosswalk(*, path, actor, options):
    from hatangso.geography.services import REORGANISATION_2025, import_crosswalk

    population = next((points for source in POPULATION_SOURCES if (points := source()) is not None), None)
    result = import_crosswalk(
        path=path,
        actor=actor,
        effective=_day(options["effective"]) or REORGANISATION_2025,
        source=options["source"],
        population=population,
        skip_invalid_rows=options["skip_invalid_rows"],
    )
    yield (
        f"Liên kết kế thừa / successor links: {result.created} mới / created, "
        f"{result.updated} cập nhật / updated, {result.unchanged} không đổi / unchanged; "
        f"{result.partial} nhập một phần / partial, {result.flagged} chưa rõ tỷ lệ / share unknown"
    )
    if result.recoded:
        yield (
            f"{result.recoded} dòng có mã dự thảo, đã nhận đơn vị theo tên / rows with a draft code, "
            "matched by name"
        )
    if result.skipped_rows:
        rows = ", ".join(map(str, result.skipped_rows))
        yield f"Bỏ qua dòng không có đơn vị cũ / rows naming no old unit, left out: {rows}"
    if result.refused:
        yield (
            f"{len({error.row for error in result.refused})} dòng bị từ chối, không nhập / rows refused, "
            f"not imported (danh sách / list: {result.refused_list}):"
        )
        yield from map(str, result.refused)


def _villages(*, path, actor, options):
    from hatangso.geography.services import import_villages

    created = import_villages(path=path, actor=actor, synthetic=options["synthetic"])
    yield f"Đã thêm / Created {created} thôn, TDP / villages"


def _boundaries(*, path, actor, options):
    from hatangso.geography.services import import_boundaries

    count = import_boundaries(
        path=path,
        actor=actor,
        on=_day(options["on"]),
        source=options["source"],
        synthetic=options["synthetic"],
    )
    yield f"Ranh giới / boundaries: {count}"


register_import(
    ImportKind(
        "admin-units",
        _admin_units,
        "danh mục ĐVHC (GSO) / administrative units",
        options=(
            Option("--valid-from", {"help": "admin-units: hiệu lực từ / valid from (YYYY-MM-DD)"}),
            Option("--valid-to", {"help": "admin-units: hiệu lực đến / valid to (YYYY-MM-DD)"}),
            Option(
                "--province",
                {
                    "help": "admin-units: mã tỉnh cho danh mục 2 cấp từ 01/7/2025 / province code "
                    "for the two-level list in force from 01/07/2025"
                },
            ),
            Option(
                "--provinces",
                {
                    "type": Path,
                    "help": "admin-units: danh sách tỉnh (mã, tên) cho danh mục 2 cấp toàn quốc từ 01/7/2025 "
                    "/ the province list (code, name) for the national two-level list from 01/07/2025",
                },
            ),
            SOURCE,
        ),
    )
)
register_import(
    ImportKind(
        "crosswalk",
        _crosswalk,
        "bảng chuyển đổi ĐVHC cũ → mới / old → new units crosswalk",
        options=(
            Option(
                "--effective",
                {
                    "help": "crosswalk: ngày các đơn vị mới có hiệu lực / the day the new units took effect "
                    "(YYYY-MM-DD; default 2025-07-01)"
                },
            ),
            Option(
                "--skip-invalid-rows",
                {
                    "action": "store_true",
                    "help": "crosswalk: nhập các dòng hợp lệ, liệt kê các dòng bị từ chối và lý do "
                    "(mặc định: có dòng lỗi thì không nhập gì) / import the valid rows and list the refused "
                    "ones with their reasons (default: any bad row refuses the whole file)",
                },
            ),
            SOURCE,
        ),
        status="Đang kiểm tra bảng chuyển đổi / Checking the crosswalk…",
    )
)
register_import(ImportKind("villages", _villages, "thôn, tổ dân phố / villages", options=(SYNTHETIC,)))
register_import(
    ImportKind("boundaries", _boundaries, "ranh giới ĐVHC / unit boundaries", options=(ON, SOURCE, SYNTHETIC))
)
