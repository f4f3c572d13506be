from django.apps import AppConfig


class WorkplanConfig(AppConfig):
    name = "hatangso.workplan"
    verbose_name = "Nhiệm vụ, phản ánh / Work plan and incidents"

    def ready(self) -> None:
        from hatangso.core.dataversion import not_data
        from hatangso.workplan import signals  # noqa: F401  (tasks follow every plan load)

        not_data("workplan.")  # tasks, updates, roads and incidents feed no indicator
        from hatangso.workplan import import_kinds  # noqa: F401  (registers its `hatangso import` kinds)
