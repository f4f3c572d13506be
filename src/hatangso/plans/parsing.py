"""Reading an official plan document (Kế hoạch) into its parts: header, sections, indicators with
targets, tasks, measures, responsibilities and the report deadline.

Input is text as offices produce it: NFC or NFD, copied from PDFs or web pages (extra spaces, lines
broken mid-sentence, bullets "-", "–", "+", "•", header tables flattened with "|"). The parser
degrades to fewer items with warnings; it never guesses a number it cannot read.
"""

import io
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from hatangso.plans.targets import read_target
from hatangso.utilities.errors import UserError

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]
BULLETS = "-–—+•*·"

ROMAN_HEADING = re.compile(r"^(?P<num>(?:IX|IV|V?I{0,3}|X))\s*[.)]\s+(?P<title>\S.*)$")
NUMBER_HEADING = re.compile(r"^(?P<num>\d{1,2}(?:\.\d{1,2})?)\s*[.)]\s*(?P<title>\S.*)$")
LETTER_ITEM = re.compile(r"^(?P<letter>[a-zđ])\s*\)\s*(?P<text>\S.*)$")
BULLET_ITEM = re.compile(rf"^[{re.escape(BULLETS)}]\s*(?P<text>\S.*)$")
DOC_CODE = re.compile(r"(?P<code>\d{1,5}\s*/\s*[A-ZĐa-zđ]{1,5}(?:\s*-\s*[A-ZĐa-zđ]{1,10}){1,3})", re.UNICODE)
DATE_WORDS = re.compile(r"ngày\s+(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})\s+năm\s+(?P<y>\d{4})", re.IGNORECASE)
DATE_SLASH = re.compile(r"\b(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})\b")
PERCENT = re.compile(r"(?P<value>\d{1,3}(?:[.,]\d+)?)\s*%")
CONDITION = re.compile(r"\((?P<text>khi\s+[^)]*)\)", re.IGNORECASE)
DEADLINE = re.compile(r"trước\s+ngày\s+(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})", re.IGNORECASE)
# A line that ends inside a phrase ("Căn cứ Quyết định số" / "749/QĐ-TTg …", "Lạng Sơn, ngày" / "5 tháng
# 3 năm 2025"): the next line, starting with a figure, continues it.
BROKEN_PHRASE = re.compile(r"\b(?:số|ngày|tháng|năm|giai đoạn)$", re.IGNORECASE)
PLACE_DATE = re.compile(
    r"(?P<place>[^,\n]{1,40}),\s*ngày\s+(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})\s+năm\s+(?P<y>\d{4})",
    re.IGNORECASE,
)
# The header block's issuer: "ỦY BAN NHÂN DÂN" over "TỈNH LẠNG SƠN", or "UBND HUYỆN PHONG ĐIỀN".
BODY = r"(?:ỦY BAN NHÂN DÂN|UỶ BAN NHÂN DÂN|UBND)"
LEVEL_WORDS = r"(?:TỈNH|THÀNH PHỐ|THỊ XÃ|HUYỆN|QUẬN|XÃ|PHƯỜNG|THỊ TRẤN|ĐẶC KHU)"
HEADER_ISSUER = re.compile(rf"^{BODY}(?:\s+(?P<rest>{LEVEL_WORDS}\s+\S.*))?$")
HEADER_UNIT = re.compile(rf"^(?P<level>{LEVEL_WORDS})\s+(?P<name>\S.*)$")
PERIOD_SPAN = re.compile(r"(?P<first>20\d\d)\s*[-–—]\s*(?P<last>20\d\d)")
UNTIL_YEAR = re.compile(r"đến\s+năm\s+(?P<last>20\d\d)", re.IGNORECASE)
PARENT = re.compile(
    r"Kế hoạch\s+số\s*:?\s*" + DOC_CODE.pattern + r"(?:\s+ngày\s+(?P<date>[^,;]*?\d{4}))?", re.IGNORECASE
)
ISSUER = re.compile(
    r"(?P<issuer>(?:UBND|Ủy ban nhân dân|ỦY BAN NHÂN DÂN)\s+"
    r"(?:tỉnh|thành phố|thị xã|huyện|quận|xã|phường|thị trấn)"
    r"(?:\s+[0-9A-ZĐÂĂÊÔƠƯÁÀẢÃẠẮẰẲẴẶẤẦẨẪẬÉÈẺẼẸẾỀỂỄỆÍÌỈĨỊÓÒỎÕỌỐỒỔỖỘỚỜỞỠỢÚÙỦŨỤỨỪỬỮỰÝỲỶỸỴ][^\s,.;]*)+)"
    r"\s+ban\s+hành",
    re.UNICODE,
)


