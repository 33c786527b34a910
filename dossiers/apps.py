from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "dossiers"

    def ready(self) -> None:
        from dossiers import trail_kinds

        trail_kinds.register()
