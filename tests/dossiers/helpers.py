"""Helpers of the dossier tests: a dossier row with its file stored, as the chain leaves it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import partial
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from dossiers.models import Dossier, DossierKind, DossierStatus
from hdsready.models import QueuedTask

PDF_BYTES = b"%PDF-1.7\n% a stored dossier\n%%EOF\n"


def stored_dossier(
    organisation, user, *, status=DossierStatus.READY, cycle=None, content=PDF_BYTES
):
    """A dossier row as the chain leaves it, with its file stored (no layout)."""
    dossier = Dossier.objects.create(
        organisation=organisation,
        kind=DossierKind.FULL,
        cycle=cycle,
        title="Full certification dossier",
        subtitle="Cycle",
        content_hash=hashlib.sha256(
            f"{organisation.pk}:{Dossier.objects.count()}".encode()
        ).hexdigest(),
        requested_by=user,
        status=status,
    )
    if status == DossierStatus.READY:
        dossier.file.name = default_storage.save(
            f"dossiers/{organisation.slug}/{dossier.pk}.pdf", ContentFile(content)
        )
        dossier.sha256 = hashlib.sha256(content).hexdigest()
        dossier.size = len(content)
        dossier.page_count = 3
        dossier.save(update_fields=["file", "sha256", "size", "page_count"])
    return dossier


def enqueued_tasks(callbacks: list[Callable[[], Any]]) -> list[tuple[str, list[Any]]]:
    """(task, arguments) of every task sent after commit (hdsready.queue), in order."""
    return [
        (c.args[0].task, c.args[0].args)
        for c in callbacks
        if isinstance(c, partial) and c.args and isinstance(c.args[0], QueuedTask)
    ]
