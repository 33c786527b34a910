from django.apps import AppConfig


class ScopesConfig(AppConfig):
    name = "scopes"
