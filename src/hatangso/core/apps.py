from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "hatangso.core"
    verbose_name = "Lõi hệ thống / Core"
