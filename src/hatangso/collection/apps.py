from django.apps import AppConfig


class CollectionConfig(AppConfig):
    name = "hatangso.collection"
    verbose_name = "Thu thập số liệu / Data collection"
