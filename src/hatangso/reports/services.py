"""Writes of the report's free texts, and building the report files."""

import tempfile
from pathlib import Path

from django.db import transaction
from django.utils import translation

from hatangso.core.changelog import Actor, record_change, snapshot
from hatangso.core.models import ChangeLogEntry
from hatangso.core.scoping import may_manage_plan
from hatangso.geography.models import UnitSuccession
from hatangso.reports.content import gather
from hatangso.reports.models import ReportText
from hatangso.reports.pdf import docx_to_pdf, soffice
from hatangso.utilities.errors import NotFound, UserError
from hatangso.utilities.lazy import lazy_import
from hatangso.utilities.periods import parse_period
from hatangso.utilities.text import clean_text

yaml = lazy_import("yaml")


@transaction.atomic
def set_report_text(
    *, plan, period: str, unit, section: str, text: str, actor: Actor, user
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


def load_report_texts(*, path: Path, plan, period: str, unit, actor: Actor, user) -> int:
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


def check_report_scope(*, plan, period, unit) -> None:
    """A report is for a period of the plan and a unit of its area (or one that took over part of
    it after a reorganisation): anything else would report on data the plan never set targets for."""
    planned = parse_period(plan.period)
    if not planned.contains(period):
        raise UserError(
            f"Kế hoạch {plan.code} là kế hoạch kỳ {plan.period}, không có báo cáo kỳ {period.code}",
            f"Plan {plan.code} covers {plan.period}: there is no report for the period {period.code}",
        )
    area = plan.area_unit
    inside = unit.path.startswith(area.path) or (
        UnitSuccession.objects.filter(predecessor__path__startswith=area.path, successor=unit).exists()
    )
    if not inside:
        raise UserError(
            f"Đơn vị {unit.name} ({unit.code}) không thuộc địa bàn {area.name} của kế hoạch {plan.code}",
            f"{unit.name} ({unit.code}) is outside {area.name}, the area of plan {plan.code}",
        )


def check_report_file(out: Path, fmt: str) -> None:
    """The file named for the format asked for, in a folder that exists: a PDF is never written
    under a .docx name, and a mistyped folder is not created."""
    if out.suffix.lower() != f".{fmt}":
        raise UserError(
            f"Tệp {out.name} không có đuôi .{fmt} của định dạng {fmt}: đặt tên tệp đuôi .{fmt} "
            f"hoặc chọn định dạng theo đuôi tệp",
            f"{out.name} does not end in .{fmt}, the format asked for: name the file .{fmt} or choose "
            f"the format of its extension",
        )
    if not out.parent.is_dir():
        raise UserError(
            f"Không có thư mục {out.parent}: tạo thư mục trước hoặc chọn thư mục khác",
            f"There is no folder {out.parent}: create it first or choose another one",
        )


def build_report(*, plan, period, unit, fmt: str, out: Path, report_date=None, as_of=None) -> Path:
    """Write the results report as DOCX, PDF (converted from the DOCX) or XLSX; `as_of` a day
    after a reorganisation, the communes listed are those in force that day."""
    if fmt not in FORMATS:
        raise UserError(
            f"Định dạng '{fmt}' không có (dùng {', '.join(FORMATS)})",
            f"Unknown format '{fmt}' (use {', '.join(FORMATS)})",
        )
    out = Path(out)
    check_report_file(out, fmt)
    check_report_scope(plan=plan, period=period, unit=unit)
    if fmt == "pdf":
        soffice()  # say what to install before spending time on the content
    # python-docx, openpyxl and altair are imported here, not by every command that loads this module.
    from hatangso.reports.docx_report import write_docx
    from hatangso.reports.xlsx_report import write_xlsx

    # The official report is in Vietnamese whatever language the reader's pages are in.
    with translation.override("vi"):
        content = gather(plan=plan, unit=unit, period=period, report_date=report_date, as_of=as_of)
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
