from django.apps import AppConfig


class BackupConfig(AppConfig):
    name = "hatangso.backup"
    verbose_name = "Sao lưu / Backup"
