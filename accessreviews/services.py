"""State changes of the access reviews (ISO 27001 A.5.18: access rights reviewed at regular
intervals; HDS v2 EXI 16: internal audits of the traces of access). Every change writes the
audit trail in its own transaction; a revocation calls the owning app's own service, so a
revoked member, auditor or token is refused exactly as if revoked from its own page."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accessreviews import exports, rules
from accessreviews.models import Campaign, CampaignItem, Decision, ReviewPolicy, SubjectKind
from accessreviews.selectors import (
    last_campaign_opened_on,
    organisations_for_review_reminders,
    subjects_of,
)
from audits import deadlines
from audits.models import AuditorAccess, Reminder
from audits.reminders import OVERDUE, due_offsets
from audits.services import AuditError
from audits.services.auditors import auditor_access_revoke
from evidence.models import EvidenceItem, EvidenceStatus, EvidenceVersion
from evidence.services import (
    EvidenceError,
    ItemData,
    evidence_item_create,
    evidence_item_set_status,
    evidence_version_add,
)
from evidence.uploads import HashedUploadedFile, HashingUploadHandler
from hdsready.dates import date_format
from hdsready.models import ApiToken, Membership, Organisation, User
from hdsready.services import CoreError
from hdsready.services.mfa import users_with_confirmed_device
from hdsready.services.notifications import notify, officers_of
from hdsready.services.organisations import membership_remove
from hdsready.services.tokens import api_token_revoke
from hdsready.trail import trail_record
from scopes.models import Requirement

REASON_MAX_LENGTH = 1000
# The controls a closed campaign is evidence of.
EVIDENCE_OF = (("iso27001", "A.5.18"), ("hds", "EXI 16"))
# How long an officer may take at most to close a campaign.
MAX_CAMPAIGN_DAYS = 366


class AccessReviewError(Exception):
    """A change the access reviews refuse; its message is shown to the user as it is."""


# The interval -----------------------------------------------------------------------------------


def review_policy_set(
    *, organisation: Organisation, interval_months: int, actor: User
) -> ReviewPolicy:
    """How often the organisation reviews its access rights (quarterly unless changed)."""
    if interval_months not in rules.Interval.values:
        raise AccessReviewError(_("Choose one of the proposed intervals."))
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=organisation.pk)  # one row made at most
        policy = ReviewPolicy.objects.filter(organisation=organisation).first()
        before = policy.interval_months if policy else rules.DEFAULT_INTERVAL_MONTHS
        if before == interval_months:
            return policy or ReviewPolicy(organisation=organisation)
        if policy is None:
            policy = ReviewPolicy.objects.create(organisation=organisation)
        policy.interval_months = interval_months
        policy.save(update_fields=["interval_months"])
        trail_record(
            kind="access_review.policy_changed",
            actor=actor,
            organisation=organisation,
            target=policy,
            data={"from": before, "to": interval_months},
        )
        return policy


# Opening: a snapshot of every access right ------------------------------------------------------


def _member_line(membership: Membership, *, mfa: set[int], now: datetime) -> CampaignItem:
    user = membership.user
    return CampaignItem(
        subject_kind=SubjectKind.MEMBERSHIP,
        subject_id=membership.pk,
        label=user.email,
        detail=f"{user.full_name} · {membership.get_role_display()}".strip(" ·"),
        last_used_at=user.last_login,
        flags=rules.member_flags(
            last_login=user.last_login,
            joined=user.date_joined,
            has_second_factor=user.pk in mfa,
            now=now,
        ),
    )


def _auditor_line(access: AuditorAccess, *, now: datetime) -> CampaignItem:
    window = _("%(audit)s, from %(start)s to %(end)s") % {
        "audit": access.audit.label,
        "start": date_format(deadlines.paris_date(now=access.valid_from), "SHORT_DATE_FORMAT"),
        "end": date_format(deadlines.paris_date(now=access.valid_until), "SHORT_DATE_FORMAT"),
    }
    if access.accepted_at is None:
        window = _("%(window)s (invitation not accepted)") % {"window": window}
    return CampaignItem(
        subject_kind=SubjectKind.AUDITOR_ACCESS,
        subject_id=access.pk,
        label=access.email,
        detail=window[:300],
        last_used_at=access.user.last_login if access.user else None,
        flags=rules.auditor_flags(valid_until=access.valid_until, now=now),
    )


def _token_line(token: ApiToken, *, now: datetime) -> CampaignItem:
    return CampaignItem(
        subject_kind=SubjectKind.API_TOKEN,
        subject_id=token.pk,
        label=token.user.email,
        detail=str(token)[:300],
        last_used_at=token.last_used_at,
        flags=rules.token_flags(last_used_at=token.last_used_at, now=now),
    )


def campaign_due_error(*, due_on: date, today: date) -> str | None:
    """Why a campaign cannot be due on `due_on`, or None (the form shows it on the field)."""
    if due_on < today:
        return _("The review cannot be due in the past.")
    if due_on > today + timedelta(days=MAX_CAMPAIGN_DAYS):
        return _("The review must be due within a year.")
    return None


def campaign_open(
    *, organisation: Organisation, due_on: date, actor: User, now: datetime | None = None
) -> Campaign:
    """Open a review of every access right of the organisation: its members, the auditor
    accesses of its audits and the API tokens of those people, each flagged by accessreviews.rules.
    One campaign at a time."""
    now = now or timezone.now()
    today = deadlines.paris_date(now=now)
    if error := campaign_due_error(due_on=due_on, today=today):
        raise AccessReviewError(error)
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=organisation.pk)
        if Campaign.objects.filter(organisation=organisation, closed_at__isnull=True).exists():
            raise AccessReviewError(_("An access review is already open: close it first."))
        period_start = last_campaign_opened_on(organisation=organisation) or (
            deadlines.paris_date(now=organisation.created_at)
        )
        campaign = Campaign.objects.create(
            organisation=organisation,
            period_start=period_start,
            period_end=today,
            opened_by=actor,
            opened_at=now,
            due_on=due_on,
        )
        subjects = subjects_of(
            organisation=organisation,
            since=deadlines.end_of_day(day=period_start - timedelta(days=1)),
        )
        mfa = users_with_confirmed_device(user_ids=[m.user_id for m in subjects.memberships])
        lines = [
            *(_member_line(m, mfa=mfa, now=now) for m in subjects.memberships),
            *(_auditor_line(a, now=now) for a in subjects.auditor_accesses),
            *(_token_line(t, now=now) for t in subjects.tokens),
        ]
        for line in lines:
            line.campaign = campaign
            line.flagged = bool(line.flags)
        CampaignItem.objects.bulk_create(lines, batch_size=500)
        trail_record(
            kind="access_review.opened",
            actor=actor,
            organisation=organisation,
            target=campaign,
            data={
                "due_on": due_on,
                "period_start": period_start,
                "period_end": today,
                "members": len(subjects.memberships),
                "auditor_accesses": len(subjects.auditor_accesses),
                "tokens": len(subjects.tokens),
                "flagged": sum(1 for line in lines if line.flagged),
            },
        )
        return campaign


# Deciding a line ------------------------------------------------------------------------------


def _revoke_membership(item: CampaignItem, organisation: Organisation, actor: User) -> bool:
    membership = (
        Membership.objects.select_related("user", "organisation")
        .filter(pk=item.subject_id, organisation=organisation)
        .first()
    )
    if membership is None:
        return False  # already gone: the right is revoked
    if membership.user_id == actor.pk:
        raise AccessReviewError(
            _("You cannot revoke your own membership in a review: another officer must.")
        )
    membership_remove(membership=membership, actor=actor)
    return True


def _revoke_auditor(
    item: CampaignItem, organisation: Organisation, actor: User, now: datetime
) -> bool:
    access = AuditorAccess.objects.filter(
        pk=item.subject_id, audit__cycle__organisation=organisation
    ).first()
    if access is None or access.revoked_at is not None:
        return False
    auditor_access_revoke(access=access, actor=actor, now=now)
    return True


def _revoke_token(item: CampaignItem, actor: User) -> bool:
    token = ApiToken.objects.select_related("user").filter(pk=item.subject_id).first()
    if token is None or token.revoked_at is not None:
        return False
    api_token_revoke(token=token, actor=actor)
    return True


def item_decide(
    *,
    item: CampaignItem,
    decision: str,
    reason: str,
    actor: User,
    now: datetime | None = None,
) -> CampaignItem:
    """Confirm an access right, or revoke it with a reason: the member is removed from the
    organisation, the auditor access revoked, the API token revoked, by their own services.
    A line is decided once, while its campaign is open."""
    now = now or timezone.now()
    reason = reason.strip()
    if decision not in Decision.values:
        raise AccessReviewError(_("Choose to confirm or to revoke."))
    if decision == Decision.REVOKE and not reason:
        raise AccessReviewError(_("Give the reason for revoking this access."))
    if len(reason) > REASON_MAX_LENGTH:
        raise AccessReviewError(
            _("The reason is too long (at most %(count)d characters).")
            % {"count": REASON_MAX_LENGTH}
        )
    with transaction.atomic():
        item = (
            CampaignItem.objects.select_for_update(of=("self",))
            .select_related("campaign__organisation", "decided_by")
            .get(pk=item.pk)
        )
        campaign = item.campaign
        if not campaign.is_open:
            raise AccessReviewError(_("This access review is closed."))
        if item.is_decided:
            raise AccessReviewError(
                _("This line was already decided (%(decision)s by %(who)s).")
                % {"decision": item.get_decision_display().lower(), "who": item.decided_by}
            )
        revoked_now = False
        if decision == Decision.REVOKE:
            organisation = campaign.organisation
            try:
                if item.subject_kind == SubjectKind.MEMBERSHIP:
                    revoked_now = _revoke_membership(item, organisation, actor)
                elif item.subject_kind == SubjectKind.AUDITOR_ACCESS:
                    revoked_now = _revoke_auditor(item, organisation, actor, now)
                else:
                    revoked_now = _revoke_token(item, actor)
            except (CoreError, AuditError) as exc:
                raise AccessReviewError(str(exc)) from exc
        item.decision = decision
        item.reason = reason
        item.decided_by = actor
        item.decided_at = now
        item.save(update_fields=["decision", "reason", "decided_by", "decided_at"])
        trail_record(
            kind="access_review.decided",
            actor=actor,
            organisation=campaign.organisation,
            target=item,
            data={
                "campaign": campaign.pk,
                "subject_kind": item.subject_kind,
                "label": item.label,
                "decision": decision,
                "reason": reason,
                **(
                    {"already_revoked": True}
                    if decision == Decision.REVOKE and not revoked_now
                    else {}
                ),
            },
        )
        return item


# Closing: the exports, kept as evidence ---------------------------------------------------------


def _upload(name: str, content: bytes, content_type: str) -> HashedUploadedFile:
    """Generated bytes through the real upload handler: stored and hashed as any upload."""
    handler = HashingUploadHandler()
    handler.new_file("file", name, content_type, len(content))
    handler.receive_data_chunk(content, 0)
    return handler.file_complete(len(content))


def _evidence_item(campaign: Campaign, actor: User) -> EvidenceItem:
    """The organisation's one evidence item of its access reviews, made at the first close and
    linked to ISO 27001 A.5.18 and HDS v2 EXI 16; brought back if it was retired."""
    policy, _created = ReviewPolicy.objects.select_for_update().get_or_create(
        organisation=campaign.organisation
    )
    item = policy.evidence_item
    if item is None:
        requirements = [
            requirement
            for code, ref in EVIDENCE_OF
            for requirement in Requirement.objects.filter(
                framework__organisation__isnull=True,
                framework__code=code,
                ref_id=ref,
                assessable=True,
            )
        ]
        item = evidence_item_create(
            organisation=campaign.organisation,
            data=ItemData(
                title=_("Access reviews"),
                description=_(
                    "Each closed access review: every member, auditor access and API token, "
                    "confirmed or revoked with its reason (ISO 27001 A.5.18, HDS EXI 16)."
                ),
                owner=actor,
                requirements=requirements,
            ),
            actor=actor,
        )
        policy.evidence_item = item
        policy.save(update_fields=["evidence_item"])
    elif item.status != EvidenceStatus.ACTIVE:
        item = evidence_item_set_status(item=item, status=EvidenceStatus.ACTIVE, actor=actor)
    return item


def _store(
    item: EvidenceItem, name: str, content: bytes, kind: str, actor: User
) -> EvidenceVersion:
    upload = _upload(name, content, kind)
    try:
        return evidence_version_add(
            item=item,
            upload=upload,
            actor=actor,
            comment=_("Export of the access review"),
        )
    finally:
        upload.close()  # removes the temporary file


def campaign_close(*, campaign: Campaign, actor: User, now: datetime | None = None) -> Campaign:
    """Close a campaign once every line is decided: its PDF and XLSX exports become the next
    versions of the organisation's access review evidence (ISO 27001 A.5.18, HDS v2 EXI 16)."""
    now = now or timezone.now()
    with transaction.atomic():
        campaign = (
            Campaign.objects.select_for_update(of=("self",))
            .select_related("organisation", "opened_by")
            .get(pk=campaign.pk)
        )
        if not campaign.is_open:
            raise AccessReviewError(_("This access review is already closed."))
        undecided = CampaignItem.objects.filter(campaign=campaign, decision="").count()
        if undecided:
            raise AccessReviewError(
                ngettext(
                    "%(count)d line still to decide: decide every line before closing.",
                    "%(count)d lines still to decide: decide every line before closing.",
                    undecided,
                )
                % {"count": undecided}
            )
        campaign.closed_by = actor
        campaign.closed_at = now
        day = deadlines.paris_date(now=now).isoformat()
        try:
            item = _evidence_item(campaign, actor)
            campaign.pdf_version = _store(
                item,
                f"{_('access-review')}-{day}.pdf",
                exports.campaign_pdf(campaign=campaign),
                "application/pdf",
                actor,
            )
            campaign.xlsx_version = _store(
                item,
                f"{_('access-review')}-{day}.xlsx",
                exports.campaign_xlsx(campaign=campaign),
                exports.XLSX_TYPE,
                actor,
            )
        except EvidenceError as exc:
            raise AccessReviewError(str(exc)) from exc
        campaign.save(update_fields=["closed_by", "closed_at", "pdf_version", "xlsx_version"])
        counts = Counter(
            CampaignItem.objects.filter(campaign=campaign).values_list("decision", flat=True)
        )
        trail_record(
            kind="access_review.closed",
            actor=actor,
            organisation=campaign.organisation,
            target=campaign,
            data={
                "confirmed": counts[Decision.CONFIRM],
                "revoked": counts[Decision.REVOKE],
                "evidence": item.pk,
            },
        )
        return campaign


