from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate


def create_cache_table(sender, using: str, **kwargs) -> None:
    """The shared cache's table (settings.CACHES without Redis) is made with the database's tables,
    so `hatangso migrate` leaves a home ready to serve (Django creates it only for test databases)."""
    call_command("createcachetable", database=using, verbosity=0)


class CoreConfig(AppConfig):
    name = "hatangso.core"
    verbose_name = "Lõi hệ thống / Core"

    def ready(self) -> None:
        from hatangso.core import auth  # noqa: F401  (connects the login-throttling signals)
        from hatangso.core.dataversion import not_data

        # Accounts, memberships and tokens decide who sees a number, never what it is.
        not_data("auth.")
        not_data("core.")
        post_migrate.connect(create_cache_table, sender=self)
