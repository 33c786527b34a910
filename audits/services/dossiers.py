"""Dossier PDFs: asking for one, laying out its units on the worker pool, joining them.

The request (a web request) reads the data and fixes the dossier's content as render units,
each keyed by the SHA-256 of its data. Units nobody laid out yet are shared out in a few
balanced batches, one Celery task each, so the worker pool lays them out in parallel; the task
that finishes a dossier's last unit enqueues its assembly. A unit is claimed by a conditional
update before it is laid out, so two dossiers that need it never lay it out twice, and a dossier
whose content was already printed reuses the stored file.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

import weasyprint
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from audits.dossier.content import UnitSpec, dossier_plan
from audits.dossier.pdf import Frame, Heading, Part, assemble, render_units
from audits.models import (
    Audit,
    Cycle,
    Dossier,
    DossierKind,
    DossierStatus,
    DossierUnit,
    RenderUnit,
    UnitStatus,
)
from audits.services import AuditError
from hdsready.models import Organisation, User
from hdsready.trail import trail_record

AUDIT_KINDS = frozenset({DossierKind.STAGE1, DossierKind.STAGE2, DossierKind.CORRECTIONS})
IN_FLIGHT = (DossierStatus.QUEUED, DossierStatus.RENDERING, DossierStatus.ASSEMBLING)
GENERATION_TEMPLATE = "pdf/section_generation.html"


def _content_hash(kind: str, target: str, language: str, unit_hashes: list[str]) -> str:
    digest = hashlib.sha256(f"{kind}|{target}|{language}".encode())
    for unit_hash in unit_hashes:
        digest.update(unit_hash.encode())
    return digest.hexdigest()


def _generation_spec(
    *, organisation: Organisation, title: str, subtitle: str, language: str, actor: User,
    now: datetime, content_hash: str,
) -> UnitSpec:  # fmt: skip
    with translation.override(language):
        generated_at = date_format(timezone.localtime(now), "DATETIME_FORMAT")
        language_name = translation.get_language_info(language)["name_local"]
    return UnitSpec(
        GENERATION_TEMPLATE,
        {
            "organisation": organisation.name,
            "title": title,
            "subtitle": subtitle,
            "requested_by": str(actor),
            "generated_at": generated_at,
            "language": language_name,
            "content_hash": content_hash,
            "version": settings.HDSREADY_VERSION,
            "weasyprint": weasyprint.__version__,
        },
        weight=2,
    )


def _units_for(hashed: list[tuple[UnitSpec, str]], *, language: str) -> list[RenderUnit]:
    """The stored unit of every (spec, content hash), created where missing (two requests may
    race: the unique hash keeps one row)."""
    hashes = [unit_hash for _spec, unit_hash in hashed]
    existing = RenderUnit.objects.in_bulk(hashes, field_name="content_hash")
    RenderUnit.objects.bulk_create(
        [
            RenderUnit(
                content_hash=unit_hash,
                template=spec.template,
                context=spec.context,
                language=language,
                weight=spec.weight,
            )
            for spec, unit_hash in hashed
            if unit_hash not in existing
        ],
        ignore_conflicts=True,
    )
    stored = RenderUnit.objects.in_bulk(hashes, field_name="content_hash")
    return [stored[unit_hash] for unit_hash in hashes]


@dataclass(frozen=True)
class DossierTarget:
    kind: str
    audit: Audit | None = None
    cycle: Cycle | None = None

    def check(self, organisation: Organisation) -> None:
        if self.kind not in DossierKind.values:
            raise AuditError(_("Unknown kind of dossier."))
        if self.kind in AUDIT_KINDS and (
            self.audit is None or self.audit.cycle.organisation_id != organisation.pk
        ):
            raise AuditError(_("Choose the audit this dossier is for."))
        if self.kind == DossierKind.FULL and (
            self.cycle is None or self.cycle.organisation_id != organisation.pk
        ):
            raise AuditError(_("Choose the certification cycle this dossier is for."))

    @property
    def key(self) -> str:
        if self.kind in AUDIT_KINDS and self.audit is not None:
            return f"audit:{self.audit.pk}"
        if self.kind == DossierKind.FULL and self.cycle is not None:
            return f"cycle:{self.cycle.pk}"
        return "organisation"


def dossier_request(
    *,
    organisation: Organisation,
    target: DossierTarget,
    language: str,
    actor: User,
    today: date | None = None,
) -> Dossier:
    """Ask for a dossier. Its content is read now; the layout happens on the worker pool. The
    same content asked again gets the stored file at once (its SHA-256 is the same)."""
    target.check(organisation)
    if language not in dict(settings.LANGUAGES):
        raise AuditError(_("Unknown language."))
    now = timezone.now()
    today = today or timezone.localdate(now)
    with translation.override(language):
        plan = dossier_plan(
            organisation=organisation,
            kind=target.kind,
            audit=target.audit if target.kind in AUDIT_KINDS else None,
            cycle=target.cycle if target.kind == DossierKind.FULL else None,
            today=today,
        )
    hashed = [(spec, spec.content_hash(language=language)) for spec in plan.units]
    content_hash = _content_hash(
        target.kind, target.key, language, [unit_hash for _spec, unit_hash in hashed]
    )
    with transaction.atomic():
        reuse = (
            Dossier.objects.filter(
                organisation=organisation, content_hash=content_hash, status=DossierStatus.READY
            )
            .exclude(file="")
            .order_by("-finished_at", "-pk")
            .first()
        )
        units: list[RenderUnit] = []
        if reuse is None:
            generation = _generation_spec(
                organisation=organisation,
                title=plan.title,
                subtitle=plan.subtitle,
                language=language,
                actor=actor,
                now=now,
                content_hash=content_hash,
            )
            hashed.append((generation, generation.content_hash(language=language)))
            units = _units_for(hashed, language=language)
        dossier = Dossier.objects.create(
            organisation=organisation,
            kind=target.kind,
            audit=target.audit if target.kind in AUDIT_KINDS else None,
            cycle=(
                target.cycle
                if target.kind == DossierKind.FULL
                else (target.audit.cycle if target.audit and target.kind in AUDIT_KINDS else None)
            ),
            language=language,
            title=plan.title,
            subtitle=plan.subtitle,
            content_hash=content_hash,
            requested_by=actor,
            requested_at=now,
            **(
                {
                    "status": DossierStatus.READY,
                    "file": reuse.file.name,
                    "sha256": reuse.sha256,
                    "size": reuse.size,
                    "page_count": reuse.page_count,
                    "finished_at": now,
                    "reused_from": reuse,
                }
                if reuse
                else {}
            ),
        )
        DossierUnit.objects.bulk_create(
            [
                DossierUnit(dossier=dossier, unit=unit, position=position)
                for position, unit in enumerate(units)
            ]
        )
        trail_record(
            kind="dossier.requested",
            actor=actor,
            organisation=organisation,
            target=dossier,
            data={
                "kind": target.kind,
                "target": target.key,
                "language": language,
                "content_hash": content_hash,
                "reused_from": reuse.pk if reuse else None,
                "sha256": reuse.sha256 if reuse else None,
            },
        )
        if reuse is None:
            transaction.on_commit(partial(_enqueue_dispatch, dossier.pk))
    return dossier


def _enqueue_dispatch(dossier_id: int) -> None:
    from audits.tasks import dossier_dispatch_task

    dossier_dispatch_task.delay(dossier_id)


def _enqueue_render(unit_ids: list[int]) -> None:
    from audits.tasks import dossier_units_render_task

    dossier_units_render_task.delay(unit_ids)


def _enqueue_assemble(dossier_id: int) -> None:
    from audits.tasks import dossier_assemble_task

    dossier_assemble_task.delay(dossier_id)


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
            status=UnitStatus.PENDING, error="", claimed_at=None
        )
        pending = list(units.filter(status=UnitStatus.PENDING))
        batches = balanced_batches(pending, batches=settings.DOSSIER_RENDER_BATCHES)
        for batch in batches:
            transaction.on_commit(partial(_enqueue_render, batch))
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
            transaction.on_commit(partial(_enqueue_assemble, dossier_id))


def _unit_storage_name(unit: RenderUnit) -> str:
    return f"dossiers/units/{unit.content_hash[:2]}/{unit.content_hash}.pdf"


def _fail_dossiers(units: list[int], message: str) -> None:
    Dossier.objects.filter(parts__unit__in=units, status__in=IN_FLIGHT).update(
        status=DossierStatus.FAILED, error=message, finished_at=timezone.now()
    )


def units_render(*, unit_ids: list[int]) -> int:
    """Lay out the given units that are still pending in one WeasyPrint pass, store each one's
    PDF, and move on the dossiers that were waiting for them. Returns how many were laid out."""
    now = timezone.now()
    claimed = [
        pk
        for pk in unit_ids
        if RenderUnit.objects.filter(pk=pk, status=UnitStatus.PENDING).update(
            status=UnitStatus.RENDERING, claimed_at=now, error=""
        )
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


def dossier_retry(*, dossier: Dossier, actor: User) -> Dossier:
    """Ask again for a dossier that failed: its failed units go back to pending."""
    with transaction.atomic():
        locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
        if locked.status != DossierStatus.FAILED:
            raise AuditError(_("Only a dossier that failed can be retried."))
        RenderUnit.objects.filter(
            pk__in=DossierUnit.objects.filter(dossier=locked).values("unit"),
            status=UnitStatus.FAILED,
        ).update(status=UnitStatus.PENDING, error="", claimed_at=None)
        locked.status = DossierStatus.QUEUED
        locked.error = ""
        locked.finished_at = None
        locked.save(update_fields=["status", "error", "finished_at"])
        trail_record(
            kind="dossier.retried",
            actor=actor,
            organisation=locked.organisation,
            target=locked,
            data={"content_hash": locked.content_hash},
        )
        transaction.on_commit(partial(_enqueue_dispatch, locked.pk))
    return locked


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


def dossier_downloaded(*, dossier: Dossier, actor: User) -> None:
    trail_record(
        kind="dossier.downloaded",
        actor=actor,
        organisation=dossier.organisation,
        target=dossier,
        data={"sha256": dossier.sha256},
    )


def dossier_integrity_failed(*, dossier: Dossier, actor: User) -> None:
    """The stored file no longer has its recorded SHA-256: refused and recorded."""
    trail_record(
        kind="dossier.integrity_failed",
        actor=actor,
        organisation=dossier.organisation,
        target=dossier,
        data={"expected": dossier.sha256},
    )