# Reminders --------------------------------------------------------------------------------------


# What the officers are told: before the due date (at the offsets of every deadline's reminders,
# settings.REMINDER_OFFSET_DAYS), then once when it has passed (OVERDUE).
_CAMPAIGN_TO_CLOSE = gettext_lazy(
    "The access review is to be closed by %(day)s: decide its remaining lines and close it."
)
_CAMPAIGN_OVERDUE = gettext_lazy(
    "The access review was to be closed by %(day)s: decide its remaining lines and close it."
)
_REVIEW_TO_OPEN = gettext_lazy(
    "An access review is due by %(day)s: open one to review every member, auditor access and "
    "API token."
)
_REVIEW_DUE = gettext_lazy(
    "An access review was due by %(day)s: open one to review every member, auditor access "
    "and API token."
)


@dataclass(frozen=True)
class _Due:
    organisation: Organisation
    key: str
    subject_id: int
    due_on: date
    offset: int
    text: object
    link: str


def _due_of(organisation: Organisation, today: date, offsets: tuple[int, ...]) -> list[_Due]:
    """The reminders due today: for the open campaign's due date, or, with none open, for the
    day by which the next one must be opened."""
    open_due_on: date | None = getattr(organisation, "open_due_on", None)
    open_pk: int | None = getattr(organisation, "open_pk", None)
    if open_due_on is not None and open_pk is not None:
        prefix, subject_id, due_on = "access_review", open_pk, open_due_on
        before, after = _CAMPAIGN_TO_CLOSE, _CAMPAIGN_OVERDUE
        link = reverse("accessreviews:campaign-detail", args=[organisation.slug, open_pk])
    else:
        policy = getattr(organisation, "access_review_policy", None)
        prefix, subject_id = "access_review_due", organisation.pk
        due_on = rules.next_review_due(
            last_opened_on=getattr(organisation, "last_opened_on", None),
            since=deadlines.paris_date(now=organisation.created_at),
            interval_months=policy.interval_months if policy else rules.DEFAULT_INTERVAL_MONTHS,
        )
        before, after = _REVIEW_TO_OPEN, _REVIEW_DUE
        link = reverse("accessreviews:campaign-list", args=[organisation.slug])
    return [
        _Due(
            organisation,
            f"{prefix}:{subject_id}:{due_on.isoformat()}:{offset}",
            subject_id,
            due_on,
            offset,
            after if offset == OVERDUE else before,
            link,
        )
        for offset in due_offsets(due_on=due_on, today=today, offsets=offsets)
    ]


