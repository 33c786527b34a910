from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from hdsready.backup import BackupError, backup_write


class Command(BaseCommand):
    help = (
        "Write one consistent archive (.tar) of this instance: the database dump, every stored "
        "file, a manifest of their SHA-256 and a signed checkpoint of the audit trail."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("output", type=Path, help="the archive to write (a new .tar file)")

    def handle(self, *args: Any, output: Path, **options: Any) -> None:
        try:
            report = backup_write(output=output, now=timezone.now())
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for problem in report.problems:
            self.stderr.write(f"Problem: {problem}")
        self.stdout.write(
            f"Backup written to {report.path}: the database and {report.files} files "
            f"({report.bytes} bytes)."
        )
        if report.problems:
            raise CommandError(
                f"{len(report.problems)} stored files could not be read: the archive lists them."
            )
