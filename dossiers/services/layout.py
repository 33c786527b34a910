"""Laying out a dossier: its pending units in balanced batches on the worker pool, then the
assembly of the laid-out units into one PDF; and the sweep of dossiers a dead worker left."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dossiers.models import (
    Dossier,
    DossierStatus,
    DossierUnit,
    RenderUnit,
    UnitStatus,
)
from dossiers.pdf import Frame, Heading, Part, assemble, render_units
from hdsready.dates import date_format
from hdsready.queue import enqueue
from hdsready.trail import trail_record

IN_FLIGHT = (DossierStatus.QUEUED, DossierStatus.RENDERING, DossierStatus.ASSEMBLING)


RENDER_TASK = "dossiers.tasks.dossier_units_render_task"
ASSEMBLE_TASK = "dossiers.tasks.dossier_assemble_task"


def balanced_batches(units: list[RenderUnit], *, batches: int) -> list[list[int]]:
    """Share units out in at most `batches` groups of about the same weight (heaviest first,
    each to the lightest group), so the worker processes finish together."""
    groups: list[tuple[int, list[int]]] = [(0, []) for _ in range(max(1, batches))]
    for unit in sorted(units, key=lambda u: (-u.weight, u.pk)):
        index = min(range(len(groups)), key=lambda i: groups[i][0])
        weight, ids = groups[index]
        groups[index] = (weight + unit.weight, [*ids, unit.pk])
    return [ids for _weight, ids in groups if ids]


def dossier_dispatch(*, dossier_id: int) -> int:
    """Enqueue the layout of the dossier's units nobody has laid out, in balanced batches, or
    its assembly when every unit is ready. Returns the number of batches enqueued."""
    with transaction.atomic():
        moved = Dossier.objects.filter(pk=dossier_id, status=DossierStatus.QUEUED).update(
            status=DossierStatus.RENDERING
        )
        if not moved:
            return 0
        units = RenderUnit.objects.filter(
            pk__in=DossierUnit.objects.filter(dossier_id=dossier_id).values("unit")
        )
        # A unit that failed for an earlier dossier nobody retried is tried again: left failed,
        # it would keep this dossier waiting until the stale sweep.
        units.filter(status=UnitStatus.FAILED).update(
            status=UnitStatus.PENDING, error="", claimed_at=None, claimed_by=""
        )
        pending = list(units.filter(status=UnitStatus.PENDING))
        batches = balanced_batches(pending, batches=settings.DOSSIER_RENDER_BATCHES)
        for batch in batches:
            enqueue(RENDER_TASK, batch)
        if not pending:
            _advance([dossier_id])
    return len(batches)


def _advance(dossier_ids: list[int]) -> None:
    """Dossiers whose units are all laid out move to assembly (once: conditional update)."""
    for dossier_id in dossier_ids:
        waiting = DossierUnit.objects.filter(dossier_id=dossier_id).exclude(
            unit__status=UnitStatus.READY
        )
        if waiting.exists():
            continue
        moved = Dossier.objects.filter(pk=dossier_id, status=DossierStatus.RENDERING).update(
            status=DossierStatus.ASSEMBLING
        )
        if moved:
            enqueue(ASSEMBLE_TASK, dossier_id)


def _unit_storage_name(unit: RenderUnit) -> str:
    return f"dossiers/units/{unit.content_hash[:2]}/{unit.content_hash}.pdf"


def _fail_dossiers(units: list[int], message: str) -> None:
    Dossier.objects.filter(parts__unit__in=units, status__in=IN_FLIGHT).update(
        status=DossierStatus.FAILED, error=message, finished_at=timezone.now()
    )


def units_render(*, unit_ids: list[int], claim: str) -> int:
    """Lay out the given units that are still pending in one WeasyPrint pass, store each one's
    PDF, and move on the dossiers that were waiting for them. Returns how many were laid out.

    `claim` is the id of the task: a unit it claimed before its worker died (the task is
    delivered again, with the same id) is its own to lay out again; one that another task
    claimed is that task's."""
    now = timezone.now()
    claimed = [
        pk
        for pk in unit_ids
        if RenderUnit.objects.filter(
            Q(status=UnitStatus.PENDING) | Q(status=UnitStatus.RENDERING, claimed_by=claim),
            pk=pk,
        ).update(status=UnitStatus.RENDERING, claimed_at=now, claimed_by=claim, error="")
    ]
    if not claimed:
        return 0
    units = sorted(RenderUnit.objects.filter(pk__in=claimed), key=lambda u: claimed.index(u.pk))
    try:
        by_language: dict[str, list[RenderUnit]] = {}
        for unit in units:
            by_language.setdefault(unit.language, []).append(unit)
        rendered: list[tuple[RenderUnit, Part]] = []
        for language, group in by_language.items():
            parts = render_units([(u.template, u.context) for u in group], language=language)
            rendered += zip(group, parts, strict=True)
        for unit, part in rendered:
            name = _unit_storage_name(unit)
            if default_storage.exists(name):
                default_storage.delete(name)
            default_storage.save(name, ContentFile(part.pdf))
            unit.file.name = name
            unit.page_count = part.page_count
            unit.outline = [[h.level, h.label, h.page] for h in part.headings]
    except Exception as error:
        with transaction.atomic():
            RenderUnit.objects.filter(pk__in=claimed).update(
                status=UnitStatus.FAILED, error=repr(error)[:2000]
            )
            _fail_dossiers(claimed, _("A part of the dossier could not be laid out."))
        raise
    with transaction.atomic():
        for unit in units:
            RenderUnit.objects.filter(pk=unit.pk, status=UnitStatus.RENDERING).update(
                status=UnitStatus.READY,
                file=unit.file.name,
                page_count=unit.page_count,
                outline=unit.outline,
                rendered_at=timezone.now(),
            )
        waiting = (
            Dossier.objects.filter(parts__unit__in=claimed, status=DossierStatus.RENDERING)
            .values_list("pk", flat=True)
            .distinct()
        )
        _advance(sorted(waiting))
    return len(units)


