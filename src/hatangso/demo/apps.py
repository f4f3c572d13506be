from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "hatangso.demo"
    verbose_name = "Dữ liệu mẫu / Demo data"
