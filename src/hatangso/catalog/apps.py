from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "hatangso.catalog"
    verbose_name = "Danh mục chỉ tiêu / Indicator catalog"
