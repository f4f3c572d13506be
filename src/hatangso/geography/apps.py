from django.apps import AppConfig


class GeographyConfig(AppConfig):
    name = "hatangso.geography"
    verbose_name = "Đơn vị hành chính / Places"
