from django.apps import AppConfig


class SovereigntyConfig(AppConfig):
    name = "sovereignty"

    def ready(self) -> None:
        from sovereignty import trail_kinds

        trail_kinds.register()

        from scopes.readiness_figures import readiness_figures_register
        from sovereignty.selectors import register_readiness_figures

        readiness_figures_register(register_readiness_figures)
