from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "evidence"

    def ready(self) -> None:
        from evidence import trail_kinds

        trail_kinds.register()

        from evidence.selectors import certificate_files, certificate_upload_url
        from scopes.certificate_files import CertificateFileSource, certificate_files_register

        certificate_files_register(
            CertificateFileSource(files=certificate_files, upload_url=certificate_upload_url)
        )
