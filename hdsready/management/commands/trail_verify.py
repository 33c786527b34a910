from typing import Any

from django.core.management.base import BaseCommand, CommandError

from hdsready.trail import trail_verify


class Command(BaseCommand):
    help = (
        "Verify the audit trail: its keyed hash chain, the signed checkpoints of its head kept "
        "outside the database, and the database's own refusal of changes."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = trail_verify()
        keyed = result.checked - result.unkeyed
        self.stdout.write(
            f"Chain: {result.checked} rows verified ({keyed} keyed, {result.unkeyed} from before "
            "the key)."
        )
        self.stdout.write(f"Checkpoints: {result.checkpoints_checked} signed checkpoints matched.")
        self.stdout.write(
            "Database refuses UPDATE and DELETE: "
            + (", ".join(result.protections) if result.protections else "NO")
        )
        for problem in result.problems:
            self.stderr.write(f"Problem: {problem}")
        if result.first_broken_seq is not None:
            raise CommandError(
                f"Audit trail BROKEN at row #{result.first_broken_seq}: {result.reason} "
                f"({result.checked} rows verified before it)."
            )
        if result.problems:
            raise CommandError(f"Audit trail NOT PROTECTED: {'; '.join(result.problems)}.")
        self.stdout.write(
            self.style.SUCCESS(f"Audit trail intact: {result.checked} rows verified.")
        )
