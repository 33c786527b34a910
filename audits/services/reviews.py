"""Evidence reviews: the auditor decides on each evidence version linked to a requirement, and
the version reviewed is pinned to the audit, so a later upload does not change what was audited."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from audits import workflow
from audits.models import (
    NEEDS_ANSWER,
    Audit,
    EvidenceReview,
    PinnedVersion,
    ReviewDecision,
    Stage,
)
from audits.services import AuditError
from audits.services.workflow import Done, effect, perform
from audits.workflow import Actor
from evidence.models import EvidenceVersion
from hdsready.models import User
from hdsready.trail import trail_record
from scopes.models import Requirement


@effect(workflow.EVIDENCE_REVIEW)
def _review(
    *,
    audit: Audit,
    actor: User,
    now: datetime,
    requirement: Requirement,
    version: EvidenceVersion,
    decision: str,
    comment: str,
    **_ctx: Any,
) -> Done:
    if decision not in ReviewDecision.values:
        raise AuditError(_("Unknown review decision."))
    comment = comment.strip()
    if decision in NEEDS_ANSWER and not comment:
        raise AuditError(_("Say what is wrong with this evidence."))
    stage = workflow.STAGE_OF_STATE[audit.status]
    if (
        version.item.organisation_id != audit.cycle.organisation_id
        or not version.item.requirements.filter(pk=requirement.pk).exists()
    ):
        raise AuditError(_("This evidence is not linked to that requirement."))
    pins = PinnedVersion.objects.filter(
        audit=audit, stage=stage, requirement=requirement, version=version
    )
    if stage == Stage.DOCUMENTARY and audit.stage1_submitted_at is not None and not pins.exists():
        raise AuditError(
            _("The documents of stage 1 were submitted: only those versions are reviewed.")
        )
    pinned, _created = PinnedVersion.objects.get_or_create(
        audit=audit, stage=stage, requirement=requirement, version=version
    )
    review = EvidenceReview.objects.create(
        audit=audit,
        pinned=pinned,
        decision=decision,
        comment=comment,
        reviewer=actor,
        reviewed_at=now,
    )
    return Done(
        review,
        target=review,
        data={
            "audit": audit.pk,
            "stage": stage,
            "requirement": requirement.ref_id,
            "version": version.pk,
            "decision": decision,
        },
        # Built in each officer's language when the notice is written (typography included).
        detail=lambda: (
            _("%(requirement)s, %(title)s v%(number)s: %(decision)s")
            % {
                "requirement": requirement.ref_id,
                "title": version.item.title,
                "number": version.number,
                "decision": review.get_decision_display(),
            }
        ),
        link=(
            reverse("audits:audit-reviews", args=[audit.cycle.organisation.slug, audit.pk])
            if decision in NEEDS_ANSWER
            else None
        ),
    )


def evidence_review_record(
    *,
    audit: Audit,
    requirement: Requirement,
    version: EvidenceVersion,
    decision: str,
    comment: str,
    actor: User,
    role: Actor | None = None,
    now: datetime | None = None,
) -> EvidenceReview:
    """The auditor's decision on one evidence version for one requirement (ISO 17021-1 9.3/9.4:
    the audit evidence is recorded). The version is pinned to the audit for the current stage;
    once stage 1 documents are submitted, stage 1 reviews only the frozen set."""
    return perform(
        workflow.EVIDENCE_REVIEW,
        audit=audit,
        actor=actor,
        role=role,
        now=now,
        requirement=requirement,
        version=version,
        decision=decision,
        comment=comment,
    )


def review_answer(
    *, review: EvidenceReview, version: EvidenceVersion, answer: str, actor: User
) -> EvidenceReview:
    """The host answers a review asking for a revision with a new version of the same evidence
    item, uploaded after the review; the answer is recorded once."""
    with transaction.atomic():
        review = (
            EvidenceReview.objects.select_for_update(of=("self",))
            .select_related("pinned__version", "audit__cycle__organisation")
            .get(pk=review.pk)
        )
        if review.decision not in NEEDS_ANSWER:
            raise AuditError(_("Only a review asking for a revision is answered."))
        if review.answered_with_id is not None:
            raise AuditError(_("This review was already answered."))
        reviewed = review.pinned.version
        if (
            version.item_id != reviewed.item_id
            or version.number <= reviewed.number
            or version.uploaded_at <= review.reviewed_at
        ):
            raise AuditError(_("Answer with a new version of the same evidence."))
        review.answered_with, review.answer = version, answer.strip()
        review.save(update_fields=["answered_with", "answer"])
        trail_record(
            kind="evidence_review.answered",
            actor=actor,
            organisation=review.audit.cycle.organisation,
            target=review,
            data={"audit": review.audit_id, "version": version.pk, "number": version.number},
        )
        return review
