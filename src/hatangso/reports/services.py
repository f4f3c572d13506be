"""Writes of the report's free texts, and building the report files."""

import tempfile
from pathlib import Path

import yaml
from django.db import transaction
from django.utils import translation

from hatangso.core.changelog import Actor, record_change, snapshot
from hatangso.core.models import ChangeLogEntry
from hatangso.core.scoping import may_manage_plan
from hatangso.reports.content import gather
from hatangso.reports.docx_report import write_docx
from hatangso.reports.models import ReportText
from hatangso.reports.pdf import docx_to_pdf, soffice
from hatangso.reports.xlsx_report import write_xlsx
from hatangso.utilities.errors import NotFound, UserError
from hatangso.utilities.text import clean_text


@transaction.atomic
def set_report_text(
    *, plan, period: str, unit, section: str, text: str, actor: Actor, user=None
) -> ReportText | None:
    """The plan owner's paragraph for a section; an empty text removes it (the report then shows
    the placeholder again)."""
    if not may_manage_plan(user, plan):
        raise NotFound(f"Không có kế hoạch {plan.code}", f"No plan {plan.code}")
    if section not in ReportText.Section.values:
        raise UserError(
            f"Không có mục '{section}' (có: {', '.join(ReportText.Section.values)})",
            f"No section '{section}' (known: {', '.join(ReportText.Section.values)})",
        )
    text = clean_text(text or "").strip()
    current = ReportText.objects.filter(plan=plan, period=period, unit=unit, section=section).first()
    if not text:
        if current is not None:
            record_change(actor, ChangeLogEntry.Action.DELETE, current, before=snapshot(current))
            current.delete()
        return None
    if current is None:
        current = ReportText.objects.create(
            plan=plan, period=period, unit=unit, section=section, text=text, updated_by=actor.name
        )
        record_change(actor, ChangeLogEntry.Action.CREATE, current)
        return current
    if current.text != text:
        before = snapshot(current)
        current.text, current.updated_by = text, actor.name
        current.save()
        record_change(actor, ChangeLogEntry.Action.UPDATE, current, before=before)
    return current


def load_report_texts(*, path: Path, plan, period: str, unit, actor: Actor, user=None) -> int:
    """The free texts from a YAML file (`thuan_loi: |` … one key per section); all or nothing."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise UserError(f"Không đọc được tệp {path.name}: {exc}", f"Cannot read {path.name}: {exc}") from exc
    if not isinstance(data, dict):
        raise UserError(
            f"Tệp {path.name} phải gồm các mục dạng 'thuan_loi: …'",
            f"{path.name} must map sections to texts ('thuan_loi: …')",
        )
    unknown = ", ".join(sorted(map(str, set(data) - set(ReportText.Section.values))))
    if unknown:
        known = ", ".join(ReportText.Section.values)
        raise UserError(
            f"Tệp {path.name}: không có mục {unknown} (có: {known})",
            f"{path.name}: unknown section(s) {unknown} (known: {known})",
        )
    with transaction.atomic():
        for section, text in data.items():
            set_report_text(
                plan=plan,
                period=period,
                unit=unit,
                section=section,
                text=str(text or ""),
                actor=actor,
                user=user,
            )
    return len(data)


FORMATS = ("docx", "pdf", "xlsx")


def build_report(*, plan, period, unit, fmt: str, out: Path, report_date=None) -> Path:
    """Write the results report as DOCX, PDF (converted from the DOCX) or XLSX."""
    if fmt not in FORMATS:
        raise UserError(
            f"Định dạng '{fmt}' không có (dùng {', '.join(FORMATS)})",
            f"Unknown format '{fmt}' (use {', '.join(FORMATS)})",
        )
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "pdf":
        soffice()  # say what to install before spending time on the content
    # The official report is in Vietnamese whatever language the reader's pages are in.
    with translation.override("vi"):
        content = gather(plan=plan, unit=unit, period=period, report_date=report_date)
        if fmt == "xlsx":
            write_xlsx(content, out)
        elif fmt == "docx":
            write_docx(content, out)
        else:
            with tempfile.TemporaryDirectory() as work:
                docx = Path(work) / f"{out.stem}.docx"
                write_docx(content, docx)
                docx_to_pdf(docx, out)
    return out
