from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "hatangso.core"
    verbose_name = "Lõi hệ thống / Core"

    def ready(self) -> None:
        from hatangso.core import auth  # noqa: F401  (connects the login-throttling signals)
        from hatangso.core.dataversion import not_data

        # Accounts, memberships and tokens decide who sees a number, never what it is.
        not_data("auth.")
        not_data("core.")
