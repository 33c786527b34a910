from django.apps import AppConfig


class ScopesConfig(AppConfig):
    name = "scopes"

    def ready(self) -> None:
        from scopes import trail_kinds

        trail_kinds.register()
