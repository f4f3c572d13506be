from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "hatangso.registry"
    verbose_name = "Hạ tầng viễn thông / Infrastructure registry"

    def ready(self) -> None:
        from hatangso.registry import (
            import_kinds,  # noqa: F401  (registers its `hatangso import` kinds)
            providers,  # noqa: F401  (registers the registry indicator source)
        )