@dataclass
class ParsedIndicator:
    section: str
    text: str
    target: float | None
    unit: str  # the catalog's: "%", "Mb/s", "per 100 inhabitants", "per person", "count"
    comparison: str | None  # None when the words state none: the indicator's direction decides
    maintain: bool
    condition: str | None
    milestones: dict[int, float] = field(default_factory=dict)  # a target per year, where given


@dataclass
class ParsedItem:
    number: str
    kind: str  # purpose, requirement, goal, task, measure, funding, responsibility
    text: str
    lead: str | None = None  # the agency's name as written (responsibilities)
    condition: str | None = None


@dataclass
class ParsedPlan:
    code: str | None = None
    issued_on: date | None = None
    place: str | None = None
    issuer: str | None = None
    doc_type: str | None = None
    title: str | None = None
    year: int | None = None
    end_year: int | None = None  # the last year of a multi-year plan
    period: str | None = None
    # A decision that issues the plan (QĐ ban hành kèm theo): its number and date.
    decision_code: str | None = None
    decision_date: date | None = None
    references: list[str] = field(default_factory=list)
    parent_code: str | None = None
    parent_date: date | None = None
    parent_issuer: str | None = None
    sections: list[tuple[str, str]] = field(default_factory=list)
    indicators: list[ParsedIndicator] = field(default_factory=list)
    items: list[ParsedItem] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)
    deadline: date | None = None
    recipients: list[str] = field(default_factory=list)
    signature: dict = field(default_factory=dict)
    closing: str = ""
    warnings: list[str] = field(default_factory=list)


def read_document(path: Path) -> str:
    """The document's text: plain text (UTF-8), DOCX (paragraphs and table cells) or text PDF."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"Không tìm thấy tệp {path}", f"File {path} not found")
    return read_document_bytes(path.read_bytes(), path.name)


def read_document_bytes(data: bytes, name: str) -> str:
    """The text of a document given as bytes (an upload), judged by its content, not its name."""
    if not data.strip():
        raise UserError(f"Tệp {name} rỗng", f"File {name} is empty")
    if data.startswith(b"%PDF"):
        return _pdf_text(data, name)
    if data.startswith(b"PK\x03\x04"):
        return _docx_text(data, name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = None
    if text is None or "\x00" in text:
        raise UserError(
            f"Tệp {name} không phải văn bản (TXT UTF-8, DOCX hoặc PDF có chữ)",
            f"File {name} is not a document (UTF-8 text, DOCX or text PDF)",
        )
    return text


def _docx_text(data: bytes, name: str) -> str:
    from zipfile import BadZipFile

    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = Document(io.BytesIO(data))
    except (PackageNotFoundError, BadZipFile, KeyError, ValueError) as exc:
        raise UserError(f"Tệp {name} không phải DOCX hợp lệ", f"File {name} is not a valid DOCX") from exc
    lines = []
    for table in document.tables:
        for row in table.rows:
            lines.extend(cell.text for cell in row.cells)
    lines.extend(p.text for p in document.paragraphs)
    return "\n".join(lines)


def _pdf_text(data: bytes, name: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError, PdfStreamError

    # pypdf logs what it repairs ("EOF marker not found"); the user gets one sentence instead.
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        reader = PdfReader(io.BytesIO(data))
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PdfReadError, PdfStreamError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise UserError(f"Không đọc được PDF {name}", f"Cannot read the PDF {name}") from exc
    finally:
        logger.setLevel(level)
    if not text.strip():
        raise UserError(
            f"PDF {name} không có lớp chữ (bản quét); cần bản có chữ hoặc DOCX",
            f"The PDF {name} has no text layer (a scan); give a text PDF or DOCX",
        )
    return text


def clean_line(line: str) -> str:
    line = unicodedata.normalize("NFC", line).replace("\u00a0", " ").replace("\t", " ").replace("**", "")
    line = re.sub(r"\s+", " ", line).strip()
    return re.sub(r"\s+([.,;:%)])", r"\1", line)  # "90 %" → "90%", "đạt 90% ." → "đạt 90%."


def _lines(text: str) -> list[str]:
    """Logical lines: "|" cells split, wrapped lines joined back to the line they continue."""
    raw = []
    for line in unicodedata.normalize("NFC", text).splitlines():
        raw.extend(part for part in line.split("|"))
    out: list[str] = []
    for line in (clean_line(x) for x in raw):
        if not line:
            continue
        starts_new = bool(
            ROMAN_HEADING.match(line) or NUMBER_HEADING.match(line) or LETTER_ITEM.match(line)
            or BULLET_ITEM.match(line) or line.startswith(("Số", "Căn cứ", "Nơi nhận", "TM.", "KT."))
        )  # fmt: skip
        previous = out[-1] if out else ""
        # A line that starts in lower case continues the sentence the previous line broke; a line in
        # capitals continues a heading in capitals broken in two ("II. MỤC TIÊU, CHỈ TIÊU" / "NĂM 2024");
        # a figure continues a phrase broken before it (BROKEN_PHRASE); a Căn cứ or Thực hiện runs to
        # its full stop or semicolon.
        continues = (
            (line[0].islower() and not previous.endswith((".", ":")))
            or (_capital_heading(previous) and line.upper() == line)
            or (bool(BROKEN_PHRASE.search(previous)) and line[0].isdigit())
            or (previous.startswith(("Căn cứ", "Thực hiện")) and not previous.endswith((".", ";", ":")))
        )
        if previous and not starts_new and continues:
            out[-1] = f"{previous} {line}"
        else:
            out.append(line)
    return [line for line in out if line]


def _capital_heading(line: str) -> bool:
    match = ROMAN_HEADING.match(line)
    return bool(match and match.group("num") in ROMAN and line.upper() == line and not line.endswith("."))


def normalise_code(code: str) -> str:
    """A document's số/ký hiệu as written officially: no spaces, capitals ("159/kh-ubnd" →
    "159/KH-UBND"), except the Prime Minister's "TTg" ("QĐ-TTG" → "QĐ-TTg")."""
    code = re.sub(r"\s+", "", code).upper()
    return re.sub(r"-TTG\b", "-TTg", code)


