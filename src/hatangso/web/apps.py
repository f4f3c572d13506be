from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "hatangso.web"
    verbose_name = "Giao diện web / Web"