def _reminder_text(due: _Due) -> str:
    return str(due.text) % {"day": date_format(due.due_on, "DATE_FORMAT")}


def access_review_reminders_sweep(*, now: datetime) -> int:
    """Remind the officers of an open campaign's due date, or of the day by which an
    organisation must open its next campaign: at each configured number of days before it
    (settings.REMINDER_OFFSET_DAYS, as every deadline), then once when it has passed. Each
    reminder's row is inserted (unique key) before anybody is notified, so a second run sends
    nothing twice."""
    today = deadlines.paris_date(now=now)
    offsets = tuple(settings.REMINDER_OFFSET_DAYS)
    sent = 0
    for organisation in organisations_for_review_reminders():
        for due in _due_of(organisation, today, offsets):
            with transaction.atomic():
                _reminder, created = Reminder.objects.get_or_create(
                    key=due.key,
                    defaults={
                        "organisation": organisation,
                        "subject_type": "access_review",
                        "subject_id": str(due.subject_id),
                        "due_on": due.due_on,
                        "offset_days": due.offset,
                        "created_at": now,
                    },
                )
                if not created:
                    continue  # another sweep sent it
                notify(
                    users=officers_of(organisation),
                    organisation=organisation,
                    message=partial(_reminder_text, due),
                    link=due.link,
                    now=now,
                )
            sent += 1
    return sent