def _day(d: str, m: str, y: str) -> date | None:
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        return None


def _kind_of_section(title: str) -> str:
    key = title.upper()
    if "MỤC TIÊU" in key or "CHỈ TIÊU" in key:
        return "goal"
    if "NHIỆM VỤ" in key:
        return "task"
    if "GIẢI PHÁP" in key:
        return "measure"
    if "KINH PHÍ" in key:
        return "funding"
    if "TỔ CHỨC THỰC HIỆN" in key or "TRÁCH NHIỆM" in key:
        return "responsibility"
    if "MỤC ĐÍCH" in key or "YÊU CẦU" in key:
        return "purpose"
    return "other"


def parse_indicator(text: str, section: str) -> ParsedIndicator | None:
    """A target line: its figure, unit, comparison, yearly milestones and condition (targets.py)."""
    target = read_target(text)
    if target is None:
        return None
    return ParsedIndicator(
        section=section,
        text=text,
        target=target.value,
        unit=target.unit,
        comparison=target.comparison,
        maintain=target.maintain,
        condition=target.condition,
        milestones=target.milestones,
    )


def parse_plan(text: str) -> ParsedPlan:
    lines = _lines(text)
    plan = ParsedPlan()
    if not lines:
        raise UserError("Văn bản không có nội dung", "The document has no text")
    body_start = _parse_header(lines, plan)
    _parse_body(lines[body_start:], plan)
    if not plan.sections:
        _parse_excerpt(lines, plan)
    _parse_closing(lines, plan)
    if plan.code is None and not plan.items and not plan.indicators:
        raise UserError(
            "Văn bản không giống một kế hoạch (không có số/ký hiệu, mục I, II, … hay chỉ tiêu)",
            "The document does not look like a plan (no number, no sections I, II, …, no targets)",
        )
    return plan


def _parse_header(lines: list[str], plan: ParsedPlan) -> int:
    """Số/ký hiệu, place and date, document type and title, the Căn cứ references; returns the
    index of the first body line (section I)."""
    for index, line in enumerate(lines):
        if ROMAN_HEADING.match(line) and ROMAN_HEADING.match(line).group("num") == "I":
            return _header_from(lines[:index], plan, index)
    return _header_from(lines, plan, 0)


