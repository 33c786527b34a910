from django.apps import AppConfig


class SovereigntyConfig(AppConfig):
    name = "sovereignty"

    def ready(self) -> None:
        from sovereignty import trail_kinds

        trail_kinds.register()
