"""Readiness (the host's self-assessment) and the Statement of Applicability."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hdsready.models import Membership, Organisation, User
from hdsready.trail import trail_record
from scopes.models import (
    ImplementationStatus,
    ReadinessEntry,
    ReadinessStatus,
    Requirement,
    SoAEntry,
)
from scopes.services import ScopeError


def _check_owner(organisation: Organisation, owner: User | None) -> None:
    if (
        owner is not None
        and not Membership.objects.filter(organisation=organisation, user=owner).exists()
    ):
        raise ScopeError(_("The owner must be a member of the organisation."))


@dataclass(frozen=True)
class ReadinessData:
    status: str
    justification: str = ""
    owner: User | None = None
    target_date: date | None = None
    notes: str = ""


def _check_readiness(data: ReadinessData, keep: frozenset[str]) -> None:
    if data.status not in ReadinessStatus.values:
        raise ScopeError(_("Unknown readiness status."))
    if (
        data.status == ReadinessStatus.NOT_APPLICABLE
        and "justification" not in keep
        and not data.justification.strip()
    ):
        raise ScopeError(_("Say why the requirement does not apply."))


def _diff(entry: Any, data: Any, keep: frozenset[str] = frozenset()) -> dict[str, list[Any]]:
    changes = {}
    for field in fields(data):
        if field.name in keep:
            continue
        old, new = getattr(entry, field.name), getattr(data, field.name)
        if old != new:
            changes[field.name] = [
                str(old) if isinstance(old, User) else old,
                str(new) if isinstance(new, User) else new,
            ]
    return changes


def readiness_update(
    *, organisation: Organisation, requirement: Requirement, data: ReadinessData, actor: User
) -> ReadinessEntry:
    """Record the host's assessment of one requirement; the trail keeps its history."""
    return readiness_bulk_update(
        organisation=organisation, requirements=[requirement], data=data, actor=actor
    )[0]


def readiness_bulk_update(
    *,
    organisation: Organisation,
    requirements: Sequence[Requirement],
    data: ReadinessData,
    actor: User,
    keep: frozenset[str] = frozenset(),
) -> list[ReadinessEntry]:
    """Apply the same assessment to several requirements, all or nothing. Fields named in
    `keep` stay as they are on each requirement."""
    _check_readiness(data, keep)
    _check_owner(organisation, data.owner)
    if not requirements:
        raise ScopeError(_("Select at least one requirement."))
    if any(not r.assessable for r in requirements):
        raise ScopeError(_("Only assessable requirements have a readiness status."))
    now = timezone.now()
    with transaction.atomic():
        existing = {
            e.requirement_id: e
            for e in ReadinessEntry.objects.select_for_update(of=("self",))
            .select_related("owner")
            .filter(organisation=organisation, requirement__in=requirements)
        }
        entries = []
        for requirement in requirements:
            entry = existing.get(requirement.pk) or ReadinessEntry(
                organisation=organisation, requirement=requirement
            )
            changes = _diff(entry, data, keep=keep)
            if not changes:  # as it was, or as a requirement never assessed: nothing to record
                entries.append(entry)
                continue
            for name in changes:
                setattr(entry, name, getattr(data, name))
            if entry.status == ReadinessStatus.NOT_APPLICABLE and not entry.justification:
                raise ScopeError(
                    _("%(ref)s: say why the requirement does not apply.")
                    % {"ref": requirement.ref_id}
                )
            entry.updated_at = now
            entry.save()
            trail_record(
                kind="readiness.updated",
                actor=actor,
                organisation=organisation,
                target=entry,
                data={"requirement": requirement.ref_id, "changes": changes},
            )
            entries.append(entry)
        return entries


@dataclass(frozen=True)
class SoAData:
    applicable: bool
    justification: str = ""
    implementation: str = ImplementationStatus.NOT_STARTED
    owner: User | None = None
    notes: str = ""


def soa_check(data: SoAData) -> None:
    if data.implementation not in ImplementationStatus.values:
        raise ScopeError(_("Unknown implementation status."))
    if not data.applicable and not data.justification.strip():
        raise ScopeError(_("A control that does not apply needs a justification."))


def soa_update(
    *, organisation: Organisation, control: Requirement, data: SoAData, actor: User
) -> SoAEntry:
    """One line of the Statement of Applicability (ISO 27001 6.1.3 d; HDS v2 EXI 08)."""
    soa_check(data)
    _check_owner(organisation, data.owner)
    if not control.ref_id.startswith("A."):
        raise ScopeError(_("The SoA lists Annex A controls only."))
    with transaction.atomic():
        entry = (
            SoAEntry.objects.select_for_update(of=("self",))
            .select_related("owner")
            .filter(organisation=organisation, control=control)
            .first()
        ) or SoAEntry(organisation=organisation, control=control)
        changes = _diff(entry, data)
        if not changes:  # as it was, or as the line reads with no entry: nothing to record
            return entry
        for name in changes:
            setattr(entry, name, getattr(data, name))
        entry.updated_at = timezone.now()
        entry.save()
        trail_record(
            kind="soa.updated",
            actor=actor,
            organisation=organisation,
            target=entry,
            data={"control": control.ref_id, "changes": changes},
        )
        return entry
