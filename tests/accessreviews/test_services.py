"""Campaigns: the snapshot of every access right, the decisions (a revocation really revokes),
the close and its exports kept as evidence, and the reminders of an overdue review."""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl
import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from accessreviews.models import Campaign, CampaignItem, Decision, SubjectKind
from accessreviews.rules import Flag
from accessreviews.services import (
    AccessReviewError,
    access_review_reminders_sweep,
    campaign_close,
    campaign_open,
    item_decide,
    review_policy_set,
)
from audits import deadlines
from audits.models import Audit, AuditorAccess
from audits.services.auditors import auditor_access_revoke
from evidence.services import evidence_version_open
from hdsready.dates import date_format
from hdsready.models import Membership, Notification, TrailEvent
from hdsready.services.mfa import user_has_confirmed_device, users_with_confirmed_device
from hdsready.services.organisations import membership_create
from hdsready.services.tokens import api_token_create
from tests.conftest import verified_client_for
from tests.factories import UserFactory, membership_of
from tests.pdf import flowing

pytestmark = pytest.mark.django_db

ORGANISATIONS = "/api/organisations/"


def _open(organisation, officer, **kwargs):
    due = timezone.localdate() + timedelta(days=30)
    return campaign_open(organisation=organisation, due_on=due, actor=officer, **kwargs)


def _line(campaign: Campaign, kind: str, subject_id: int) -> CampaignItem:
    return CampaignItem.objects.get(campaign=campaign, subject_kind=kind, subject_id=subject_id)


def bearer(raw: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}", "Accept-Language": "en"})


def test_opening_lists_every_member_auditor_and_token_with_their_flags(
    cast, access, officer, contributor
) -> None:
    organisation = cast.organisation
    contributor.last_login = timezone.now() - timedelta(days=120)
    contributor.save()
    token, _raw = api_token_create(user=officer, name="ci", actor=officer)
    nofactor = UserFactory(email="nofactor@clinicloud.test", with_totp=False)
    membership_create(organisation=organisation, user=nofactor, role="manager", actor=officer)
    campaign = _open(organisation, officer)
    kinds = sorted(
        CampaignItem.objects.filter(campaign=campaign).values_list("subject_kind", flat=True)
    )
    members = Membership.objects.filter(organisation=organisation).count()
    assert kinds.count(SubjectKind.MEMBERSHIP) == members
    assert kinds.count(SubjectKind.AUDITOR_ACCESS) == 1
    assert kinds.count(SubjectKind.API_TOKEN) == 1
    assert _line(campaign, SubjectKind.API_TOKEN, token.pk).flags == [Flag.TOKEN_NEVER_USED]
    assert _line(
        campaign, SubjectKind.MEMBERSHIP, membership_of(contributor, organisation).pk
    ).flags == [Flag.UNUSED_ACCOUNT]
    assert _line(
        campaign, SubjectKind.MEMBERSHIP, membership_of(nofactor, organisation).pk
    ).flags == [Flag.NO_SECOND_FACTOR]
    assert _line(campaign, SubjectKind.AUDITOR_ACCESS, access.pk).flags == []
    assert TrailEvent.objects.filter(
        kind="access_review.opened", object_id=str(campaign.pk)
    ).exists()


def test_only_the_organisation_s_tokens_are_reviewed(cast, officer) -> None:
    stranger = UserFactory(email="stranger@elsewhere.test")
    api_token_create(user=stranger, name="theirs", actor=stranger)
    campaign = _open(cast.organisation, officer)
    assert not CampaignItem.objects.filter(campaign=campaign, label=stranger.email).exists()


def test_an_auditor_window_that_ended_is_flagged(cast, access, officer) -> None:
    with time_machine.travel(access.valid_until + timedelta(hours=1), tick=False):
        campaign = _open(cast.organisation, officer)
    assert _line(campaign, SubjectKind.AUDITOR_ACCESS, access.pk).flags == [Flag.WINDOW_ENDED]


def test_one_campaign_at_a_time(cast, officer, english) -> None:
    _open(cast.organisation, officer)
    with pytest.raises(AccessReviewError, match="already open"):
        _open(cast.organisation, officer)


