"""The catalog: frameworks an organisation imports beside the built-in ones."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from hdsready.models import Organisation, User
from hdsready.trail import trail_record
from scopes.importer import ImportRefused, ParsedNode, parse_library
from scopes.models import Framework, FrameworkSource, Requirement

GROUP_CHARS = Requirement._meta.get_field("group").max_length or 20
CODE_CHARS = Framework._meta.get_field("code").max_length or 80


@dataclass(frozen=True)
class ImportResult:
    framework: Framework
    created: bool
    nodes: int
    assessable: int


def framework_import(*, organisation: Organisation, raw: bytes, actor: User) -> ImportResult:
    """Import a framework library file (CISO Assistant's open YAML format) for one organisation,
    so a host can assess itself against a référentiel or a version we do not ship built in.

    All or nothing. The same file twice changes nothing; a changed file must carry a new version
    number and is then imported beside the previous version, which stays as it was (readiness
    entries may point at it). The import is one trail event, `framework.imported` (HDS v2 EXI 15:
    who changed what, and when).
    """
    library = parse_library(raw)
    content_hash = hashlib.sha256(raw).hexdigest()
    version = str(library.version)
    with transaction.atomic():
        # One import at a time per organisation: the same file uploaded twice at once must not
        # reach the unique constraint as an error page.
        Organisation.objects.select_for_update().only("pk").get(pk=organisation.pk)
        existing = Framework.objects.filter(
            organisation=organisation, urn=library.framework_urn, version=version
        ).first()
        if existing is not None:
            if existing.content_hash != content_hash:
                raise ImportRefused(
                    _(
                        "Version %(version)s of this framework is already imported with a "
                        "different content. Give the changed file a higher version number."
                    )
                    % {"version": version}
                )
            return ImportResult(
                framework=existing,
                created=False,
                nodes=len(library.nodes),
                assessable=library.assessable_count,
            )
        framework = Framework.objects.create(
            organisation=organisation,
            source=FrameworkSource.IMPORTED,
            code=slugify(library.ref_id)[:CODE_CHARS] or "imported",
            version=version,
            urn=library.framework_urn,
            name_fr=library.name_fr,
            name_en=library.name_en,
            description_fr=library.description_fr,
            description_en=library.description_en,
            provider=library.provider,
            published=library.published,
            content_hash=content_hash,
            imported_at=timezone.now(),
            imported_by=actor,
        )
        _requirements_create(framework=framework, nodes=library.nodes)
        trail_record(
            kind="framework.imported",
            actor=actor,
            organisation=organisation,
            target=framework,
            data={
                "library_urn": library.urn,
                "urn": library.framework_urn,
                "version": version,
                "nodes": len(library.nodes),
                "assessable": library.assessable_count,
                "content_hash": content_hash,
            },
        )
    return ImportResult(
        framework=framework,
        created=True,
        nodes=len(library.nodes),
        assessable=library.assessable_count,
    )


def _requirements_create(*, framework: Framework, nodes: Sequence[ParsedNode]) -> None:
    """One bulk insert per tree level, so every parent has its primary key before its children
    are written: a few queries whatever the number of nodes."""
    group_of: dict[str, str] = {}
    for node in nodes:  # a parent always comes before its children (the parser checks it)
        group_of[node.urn] = group_of[node.parent_urn] if node.parent_urn else node.ref_id
    created: dict[str, Requirement] = {}
    for depth in sorted({node.depth for node in nodes}):
        level = [
            Requirement(
                framework=framework,
                urn=node.urn,
                ref_id=node.ref_id,
                parent=created[node.parent_urn] if node.parent_urn else None,
                depth=node.depth,
                order=node.order,
                assessable=node.assessable,
                group=group_of[node.urn][:GROUP_CHARS],
                name_fr=node.name_fr,
                name_en=node.name_en,
                description_fr=node.description_fr,
                description_en=node.description_en,
            )
            for node in nodes
            if node.depth == depth
        ]
        for row in Requirement.objects.bulk_create(level, batch_size=1000):
            created[row.urn] = row
