"""`hatangso serve`: the production server (gunicorn), or Django's development server with --dev.

gunicorn, not granian or uvicorn: the app is synchronous Django (WSGI), gunicorn is pure Python
(nothing to compile on the office's server), mature, and gives what an office needs from one
command: worker processes restarted when they die, a graceful restart on SIGHUP, an access log.
Threaded workers (gthread) let one process wait on the database for several requests at once.
WhiteNoise serves the static files from the workers, compressed and, under their hashed names,
cacheable for a year (settings.STORAGES).
"""

import os

from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.urls import get_resolver

from hatangso.core.management.base import HatangsoCommand
from hatangso.utilities.errors import UserError

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def default_workers() -> int:
    """Two processes per core plus one (gunicorn's advice), at most 9: each holds the app in memory."""
    return min(2 * (os.cpu_count() or 1) + 1, 9)


def parse_bind(bind: str) -> tuple[str, int]:
    host, _, port = bind.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise UserError(
            f"--bind '{bind}' không hợp lệ: viết ĐỊA_CHỈ:CỔNG, ví dụ 127.0.0.1:8000",
            f"Invalid --bind '{bind}': write HOST:PORT, e.g. 127.0.0.1:8000",
        )
    return host.strip("[]"), int(port)


def gunicorn_options(host: str, port: int, *, workers: int, threads: int, certfile: str = "",
                     keyfile: str = "") -> dict:  # fmt: skip
    options = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "accesslog": "-",  # one line per request on standard output
        "errorlog": "-",
        "graceful_timeout": 30,
        "timeout": 120,  # a report of a province takes seconds, not minutes
        "preload_app": True,  # the app is imported once and shared by the workers
        "proc_name": "hatangso",
        # `kill -HUP $(cat HOME/run/gunicorn.pid)` restarts the workers gracefully; gunicornc talks
        # to the control socket. Both live in the data directory, not the account's home.
        "pidfile": str(settings.HOME / "run" / "gunicorn.pid"),
        "control_socket": str(settings.HOME / "run" / "gunicorn.ctl"),
    }
    if os.environ.get("HATANGSO_BEHIND_PROXY") == "1":
        # The proxy on this machine sets X-Forwarded-Proto; settings.SECURE_PROXY_SSL_HEADER reads it.
        options["forwarded_allow_ips"] = os.environ.get("HATANGSO_PROXY_IPS", "127.0.0.1,::1")
    if certfile:
        # HTTPS from gunicorn itself, for a machine without a reverse proxy (deploy/ keeps the proxy).
        options.update(certfile=certfile, keyfile=keyfile)
    return options


def check_tls_files(certfile: str | None, keyfile: str | None) -> None:
    """Both files or neither, and readable: gunicorn would otherwise fail in its workers, later."""
    if bool(certfile) != bool(keyfile):
        raise UserError(
            "--certfile và --keyfile phải đi cùng nhau: chứng thư và khóa riêng của nó",
            "--certfile and --keyfile go together: the certificate and its private key",
        )
    for option, path in (("--certfile", certfile), ("--keyfile", keyfile)):
        if path and not os.access(path, os.R_OK):
            raise UserError(
                f"Không đọc được tệp {option} '{path}': kiểm tra đường dẫn và quyền đọc",
                f"Cannot read the {option} file '{path}': check the path and its permissions",
            )


def load_before_fork() -> None:
    """What every worker needs, loaded once by the process they are forked from (preload_app): the
    URL configuration imports the views and the API (≈ 1 s of CPU), which each worker would
    otherwise import on its first request while its users wait (bench/README.md, dashboard_load).
    No worker may inherit this process's database connection."""
    get_resolver().resolve("/")
    connections.close_all()


def serve(port: int, host: str = "127.0.0.1", *, workers: int | None = None, threads: int = 4,
          dev: bool = False, certfile: str = "", keyfile: str = "") -> None:  # fmt: skip
    """Serve the app. On loopback without HTTPS (the demo) cookies cannot be Secure; behind the
    proxy (HATANGSO_HTTPS, deploy/) the server listens on loopback too, and they must be."""
    if host in LOOPBACK and not settings.HTTPS:
        settings.SESSION_COOKIE_SECURE = False
        settings.CSRF_COOKIE_SECURE = False
    call_command("collectstatic", interactive=False, verbosity=0)
    if dev:
        call_command("runserver", f"{host}:{port}", use_reloader=False, insecure_serving=True)
        return
    from gunicorn.app.base import BaseApplication

    from hatangso.wsgi import application

    (settings.HOME / "run").mkdir(exist_ok=True)
    load_before_fork()

    class Server(BaseApplication):
        def load_config(self):
            for key, value in gunicorn_options(host, port, workers=workers or default_workers(),
                                               threads=threads, certfile=certfile,
                                               keyfile=keyfile).items():  # fmt: skip
                self.cfg.set(key, value)

        def load(self):
            return application

    Server().run()


class Command(HatangsoCommand):
    help = "Chạy ứng dụng web / Serve the web app (gunicorn; --dev: Django's development server)"

    def add_arguments(self, parser):
        parser.add_argument("--bind", help="ĐỊA_CHỈ:CỔNG / HOST:PORT (mặc định / default 127.0.0.1:8000)")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--workers", type=int, help=f"số tiến trình / worker processes (default {default_workers()})"
        )
        parser.add_argument(
            "--threads", type=int, default=4, help="luồng mỗi tiến trình / threads per worker"
        )
        parser.add_argument(
            "--dev", action="store_true", help="máy chủ phát triển của Django / Django's development server"
        )
        parser.add_argument(
            "--certfile", help="chứng thư TLS (PEM), khi không có proxy / TLS certificate, without a proxy"
        )
        parser.add_argument(
            "--keyfile", help="khóa riêng của chứng thư / the certificate's private key (PEM)"
        )

    def handle(self, *args, bind, port, host, workers, threads, dev, certfile, keyfile, **options):
        if bind:
            host, port = parse_bind(bind)
        if (workers is not None and workers < 1) or threads < 1:
            raise UserError("--workers và --threads phải ≥ 1", "--workers and --threads must be at least 1")
        check_tls_files(certfile, keyfile)
        if certfile and dev:
            raise UserError(
                "--certfile chỉ dùng với máy chủ sản xuất, không dùng với --dev",
                "--certfile is for the production server, not --dev",
            )
        scheme = "https" if certfile else "http"
        self.console.print(f"Mở / Open {scheme}://{host}:{port}/  (Ctrl+C để dừng / to stop)")
        serve(port, host, workers=workers, threads=threads, dev=dev, certfile=certfile or "",
              keyfile=keyfile or "")  # fmt: skip
