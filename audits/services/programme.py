"""Changes to a cycle's audit programme: the proposed rotation, a requirement placed in the
surveillance audits, an audit's programme marked as the certification body's plan.

ISO/IEC 17021-1:2015 9.1.3 and 9.6.2 (audits/programme.py): surveillance audits cover part of
the scope, the whole of it over the cycle, and the topics of 9.6.2.2 in each of them. Only the
programme of a surveillance audit not started yet changes; an initial or renewal audit covers
every applicable requirement."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.models import Audit, Cycle, ProgrammeLine, ProgrammeSource
from audits.programme import MANDATORY_KEYS, topics_of
from audits.selectors.programme import (
    is_editable,
    key_of,
    programme_audits,
    programme_of,
    proposal_for,
)
from audits.services import AuditError
from hdsready.models import User
from hdsready.trail import trail_record
from scopes.models import Requirement

BODY_REFERENCE_LENGTH = 200


def _lock(audits: Sequence[Audit]) -> list[Audit]:
    return list(Audit.objects.select_for_update().filter(pk__in=[a.pk for a in audits]))


def programme_propose(*, cycle: Cycle, actor: User) -> int:
    """Replace the programme of the surveillance audits not started yet with the proposed
    rotation (audits/programme.py propose_rotation): the mandatory topics of ISO/IEC 17021-1
    9.6.2.2 in each, the other applicable requirements not covered by a started surveillance
    audit shared out between them. Returns the number of lines written."""
    with transaction.atomic():
        programme = programme_of(cycle=cycle)
        drafts, rotation, by_key = proposal_for(programme=programme)
        if not drafts:
            raise AuditError(
                _(
                    "No surveillance audit to plan a programme for: the certification decision "
                    "plans them, or plan one on the cycles page."
                )
            )
        locked = _lock(drafts)
        if any(not is_editable(audit) for audit in locked):
            raise AuditError(_("An audit has started meanwhile: reload the page."))
        now = timezone.now()
        ProgrammeLine.objects.filter(audit__in=drafts).delete()
        ProgrammeLine.objects.bulk_create(
            ProgrammeLine(
                audit=audit,
                requirement=by_key[key],
                source=ProgrammeSource.PROPOSED,
                updated_at=now,
            )
            for audit, keys in zip(drafts, rotation, strict=True)
            for key in sorted(keys)
        )
        written = sum(len(keys) for keys in rotation)
        trail_record(
            kind="programme.proposed",
            actor=actor,
            organisation=cycle.organisation,
            target=cycle,
            data={
                "audits": [audit.pk for audit in drafts],
                "requirements": [len(keys) for keys in rotation],
            },
        )
        return written


def programme_requirement_place(
    *, cycle: Cycle, requirement: Requirement, audits: Sequence[Audit], actor: User
) -> bool:
    """Set which surveillance audits not started yet cover `requirement` (move it from one to
    another, add it, or leave it to the renewal audit). A requirement standing for a mandatory
    topic (ISO/IEC 17021-1 9.6.2.2) stays in every one. Returns whether anything changed."""
    with transaction.atomic():
        all_audits = programme_audits(cycle=cycle)
        editable = [audit for audit in all_audits if is_editable(audit)]
        chosen = {audit.pk for audit in audits}
        if not chosen <= {audit.pk for audit in editable}:
            raise AuditError(_("Only a surveillance audit not started yet can be chosen."))
        key = key_of(requirement)
        if key in MANDATORY_KEYS and chosen != {audit.pk for audit in editable}:
            topics = ", ".join(str(topic.label) for topic in topics_of(key))
            raise AuditError(
                _(
                    "%(ref)s stands for a topic of every surveillance audit (%(topics)s): it "
                    "stays in each of them."
                )
                % {"ref": requirement.ref_id, "topics": topics}
            )
        if any(not is_editable(audit) for audit in _lock(editable)):
            raise AuditError(_("An audit has started meanwhile: reload the page."))
        current = set(
            ProgrammeLine.objects.filter(audit__in=editable, requirement=requirement).values_list(
                "audit_id", flat=True
            )
        )
        added, removed = chosen - current, current - chosen
        if not added and not removed:
            return False
        ProgrammeLine.objects.filter(requirement=requirement, audit_id__in=removed).delete()
        now = timezone.now()
        ProgrammeLine.objects.bulk_create(
            ProgrammeLine(
                audit_id=pk, requirement=requirement, source=ProgrammeSource.HOST, updated_at=now
            )
            for pk in sorted(added)
        )
        labels = {audit.pk: audit.label for audit in editable}
        trail_record(
            kind="programme.requirement_placed",
            actor=actor,
            organisation=cycle.organisation,
            target=cycle,
            data={
                "requirement": requirement.ref_id,
                "added": [labels[pk] for pk in sorted(added)],
                "removed": [labels[pk] for pk in sorted(removed)],
            },
        )
        return True


def programme_body_plan_mark(*, audit: Audit, reference: str, actor: User) -> int:
    """Mark the programme of a surveillance audit not started yet as the certification body's
    audit plan says it, with the plan's reference. Returns the number of lines marked."""
    reference = reference.strip()
    if not reference:
        raise AuditError(_("Give the reference of the certification body's plan."))
    if len(reference) > BODY_REFERENCE_LENGTH:
        raise AuditError(_("The reference is too long."))
    with transaction.atomic():
        locked = _lock([audit])
        if not locked or not is_editable(locked[0]):
            raise AuditError(_("Only a surveillance audit not started yet can be marked."))
        lines = ProgrammeLine.objects.filter(audit=audit)
        if not lines.exists():
            raise AuditError(_("This audit has no programme yet: propose one first."))
        changed = lines.exclude(source=ProgrammeSource.BODY_PLAN, body_reference=reference)
        marked = changed.update(
            source=ProgrammeSource.BODY_PLAN, body_reference=reference, updated_at=timezone.now()
        )
        if marked:
            trail_record(
                kind="programme.body_plan_marked",
                actor=actor,
                organisation=audit.cycle.organisation,
                target=audit,
                data={"reference": reference, "lines": marked},
            )
        return marked
