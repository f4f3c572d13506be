"""From a parsed plan document to a plan file the owner reviews and loads.

Targets are matched to the national indicator catalog (DESIGN.md §3, catalog/data/catalog.yaml)
among the indicators measured in the target's unit, by diacritic-insensitive, abbreviation-aware
text similarity; what does not match well enough, and anything else uncertain, goes to the review
list instead of being guessed.
"""

import json
import re
import secrets
import unicodedata
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from difflib import SequenceMatcher
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from hatangso.catalog.catalogfile import read_catalog
from hatangso.geography.models import AdministrativeUnit
from hatangso.plans.parsing import ParsedPlan, clean_line, parse_plan, read_document_bytes
from hatangso.plans.planfile import PlanFile, read_plan_file
from hatangso.plans.services import SEED_PLAN_FILE, plan_area
from hatangso.plans.targets import direction
from hatangso.utilities.errors import NotFound, UserError
from hatangso.utilities.lazy import lazy_import
from hatangso.utilities.numbers import format_amount
from hatangso.utilities.text import strip_accents

yaml = lazy_import("yaml")

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
    """The seed plan file: the agencies, conditions, data elements, forms and rules a draft starts
    from, and the seed's target lines as wordings of its indicators."""
    return read_plan_file(SEED_PLAN_FILE)


# Words naming one kind of network or technology: a target naming one of a pair never matches an
# indicator naming only the other ("tốc độ băng rộng di động" is not the fixed-broadband speed).
EXCLUSIVE_WORDS = (("di dong", "co dinh"), ("5g", "4g"), ("ca nhan", "co quan"))


def _contradicts(text: str, name: str) -> bool:
    text, name = (" ".join(_tokens(t)) for t in (text, name))
    for pair in EXCLUSIVE_WORDS:
        for own, other in (pair, pair[::-1]):
            named = re.search(rf"\b{own}\b", text) and not re.search(rf"\b{own}\b", name)
            if named and re.search(rf"\b{other}\b", name):
                return True
    return False


# How plans word some catalog indicators besides the catalog's name and definition.
PLAN_WORDINGS = {
    "only_2g_subscription_share": ("giảm số người chỉ sử dụng điện thoại 2G", "thuê bao chỉ sử dụng 2G"),
    "iot_connections_per_person": ("mỗi người dân có một kết nối IoT",),
    "cloud_accounts_per_person": ("mỗi người dân có một tài khoản sử dụng dịch vụ điện toán đám mây",),
    "mobile_download_median": (
        "tốc độ băng rộng di động",
        "tốc độ tải xuống trung bình mạng băng rộng di động theo i-Speed",
    ),
    "fixed_download_median": (
        "tốc độ băng rộng cố định",
        "tốc độ tải xuống trung bình mạng băng rộng cố định theo i-Speed",
    ),
    "bts_5g_stations": ("trạm BTS 5G", "trạm phát sóng 5G"),
}


@cache
def _catalog_wordings() -> dict[str, tuple[str, ...]]:
    """Each catalog indicator's wordings: its name, its definition's subject (before "chia cho"), the
    target line of the seed plan that uses it, and PLAN_WORDINGS."""
    seed = {i.code: i.text for i in catalog().indicators if i.text}
    wordings = {}
    for e in read_catalog().indicators:
        subject = re.split(r"\bchia cho\b|[;(.]", e.definition)[0]
        found = (e.name, subject, seed.get(e.code), *PLAN_WORDINGS.get(e.code, ()))
        wordings[e.code] = tuple(t for t in found if t)
    return wordings


def match_indicator(text: str, unit: str | None = None) -> tuple[str | None, float]:
    """The catalog indicator a target line names (by meaning, among those measured in its unit when
    given), with how well it matched; None when nothing matches well enough."""
    best, score = None, 0.0
    entries = read_catalog().by_code
    for code, wordings in _catalog_wordings().items():
        if unit is not None and entries[code].unit != unit:
            continue
        if _contradicts(text, entries[code].name):
            continue
        candidate = max(similarity(text, wording) for wording in wordings)
        if candidate > score:
            best, score = code, candidate
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


