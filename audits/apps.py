from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "audits"

    def ready(self) -> None:
        from audits.services.auditors import AUDITOR_INVITATION_MAIL, auditor_invitation_mail
        from hdsready.mail import mail_builder_register

        mail_builder_register(AUDITOR_INVITATION_MAIL, auditor_invitation_mail)

        from audits.selectors import auditor_landing
        from hdsready.homes import home_finder_register

        home_finder_register(auditor_landing)

        from audits import trail_kinds

        trail_kinds.register()
