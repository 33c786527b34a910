from typing import Any

from django.core.management.base import BaseCommand, CommandError

from hdsready.storage.rotation import storage_reencrypt


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored file (evidence, dossiers) under the current key, the first of "
        "EVIDENCE_KEYS, and encrypt the files stored before encryption. Resumable: run it again "
        "after an interruption and it continues. Fails when a file could not be re-encrypted "
        "(its key is missing from EVIDENCE_KEYS, or it is damaged): that file is left as it was."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        done = 0

        def progress(name: str) -> None:
            nonlocal done
            done += 1
            if done % 500 == 0:
                self.stdout.write(f"{done} files...")

        report = storage_reencrypt(on_file=progress)
        for problem in report.problems:
            self.stdout.write(f"PROBLEM {problem}")
        summary = (
            f"Current key {report.key_id!r}: {report.reencrypted} files re-encrypted, "
            f"{report.encrypted_plaintext} plaintext files encrypted, "
            f"{report.already_current} already under it"
            + (
                f", {report.leftovers_removed} copies left by an interrupted run removed"
                if report.leftovers_removed
                else ""
            )
            + "."
        )
        if report.problems:
            raise CommandError(
                f"{summary} {len(report.problems)} files NOT re-encrypted (above): fix and rerun."
            )
        self.stdout.write(self.style.SUCCESS(summary))
