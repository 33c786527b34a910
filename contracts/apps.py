from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "contracts"

    def ready(self) -> None:
        from contracts import trail_kinds

        trail_kinds.register()

        from contracts.selectors import register_readiness_figures
        from scopes.readiness_figures import readiness_figures_register

        readiness_figures_register(register_readiness_figures)
