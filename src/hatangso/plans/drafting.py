"""From a parsed plan document to a plan file the owner reviews and loads.

Indicators are matched to the catalog (DESIGN.md §3, defined with their formulas in the shipped
seed plan file) by diacritic-insensitive, abbreviation-aware text similarity; what does not match
well enough, and anything else uncertain, goes to the review list instead of being guessed.
"""

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache

from hatangso.geography.models import AdministrativeUnit
from hatangso.plans.parsing import ParsedPlan
from hatangso.plans.planfile import PlanFile, read_plan_file
from hatangso.plans.services import SEED_PLAN_FILE
from hatangso.utilities.text import strip_accents

MATCH_THRESHOLD = 0.55
ABBREVIATIONS = {
    "tdp": "to dan pho",
    "bts": "tram bts",
    "ftth": "cap quang",
    "smp": "dien thoai thong minh",
    "brdd": "bang rong di dong",
    "brcd": "bang rong co dinh",
    "ubnd": "uy ban nhan dan",
    "cntt": "cong nghe thong tin",
    "tslcd": "truyen so lieu chuyen dung",
    "dt": "dien thoai",
}
STOP_WORDS = {
    "ty",
    "le",
    "dat",
    "tiep",
    "tuc",
    "duy",
    "tri",
    "cua",
    "va",
    "cac",
    "co",
    "duoc",
    "toi",
    "thieu",
    "tren",
}


def _tokens(text: str) -> list[str]:
    words = re.findall(r"[a-z0-9]+", strip_accents(text))
    expanded = []
    for word in words:
        expanded.extend(ABBREVIATIONS.get(word, word).split())
    return [w for w in expanded if w not in STOP_WORDS and not w.isdigit()]


def similarity(a: str, b: str) -> float:
    """Token overlap and sequence likeness of two texts, 0 to 1, accents and abbreviations aside."""
    ta, tb = _tokens(a), _tokens(b)
    if not ta or not tb:
        return 0.0
    overlap = len(set(ta) & set(tb)) / len(set(ta) | set(tb))
    sequence = SequenceMatcher(None, " ".join(ta), " ".join(tb)).ratio()
    return round((overlap + sequence) / 2, 3)


@cache
def catalog() -> PlanFile:
    """The indicator catalog with its formulas, data elements, forms and rules: the seed plan file."""
    return read_plan_file(SEED_PLAN_FILE)


def match_indicator(text: str) -> tuple[str | None, float]:
    best, score = None, 0.0
    for indicator in catalog().indicators:
        candidate = max(similarity(text, indicator.text), similarity(text, indicator.name))
        if candidate > score:
            best, score = indicator.code, candidate
    return (best, score) if score >= MATCH_THRESHOLD else (None, score)


def _slug(text: str, limit: int = 40) -> str:
    return re.sub(r"[^a-z0-9]+", "_", strip_accents(text)).strip("_")[:limit] or "muc"


def _agency_kind(name: str) -> str:
    key = strip_accents(name)
    if "doanh nghiep" in key:
        return "enterprise"
    if "xa" in key.split() and ("uy ban" in key or "ubnd" in key):
        return "commune_committee"
    if key.startswith("so "):
        return "province_department"
    if key.startswith("phong") or key.startswith("van phong") or "co quan" in key:
        return "district_office"
    return "district_unit"


@dataclass
class Draft:
    plan_file: dict
    review: list[str]


def _area_unit(parsed: ParsedPlan, review: list[str]) -> str:
    """The unit the issuer governs ("UBND thị xã Hương Trà" → 480), among units in force then."""
    name = (parsed.issuer or "").removeprefix("UBND").strip()
    if name:
        key = strip_accents(name)
        day = parsed.issued_on
        units = [u for u in AdministrativeUnit.objects.all() if strip_accents(u.name) == key]
        if day:
            units = [u for u in units if u.is_valid_between(day, day)] or units
        if len(units) == 1:
            return units[0].code
    review.append(
        f"Chưa xác định được địa bàn của '{parsed.issuer or '?'}': ghi mã đơn vị vào plan.area_unit "
        f"/ set plan.area_unit to the area's unit code"
    )
    return "?"


