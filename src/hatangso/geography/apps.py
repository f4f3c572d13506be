from django.apps import AppConfig


class GeographyConfig(AppConfig):
    name = "hatangso.geography"
    verbose_name = "Đơn vị hành chính / Places"

    def ready(self) -> None:
        from hatangso.geography import import_kinds  # noqa: F401  (registers its `hatangso import` kinds)
