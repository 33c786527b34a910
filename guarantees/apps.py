from django.apps import AppConfig


class GuaranteesConfig(AppConfig):
    name = "guarantees"

    def ready(self) -> None:
        from guarantees import trail_kinds

        trail_kinds.register()