def draft_plan_file(parsed: ParsedPlan) -> Draft:
    seed = catalog()
    review = list(parsed.warnings)
    known_agencies = {strip_accents(a.name): a for a in seed.agencies}
    agencies, agency_codes = [], {}
    for name in parsed.agencies:
        known = known_agencies.get(strip_accents(name))
        if known is None:
            best = max(seed.agencies, key=lambda a: similarity(name, a.name))
            known = best if similarity(name, best.name) >= 0.8 else None
        code = known.code if known else _slug(name)
        agency_codes[name] = code
        if code not in {a["code"] for a in agencies}:
            agencies.append(
                {
                    "code": code,
                    "name": known.name if known else name,
                    "kind": known.kind if known else _agency_kind(name),
                }
            )
            if known is None:
                review.append(
                    f"Cơ quan mới '{name}' (mã {code}): kiểm tra loại cơ quan / new agency: check its kind"
                )

    conditions, condition_codes = [], {}
    seed_conditions = {strip_accents(c.text): c for c in seed.conditions}
    texts = [i.condition for i in parsed.indicators if i.condition] + [
        i.condition for i in parsed.items if i.condition
    ]
    for text in texts:
        if text in condition_codes:
            continue
        known = seed_conditions.get(strip_accents(text))
        code = known.code if known else _slug(text)
        condition_codes[text] = code
        conditions.append({"code": code, "text": text, "met": False})

    by_code = {i.code: i for i in seed.indicators}
    indicators, used = [], set()
    for found in parsed.indicators:
        code, score = match_indicator(found.text)
        if code is None or code in used:
            reason = "trùng chỉ tiêu đã có" if code in used else f"độ khớp {score:.2f}"
            review.append(
                f"Chỉ tiêu chưa khớp danh mục ({reason}), chưa đưa vào kế hoạch: '{found.text}' — mục "
                f"{found.section}, kế hoạch {found.target:g}% / not in the catalog: name it, give its formula"
            )
            continue
        used.add(code)
        definition = by_code[code]
        if score < 0.75:
            review.append(
                f"Chỉ tiêu '{found.text}' → {code} (độ khớp {score:.2f}): kiểm tra lại / check this match"
            )
        indicators.append(
            {
                "code": code,
                "section": found.section,
                "name": definition.name,
                "unit": definition.unit,
                "numerator": definition.numerator,
                "denominator": definition.denominator,
                "factor": float(definition.factor),
                "comparison": found.comparison,
                "target": found.target,
                "maintain": found.maintain,
                "condition": condition_codes.get(found.condition),
                "text": found.text,
            }
        )

    items = []
    for item in parsed.items:
        entry = {"number": item.number, "kind": item.kind, "text": item.text}
        if item.lead:
            entry["lead"] = agency_codes.get(item.lead)
        if item.condition:
            entry["condition"] = condition_codes.get(item.condition)
        items.append(entry)
    if not parsed.deadline:
        review.append("Chưa có hạn báo cáo: ghi plan.report_deadline / set the report deadline")

    header = {
        "code": parsed.code or "?",
        "title": parsed.title or "?",
        "issued_on": parsed.issued_on.isoformat() if parsed.issued_on else "?",
        "issuer": parsed.issuer or "?",
        "issuer_full": (parsed.issuer or "").replace("UBND", "ỦY BAN NHÂN DÂN").upper(),
        "place": parsed.place or "",
        "area_unit": _area_unit(parsed, review),
        "year": parsed.year or 0,
        "period": parsed.period or "?",
        "report_deadline": parsed.deadline.isoformat() if parsed.deadline else None,
        "legal_basis": parsed.references,
        "closing": parsed.closing,
        "recipients": parsed.recipients,
        "signature": parsed.signature or {},
    }
    if parsed.parent_code:
        header["parent"] = {
            "code": parsed.parent_code,
            "issued_on": parsed.parent_date.isoformat() if parsed.parent_date else None,
            "issuer": parsed.parent_issuer or "",
        }
    plan_file = {
        "plan": header,
        "conditions": conditions,
        "agencies": agencies,
        "sections": [{"number": n, "title": t} for n, t in parsed.sections],
        # The catalog's data elements, forms and validation rules: what its indicators are computed from.
        "data_elements": [d.model_dump(mode="json") for d in seed.data_elements],
        "forms": [f.model_dump(mode="json") for f in seed.forms],
        "validation_rules": [r.model_dump(mode="json") for r in seed.validation_rules],
        "indicators": indicators,
        "items": items,
    }
    return Draft(plan_file=plan_file, review=review)
