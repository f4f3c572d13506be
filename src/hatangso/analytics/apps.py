from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "hatangso.analytics"
    verbose_name = "Chỉ tiêu / Indicator engine"

    def ready(self) -> None:
        from hatangso.core.dataversion import not_data

        not_data("analytics.")  # publications and stored results copy numbers, they change none
        from hatangso.analytics import (
            import_kinds,  # noqa: F401  (registers its `hatangso import` kinds)
            providers,  # noqa: F401  (registers the built-in providers)
        )
        from hatangso.analytics.measurements import sources  # noqa: F401  (lines, coverage, population)
