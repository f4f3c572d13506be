from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "hatangso.reports"
    verbose_name = "Báo cáo / Reports"