def _header_from(head: list[str], plan: ParsedPlan, body_start: int) -> int:
    text = " ".join(head)
    number = re.search(r"Số\s*:?\s*" + DOC_CODE.pattern, text)
    if number:
        plan.code = normalise_code(number.group("code"))
    preamble_at = next(
        (i for i, line in enumerate(head) if line.startswith(("Căn cứ", "Thực hiện", "Điều"))), len(head)
    )
    dated = PLACE_DATE.search("\n".join(head[:preamble_at]))
    if dated:
        plan.issued_on = _day(dated["d"], dated["m"], dated["y"])
        plan.place = re.sub(r"^Số\s*:?\s*\S+\s+", "", dated["place"].strip())  # "Số: 5/KH-UBND Huế, ngày …"
    title_lines = []
    capture = False
    for line in head:
        upper = line.upper()
        if upper.startswith("KẾ HOẠCH"):
            plan.doc_type = "KẾ HOẠCH"
            rest = line[len("KẾ HOẠCH") :].strip()
            title_lines = [rest] if rest else []
            capture = True
            continue
        if capture:
            if line.startswith(("Căn cứ", "Thực hiện", "(", "Điều", "Số")) or ISSUER.search(line):
                capture = False
            else:
                title_lines.append(line)
    if title_lines:
        title = " ".join(title_lines).strip()
        plan.title = f"Kế hoạch {title}" if title else None
    _decision(head, plan)
    for line in head:
        if line.startswith(("Căn cứ", "Thực hiện")):
            issuing = ISSUER.search(line)
            line = line[: issuing.start()].rstrip(" ,") if issuing else line  # where the issuer acts
            for sentence in re.split(r"(?<=[.;])\s+(?=Căn cứ|Thực hiện)", line):
                if sentence.strip():
                    plan.references.append(sentence.strip())
    issuer = ISSUER.search(text)
    if issuer:
        plan.issuer = (
            issuer.group("issuer").replace("Ủy ban nhân dân", "UBND").replace("ỦY BAN NHÂN DÂN", "UBND")
        )
    else:
        plan.issuer = _header_issuer(head[:preamble_at])
    _parent(plan)
    _years(plan)
    if plan.title is None:
        plan.warnings.append("Không thấy tên (trích yếu) kế hoạch / no plan title found")
    if plan.year is None:
        plan.warnings.append("Không thấy năm của kế hoạch / no plan year found")
    if plan.code is None:
        plan.warnings.append("Không thấy số, ký hiệu văn bản / no document number found")
    if plan.issued_on is None:
        plan.warnings.append("Không thấy địa danh, ngày ban hành / no place and date found")
    return body_start


def _header_issuer(block: list[str]) -> str | None:
    """The issuer from the header block: "ỦY BAN NHÂN DÂN" over "TỈNH LẠNG SƠN" (the national motto's
    lines may come between when a header table is flattened), or "UBND HUYỆN PHONG ĐIỀN" on one line."""
    for index, line in enumerate(block):
        match = HEADER_ISSUER.match(line)
        if not match:
            continue
        motto = ("CỘNG HÒA", "CỘNG HOÀ", "ĐỘC LẬP")
        following = [x for x in block[index + 1 :] if not x.upper().startswith(motto)]
        unit = HEADER_UNIT.match(match.group("rest") or (following[0] if following else ""))
        if unit and unit.group(0).upper() == unit.group(0):
            return f"UBND {unit.group('level').lower()} {unit.group('name').strip().title()}"
    return None


def _decision(head: list[str], plan: ParsedPlan) -> None:
    """A decision that issues a plan (QUYẾT ĐỊNH Ban hành Kế hoạch …) is read as the plan it carries,
    the decision kept as its issuing decision."""
    start = next((i for i, line in enumerate(head) if line.startswith("QUYẾT ĐỊNH")), None)
    if start is None:
        return
    words = []
    for line in head[start:]:
        if words and line.startswith(("Căn cứ", "Thực hiện", "Theo đề nghị", "Điều", "ỦY BAN", "CHỦ TỊCH")):
            break
        words.append(line[len("QUYẾT ĐỊNH") :] if not words else line)
    issued = re.search(r"Ban hành\s+Kế hoạch\s+(?P<title>\S.*)", " ".join(words), re.IGNORECASE)
    if not issued:
        return
    plan.doc_type = "KẾ HOẠCH"
    plan.decision_code, plan.decision_date = plan.code, plan.issued_on
    if plan.title is None:
        plan.title = f"Kế hoạch {issued.group('title').strip().rstrip('.')}"