# Generic partners as plans write them; all are the catalog's "co_quan_lien_quan".
GENERIC_PARTNERS = (
    "các cơ quan, đơn vị có liên quan",
    "các cơ quan, đơn vị liên quan",
    "các cơ quan, đơn vị",
    "các cơ quan liên quan",
    "các đơn vị có liên quan",
    "các đơn vị liên quan",
)
GENERIC_PARTNER_CODE = "co_quan_lien_quan"
COORDINATE = re.compile(r"phối hợp với\s+(?P<rest>[^;.]+)", re.IGNORECASE)
# "các phòng chuyên môn thuộc Sở …" names the Sở; "và", "các" and punctuation join names.
PART_OF = ("phong", "chuyen", "mon", "thuoc")
JOINERS = {"va", "cac", "voi"}

# An item links to an indicator only when it names the indicator's subject in these words
# (accent-insensitive); building poles is not sharing them, so the sharing indicators need "dùng
# chung". Tested against the seed: every link these give there is one the hand-written file makes.
INDICATOR_SUBJECTS = (
    (r"dung chung (co so )?ha tang", ("bts_site_sharing", "pole_sharing", "duct_sharing")),
    (r"dung chung (vi tri )?tram bts", ("bts_site_sharing",)),
    (r"dung chung cot treo cap", ("pole_sharing",)),
    (r"dung chung cong be cap", ("duct_sharing",)),
    (r"dien thoai (di dong )?thong minh", ("smartphone_subscription_share", "adult_smartphone")),
    (r"cap quang den ho gia dinh|ftth toi ho gia dinh", ("household_fiber",)),
    (r"bang rong co dinh", ("village_fixed_broadband_coverage",)),
    (r"bang rong di dong", ("village_mobile_broadband_coverage",)),
    (r"truyen so lieu chuyen dung", ("commune_government_network",)),
)


def _name_tokens(text: str) -> tuple[str, ...]:
    words = re.findall(r"[a-z0-9]+", strip_accents(text))
    expanded = []
    for word in words:
        expanded.extend(("uy ban nhan dan" if word == "ubnd" else word).split())
    return tuple(w for w in expanded if w not in JOINERS)


def coordinating_agencies(text: str, names: dict[tuple[str, ...], str]) -> list[str]:
    """The agencies named right after "phối hợp với" (codes from `names`: name tokens → code), in
    order; reading stops at the first word that does not start a known name."""
    found: list[str] = []
    for match in COORDINATE.finditer(text):
        words = _name_tokens(match.group("rest"))
        index = 0
        while index < len(words):
            if words[index : index + len(PART_OF)] == PART_OF:
                index += len(PART_OF)
            best = max((n for n in names if words[index : index + len(n)] == n), key=len, default=None)
            if best is None:
                break
            if names[best] not in found:
                found.append(names[best])
            index += len(best)
    return found


def linked_indicators(text: str, codes: set[str]) -> list[str]:
    """The plan's indicators whose subject the item's text names (INDICATOR_SUBJECTS)."""
    key = " ".join(re.findall(r"[a-z0-9]+", strip_accents(text)))
    linked: list[str] = []
    for pattern, subject_codes in INDICATOR_SUBJECTS:
        if re.search(rf"\b(?:{pattern})\b", key):
            linked.extend(c for c in subject_codes if c in codes and c not in linked)
    return linked


@dataclass
class Draft:
    plan_file: dict
    review: list[str]
    # How well each indicator's text matched the catalog (code → 0..1), and the target lines that
    # matched nothing well enough (kept for the owner to assign, not loaded).
    scores: dict[str, float] = field(default_factory=dict)
    unmatched: list[dict] = field(default_factory=list)


def _unit_names(unit: AdministrativeUnit) -> set[str]:
    """A unit's name and former names ("Tỉnh Thừa Thiên Huế (đến 31/12/2024)"), accents aside."""
    former = re.sub(r"\([^)]*\)", "", unit.former_names or "")
    return {strip_accents(name) for name in (unit.name, *re.split(r"[;,]", former)) if name.strip()}


def units_named(name: str, day) -> list[AdministrativeUnit]:
    """The reference units of any level with this name ("thị xã Hương Trà", "tỉnh Thừa Thiên Huế",
    "xã A Lưới 1"), its current or a former one, those in force on `day` first."""
    key = strip_accents(name)
    last = name.split()[-1]
    named = AdministrativeUnit.objects.filter(Q(name__icontains=last) | Q(former_names__icontains=last))
    units = [u for u in named if key in _unit_names(u)]
    if day:
        units = [u for u in units if u.is_valid_between(day, day)] or units
    return units


