from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from evidence.services import VerifyProblem, evidence_verify_all
from hdsready.models import Organisation


class Command(BaseCommand):
    help = (
        "Re-hash every stored evidence version and report each one whose bytes no longer match "
        "the SHA-256 recorded at upload (altered or missing). Fails when any does."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--organisation", metavar="SLUG", help="Only this organisation's evidence."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = None
        if options["organisation"]:
            organisation = Organisation.objects.filter(slug=options["organisation"]).first()
            if organisation is None:
                raise CommandError(
                    f"No organisation with the short name {options['organisation']!r}."
                )
        checked = problems = 0
        for result in evidence_verify_all(organisation=organisation):
            checked += 1
            if isinstance(result, VerifyProblem):
                problems += 1
                version = result.version
                found = {
                    "missing": "file missing",
                    "damaged": "encrypted file damaged (fails authentication)",
                }.get(result.found, f"found {result.found}")
                column = (
                    f", its sha256 column changed to {version.sha256}"
                    if version.sha256 != result.expected
                    else ""
                )
                self.stdout.write(
                    f"PROBLEM item #{version.item_id} {version.item.title!r} "
                    f"version {version.number} ({version.storage_name}): "
                    f"expected {result.expected}, {found}{column}"
                )
        if problems:
            raise CommandError(
                f"Evidence store BROKEN: {problems} of {checked} versions do not match "
                "their SHA-256."
            )
        self.stdout.write(
            self.style.SUCCESS(f"Evidence store intact: {checked} versions verified.")
        )
