from django.apps import AppConfig


class HdsreadyConfig(AppConfig):
    name = "hdsready"
    verbose_name = "hdsready"

    def ready(self) -> None:
        from hdsready.mail import mail_builder_register
        from hdsready.services.invitations import INVITATION_MAIL, invitation_mail
        from hdsready.services.notifications import NOTIFICATION_MAIL, notification_mail

        mail_builder_register(INVITATION_MAIL, invitation_mail)
        mail_builder_register(NOTIFICATION_MAIL, notification_mail)

        from hdsready import trail_kinds

        trail_kinds.register()