def _parent(plan: ParsedPlan) -> None:
    """The plan this one implements: the Kế hoạch a "Thực hiện" sentence names, else the first
    Kế hoạch among the Căn cứ; its date and issuer are those written right after its number."""
    ordered = sorted(plan.references, key=lambda r: not r.startswith("Thực hiện"))
    for reference in ordered:
        named = PARENT.search(reference)
        if not named:
            continue
        plan.parent_code = normalise_code(named.group("code"))
        written = named.group("date") or ""
        dated = DATE_WORDS.search(f"ngày {written}") or DATE_SLASH.search(written)
        plan.parent_date = _day(dated["d"], dated["m"], dated["y"]) if dated else None
        issuer = re.match(
            r"\s*của\s+((?:UBND|Ủy ban nhân dân|ỦY BAN NHÂN DÂN) [^,.;]+?)(?:\s+về|\s+việc|[,.;]|$)",
            reference[named.end() :],
        )
        if issuer:
            plan.parent_issuer = re.sub(r"^(?:Ủy ban nhân dân|ỦY BAN NHÂN DÂN)", "UBND", issuer.group(1))
        return


def _years(plan: ParsedPlan) -> None:
    """The plan's year (its first) and, for a multi-year plan, its last year, from its title:
    "năm 2024", "giai đoạn 2023 - 2025", "2026-2030", "đến năm 2030"."""
    title = plan.title or ""
    span = PERIOD_SPAN.search(title)
    single = re.findall(r"năm\s+(20\d\d)", title)
    until = UNTIL_YEAR.search(title)
    if span:
        plan.year, plan.end_year = int(span["first"]), int(span["last"])
    elif until and plan.issued_on and plan.issued_on.year < int(until["last"]):
        plan.year, plan.end_year = plan.issued_on.year, int(until["last"])
        plan.warnings.append(
            f"Kế hoạch đến năm {until['last']}: lấy năm ban hành {plan.issued_on.year} làm năm đầu / the "
            "first year is the year of issue"
        )
    elif single:
        plan.year = int(single[-1])
    elif plan.issued_on:
        plan.year = plan.issued_on.year
        plan.warnings.append("Không thấy năm trong tên kế hoạch; lấy năm ban hành / no year in the title")
    plan.period = str(plan.year) if plan.year else None


def _parse_body(lines: list[str], plan: ParsedPlan) -> None:
    roman, kind, number, heading = "", "other", "", ""
    unlettered: dict[str, int] = {}
    for line in lines:
        if line.startswith(("Trên đây là", "Nơi nhận")):
            break
        match = ROMAN_HEADING.match(line)
        if match and match.group("num") in ROMAN and (line.upper() == line or len(line) < 80):
            roman, number, heading = match.group("num"), "", ""
            kind = _kind_of_section(match.group("title"))
            plan.sections.append((roman, match.group("title").rstrip(":")))
            continue
        match = NUMBER_HEADING.match(line)
        if match and roman and kind == "funding":
            plan.items.append(
                ParsedItem(number=f"{roman}.{match.group('num')}", kind="funding", text=match.group("title"))
            )
            continue
        if match and roman and kind == "goal" and read_target(match.group("title")):
            # a numbered target ("1. Tỷ lệ … đạt 85%") is a target of the section, not a heading
            plan.indicators.extend(t for t in _targets_of(match.group("title"), roman) if t)
            continue
        if match and roman and not PERCENT.search(line[:12]):
            number = match.group("num")
            heading = match.group("title").rstrip(":").strip()
            plan.sections.append((f"{roman}.{number}", heading))
            if kind == "responsibility":
                plan.agencies.append(heading) if "." not in number else None
            continue
        letter = LETTER_ITEM.match(line)
        bullet = BULLET_ITEM.match(line)
        text = letter.group("text") if letter else bullet.group("text") if bullet else line
        section = f"{roman}.{number}" if number else roman
        if kind == "goal":
            found = _targets_of(text, section)
            if any(found):
                plan.indicators.extend(f for f in found if f)
            else:
                number_of_goal = _paragraph_number(plan, unlettered, section)
                plan.items.append(ParsedItem(number=number_of_goal, kind="goal", text=text))
            continue
        if kind in ("task", "measure", "purpose", "funding", "responsibility") and roman:
            item_kind = kind
            if kind == "purpose":
                item_kind = "requirement" if "yêu cầu" in heading.lower() else "purpose"
            item_number = f"{section}.{letter.group('letter')}" if letter else section
            condition = CONDITION.search(text)
            lead = None
            if kind == "responsibility":
                top = number.split(".")[0] if number else ""
                lead = next((title for num, title in plan.sections if num == f"{roman}.{top}"), None)
            if not letter:
                item_number = _paragraph_number(plan, unlettered, section)
            elif any(i.number == item_number for i in plan.items):
                plan.warnings.append(f"Mục {item_number} xuất hiện hai lần / {item_number} appears twice")
                continue
            plan.items.append(
                ParsedItem(number=item_number, kind=item_kind, text=text, lead=lead,
                           condition=condition.group("text") if condition else None)
            )  # fmt: skip


