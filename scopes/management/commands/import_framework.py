"""Import a framework library file (YAML) for one organisation, as its officer would upload it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from hdsready import roles
from hdsready.models import Organisation, User
from hdsready.selectors import user_can
from scopes.importer import MAX_LIBRARY_BYTES
from scopes.services import ScopeError
from scopes.services.catalog import framework_import


class Command(BaseCommand):
    help = "Import a framework library file (CISO Assistant YAML format) for an organisation."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path, help="The library file (.yaml).")
        parser.add_argument("--organisation", required=True, help="Slug of the organisation.")
        parser.add_argument(
            "--actor", required=True, help="E-mail of the officer recorded as importing it."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = Organisation.objects.filter(slug=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"No organisation with the slug {options['organisation']!r}.")
        actor = User.objects.filter(email__iexact=options["actor"]).first()
        # The trail names the actor: only someone who could import it on the site may be named.
        if actor is None or not user_can(user=actor, organisation=organisation, perm=roles.MANAGE):
            raise CommandError(f"{options['actor']} is not an officer of {organisation.slug}.")
        path: Path = options["file"]
        try:
            with path.open("rb") as stream:
                # One byte past the limit is enough for the importer to refuse a larger file.
                raw = stream.read(MAX_LIBRARY_BYTES + 1)
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from exc
        try:
            result = framework_import(organisation=organisation, raw=raw, actor=actor)
        except ScopeError as exc:
            raise CommandError(str(exc)) from exc
        framework = result.framework
        if result.created:
            self.stdout.write(
                f"Imported {framework.name} version {framework.version} for "
                f"{organisation.slug}: {result.nodes} nodes, {result.assessable} assessable."
            )
        else:
            self.stdout.write(
                f"{framework.name} version {framework.version} is already imported for "
                f"{organisation.slug}, unchanged: {result.nodes} nodes, "
                f"{result.assessable} assessable."
            )
