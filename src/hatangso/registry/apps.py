from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "hatangso.registry"
    verbose_name = "Hạ tầng viễn thông / Infrastructure registry"