def area_of(plan_file: dict) -> AdministrativeUnit | None:
    """The unit a draft's plan.area_unit names in the plan's period, if it names one."""
    header = plan_file.get("plan") or {}
    try:
        return plan_area(area_unit=str(header.get("area_unit") or ""), period=str(header.get("period") or ""))
    except UserError:
        return None


def _area_unit(parsed: ParsedPlan, review: list[str]) -> str:
    """The unit the issuer governs ("UBND thị xã Hương Trà" → 480), among units in force then."""
    name = (parsed.issuer or "").removeprefix("UBND").strip()
    units = units_named(name, parsed.issued_on) if name else []
    if len(units) == 1:
        return units[0].code
    review.append(
        f"{AREA_NOTE} của '{parsed.issuer or '?'}': ghi mã đơn vị vào plan.area_unit "
        f"/ set plan.area_unit to the area's unit code"
    )
    return "?"


def collecting_forms(forms: list[dict], indicators: list[dict]) -> list[dict]:
    """The draft's forms, with each reported element its indicators need and no form collects put in
    the catalog's form that collects it (a new one of the draft when the draft has none of its code)."""
    national = read_catalog()
    elements = {e.code: e for e in national.data_elements}
    collected = {code for form in forms for code in form["elements"]}
    needed = sorted(
        {c for i in indicators if (e := national.indicator(i["code"])) for c in e.element_codes()}
    )
    forms = [dict(form) for form in forms]
    for code in needed:
        if code in collected or code not in elements or elements[code].provider != "values":
            continue
        home = next((f for f in national.forms if code in f.elements), None)
        if home is None:
            continue
        form = next((f for f in forms if f["code"] == home.code), None)
        if form is None:
            form = {"code": home.code, "name": home.name, "reporter": home.reporter,
                    "period_type": home.period_type, "elements": []}  # fmt: skip
            forms.append(form)
        form["elements"] = [*form["elements"], code]
        collected.add(code)
    return forms


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

    entries = read_catalog().by_code
    indicators, used, scores, unmatched = [], set(), {}, []
    for found in parsed.indicators:
        code, score = match_indicator(found.text, found.unit)
        if code is None or code in used:
            comparison = found.comparison or ">="
            unmatched.append(
                {
                    "section": found.section,
                    "text": found.text,
                    "target": found.target,
                    "unit": found.unit,
                    "comparison": comparison,
                    "maintain": found.maintain,
                    "condition": condition_codes.get(found.condition),
                    "targets": found.milestones,
                    "score": score,
                }
            )
            reason = "trùng chỉ tiêu đã có" if code in used else f"độ khớp {score:.2f}"
            review.append(
                f"{UNMATCHED_NOTE} ({reason}), chưa đưa vào kế hoạch: '{found.text}' — mục "
                f"{found.section or '?'}, kế hoạch {target_label(found.target, found.unit, comparison)}"
                f"{milestones_label(found.milestones, found.unit)} / not in the catalog: choose a code or "
                "name a new indicator"
            )
            continue
        used.add(code)
        scores[code] = score
        entry = entries[code]
        if score < 0.75:
            review.append(
                f"Chỉ tiêu '{found.text}' → {code} (độ khớp {score:.2f}): kiểm tra lại / check this match"
            )
        if found.comparison and direction(found.comparison) != entry.direction:
            review.append(
                f"Chỉ tiêu '{found.text}' → {code}: văn bản ghi {found.comparison}, ngược chiều của chỉ tiêu "
                f"/ the text's comparison runs against the indicator's direction"
            )
        indicator = {
            "code": code,
            "section": found.section,
            "name": entry.name,
            "unit": entry.unit,
            "numerator": entry.numerator,
            "denominator": entry.denominator,
            "factor": float(entry.factor),
            "comparison": found.comparison or entry.target_comparison,
            "target": found.target,
            "maintain": found.maintain,
            "condition": condition_codes.get(found.condition),
            "text": found.text,
        }
        if found.milestones:
            indicator["targets"] = found.milestones
        indicators.append(indicator)

    names = {_name_tokens(a.name): a.code for a in seed.agencies}
    names.update({_name_tokens(p): GENERIC_PARTNER_CODE for p in GENERIC_PARTNERS})
    names.update({_name_tokens(name): code for name, code in agency_codes.items()})
    names.update({_name_tokens(a["name"]): a["code"] for a in agencies})
    catalog_agencies = {a.code: a for a in seed.agencies}
    indicator_codes = {i["code"] for i in indicators}
    items = []
    for item in parsed.items:
        entry = {"number": item.number, "kind": item.kind, "text": item.text}
        if item.lead:
            entry["lead"] = agency_codes.get(item.lead)
        if item.condition:
            entry["condition"] = condition_codes.get(item.condition)
        coordinating = [c for c in coordinating_agencies(item.text, names) if c != entry.get("lead")]
        for code in coordinating:
            if code not in {a["code"] for a in agencies}:
                known = catalog_agencies[code]
                agencies.append({"code": code, "name": known.name, "kind": known.kind})
        if coordinating:
            entry["coordinating"] = coordinating
        if linked := linked_indicators(item.text, indicator_codes):
            entry["indicators"] = linked
        items.append(entry)
    if not parsed.deadline:
        review.append(f"{DEADLINE_NOTE}: ghi plan.report_deadline / set the report deadline")

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
    if parsed.end_year:
        header["end_year"] = parsed.end_year
    if parsed.decision_code:
        day = f" ngày {parsed.decision_date:%d/%m/%Y}" if parsed.decision_date else ""
        header["preamble"] = f"Ban hành kèm theo Quyết định số {parsed.decision_code}{day}"
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
        "forms": collecting_forms([f.model_dump(mode="json") for f in seed.forms], indicators),
        "validation_rules": [r.model_dump(mode="json") for r in seed.validation_rules],
        "indicators": indicators,
        "items": items,
    }
    return Draft(plan_file=plan_file, review=review, scores=scores, unmatched=unmatched)