def test_a_due_date_in_the_past_is_refused(cast, officer, english) -> None:
    with pytest.raises(AccessReviewError, match="past"):
        campaign_open(
            organisation=cast.organisation,
            due_on=timezone.localdate() - timedelta(days=2),
            actor=officer,
        )
    assert not Campaign.objects.exists()


def test_revoking_an_auditor_and_a_token_really_revokes_them(
    cast, audit: Audit, access: AuditorAccess, officer, english
) -> None:
    auditor_client = verified_client_for(cast.auditor)
    audit_url = reverse("audits:auditor-audit", args=[audit.pk])
    assert auditor_client.get(audit_url).status_code == 200
    token, raw = api_token_create(user=officer, name="ci", actor=officer)
    assert bearer(raw).get(ORGANISATIONS).status_code == 200

    campaign = _open(cast.organisation, officer)
    item_decide(
        item=_line(campaign, SubjectKind.AUDITOR_ACCESS, access.pk),
        decision=Decision.REVOKE,
        reason="Audit finished",
        actor=officer,
    )
    item_decide(
        item=_line(campaign, SubjectKind.API_TOKEN, token.pk),
        decision=Decision.REVOKE,
        reason="Forgotten CI token",
        actor=officer,
    )
    assert auditor_client.get(audit_url).status_code == 404
    assert bearer(raw).get(ORGANISATIONS).status_code == 401
    access.refresh_from_db()
    token.refresh_from_db()
    assert access.revoked_at is not None
    assert token.revoked_at is not None
    assert TrailEvent.objects.filter(kind="auditor_access.revoked").exists()
    assert TrailEvent.objects.filter(kind="api_token.revoked").exists()
    assert TrailEvent.objects.filter(kind="access_review.decided").count() == 2


def test_revoking_a_member_removes_them(cast, officer, contributor) -> None:
    membership = membership_of(contributor, cast.organisation)
    campaign = _open(cast.organisation, officer)
    item_decide(
        item=_line(campaign, SubjectKind.MEMBERSHIP, membership.pk),
        decision=Decision.REVOKE,
        reason="Left the company",
        actor=officer,
    )
    assert not Membership.objects.filter(pk=membership.pk).exists()
    home = reverse("hdsready:organisation-home", args=[cast.organisation.slug])
    assert verified_client_for(contributor).get(home).status_code == 404


def test_a_revocation_needs_a_reason_and_changes_nothing_without(
    cast, access, officer, english
) -> None:
    campaign = _open(cast.organisation, officer)
    line = _line(campaign, SubjectKind.AUDITOR_ACCESS, access.pk)
    before = TrailEvent.objects.count()
    with pytest.raises(AccessReviewError, match="reason"):
        item_decide(item=line, decision=Decision.REVOKE, reason="   ", actor=officer)
    access.refresh_from_db()
    line.refresh_from_db()
    assert access.revoked_at is None
    assert line.decision == ""
    assert TrailEvent.objects.count() == before


def test_a_line_is_decided_once(cast, access, officer, english) -> None:
    campaign = _open(cast.organisation, officer)
    line = _line(campaign, SubjectKind.AUDITOR_ACCESS, access.pk)
    item_decide(item=line, decision=Decision.CONFIRM, reason="", actor=officer)
    with pytest.raises(AccessReviewError, match="already decided"):
        item_decide(item=line, decision=Decision.REVOKE, reason="changed my mind", actor=officer)
    access.refresh_from_db()
    assert access.revoked_at is None


def test_an_officer_cannot_revoke_their_own_membership(cast, officer, english) -> None:
    campaign = _open(cast.organisation, officer)
    line = _line(campaign, SubjectKind.MEMBERSHIP, membership_of(officer, cast.organisation).pk)
    with pytest.raises(AccessReviewError, match="your own"):
        item_decide(item=line, decision=Decision.REVOKE, reason="x", actor=officer)
    assert Membership.objects.filter(user=officer).exists()


def test_a_right_revoked_elsewhere_meanwhile_is_recorded_as_revoked(cast, access, officer) -> None:
    campaign = _open(cast.organisation, officer)
    auditor_access_revoke(access=access, actor=officer)
    line = item_decide(
        item=_line(campaign, SubjectKind.AUDITOR_ACCESS, access.pk),
        decision=Decision.REVOKE,
        reason="Done",
        actor=officer,
    )
    assert line.decision == Decision.REVOKE
    event = TrailEvent.objects.filter(kind="access_review.decided").latest("seq")
    assert event.data["already_revoked"] is True


