from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hdsready.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Rebuild an empty instance (new database, empty storage) from an archive of `backup`, "
        "checking every file and the dump against the manifest. Run trail_verify and "
        "evidence_verify afterwards."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="an archive written by `manage.py backup`")

    def handle(self, *args: Any, archive: Path, **options: Any) -> None:
        try:
            restored = backup_restore(archive_path=archive)
        except (BackupError, OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Restored the database and {restored} files from {archive}.")
        )
