from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "hatangso.core"
    verbose_name = "Lõi hệ thống / Core"

    def ready(self) -> None:
        from hatangso.core import auth  # noqa: F401  (connects the login-throttling signals)
