"""Build the project's reference data for Thừa Thiên Huế / Huế (code 46) from the GSO lists.

Usage::

    .venv/bin/python scripts/build_hue_reference.py [--research-dir ../shared/research/data]

Reads the third-party GSO lists in the research folder (which must not be copied into the
repository) and writes the project's own files, naming their sources:

* ``src/hatangso/geography/data/hue_units.csv``: the province, the districts and communes of the
  GSO list of 04/01/2025 (in force until 30/06/2025) and the 40 communes from 01/07/2025;
* ``src/hatangso/geography/data/hue_crosswalk_2025.csv``: old commune → new commune on 01/07/2025.

Codes are reused by successors (19996 is Phường Tứ Hạ until 30/06/2025 and Phường Hương Trà from
01/07/2025), so a unit is a code plus its validity dates.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_DIR / "src"))

from hatangso.geography import gso  # noqa: E402

DEFAULT_RESEARCH_DIR = REPO_DIR.parent / "shared" / "research" / "data"
OUTPUT_DIR = REPO_DIR / "src" / "hatangso" / "geography" / "data"
UNITS_FILE = OUTPUT_DIR / "hue_units.csv"
CROSSWALK_FILE = OUTPUT_DIR / "hue_crosswalk_2025.csv"

LIST_2021 = "gso_xa_2021-02-03_thuathienhue.csv"
LIST_2025_01 = "gso_xa_2025-01-04_hue.csv"
LIST_2025_07 = "gso_cap-xa_2025-07_hue.csv"
CONVERSION = "conversion_2025-07_old_to_new_communes_hue.csv"

PROVINCE_CODE = "46"
PROVINCE_NAME = "Thành phố Huế"
FORMER_PROVINCE_NAME = "Tỉnh Thừa Thiên Huế"
FORMER_NAMES = f"{FORMER_PROVINCE_NAME} (đến 31/12/2024)"
OLD_VALID_TO = "2025-06-30"
NEW_VALID_FROM = "2025-07-01"
EFFECTIVE = NEW_VALID_FROM

SOURCE_PROVINCE = "GSO danh mục ĐVHC 03/02/2021 và 04/01/2025 (qua VietnamProvinces)"
SOURCE_OLD = "GSO danh mục ĐVHC 04/01/2025 (qua VietnamProvinces)"
SOURCE_NEW = "GSO danh mục ĐVHC từ 01/7/2025 (qua VietnamProvinces)"
SOURCE_RESOLUTION = "Nghị quyết 1675/NQ-UBTVQH15"
SOURCE_DRAFT = "Dự thảo bảng chuyển đổi ĐVHC (chinhphu.vn, qua VietnamProvinces)"

UNITS_HEADER = [
    "code",
    "name",
    "level",
    "type_name",
    "parent_code",
    "valid_from",
    "valid_to",
    "former_names",
    "source",
]
CROSSWALK_HEADER = ["old_code", "old_name", "new_code", "new_name", "effective", "note", "source"]

# Thị xã Hương Trà in the list of 04/01/2025 (DESIGN.md §7).
HUONG_TRA_DISTRICT = "480"
HUONG_TRA_COMMUNES = {
    "19996": "Phường Tứ Hạ",
    "20005": "Xã Hương Toàn",
    "20008": "Phường Hương Vân",
    "20011": "Phường Hương Văn",
    "20017": "Phường Hương Xuân",
    "20020": "Phường Hương Chữ",
    "20026": "Xã Hương Bình",
    "20035": "Xã Bình Tiến",
    "20041": "Xã Bình Thành",
}
# Nghị quyết 1675/NQ-UBTVQH15: old commune code → (new code, new name).
HUONG_TRA_MERGERS = {
    "19996": ("19996", "Phường Hương Trà"),
    "20011": ("19996", "Phường Hương Trà"),
    "20008": ("19996", "Phường Hương Trà"),
    "20020": ("20017", "Phường Kim Trà"),
    "20017": ("20017", "Phường Kim Trà"),
    "20005": ("20017", "Phường Kim Trà"),
    "20026": ("20035", "Xã Bình Điền"),
    "20035": ("20035", "Xã Bình Điền"),
    "20041": ("20035", "Xã Bình Điền"),
}


class ReferenceCheckError(RuntimeError):
    """A fact the reference data must satisfy does not hold in the source lists."""


@dataclass
class Build:
    units: list[dict[str, str]]
    crosswalk: list[dict[str, str]]
    warnings: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def files(self) -> dict[Path, str]:
        return {
            UNITS_FILE: render_csv(UNITS_HEADER, self.units),
            CROSSWALK_FILE: render_csv(CROSSWALK_HEADER, self.crosswalk),
        }


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ReferenceCheckError(message)


def render_csv(header: list[str], rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _unit_row(unit: gso.GsoUnit, **extra: str) -> dict[str, str]:
    row = {
        "code": unit.code,
        "name": unit.name,
        "level": unit.level,
        "type_name": unit.type_name,
        "parent_code": unit.parent_code or "",
        "valid_from": "",
        "valid_to": "",
        "former_names": "",
        "source": "",
    }
    row.update(extra)
    return row


def _by_code(units: list[gso.GsoUnit]) -> list[gso.GsoUnit]:
    return sorted(units, key=lambda u: (len(u.code), u.code))


def build(research_dir: Path | str = DEFAULT_RESEARCH_DIR) -> Build:
    """Read the GSO lists and return the rows of both reference files (nothing is written)."""
    research_dir = Path(research_dir)
    warnings: list[str] = []

    units_2021 = gso.read_gso_three_level(research_dir / LIST_2021)
    units_old = gso.read_gso_three_level(research_dir / LIST_2025_01)
    units_new = gso.read_gso_two_level(research_dir / LIST_2025_07, province_code=PROVINCE_CODE)
    conversion = gso.read_conversion_table(research_dir / CONVERSION)

    # Province: one unit, renamed on 01/01/2025 (same territory).
    provinces_2021 = [u for u in units_2021 if u.level == "province"]
    provinces_old = [u for u in units_old if u.level == "province"]
    provinces_new = [u for u in units_new if u.level == "province"]
    _check(
        [(u.code, u.name) for u in provinces_2021] == [(PROVINCE_CODE, FORMER_PROVINCE_NAME)],
        f"{LIST_2021}: cần đúng một tỉnh {PROVINCE_CODE} {FORMER_PROVINCE_NAME}, có {provinces_2021}",
    )
    _check(
        [(u.code, u.name) for u in provinces_old] == [(PROVINCE_CODE, PROVINCE_NAME)],
        f"{LIST_2025_01}: cần đúng một tỉnh {PROVINCE_CODE} {PROVINCE_NAME}, có {provinces_old}",
    )
    _check(
        [gso.name_key(u.name) for u in provinces_new] == [gso.name_key(PROVINCE_NAME)],
        f"{LIST_2025_07}: cần đúng một tỉnh {PROVINCE_NAME}, có {provinces_new}",
    )
    province = provinces_old[0]

    districts = _by_code([u for u in units_old if u.level == "district"])
    communes_old = _by_code([u for u in units_old if u.level == "commune"])
    communes_new = _by_code([u for u in units_new if u.level == "commune"])

    huong_tra = {u.code: u.name for u in communes_old if u.parent_code == HUONG_TRA_DISTRICT}
    _check(
        huong_tra == HUONG_TRA_COMMUNES,
        f"{LIST_2025_01}: Thị xã Hương Trà ({HUONG_TRA_DISTRICT}) phải có 9 đơn vị "
        f"{HUONG_TRA_COMMUNES}, có {huong_tra}",
    )

    units = [
        _unit_row(province, former_names=FORMER_NAMES, source=SOURCE_PROVINCE),
        *(_unit_row(u, valid_to=OLD_VALID_TO, source=SOURCE_OLD) for u in districts),
        *(_unit_row(u, valid_to=OLD_VALID_TO, source=SOURCE_OLD) for u in communes_old),
        *(_unit_row(u, valid_from=NEW_VALID_FROM, source=SOURCE_NEW) for u in communes_new),
    ]

    # Crosswalk: resolve the draft table against the official lists.
    old_by_code = {u.code: u for u in communes_old}
    new_by_key: dict[str, gso.GsoUnit] = {}
    for unit in communes_new:
        key = gso.name_key(unit.name)
        _check(key not in new_by_key, f"{LIST_2025_07}: tên trùng {unit.name}")
        new_by_key[key] = unit

    crosswalk: list[dict[str, str]] = []
    seen_pairs: set[tuple[str, str]] = set()
    draft_code_differs: set[str] = set()
    unresolved = 0
    for number, row in enumerate(conversion, start=1):
        label = f"{CONVERSION} mục {number} ({row.old_name} {row.old_code} → {row.new_name})"
        old = old_by_code.get(row.old_code)
        if old is None:
            warnings.append(
                f"{label}: mã cũ {row.old_code} không có trong danh mục 04/01/2025 — bỏ qua / "
                f"old code not in the 04/01/2025 list — skipped"
            )
            unresolved += 1
            continue
        if gso.name_key(old.name) != gso.name_key(row.old_name):
            warnings.append(
                f"{label}: tên cũ khác danh mục 04/01/2025 ({old.name}); dùng tên trong danh mục / "
                f"old name differs from the 04/01/2025 list; the list's name is used"
            )
        new = new_by_key.get(gso.name_key(row.new_name))
        if new is None:
            warnings.append(
                f"{label}: đơn vị mới '{row.new_name}' không có trong danh mục từ 01/7/2025 — "
                f"bỏ qua / new unit not in the list from 01/07/2025 — skipped"
            )
            unresolved += 1
            continue
        if (old.code, new.code) in seen_pairs:
            warnings.append(f"{label}: dòng trùng — bỏ qua / duplicate row — skipped")
            continue
        seen_pairs.add((old.code, new.code))
        note = row.note
        if row.new_code != new.code:
            note = f"{note} (mã dự thảo: {row.new_code})".strip()
            draft_code_differs.add(new.code)
        crosswalk.append(
            {
                "old_code": old.code,
                "old_name": old.name,
                "new_code": new.code,
                "new_name": new.name,
                "effective": EFFECTIVE,
                "note": note,
                "source": SOURCE_RESOLUTION if old.code in HUONG_TRA_MERGERS else SOURCE_DRAFT,
            }
        )
    crosswalk.sort(key=lambda r: (r["old_code"], r["new_code"]))

    mapped_old = {r["old_code"] for r in crosswalk}
    for unit in communes_old:
        if unit.code not in mapped_old:
            warnings.append(
                f"{unit.name} ({unit.code}, danh mục 04/01/2025) không có trong bảng chuyển đổi — "
                f"chưa có đơn vị kế thừa / not in the conversion table — no successor recorded"
            )
    mapped_new = {r["new_code"] for r in crosswalk}
    for unit in communes_new:
        if unit.code not in mapped_new:
            warnings.append(
                f"{unit.name} ({unit.code}, danh mục từ 01/7/2025) không là đơn vị mới của dòng "
                f"nào trong bảng chuyển đổi / not the new unit of any conversion row"
            )

    huong_tra_links = {
        r["old_code"]: (r["new_code"], r["new_name"]) for r in crosswalk if r["old_code"] in HUONG_TRA_MERGERS
    }
    huong_tra_rows = [r for r in crosswalk if r["old_code"] in HUONG_TRA_MERGERS]
    _check(
        huong_tra_links == HUONG_TRA_MERGERS and len(huong_tra_rows) == len(HUONG_TRA_MERGERS),
        f"Bảng chuyển đổi Hương Trà phải đúng NQ 1675/NQ-UBTVQH15 {HUONG_TRA_MERGERS}, có {huong_tra_links}",
    )

    counts = {
        "province": 1,
        "districts": len(districts),
        "communes_old": len(communes_old),
        "communes_new": len(communes_new),
        "unit_rows": len(units),
        "conversion_rows": len(conversion),
        "crosswalk_rows": len(crosswalk),
        "crosswalk_resolution": len(huong_tra_rows),
        "crosswalk_draft": len(crosswalk) - len(huong_tra_rows),
        "draft_code_differs": len(draft_code_differs),
        "unresolved": unresolved,
        "warnings": len(warnings),
    }
    return Build(units=units, crosswalk=crosswalk, warnings=warnings, counts=counts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--research-dir",
        type=Path,
        default=DEFAULT_RESEARCH_DIR,
        help="thư mục chứa các danh mục GSO / folder with the GSO lists",
    )
    args = parser.parse_args(argv)
    try:
        result = build(args.research_dir)
    except (gso.GsoFormatError, ReferenceCheckError) as exc:
        print(f"LỖI / ERROR: {exc}", file=sys.stderr)
        return 1
    for warning in result.warnings:
        print(f"CẢNH BÁO / WARNING: {warning}", file=sys.stderr)
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    for path, text in result.files().items():
        path.write_text(text, encoding="utf-8", newline="")
        print(f"Đã ghi / wrote {path.relative_to(REPO_DIR)}")
    c = result.counts
    new_counts = Counter(r["new_code"] for r in result.crosswalk)
    print(
        f"Đơn vị / units: {c['unit_rows']} dòng = 1 tỉnh + {c['districts']} huyện "
        f"+ {c['communes_old']} xã đến 30/06/2025 + {c['communes_new']} xã từ 01/07/2025"
    )
    print(
        f"Chuyển đổi / crosswalk: {c['crosswalk_rows']} dòng từ {c['conversion_rows']} dòng bảng "
        f"→ {len(new_counts)} đơn vị mới ({c['crosswalk_resolution']} theo NQ 1675, "
        f"{c['crosswalk_draft']} theo dự thảo; {c['draft_code_differs']} đơn vị có mã dự thảo "
        f"khác mã chính thức; {c['unresolved']} dòng không khớp)"
    )
    print(f"Cảnh báo / warnings: {c['warnings']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