UNMATCHED_NOTE = "Chỉ tiêu chưa khớp danh mục"
SIGNS = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}


def _amount(value: float, unit: str) -> str:
    """A target as the review list writes it: Vietnamese number, the catalog's unit (90/100 dân)."""
    places = max(0, -Decimal(repr(float(value))).normalize().as_tuple().exponent)
    return format_amount(value, unit, decimals=min(places, 4))


def target_label(value: float, unit: str, comparison: str) -> str:
    """"90/100 dân (≥, chiều tăng)", "5% (<, chiều giảm)"."""
    way = "giảm" if direction(comparison) == "lower" else "tăng"
    return f"{_amount(value, unit)} ({SIGNS.get(comparison, comparison)}, chiều {way})"


def milestones_label(milestones: dict[int, float], unit: str) -> str:
    return "".join(f", năm {year}: {_amount(value, unit)}" for year, value in sorted(milestones.items()))
AREA_NOTE = "Chưa xác định được địa bàn"
DEADLINE_NOTE = "Chưa có hạn báo cáo"


def open_review(review: list[str], plan_file: dict, unmatched: list[dict]) -> list[str]:
    """The parser's review list as it stands after the owner's corrections: a target line that got a
    catalog code or was named a new indicator (no longer unmatched), an area or a deadline now given,
    drops out; the other notes stay."""
    texts = {u["text"] for u in unmatched}
    header = plan_file.get("plan") or {}
    still = []
    for note in review:
        if note.startswith(UNMATCHED_NOTE) and not any(f"'{text}'" in note for text in texts):
            continue
        if note.startswith(AREA_NOTE) and header.get("area_unit") not in ("", "?", None):
            continue
        if note.startswith(DEADLINE_NOTE) and header.get("report_deadline"):
            continue
        still.append(note)
    return still


def area_label(plan_file: dict) -> str | None:
    """"Thị xã Hương Trà (mã 480, cấp huyện / district)": the draft's area and its level."""
    unit = area_of(plan_file)
    if unit is None:
        return None
    return f"{unit.name} (mã {unit.code}, cấp {LEVEL_NAMES[unit.level]} / {unit.level})"


LEVEL_NAMES = {"province": "tỉnh", "district": "huyện", "commune": "xã", "village": "thôn"}


def area_comment(plan_file: dict) -> str:
    label = area_label(plan_file)
    return f"# Địa bàn / area: {label}\n" if label else ""


