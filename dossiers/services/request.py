"""Asking for a dossier, retrying one that failed, and opening its PDF after the integrity check."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

import weasyprint
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audits.models import Audit, Cycle
from dossiers.content import UnitSpec, dossier_plan
from dossiers.models import (
    Dossier,
    DossierKind,
    DossierStatus,
    DossierUnit,
    RenderUnit,
    UnitStatus,
)
from dossiers.services import DossierError, DossierIntegrityError
from hdsready.dates import date_format
from hdsready.encryption import EncryptedFileDamaged
from hdsready.models import Organisation, User
from hdsready.queue import enqueue
from hdsready.trail import trail_record

AUDIT_KINDS = frozenset({DossierKind.STAGE1, DossierKind.STAGE2, DossierKind.CORRECTIONS})
GENERATION_TEMPLATE = "pdf/section_generation.html"
DISPATCH_TASK = "dossiers.tasks.dossier_dispatch_task"


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
            raise DossierError(_("Unknown kind of dossier."))
        if self.kind in AUDIT_KINDS and (
            self.audit is None or self.audit.cycle.organisation_id != organisation.pk
        ):
            raise DossierError(_("Choose the audit this dossier is for."))
        if self.kind == DossierKind.FULL and (
            self.cycle is None or self.cycle.organisation_id != organisation.pk
        ):
            raise DossierError(_("Choose the certification cycle this dossier is for."))

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
        raise DossierError(_("Unknown language."))
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
            enqueue(DISPATCH_TASK, dossier.pk)
    return dossier


def dossier_retry(*, dossier: Dossier, actor: User) -> Dossier:
    """Ask again for a dossier that failed: its failed units go back to pending."""
    with transaction.atomic():
        locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
        if locked.status != DossierStatus.FAILED:
            raise DossierError(_("Only a dossier that failed can be retried."))
        RenderUnit.objects.filter(
            pk__in=DossierUnit.objects.filter(dossier=locked).values("unit"),
            status=UnitStatus.FAILED,
        ).update(status=UnitStatus.PENDING, error="", claimed_at=None, claimed_by="")
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
        enqueue(DISPATCH_TASK, locked.pk)
    return locked


def dossier_open(*, dossier: Dossier, actor: User) -> bytes:
    """The bytes of a ready dossier, served only if they still have the SHA-256 recorded at
    assembly (HDS traceability: who downloaded which file is in the trail, and so is a file that
    was altered or lost, which is refused)."""
    if dossier.status != DossierStatus.READY:
        raise DossierError(_("This dossier is not ready."))
    try:
        with default_storage.open(str(dossier.file.name), "rb") as stored:
            content = stored.read()
    except (FileNotFoundError, EncryptedFileDamaged):
        content = None
    if content is None or hashlib.sha256(content).hexdigest() != dossier.sha256:
        dossier_integrity_failed(dossier=dossier, actor=actor)
        raise DossierIntegrityError(
            _(
                "The stored dossier no longer matches the SHA-256 fingerprint recorded when it "
                "was created: it was not served, and this was recorded in the audit trail."
            )
        )
    dossier_downloaded(dossier=dossier, actor=actor)
    return content


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
