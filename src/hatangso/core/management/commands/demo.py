import json

from django.contrib.auth import get_user_model
from django.db import transaction
from rich.progress import Progress

from hatangso.analytics.management.commands.compute import render_scorecard_table
from hatangso.analytics.services import compute_scorecard
from hatangso.collection.services import import_values
from hatangso.core.demo import (
    SYNTHETIC_LABEL,
    create_demo_villages,
    demo_values_path,
    write_demo_values,
)
from hatangso.core.management.base import HatangsoCommand
from hatangso.core.management.commands.serve import serve
from hatangso.geography.services import load_reference_units
from hatangso.plans.services import SEED_PLAN_FILE, load_plan
from hatangso.registry.operators import load_reference_operators
from hatangso.utilities.periods import parse_period

DEMO_USER = "admin"
DEMO_PASSWORD = "hatangso-demo"


class Command(HatangsoCommand):
    help = "Dữ liệu mẫu, tính chỉ tiêu, chạy web / Load the demo, compute, serve"

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="không chạy web / exit after writing")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, no_serve, port, **options):
        from django.conf import settings

        actor = self.actor()
        with Progress(console=self.console, transient=False) as progress:
            task = progress.add_task("Chuẩn bị / Setting up", total=6)
            load_reference_units(actor=actor)
            load_reference_operators(actor=actor)
            progress.update(task, advance=1, description="Nạp kế hoạch / Loading the plan")
            plan = load_plan(path=SEED_PLAN_FILE, actor=actor).plan
            progress.update(task, advance=1, description="Thôn, TDP mẫu / Demo villages")
            with transaction.atomic():
                communes = create_demo_villages(plan, actor)
            progress.update(task, advance=1, description="Số liệu mẫu / Demo values")
            values_file = demo_values_path()
            write_demo_values(plan, values_file)
            import_values(path=values_file, actor=actor, synthetic=True)
            progress.update(task, advance=1, description="Tính chỉ tiêu / Computing")
            period = parse_period(plan.period)
            scorecard = compute_scorecard(plan=plan, unit=plan.area_unit, period=period)
            for commune in communes:
                compute_scorecard(plan=plan, unit=commune, period=period)
            progress.update(task, advance=1, description="Ghi tệp / Writing files")
            reports = settings.HOME / "reports"
            reports.mkdir(parents=True, exist_ok=True)
            scorecard_file = reports / f"scorecard-{plan.slug}-{period.code}.json"
            scorecard_file.write_text(
                json.dumps({"note": SYNTHETIC_LABEL, **scorecard.as_json()}, ensure_ascii=False, indent=2),
                encoding="utf-8",
            )
            self._ensure_demo_user()
            progress.update(task, advance=1, description="Xong / Done")

        self.console.print(render_scorecard_table(scorecard))
        self.console.print(
            f"[bold yellow]Lưu ý: số liệu là {SYNTHETIC_LABEL}, không phải số liệu thật.[/]\n"
            f"Dữ liệu / data: {settings.HOME}\nBảng chỉ tiêu / scorecard: {scorecard_file}\n"
            f"Số liệu mẫu / demo values: {values_file}"
        )
        if no_serve:
            return
        self.console.print(
            f"\nMở / Open [bold]http://127.0.0.1:{port}/[/]  ·  quản trị / admin: "
            f"http://127.0.0.1:{port}/admin/  ·  đăng nhập / login: {DEMO_USER} / {DEMO_PASSWORD}\n"
            "Ctrl+C để dừng / to stop"
        )
        serve(port)

    def _ensure_demo_user(self) -> None:
        users = get_user_model().objects
        if not users.filter(username=DEMO_USER).exists():
            users.create_superuser(DEMO_USER, "admin@example.invalid", DEMO_PASSWORD)