def draft_yaml(plan_file: dict, review: list[str], source_name: str) -> str:
    """The draft as a plan file to review and load, its review list in the header comment."""
    notes = "".join(f"#   - {line}\n" for line in review) or "#   (không có / none)\n"
    return (
        f"# Bản nháp kế hoạch đọc từ {source_name} ('hatangso plan parse') / a draft read from it.\n"
        "# Xem lại rồi nạp bằng 'hatangso plan load TỆP' / review, then load it.\n"
        f"{area_comment(plan_file)}"
        f"# Cần xem lại / to review:\n{notes}"
        + yaml.safe_dump(plan_file, allow_unicode=True, sort_keys=False, width=110)
    )


# Drafts of the web page: the uploaded document, its text and the plan file being reviewed, kept
# under HATANGSO_HOME/plan-drafts by a random token, readable by their uploader only.
DRAFT_FOLDER = "plan-drafts"
MAX_UPLOAD_BYTES = 5 * 2**20
UPLOAD_SUFFIXES = (".txt", ".docx", ".pdf")
TOKEN = re.compile(r"^[A-Za-z0-9_-]{22,64}$")


@dataclass
class StoredDraft:
    token: str
    user_id: int
    file_name: str
    created: str
    source: str  # the document's text, as read
    plan_file: dict
    review: list[str]
    scores: dict[str, float]
    unmatched: list[dict]

    @property
    def source_lines(self) -> list[str]:
        return unicodedata.normalize("NFC", self.source).splitlines()

    def locate(self, text: str) -> int | None:
        """The number (from 1) of the source line where `text` starts, if it can be found."""
        return locate_line(self.source_lines, text)


def locate_line(lines: list[str], text: str) -> int | None:
    key = clean_line(text)
    cleaned = [clean_line(line) for line in lines]
    # The longest start of the text found on one line: lines that begin alike ("Tiếp tục duy trì
    # 100% thôn, TDP được phủ …") are told apart by what follows; a text wrapped over lines by its start.
    for length in (len(key), 80, 40, 20):
        probe = key[:length].strip()
        if len(probe) < 8:
            return None
        for number, line in enumerate(cleaned, start=1):
            if probe in line:
                return number
    return None


def _draft_path(token: str) -> Path:
    return settings.HOME / DRAFT_FOLDER / f"{token}.json"


def check_document_upload(name: str, data: bytes) -> None:
    """Only TXT, DOCX and PDF plan documents, up to MAX_UPLOAD_BYTES."""
    if not name.lower().endswith(UPLOAD_SUFFIXES):
        raise UserError(
            f"Tệp {name}: chỉ nhận văn bản TXT, DOCX hoặc PDF",
            f"File {name}: only TXT, DOCX or PDF documents are accepted",
        )
    if len(data) > MAX_UPLOAD_BYTES:
        raise UserError(
            f"Tệp {name} lớn hơn {MAX_UPLOAD_BYTES // 2**20} MB",
            f"File {name} is larger than {MAX_UPLOAD_BYTES // 2**20} MB",
        )


def start_draft(*, name: str, data: bytes, user) -> StoredDraft:
    """Read an uploaded plan document into a draft kept for its uploader; nothing is kept when the
    file is refused or is not a plan."""
    name = Path(name).name or "van-ban"
    check_document_upload(name, data)
    text = read_document_bytes(data, name)
    draft = draft_plan_file(parse_plan(text))
    stored = StoredDraft(
        token=secrets.token_urlsafe(18),
        user_id=user.pk,
        file_name=name,
        created=timezone.now().isoformat(timespec="seconds"),
        source=text,
        plan_file=draft.plan_file,
        review=draft.review,
        scores=draft.scores,
        unmatched=draft.unmatched,
    )
    folder = settings.HOME / DRAFT_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{stored.token}{Path(name).suffix.lower()}").write_bytes(data)  # the original, never served
    save_draft(stored)
    return stored


def save_draft(stored: StoredDraft) -> None:
    path = _draft_path(stored.token)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(asdict(stored), ensure_ascii=False), encoding="utf-8")
    temporary.replace(path)


def get_draft(token: str, user) -> StoredDraft:
    """The user's own draft (a superuser may open any); otherwise NotFound."""
    path = _draft_path(token) if TOKEN.match(token or "") else None
    if path is None or not path.is_file():
        raise NotFound("Không có bản nháp này", "No such draft")
    stored = StoredDraft(**json.loads(path.read_text(encoding="utf-8")))
    if not (getattr(user, "is_superuser", False) or stored.user_id == getattr(user, "pk", None)):
        raise NotFound("Không có bản nháp này", "No such draft")
    return stored