def _decide_all(campaign: Campaign, officer) -> None:
    for line in CampaignItem.objects.filter(campaign=campaign):
        item_decide(item=line, decision=Decision.CONFIRM, reason="Still needed", actor=officer)


def test_close_is_refused_while_lines_are_undecided(cast, access, officer, english) -> None:
    campaign = _open(cast.organisation, officer)
    with pytest.raises(AccessReviewError, match="still to decide"):
        campaign_close(campaign=campaign, actor=officer)
    campaign.refresh_from_db()
    assert campaign.is_open
    assert campaign.pdf_version is None


def test_close_keeps_the_pdf_and_the_xlsx_as_evidence_of_a518_and_exi16(
    cast, access, officer, english, tmp_path
) -> None:
    # A long name narrows the other columns: the reason wraps inside its cell, and is still
    # read back whole (the browser journey once failed on a reason split across lines).
    officer.full_name = "Marie-Alexandrine de La Tour d'Auvergne-Lauraguais"
    officer.save(update_fields=["full_name"])
    campaign = _open(cast.organisation, officer)
    line = _line(campaign, SubjectKind.AUDITOR_ACCESS, access.pk)
    reason = '=HYPERLINK("x") ends: the documentary audit is over, no access needed'
    item_decide(item=line, decision=Decision.REVOKE, reason=reason, actor=officer)
    _decide_all_but(campaign, officer, line)
    closed = campaign_close(campaign=campaign, actor=officer)
    assert not closed.is_open
    assert closed.pdf_version is not None
    assert closed.xlsx_version is not None
    item = closed.pdf_version.item
    assert item == closed.xlsx_version.item
    assert sorted(r.ref_id for r in item.requirements.all()) == ["A.5.18", "EXI 16"]
    assert closed.pdf_version.content_type == "application/pdf"
    assert closed.xlsx_version.content_type.endswith("spreadsheetml.sheet")

    with evidence_version_open(
        version=closed.pdf_version, actor=officer, purpose="downloaded"
    ) as f:
        pdf = tmp_path / "review.pdf"
        pdf.write_bytes(f.read())
    text = flowing(pdf)
    assert "Access review" in text
    assert cast.organisation.name in text
    assert access.email in text
    assert "Revoked" in text
    assert reason in text
    assert "Marie-Alexandrine de La Tour d'Auvergne-Lauraguais" in text

    with evidence_version_open(
        version=closed.xlsx_version, actor=officer, purpose="downloaded"
    ) as f:
        workbook = openpyxl.load_workbook(io.BytesIO(f.read()))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Kind", "Who", "Access")
    assert len(rows) == 1 + CampaignItem.objects.filter(campaign=campaign).count()
    revoked = [row for row in rows if row[1] == access.email]
    assert revoked[0][5] == "Revoked"
    assert revoked[0][6] == reason  # stays text, never a formula
    assert TrailEvent.objects.filter(kind="access_review.closed").exists()

    # The next campaign's exports are the next versions of the same evidence.
    second = _open(cast.organisation, officer)
    _decide_all(second, officer)
    second = campaign_close(campaign=second, actor=officer)
    assert second.pdf_version is not None
    assert second.pdf_version.item == item
    assert second.pdf_version.number == 3
    assert second.period_start == closed.period_end


def _decide_all_but(campaign: Campaign, officer, done: CampaignItem) -> None:
    for line in CampaignItem.objects.filter(campaign=campaign).exclude(pk=done.pk):
        item_decide(item=line, decision=Decision.CONFIRM, reason="", actor=officer)


def test_a_closed_campaign_takes_no_more_decision(cast, officer, english) -> None:
    campaign = _open(cast.organisation, officer)
    _decide_all(campaign, officer)
    campaign_close(campaign=campaign, actor=officer)
    line = CampaignItem.objects.filter(campaign=campaign).first()
    with pytest.raises(AccessReviewError, match="closed"):
        item_decide(item=line, decision=Decision.REVOKE, reason="late", actor=officer)