def _frame(dossier: Dossier) -> Frame:
    with translation.override(dossier.language):
        moment = timezone.localtime(dossier.requested_at)
        return Frame(
            organisation=dossier.organisation.name,
            title=dossier.title,
            subtitle=dossier.subtitle,
            language=dossier.language,
            generated_at=date_format(moment, "DATETIME_FORMAT"),
            generated_on=date_format(moment, "DATE_FORMAT"),
            requested_by=str(dossier.requested_by),
        )


def dossier_assemble(*, dossier_id: int) -> Dossier | None:
    """Join the laid-out units with the cover, contents, header, footer and bookmarks, store the
    PDF, and record its SHA-256 in the dossier and the audit trail."""
    dossier = (
        Dossier.objects.select_related("organisation", "requested_by")
        .filter(pk=dossier_id, status=DossierStatus.ASSEMBLING)
        .first()
    )
    if dossier is None:
        return None
    try:
        parts = []
        for link in DossierUnit.objects.filter(dossier=dossier).select_related("unit"):
            with default_storage.open(str(link.unit.file.name), "rb") as stored:
                parts.append(
                    Part(
                        pdf=stored.read(),
                        page_count=link.unit.page_count,
                        headings=tuple(Heading(*entry) for entry in link.unit.outline),
                    )
                )
        pdf, page_count = assemble(frame=_frame(dossier), parts=parts)
        sha256 = hashlib.sha256(pdf).hexdigest()
        name = default_storage.save(
            f"dossiers/{dossier.organisation.slug}/{dossier.pk}-{sha256[:16]}.pdf",
            ContentFile(pdf),
        )
    except Exception:
        Dossier.objects.filter(pk=dossier.pk, status=DossierStatus.ASSEMBLING).update(
            status=DossierStatus.FAILED,
            error=_("The dossier could not be assembled."),
            finished_at=timezone.now(),
        )
        raise
    with transaction.atomic():
        moved = Dossier.objects.filter(pk=dossier.pk, status=DossierStatus.ASSEMBLING).update(
            status=DossierStatus.READY,
            file=name,
            sha256=sha256,
            size=len(pdf),
            page_count=page_count,
            finished_at=timezone.now(),
            error="",
        )
        if not moved:
            default_storage.delete(name)
            return None
        dossier.refresh_from_db()
        trail_record(
            kind="dossier.ready",
            actor=None,
            organisation=dossier.organisation,
            target=dossier,
            data={"sha256": sha256, "pages": page_count, "size": len(pdf)},
        )
    return dossier


def dossiers_stale_sweep(*, now: datetime) -> int:
    """A worker that died leaves units claimed and dossiers in flight: after the timeout they
    are marked failed, so the page offers a retry instead of a bar that never moves."""
    limit = now - timedelta(minutes=settings.DOSSIER_TIMEOUT_MINUTES)
    with transaction.atomic():
        stale_units = list(
            RenderUnit.objects.filter(
                status=UnitStatus.RENDERING, claimed_at__lt=limit
            ).values_list("pk", flat=True)
        )
        RenderUnit.objects.filter(pk__in=stale_units, status=UnitStatus.RENDERING).update(
            status=UnitStatus.FAILED, error="timed out"
        )
        count = Dossier.objects.filter(
            Q(parts__unit__in=stale_units) | Q(requested_at__lt=limit),
            status__in=IN_FLIGHT,
        ).update(
            status=DossierStatus.FAILED,
            error=_("The layout took too long and was stopped."),
            finished_at=now,
        )
    return count
