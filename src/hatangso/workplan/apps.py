from django.apps import AppConfig


class WorkplanConfig(AppConfig):
    name = "hatangso.workplan"
    verbose_name = "Nhiệm vụ, phản ánh / Work plan and incidents"

    def ready(self) -> None:
        from hatangso.workplan import signals  # noqa: F401  (tasks follow every plan load)
