import hashlib
import json
import os
import sys
from datetime import date
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from rich.progress import Progress
from rich.table import Table

from hatangso.analytics.management.commands.compute import render_scorecard_table
from hatangso.analytics.measurements import store
from hatangso.analytics.measurements.coverage import compute_coverage
from hatangso.analytics.measurements.lines import KIND as LINES
from hatangso.analytics.measurements.lines import import_line_measurements
from hatangso.analytics.measurements.population import import_population
from hatangso.analytics.publishing import publish_scorecard
from hatangso.analytics.services import compute_scorecard
from hatangso.catalog.services import load_catalog
from hatangso.collection.services import import_values
from hatangso.core.changelog import Actor
from hatangso.core.management.base import HatangsoCommand
from hatangso.core.models import Role
from hatangso.core.scoping import COMMAND_LINE
from hatangso.core.services import create_user, grant_membership
from hatangso.demo.dataset import (
    COMMUNE_PLAN_FILE,
    PROVINCE_PLAN_FILE,
    SYNTHETIC_LABEL,
    create_demo_submissions,
    create_demo_villages,
    create_demo_workplan,
    demo_values_path,
    five_g_wards,
    illustrative_values_path,
    import_demo_boundaries,
    write_demo_line_samples,
    write_demo_population,
    write_demo_registry,
    write_demo_values,
    write_illustrative_line_samples,
    write_illustrative_values,
)
from hatangso.geography.selectors import resolve_unit
from hatangso.geography.services import load_reference_units
from hatangso.plans.models import Agency, Plan
from hatangso.plans.services import SEED_PLAN_FILE, load_plan
from hatangso.registry.imports import IMPORTERS
from hatangso.registry.models import Operator
from hatangso.registry.operators import load_reference_operators
from hatangso.reports.services import FORMATS, build_report
from hatangso.utilities.errors import UserError
from hatangso.utilities.periods import parse_period

DEMO_USER = "admin"
DEMO_PASSWORD = "hatangso-demo"
# One login per role (DESIGN.md §2), all with DEMO_PASSWORD: (username, role, unit, operator, agency,
# the day the unit is taken in force on — the seed plan's date unless given). A role on a unit that
# was merged away does not pass to its successor: the clerk of phường Tứ Hạ (19996 until 30/06/2025)
# is granted phường Hương Trà (19996 from 01/07/2025) as a second membership.
AFTER_2025 = date(2026, 1, 1)
DEMO_ROLES = [
    ("sokhcn", "plan_owner", "46", None, None, AFTER_2025),
    ("vhtt", "plan_owner", "480", None, None, None),
    ("lanhdao", "leader", "480", None, None, None),
    ("qldt", "agency", "480", None, "phong_qldt", None),
    ("tuha", "commune", "19996", None, None, None),
    ("tuha", "commune", "19996", None, None, AFTER_2025),
    ("binhthanh", "commune", "20041", None, None, None),
    ("viettel", "enterprise", None, "viettel", None, None),
    ("vnpt", "enterprise", None, "vnpt", None, None),
]


