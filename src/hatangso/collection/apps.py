from django.apps import AppConfig


class CollectionConfig(AppConfig):
    name = "hatangso.collection"
    verbose_name = "Thu thập số liệu / Data collection"

    def ready(self) -> None:
        from hatangso.collection import import_kinds  # noqa: F401  (registers its `hatangso import` kinds)
        from hatangso.core.dataversion import not_data

        not_data("collection.dhis2mapping")  # a UID's code changes no number until values are imported
