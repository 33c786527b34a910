from django.apps import AppConfig


class AccessReviewsConfig(AppConfig):
    name = "accessreviews"
    verbose_name = "Access reviews"

    def ready(self) -> None:
        from accessreviews import trail_kinds

        trail_kinds.register()
