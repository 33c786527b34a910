from typing import Any

from django.core.management.base import BaseCommand, CommandError

from hdsready.trail import trail_verify


class Command(BaseCommand):
    help = "Verify the hash chain of the audit trail and report the first broken row."

    def handle(self, *args: Any, **options: Any) -> None:
        result = trail_verify()
        if not result.ok:
            raise CommandError(
                f"Audit trail BROKEN at row #{result.first_broken_seq}: {result.reason} "
                f"({result.checked} rows verified before it)."
            )
        self.stdout.write(
            self.style.SUCCESS(f"Audit trail intact: {result.checked} rows verified.")
        )
