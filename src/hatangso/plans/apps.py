from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "hatangso.plans"
    verbose_name = "Kế hoạch / Plans"
