from django.conf import settings
from django.core.management import call_command

from hatangso.core.management.base import HatangsoCommand

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def serve(port: int, host: str = "127.0.0.1") -> None:
    """Serve the app with Django's server. On loopback (no TLS) cookies cannot be Secure."""
    if host in LOOPBACK:
        settings.SESSION_COOKIE_SECURE = False
        settings.CSRF_COOKIE_SECURE = False
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("runserver", f"{host}:{port}", use_reloader=False, insecure_serving=True)


class Command(HatangsoCommand):
    help = "Chạy ứng dụng web / Serve the web app"

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args, port, host, **options):
        self.console.print(f"Mở / Open http://{host}:{port}/  (Ctrl+C để dừng / to stop)")
        serve(port, host)
