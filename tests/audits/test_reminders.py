"""Reminders of the stored deadlines (and their notifications) and the private iCalendar feed."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

import tests.hdsready.test_celery_worker as worker_helpers
from audits.deadlines import PARIS, paris_date
from audits.ical import AllDayEvent, calendar_render, escape_text, fold_line
from audits.models import (
    Audit,
    AuditKind,
    AuditorAccess,
    AuditStatus,
    CalendarToken,
    Cycle,
    Decision,
    Reminder,
)
from audits.reminders import OVERDUE, due_offsets, parse_offsets
from audits.services.reminders import reminders_sweep
from audits.tasks import reminders_sweep_task
from evidence.models import EvidenceItem
from hdsready.models import Notification, Organisation, User
from scopes.models import Certificate, CertificateKind, Subcontractor
from tests.evidence.helpers import make_item

OFFSETS = (30, 14, 7, 1)

# The real-worker fixtures, shared with the invitation test (not its test function).
celery_not_eager = worker_helpers.celery_not_eager
celery_worker = worker_helpers.celery_worker
published = worker_helpers.published


# --- the pure offsets ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2027, 3, 1), [30]),  # 30 days before 31 March: across February's end
        (date(2027, 3, 17), [14]),
        (date(2027, 3, 24), [7]),
        (date(2027, 3, 30), [1]),
        (date(2027, 3, 31), []),  # the day itself is still in time
        (date(2027, 4, 1), [OVERDUE]),  # the day after
        (date(2027, 5, 1), [OVERDUE]),  # still overdue (the key sends it once)
        (date(2027, 3, 2), []),
        (date(2027, 2, 28), []),
    ],
)
def test_due_offsets(today, expected):
    assert due_offsets(due_on=date(2027, 3, 31), today=today, offsets=OFFSETS) == expected


def test_due_offsets_across_a_leap_february():
    # 30 days before 1 March 2028 is 31 January (February 2028 has 29 days).
    assert due_offsets(due_on=date(2028, 3, 1), today=date(2028, 1, 31), offsets=OFFSETS) == [30]
    assert due_offsets(due_on=date(2028, 3, 1), today=date(2028, 2, 29), offsets=OFFSETS) == [1]


def test_due_offsets_ignore_zero_and_negative_offsets():
    assert due_offsets(due_on=date(2027, 1, 10), today=date(2027, 1, 10), offsets=(0, -1)) == []


def test_parse_offsets():
    assert parse_offsets(" 7, 30,14 ,7") == (30, 14, 7)
    with pytest.raises(ValueError, match="positive"):
        parse_offsets("30,-1")
    with pytest.raises(ValueError, match="no reminder"):
        parse_offsets(" , ")


# --- the sweep across a whole cycle -------------------------------------------------------

DEADLINE = date(2027, 3, 31)  # a month end; Paris changes to summer time on 28 March 2027
EXPECTED_DAYS = {
    DEADLINE - timedelta(days=30): [30],
    DEADLINE - timedelta(days=14): [14],
    DEADLINE - timedelta(days=7): [7],
    DEADLINE - timedelta(days=1): [1],
    DEADLINE + timedelta(days=1): [OVERDUE],
}


def at_paris(day: date, hour: int = 7) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=PARIS)


def sweep_every_day(*, first: date, last: date) -> dict[date, list[int]]:
    """Run the sweep at 07:00 Paris on every day (twice: the second run must send nothing);
    return, per day, the offsets of the reminders claimed that day."""
    sent: dict[date, list[int]] = {}
    day = first
    while day <= last:
        before = set(Reminder.objects.values_list("pk", flat=True))
        count = reminders_sweep(now=at_paris(day))
        assert reminders_sweep(now=at_paris(day, hour=19)) == 0, f"sent twice on {day}"
        new = Reminder.objects.exclude(pk__in=before).order_by("-offset_days")
        assert new.count() == count
        if count:
            sent[day] = [r.offset_days for r in new]
        day += timedelta(days=1)
    return sent


@pytest.fixture(autouse=True)
def _offsets(settings):
    settings.REMINDER_OFFSET_DAYS = OFFSETS


@pytest.fixture
def cycle(organisation: Organisation) -> Cycle:
    return Cycle.objects.create(
        organisation=organisation, certification_body="Organisme X", accreditation="5-0001"
    )


@pytest.fixture
def audit_in_corrections(cycle: Cycle) -> Audit:
    return Audit.objects.create(
        cycle=cycle,
        kind=AuditKind.INITIAL,
        status=AuditStatus.CORRECTIONS,
        stage2_end=date(2026, 12, 31),
        correction_deadline=DEADLINE,
    )


@pytest.mark.django_db
def test_correction_deadline_reminders_across_the_cycle(
    audit_in_corrections, officer, contributor, manager, outsider
):
    sent = sweep_every_day(first=DEADLINE - timedelta(days=40), last=DEADLINE + timedelta(days=3))

    assert sent == EXPECTED_DAYS
    keys = set(Reminder.objects.values_list("key", flat=True))
    assert f"correction:{audit_in_corrections.pk}:2027-03-31:30" in keys
    assert f"correction:{audit_in_corrections.pk}:2027-03-31:0" in keys
    # Officers and contributors are told, each reminder once; managers and strangers are not.
    assert Notification.objects.filter(user=officer).count() == 5
    assert Notification.objects.filter(user=contributor).count() == 5
    assert not Notification.objects.filter(user__in=[manager, outsider]).exists()


@pytest.mark.django_db
def test_correction_reminder_says_days_left_and_what_happens_past_it(audit_in_corrections, officer):
    User.objects.filter(pk=officer.pk).update(language="en")
    reminders_sweep(now=at_paris(DEADLINE - timedelta(days=7)))
    text = Notification.objects.get(user=officer).text
    assert "7 days left" in text
    assert "March 31, 2027" in text
    assert "without a correction means the on-site audit is redone" in text


@pytest.mark.django_db
def test_overdue_reminder_still_sent_after_the_lapse_sweep(audit_in_corrections, officer):
    # The lapse sweep moves the audit to "on-site audit to redo" right after the deadline.
    Audit.objects.filter(pk=audit_in_corrections.pk).update(status=AuditStatus.ONSITE_REDO)
    assert reminders_sweep(now=at_paris(DEADLINE + timedelta(days=2))) == 1
    assert Reminder.objects.get().offset_days == OVERDUE


@pytest.mark.django_db
def test_closed_audit_is_not_reminded(audit_in_corrections, officer):
    Audit.objects.filter(pk=audit_in_corrections.pk).update(status=AuditStatus.CORRECTIONS_VERIFIED)
    assert reminders_sweep(now=at_paris(DEADLINE - timedelta(days=7))) == 0


@pytest.mark.django_db
def test_evidence_review_reminders_across_the_cycle(organisation, officer, contributor):
    item = make_item(organisation, officer, title="Backup policy, 2027")
    EvidenceItem.objects.filter(pk=item.pk).update(review_due_on=DEADLINE)

    sent = sweep_every_day(first=DEADLINE - timedelta(days=40), last=DEADLINE + timedelta(days=3))

    assert sent == EXPECTED_DAYS
    assert Notification.objects.filter(user=officer).count() == 5
    assert not Notification.objects.filter(user=contributor).exists()


@pytest.mark.django_db
def test_retired_evidence_is_not_reminded(organisation, officer):
    item = make_item(organisation, officer)
    EvidenceItem.objects.filter(pk=item.pk).update(review_due_on=DEADLINE, status="retired")
    assert reminders_sweep(now=at_paris(DEADLINE - timedelta(days=7))) == 0


@pytest.fixture
def subcontractor_certificate(organisation: Organisation) -> Certificate:
    datacenter = Subcontractor.objects.create(organisation=organisation, name="DC Paris")
    return Certificate.objects.create(
        organisation=organisation,
        subcontractor=datacenter,
        kind=CertificateKind.HDS,
        number="HDS-42",
        certification_body="Organisme Y",
        standard_version="HDS v2",
        issued_on=date(2024, 4, 1),
        expires_on=DEADLINE,
    )


@pytest.mark.django_db
def test_subcontractor_certificate_reminders_across_the_cycle(
    subcontractor_certificate, officer, english
):
    sent = sweep_every_day(first=DEADLINE - timedelta(days=40), last=DEADLINE + timedelta(days=3))

    assert sent == EXPECTED_DAYS
    texts = list(Notification.objects.filter(user=officer).values_list("text", flat=True))
    # Five reminders, and the one EXI 14 alert of the procedure the scan opened (once).
    assert len([text for text in texts if "EXI 14" not in text]) == 5
    assert len([text for text in texts if "EXI 14" in text]) == 1
    assert all("DC Paris" in text for text in texts)


@pytest.mark.django_db
def test_planned_surveillance_audit_reminded_until_done(cycle, officer):
    audit = Audit.objects.create(cycle=cycle, kind=AuditKind.SURVEILLANCE, due_on=DEADLINE)
    assert reminders_sweep(now=at_paris(DEADLINE - timedelta(days=30))) == 1
    Audit.objects.filter(pk=audit.pk).update(status=AuditStatus.STAGE2_PLANNED)
    assert reminders_sweep(now=at_paris(DEADLINE - timedelta(days=14))) == 0


@pytest.mark.django_db
def test_auditor_access_end_reminds_the_auditor_before_its_last_day(
    audit_in_corrections, officer, auditor
):
    # Open until the end of 31 March in Paris: its last day is 31 March.
    AuditorAccess.objects.create(
        audit=audit_in_corrections,
        email=auditor.email,
        user=auditor,
        valid_from=at_paris(date(2027, 1, 1)),
        valid_until=datetime.combine(date(2027, 4, 1), time.min, tzinfo=PARIS),
        token_hash="0" * 64,
        invited_by=officer,
    )
    Audit.objects.filter(pk=audit_in_corrections.pk).update(correction_deadline=None)

    sent = sweep_every_day(first=DEADLINE - timedelta(days=40), last=DEADLINE + timedelta(days=3))

    # No "overdue" reminder: the access simply ends.
    assert sent == {day: offsets for day, offsets in EXPECTED_DAYS.items() if offsets != [OVERDUE]}
    assert Notification.objects.filter(user=auditor).count() == 4
    assert Notification.objects.filter(user=officer).count() == 4


@pytest.mark.django_db
def test_emails_in_the_recipients_language(
    audit_in_corrections, officer, contributor, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=officer.pk).update(language="fr")
    User.objects.filter(pk=contributor.pk).update(language="en")

    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_sweep(now=at_paris(DEADLINE - timedelta(days=14))) == 1

    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {officer.email, contributor.email}
    french, english = by_recipient[officer.email], by_recipient[contributor.email]
    assert "31 mars 2027" in french.body
    assert "March 31, 2027" in english.body
    assert "14 days left" in english.body
    assert "Clinicloud" in english.subject
    assert "/o/clinicloud/" in english.body
    html = english.alternatives[0]
    assert html.mimetype == "text/html"
    assert "March 31, 2027" in html.content
    # The sweep of the same day again sends no e-mail.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_sweep(now=at_paris(DEADLINE - timedelta(days=14), hour=8)) == 0
    assert mail.outbox == []


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_reminder_email_is_sent_by_a_real_worker(
    celery_worker: worker_helpers.Worker,
    published: list[dict[str, Any]],
    organisation: Organisation,
    officer: User,
) -> None:
    today = paris_date(now=timezone.now())
    cycle = Cycle.objects.create(
        organisation=organisation, certification_body="X", accreditation="1"
    )
    audit = Audit.objects.create(
        cycle=cycle,
        kind=AuditKind.INITIAL,
        status=AuditStatus.CORRECTIONS,
        correction_deadline=today + timedelta(days=7),
    )
    User.objects.filter(pk=officer.pk).update(language="en")

    # The sweep itself runs in the worker, with its clock; the e-mail it enqueues goes to the
    # worker's default queue, which is the test queue.
    first = reminders_sweep_task.apply_async(queue=celery_worker.queue, ignore_result=False)
    assert first.get(timeout=worker_helpers.MAIL_TIMEOUT) == 1, celery_worker.output()
    assert [(task["task"], task["queue"]) for task in published] == [
        ("audits.tasks.reminders_sweep_task", celery_worker.queue)
    ]
    assert Reminder.objects.filter(
        subject_id=str(audit.pk), due_on=today + timedelta(days=7), offset_days=7
    ).exists()
    messages = worker_helpers._wait_for_mail(celery_worker)
    assert len(messages) == 1
    assert messages[0]["To"] == officer.email
    assert "7 days left" in worker_helpers._plain_text(messages[0])

    # A second run the same day claims nothing and sends nothing; the worker runs one task at a
    # time, in order, so any e-mail it enqueued would already be written.
    second = reminders_sweep_task.apply_async(queue=celery_worker.queue, ignore_result=False)
    assert second.get(timeout=worker_helpers.MAIL_TIMEOUT) == 0, celery_worker.output()
    assert Reminder.objects.count() == 1
    assert len(list(celery_worker.mail_dir.glob("*.log"))) == 1


# --- the iCalendar writer -----------------------------------------------------------------


def test_escape_text():
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


def test_fold_line_at_75_octets_without_splitting_a_character():
    line = "SUMMARY:" + "é" * 100
    folded = fold_line(line)
    parts = folded.split("\r\n")
    assert len(parts) > 1
    assert all(len(part.encode()) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert "".join([parts[0], *(part[1:] for part in parts[1:])]) == line


def test_calendar_render():
    body = calendar_render(
        name="hdsready",
        events=[
            AllDayEvent(uid="x-1@hdsready", day=date(2027, 3, 31), summary="Clinicloud: a, b; c")
        ],
        now=datetime(2027, 1, 2, 3, 4, 5, tzinfo=PARIS),
    )
    lines = body.split("\r\n")
    assert body.endswith("END:VCALENDAR\r\n")
    assert "\n" not in body.replace("\r\n", "")
    assert lines[0] == "BEGIN:VCALENDAR"
    assert "DTSTART;VALUE=DATE:20270331" in lines
    assert "DTEND;VALUE=DATE:20270401" in lines
    assert "DTSTAMP:20270102T020405Z" in lines
    assert "SUMMARY:Clinicloud: a\\, b\\; c" in lines
    assert "UID:x-1@hdsready" in lines


# --- the calendar feed --------------------------------------------------------------------

FEED_URL = re.compile(r"/calendar/([A-Za-z0-9_-]+)\.ics")


def make_feed(client) -> str:
    response = client.post(reverse("audits:calendar-token"))
    assert response.status_code == 200
    match = FEED_URL.search(response.content.decode())
    assert match, "the feed address is shown once"
    return match.group(1)


@pytest.mark.django_db
class TestCalendar:
    def test_feed_has_the_organisations_deadlines(
        self, client, client_as, officer, audit_in_corrections, subcontractor_certificate
    ):
        item = make_item(audit_in_corrections.cycle.organisation, officer, title="PCA, 2027")
        EvidenceItem.objects.filter(pk=item.pk).update(review_due_on=date(2027, 6, 30))
        token = make_feed(client_as(officer))
        assert CalendarToken.objects.get(user=officer).token_hash != token  # stored hashed

        response = client.get(reverse("audits:calendar-feed", args=[token]))

        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/calendar")
        body = response.content.decode()
        assert body.startswith("BEGIN:VCALENDAR\r\n")
        assert body.count("BEGIN:VEVENT") == 3
        assert f"UID:correction-{audit_in_corrections.pk}@hdsready" in body
        assert "DTSTART;VALUE=DATE:20270331" in body
        assert "DTSTART;VALUE=DATE:20270630" in body
        assert "PCA\\, 2027" in body
        assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))

    def test_unknown_token_is_404(self, client):
        assert client.get(reverse("audits:calendar-feed", args=["nope"])).status_code == 404

    def test_revoked_or_replaced_token_is_404(self, client, client_as, officer):
        officer_client = client_as(officer)
        first = make_feed(officer_client)
        second = make_feed(officer_client)
        assert client.get(reverse("audits:calendar-feed", args=[first])).status_code == 404
        assert client.get(reverse("audits:calendar-feed", args=[second])).status_code == 200
        response = officer_client.post(reverse("audits:calendar-revoke"))
        assert response.status_code == 302
        assert client.get(reverse("audits:calendar-feed", args=[second])).status_code == 404
        assert not CalendarToken.objects.filter(user=officer).exists()

    def test_outsider_feed_lacks_this_organisations_deadlines(
        self, client, client_as, outsider, audit_in_corrections
    ):
        token = make_feed(client_as(outsider))
        body = client.get(reverse("audits:calendar-feed", args=[token])).content.decode()
        assert "BEGIN:VCALENDAR" in body
        assert "VEVENT" not in body
        assert "Clinicloud" not in body

    def test_wrong_methods_and_anonymous(self, client, client_as, officer):
        officer_client = client_as(officer)
        assert officer_client.get(reverse("audits:calendar-revoke")).status_code == 405
        token = make_feed(officer_client)
        assert client.post(reverse("audits:calendar-feed", args=[token])).status_code == 405
        response = client.post(reverse("audits:calendar-token"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("hdsready:login"))


def _decision_with_certificates(cycle: Cycle, officer: User, numbers: list[str]) -> None:
    """A decision whose certificates (one per certificate type) expire on DEADLINE."""
    audit = Audit.objects.create(cycle=cycle, kind=AuditKind.INITIAL, status=AuditStatus.DECIDED)
    decision = Decision.objects.create(
        audit=audit,
        certificate_number=" / ".join(numbers),
        decided_on=date(2024, 4, 1),
        activities=[1, 2, 3, 4, 5, 6],
        expires_on=DEADLINE,
        recorded_by=officer,
    )
    for number in numbers:
        decision.certificates.add(
            Certificate.objects.create(
                organisation=cycle.organisation,
                subcontractor=None,
                kind=CertificateKind.HDS,
                number=number,
                certification_body="Organisme X",
                standard_version="HDS v2",
                issued_on=date(2024, 4, 1),
                expires_on=DEADLINE,
            )
        )


@pytest.mark.django_db
def test_a_decided_certificate_is_reminded_once(cycle, officer):
    _decision_with_certificates(cycle, officer, ["HDS-M-1"])
    assert reminders_sweep(now=at_paris(DEADLINE - timedelta(days=30))) == 1


@pytest.mark.django_db
def test_a_decision_with_two_certificates_is_reminded_once_per_certificate(cycle, officer):
    _decision_with_certificates(cycle, officer, ["HDS-M-1", "HDS-P-1"])
    assert reminders_sweep(now=at_paris(DEADLINE - timedelta(days=30))) == 2
