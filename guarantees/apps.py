from django.apps import AppConfig


class GuaranteesConfig(AppConfig):
    name = "guarantees"

    def ready(self) -> None:
        from guarantees import trail_kinds

        trail_kinds.register()

        from guarantees.selectors import register_readiness_figures
        from scopes.readiness_figures import readiness_figures_register

        readiness_figures_register(register_readiness_figures)