class Command(HatangsoCommand):
    help = "Dữ liệu mẫu, tính chỉ tiêu, chạy web / Load the demo, compute, serve"

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="không chạy web / exit after writing")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--reload", action="store_true", help="nạp lại dữ liệu mẫu đã có / load the demo again"
        )

    def handle(self, *args, no_serve, port, reload, **options):
        from django.conf import settings

        loaded = _loaded_stamp()
        if loaded and not reload:
            self._show_loaded(loaded, no_serve=no_serve, port=port)
            return
        actor = self.actor()
        with Progress(console=self.console, transient=False) as progress:
            task = progress.add_task("Chuẩn bị / Setting up", total=7)
            load_reference_units(actor=actor)
            load_reference_operators(actor=actor)
            load_catalog(actor=actor)
            progress.update(task, advance=1, description="Nạp kế hoạch / Loading the plans")
            # The province's plan first: the seed names it as its parent, and is linked when loaded.
            province_plan = load_plan(path=PROVINCE_PLAN_FILE, actor=actor, user=COMMAND_LINE).plan
            plan = load_plan(path=SEED_PLAN_FILE, actor=actor, user=COMMAND_LINE).plan
            commune_plan = load_plan(path=COMMUNE_PLAN_FILE, actor=actor, user=COMMAND_LINE).plan
            progress.update(task, advance=1, description="Thôn, TDP mẫu / Demo villages")
            with transaction.atomic():
                communes = create_demo_villages(plan, actor)
            progress.update(task, advance=1, description="Số liệu mẫu / Demo values")
            values_file = demo_values_path()
            write_demo_values(plan, values_file)
            import_values(path=values_file, actor=actor, user=COMMAND_LINE, synthetic=True)
            illustrative_file = illustrative_values_path()
            write_illustrative_values(province_plan, commune_plan, plan, illustrative_file)
            import_values(path=illustrative_file, actor=actor, user=COMMAND_LINE, synthetic=True)
            create_demo_submissions(plan, actor)
            create_demo_workplan(plan, actor)
            progress.update(task, description="Hạ tầng mẫu / Demo registry")
            wards = five_g_wards(province_plan)
            import_demo_boundaries(plan, settings.HOME / "demo", wards, actor)
            for kind, path in write_demo_registry(plan, settings.HOME / "demo", wards).items():
                IMPORTERS[kind](path=path, actor=actor, user=COMMAND_LINE, synthetic=True)
            if not store.has_data(LINES):  # samples are appended, never replaced: import them once
                samples = write_demo_line_samples(
                    plan, settings.HOME / "demo" / "do-toc-do-mau-synthetic.csv"
                )
                import_line_measurements(path=samples, actor=actor, synthetic=True)
                samples = write_illustrative_line_samples(
                    province_plan,
                    commune_plan,
                    plan,
                    settings.HOME / "demo" / "do-toc-do-minh-hoa-synthetic.csv",
                )
                import_line_measurements(path=samples, actor=actor, synthetic=True)
            period = parse_period(plan.period)
            progress.update(task, description="Vùng phủ di động mẫu / Demo mobile coverage")
            people = write_demo_population(plan, settings.HOME / "demo" / "dan-so-mau-synthetic.csv", wards)
            import_population(path=people, actor=actor, on=period.end, synthetic=True)
            # The province's grid holds the seed's communes and the 5G wards: one layer per date.
            compute_coverage(unit=province_plan.area_unit, on=period.end, actor=actor)
            progress.update(task, advance=1, description="Tính chỉ tiêu / Computing")
            scorecard = compute_scorecard(plan=plan, unit=plan.area_unit, period=period)
            for commune in communes:
                compute_scorecard(plan=plan, unit=commune, period=period)
            progress.update(task, advance=1, description="Kế hoạch minh họa / Illustrative plans")
            for other in (province_plan, commune_plan):
                compute_scorecard(plan=other, unit=other.area_unit, period=parse_period(other.period))
            progress.update(task, advance=1, description="Ghi tệp / Writing files")
            reports = settings.HOME / "reports"
            reports.mkdir(parents=True, exist_ok=True)
            scorecard_file = reports / f"scorecard-{plan.slug}-{period.code}.json"
            scorecard_file.write_text(
                json.dumps({"note": SYNTHETIC_LABEL, **scorecard.as_json()}, ensure_ascii=False, indent=2),
                encoding="utf-8",
            )
            report_files, report_notes = [], []
            for fmt in FORMATS:
                out = reports / f"bao-cao-{plan.slug}-{period.code}.{fmt}"
                try:
                    report_files.append(
                        build_report(plan=plan, period=period, unit=plan.area_unit, fmt=fmt, out=out)
                    )
                except UserError as exc:  # no LibreOffice: the PDF is skipped, with what to install
                    report_notes.append(f"{fmt}: {exc.vi} / {exc.en}")
            self._ensure_demo_users(plan)
            # The public page (/cong-khai/) shows what the plan owner published: publish as vhtt.
            owner = get_user_model().objects.get(username="vhtt")
            publish_scorecard(plan=plan, period=period.code, actor=Actor.command("hatangso demo", user=owner))
            # The province's department publishes the illustrative plans: the public list shows them
            # with their label.
            province = Actor.command("hatangso demo", user=get_user_model().objects.get(username="sokhcn"))
            for other in (province_plan, commune_plan):
                publish_scorecard(plan=other, period=other.period, actor=province)
            progress.update(task, advance=1, description="Xong / Done")
        _write_loaded_stamp([scorecard_file, values_file, *report_files])

        self._print_summary(scorecard)
        self.console.print(
            f"[bold yellow]Kế hoạch minh họa / illustrative plans, not issued documents: "
            f"{province_plan.code}, {commune_plan.code}[/]\n"
            f"Dữ liệu / data: {settings.HOME}\nBảng chỉ tiêu / scorecard: {scorecard_file}\n"
            f"Số liệu mẫu / demo values: {values_file}\n"
            f"Hạ tầng mẫu / demo registry: {settings.HOME / 'demo'}"
        )
        for path in report_files:
            self.console.print(f"Báo cáo / report: {path}")
        for note in report_notes:
            self.console.print(f"[yellow]{note}[/]")
        self._serve(no_serve=no_serve, port=port)

    def _show_loaded(self, loaded: dict, *, no_serve: bool, port: int) -> None:
        """A second `demo` on a home it loaded serves what is there: the loaders are idempotent, but
        running them again costs a minute and would put back any figure the user changed since."""
        from django.conf import settings

        plan = Plan.objects.get(code=SEED_PLAN_CODE)
        period = parse_period(plan.period)
        self._print_summary(compute_scorecard(plan=plan, unit=plan.area_unit, period=period))
        self.console.print(
            f"Dữ liệu mẫu đã nạp lúc {loaded['loaded_at']}, không nạp lại (--reload để nạp lại) / "
            f"the demo was loaded then and is not loaded again (--reload loads it again)\n"
            f"Dữ liệu / data: {settings.HOME}"
        )
        self._serve(no_serve=no_serve, port=port)

    def _print_summary(self, scorecard) -> None:
        self.console.print(render_scorecard_table(scorecard))
        self.console.print(self._logins_table())
        self.console.print(f"[bold yellow]Lưu ý: số liệu là {SYNTHETIC_LABEL}, không phải số liệu thật.[/]")

    def _serve(self, *, no_serve: bool, port: int) -> None:
        if no_serve:
            return
        self.console.print(
            f"\nMở / Open [bold]http://127.0.0.1:{port}/[/]  ·  quản trị / admin: "
            f"http://127.0.0.1:{port}/admin/  ·  API: http://127.0.0.1:{port}/api/v1/docs\n"
            "Ctrl+C để dừng / to stop"
        )
        # Served by a fresh process: building the demo rendered its charts here, and vl-convert's
        # JavaScript runtime (like DuckDB's pool) runs threads that a forked worker does not have;
        # its first chart then waited forever on their locks (the indicator page never loaded).
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(sys.executable, [sys.executable, "-m", "hatangso.cli", "serve", "--port", str(port)])

    def _ensure_demo_users(self, plan) -> None:
        users = get_user_model().objects
        actor = self.actor()
        if not users.filter(username=DEMO_USER).exists():
            users.create_superuser(DEMO_USER, "admin@example.invalid", DEMO_PASSWORD)
        for username, role, unit_code, operator_code, agency_code, on in DEMO_ROLES:
            user = users.filter(username=username).first() or create_user(
                username=username, password=DEMO_PASSWORD, actor=actor, full_name=f"{username} (mẫu)"
            )
            grant_membership(
                user=user,
                role=role,
                actor=actor,
                unit=resolve_unit(unit_code, start=on or plan.issued_on) if unit_code else None,
                operator=Operator.objects.get(code=operator_code) if operator_code else None,
                agency=Agency.objects.get(code=agency_code) if agency_code else None,
            )

    def _logins_table(self) -> Table:
        table = Table(title=f"Tài khoản mẫu / demo logins (mật khẩu / password: {DEMO_PASSWORD})")
        table.add_column("Đăng nhập / Login")
        table.add_column("Vai trò / Role")
        table.add_row(DEMO_USER, "quản trị hệ thống / superuser")
        for username, role, unit_code, operator_code, agency_code, on in DEMO_ROLES:
            scope = (operator_code or agency_code or unit_code) + (f", {on:%Y}" if on else "")
            table.add_row(username, f"{Role(role).label} ({scope})")
        return table