def test_the_interval_is_set_and_traced(cast, officer, english) -> None:
    review_policy_set(organisation=cast.organisation, interval_months=6, actor=officer)
    assert TrailEvent.objects.filter(kind="access_review.policy_changed").count() == 1
    review_policy_set(organisation=cast.organisation, interval_months=6, actor=officer)
    assert TrailEvent.objects.filter(kind="access_review.policy_changed").count() == 1
    with pytest.raises(AccessReviewError):
        review_policy_set(organisation=cast.organisation, interval_months=5, actor=officer)


class TestReminders:
    def test_no_campaign_within_the_interval_reminds_the_officers_once(
        self, organisation, officer, contributor
    ) -> None:
        created = organisation.created_at
        # Quarterly: due three months after the organisation was created.
        with time_machine.travel(created + timedelta(days=80), tick=False):
            assert access_review_reminders_sweep(now=timezone.now()) == 0
        with time_machine.travel(created + timedelta(days=95), tick=False):
            assert access_review_reminders_sweep(now=timezone.now()) == 1
            assert access_review_reminders_sweep(now=timezone.now()) == 0
        with time_machine.travel(created + timedelta(days=96), tick=False):
            assert access_review_reminders_sweep(now=timezone.now()) == 0
        notes = Notification.objects.filter(organisation=organisation)
        assert [n.user for n in notes] == [officer]
        assert "access review" in notes[0].text.lower() or "revue des accès" in notes[0].text

    def test_a_longer_interval_moves_the_due_date(self, organisation, officer) -> None:
        review_policy_set(organisation=organisation, interval_months=12, actor=officer)
        with time_machine.travel(organisation.created_at + timedelta(days=200), tick=False):
            assert access_review_reminders_sweep(now=timezone.now()) == 0

    def test_an_open_campaign_past_its_due_date_reminds_once(self, organisation, officer) -> None:
        campaign = _open(organisation, officer)
        with time_machine.travel(timezone.now() + timedelta(days=30), tick=False):
            assert access_review_reminders_sweep(now=timezone.now()) == 0  # its own day
        with time_machine.travel(timezone.now() + timedelta(days=32), tick=False):
            assert access_review_reminders_sweep(now=timezone.now()) == 1
            assert access_review_reminders_sweep(now=timezone.now()) == 0
        note = Notification.objects.get(organisation=organisation)
        assert note.link == reverse(
            "accessreviews:campaign-detail", args=[organisation.slug, campaign.pk]
        )

    def test_reminders_come_before_the_due_date_too(self, organisation, officer, settings) -> None:
        """As every deadline: at each configured number of days before, then once past it; in
        the officer's language."""
        settings.REMINDER_OFFSET_DAYS = (7, 1)
        officer.language = "fr"
        officer.save(update_fields=["language"])
        campaign = _open(organisation, officer)
        due = campaign.due_on
        for days_before, expected in ((8, 0), (7, 1), (6, 0), (1, 1), (0, 0), (-1, 1), (-2, 0)):
            moment = deadlines.end_of_day(day=due - timedelta(days=days_before)) - timedelta(
                hours=12
            )
            with time_machine.travel(moment, tick=False):
                assert access_review_reminders_sweep(now=timezone.now()) == expected, days_before
                assert access_review_reminders_sweep(now=timezone.now()) == 0
        said = [
            n.text.replace("\u00a0", " ")
            for n in Notification.objects.filter(user=officer).order_by("pk")
        ]
        with translation.override("fr"):
            day = date_format(due, "DATE_FORMAT")
        assert said == [
            f"La revue des accès est à clôturer au plus tard le {day} : décidez les lignes "
            "restantes et clôturez-la.",
        ] * 2 + [
            f"La revue des accès devait être clôturée le {day} : décidez les lignes "
            "restantes et clôturez-la."
        ]

    def test_the_beat_runs_it_daily(self, settings) -> None:
        tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
        assert "accessreviews.tasks.access_review_reminders_task" in tasks


def test_the_bulk_second_factor_check_agrees_with_the_one_user_check() -> None:
    confirmed = UserFactory()
    nothing = UserFactory(with_totp=False)
    unconfirmed = UserFactory(with_totp=False)
    TOTPDevice.objects.create(user=unconfirmed, name="authenticator", confirmed=False)
    people = (confirmed, nothing, unconfirmed)
    found = users_with_confirmed_device(user_ids=[user.pk for user in people])
    assert found == {confirmed.pk}
    for user in people:
        assert (user.pk in found) is user_has_confirmed_device(user=user)