def _parse_excerpt(lines: list[str], plan: ParsedPlan) -> None:
    """A text without sections I, II, … (the targets part of a plan, pasted alone): its numbered
    headings as sections, its target lines as targets; other lines are not read."""
    number = ""
    for line in lines:
        match = NUMBER_HEADING.match(line)
        if match and not read_target(line):
            number = match.group("num")
            plan.sections.append((number, match.group("title").rstrip(":").strip()))
            continue
        bullet = BULLET_ITEM.match(line) or LETTER_ITEM.match(line)
        text = bullet.group("text") if bullet else line
        plan.indicators.extend(found for found in _targets_of(text, number) if found)
    if plan.indicators:
        plan.warnings.append(
            "Văn bản không có các mục I, II, …: chỉ đọc các chỉ tiêu / no sections I, II, …: only the "
            "targets were read"
        )
    else:
        plan.sections.clear()


def _targets_of(text: str, section: str) -> list[ParsedIndicator | None]:
    """The targets of a goal line: one, or one per part when parts joined by ";" state their own
    ("80% đường truyền … 100 Mb/s; 80% đường truyền … 500 Mb/s"), yearly milestones being one."""
    whole = parse_indicator(text, section)
    parts = [p.strip() for p in text.split(";") if p.strip()]
    if whole is None or whole.milestones or len(parts) < 2:
        return [whole]
    found = [parse_indicator(part, section) for part in parts]
    return found if sum(1 for f in found if f) >= 2 else [whole]


def _paragraph_number(plan: ParsedPlan, unlettered: dict[str, int], section: str) -> str:
    """Paragraphs without a letter: one keeps the section's number; several become .1, .2, …"""
    unlettered[section] = unlettered.get(section, 0) + 1
    count = unlettered[section]
    if count == 2:
        first = next(i for i in plan.items if i.number == section)
        first.number = f"{section}.1"
    return section if count == 1 else f"{section}.{count}"


def _parse_closing(lines: list[str], plan: ParsedPlan) -> None:
    for index, line in enumerate(lines):
        if line.startswith("Trên đây là"):
            plan.closing = line
            deadline = DEADLINE.search(line)
            if deadline:
                plan.deadline = _day(deadline["d"], deadline["m"], deadline["y"])
        if line.startswith("Nơi nhận"):
            for follow in lines[index + 1 :]:
                bullet = BULLET_ITEM.match(follow)
                if not bullet:
                    break
                plan.recipients.append(bullet.group("text").rstrip(";."))
        if line.startswith(("TM.", "KT.")) and not plan.signature:
            block = lines[index : index + 4]
            signature = {"authority": "", "delegation": "", "title": "", "name": ""}
            rest = []
            for part in block:
                if part.startswith("TM."):
                    signature["authority"] = part
                elif part.startswith(("KT.", "TL.", "TUQ.", "Q.")):
                    signature["delegation"] = part
                else:
                    rest.append(part)
            if rest:
                signature["title"] = rest[0] if rest[0].upper() == rest[0] else ""
                signature["name"] = rest[-1] if rest[-1].upper() != rest[-1] else ""
            plan.signature = signature
    if plan.deadline is None:
        plan.warnings.append("Không thấy hạn báo cáo ('trước ngày dd/mm/yyyy') / no report deadline found")