SEED_PLAN_CODE = "1529/KH-UBND"
# What the demo is made of: a change to any of these makes the next `demo` load again.
DEMO_SOURCES = ("demo", "plans/data", "geography/data", "catalog/data", "registry")


def _fingerprint() -> str:
    import hatangso

    package = Path(hatangso.__file__).parent
    digest = hashlib.sha256(getattr(hatangso, "__version__", "").encode())
    for folder in DEMO_SOURCES:
        for path in sorted((package / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and "tests" not in path.parts:
                digest.update(path.relative_to(package).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _stamp_path() -> Path:
    from django.conf import settings

    return settings.HOME / "demo" / "loaded.json"


def _loaded_stamp() -> dict | None:
    """The stamp of a demo this home holds, loaded from the same sources, with every file it wrote
    still there (None: load it)."""
    try:
        stamp = json.loads(_stamp_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if stamp.get("fingerprint") != _fingerprint() or not Plan.objects.filter(code=SEED_PLAN_CODE).exists():
        return None
    if not all(Path(path).is_file() for path in stamp.get("files", [None])):
        return None
    return stamp


def _write_loaded_stamp(files: list[Path]) -> None:
    from django.utils import timezone

    stamp = {
        "fingerprint": _fingerprint(),
        "loaded_at": f"{timezone.localtime():%d/%m/%Y %H:%M}",
        "files": [str(path) for path in files],
    }
    _stamp_path().write_text(json.dumps(stamp, ensure_ascii=False), encoding="utf-8")
