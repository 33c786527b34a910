"""The check, on a surveillance or renewal audit, of a finding carried over from an earlier audit
(audits/selectors/carryover.py): the auditor (or the officer, recording what an outside
certification body checked) closes it, the actions being effective, or keeps it open for the
next audit. Who may check, and on which audits when, is workflow.CARRYOVER_CHECK."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audits import deadlines, workflow
from audits.models import Audit, CarryOverCheck, CarryOverOutcome, Finding
from audits.selectors import evidence_versions_for_auditor
from audits.selectors.carryover import carried_over_findings
from audits.services import AuditError
from audits.services.workflow import Done, _locked, _officers_told
from audits.workflow import Actor
from evidence.models import EvidenceVersion
from hdsready.dates import date_format
from hdsready.models import User
from hdsready.trail import trail_record


def _already_closed(check: CarryOverCheck) -> AuditError:
    return AuditError(
        _("This finding was already closed on %(day)s by %(who)s: nothing was changed.")
        % {
            "day": date_format(deadlines.paris_date(now=check.checked_at), "SHORT_DATE_FORMAT"),
            "who": check.checked_by,
        }
    )


def carried_over_check(
    *,
    audit: Audit,
    finding: Finding,
    outcome: str,
    comment: str,
    actor: User,
    role: Actor,
    letter: EvidenceVersion | None = None,
    now: datetime | None = None,
) -> CarryOverCheck:
    """Record the check of a carried-over finding on `audit` (ISO/IEC 17021-1: a surveillance
    audit reviews the actions taken on the previous audit's findings). Closing is recorded once
    per finding: a second close (a double submit, two tabs, two people at once) is refused with
    what the first said, and changes nothing; the finding row is locked and a partial unique
    constraint backs it. Keeping it open carries it on to the next audit. One trail row."""
    if role not in workflow.CARRYOVER_CHECK.actors:
        raise AuditError(_("You may not do this on this audit."))
    if outcome not in CarryOverOutcome.values:
        raise AuditError(_("Say whether the finding is closed or kept open."))
    if not comment.strip():
        raise AuditError(_("Say what was checked."))
    now = now or timezone.now()
    with transaction.atomic():
        audit = _locked(audit)
        reason = workflow.CARRYOVER_CHECK.refusal(audit)
        if reason is not None:
            raise AuditError(reason)
        locked = Finding.objects.select_for_update(of=("self",)).filter(pk=finding.pk).first()
        carried = carried_over_findings(audit=audit).filter(pk=finding.pk).exists()
        if locked is None or not carried:
            closing = (
                CarryOverCheck.objects.filter(finding=finding, outcome=CarryOverOutcome.CLOSED)
                .select_related("checked_by")
                .first()
            )
            if closing is not None:
                raise _already_closed(closing)
            raise AuditError(_("This finding is not carried over to this audit."))
        closing = (
            CarryOverCheck.objects.filter(finding=locked, outcome=CarryOverOutcome.CLOSED)
            .select_related("checked_by")
            .first()
        )
        if closing is not None:
            raise _already_closed(closing)
        if letter is not None and (
            letter.item.organisation_id != audit.cycle.organisation_id
            or (
                role == Actor.AUDITOR
                and not evidence_versions_for_auditor(audit=audit).filter(pk=letter.pk).exists()
            )
        ):
            raise AuditError(_("Unknown evidence."))
        try:
            with transaction.atomic():
                check = CarryOverCheck.objects.create(
                    finding=locked,
                    audit=audit,
                    outcome=outcome,
                    comment=comment.strip(),
                    checked_by=actor,
                    checked_at=now,
                    letter=letter,
                )
        except IntegrityError as exc:  # closed by another transaction past the lock
            raise AuditError(_("This finding was already closed: nothing was changed.")) from exc
        trail_record(
            kind=workflow.CARRYOVER_CHECK.event,
            actor=actor,
            organisation=audit.cycle.organisation,
            target=locked,
            data={
                "action": workflow.CARRYOVER_CHECK.name,
                "as": str(role),
                "check": outcome,
                "audit": audit.pk,
                "letter": letter.pk if letter else None,
            },
        )
        if role == Actor.AUDITOR:
            _officers_told(
                workflow.CARRYOVER_CHECK,
                audit=audit,
                actor=actor,
                done=Done(
                    check,
                    detail=lambda: f"{locked.requirement.ref_id}, {check.get_outcome_display()}",
                ),
                now=now,
            )
        return check
