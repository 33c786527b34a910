from django.apps import AppConfig


class HdsreadyConfig(AppConfig):
    name = "hdsready"
    verbose_name = "hdsready"
