"""The registry of deadline kinds (audits/deadline_kinds.py) and everything that reads it.

The tests iterate the registry: an organisation seeded with one row of EVERY kind shows the same
(kind, date) set on the home page, in the calendar feed and in the API, and the reminder sweep
sends exactly one reminder per kind at each offset, none twice. A new kind only needs its seed
in SEEDS (a test fails until it has one)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from itertools import count

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from audits import deadlines
from audits.deadline_kinds import DEADLINE_KINDS, DeadlineKind, deadline_rows
from audits.models import (
    Audit,
    AuditKind,
    AuditorAccess,
    AuditStatus,
    Cycle,
    Decision,
    Reminder,
)
from audits.reminders import OVERDUE
from audits.services.reminders import Due, _candidates, reminder_text, reminders_sweep
from audits.views.home import HOME_LIST_LIMIT
from audits.workflow import CORRECTION_WINDOW_STATUSES
from contracts.models import Client, Contract
from evidence.models import EvidenceItem
from hdsready.models import Notification, Organisation, User
from scopes.models import Certificate, CertificateKind, CertificateProcedure, Subcontractor
from tests.audits.test_api import api_client
from tests.conftest import verified_client_for
from tests.evidence.helpers import make_item
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

OFFSETS = (30, 14, 7, 1)
_unique = count(1)


def _cycle(organisation: Organisation) -> Cycle:
    cycle = Cycle.objects.filter(organisation=organisation).first()
    return cycle or Cycle.objects.create(
        organisation=organisation, certification_body="Organisme X", accreditation="5-0001"
    )


def _audit(organisation: Organisation, **fields: object) -> Audit:
    return Audit.objects.create(cycle=_cycle(organisation), **fields)


def _certificate(
    organisation: Organisation, day: date, number: str = "", **fields: object
) -> Certificate:
    return Certificate.objects.create(
        organisation=organisation,
        number=number or f"CERT-{next(_unique)}",
        certification_body="Organisme Y",
        standard_version="v2",
        issued_on=day - timedelta(days=1000),
        expires_on=day,
        **fields,
    )


def seed_correction(organisation: Organisation, officer: User, day: date) -> None:
    _audit(
        organisation,
        kind=AuditKind.INITIAL,
        status=next(iter(CORRECTION_WINDOW_STATUSES)),
        stage2_end=day - timedelta(days=90),
        correction_deadline=day,
    )


def seed_audit_due(organisation: Organisation, officer: User, day: date) -> None:
    _audit(organisation, kind=AuditKind.SURVEILLANCE, status=AuditStatus.DRAFT, due_on=day)


def seed_hds_certificate(organisation: Organisation, officer: User, day: date) -> None:
    _certificate(organisation, day, kind=CertificateKind.HDS)


def seed_iso_certificate(organisation: Organisation, officer: User, day: date) -> None:
    _certificate(organisation, day, kind=CertificateKind.ISO27001)


def seed_subcontractor_certificate(organisation: Organisation, officer: User, day: date) -> None:
    datacenter = Subcontractor.objects.create(organisation=organisation, name=f"DC {next(_unique)}")
    _certificate(organisation, day, kind=CertificateKind.HDS, subcontractor=datacenter)


def seed_decision(organisation: Organisation, officer: User, day: date) -> None:
    # A decision whose certificate is not among the host's certificates (removed since).
    audit = _audit(organisation, kind=AuditKind.RENEWAL, status=AuditStatus.DECIDED)
    Decision.objects.create(
        audit=audit,
        certificate_number=f"DEC-{next(_unique)}",
        decided_on=day - timedelta(days=1000),
        expires_on=day,
        recorded_by=officer,
    )


def seed_evidence(organisation: Organisation, officer: User, day: date) -> None:
    item = make_item(organisation, officer, title=f"Evidence {next(_unique)}")
    EvidenceItem.objects.filter(pk=item.pk).update(review_due_on=day)


AUDITOR = "auditor@organisme.test"


def seed_auditor_access(organisation: Organisation, officer: User, day: date) -> None:
    auditor = User.objects.filter(email=AUDITOR).first() or UserFactory(email=AUDITOR)
    # Open until the end of `day` in Paris: `day` is its last day.
    until = deadlines.end_of_day(day=day)
    AuditorAccess.objects.create(
        audit=_audit(organisation, kind=AuditKind.INITIAL, status=AuditStatus.STAGE1_PLANNED),
        email=auditor.email,
        user=auditor,
        valid_from=until - timedelta(days=60),
        valid_until=until,
        token_hash=f"{next(_unique):064d}",
        invited_by=officer,
    )


def seed_contract_end(organisation: Organisation, officer: User, day: date) -> None:
    client = Client.objects.create(organisation=organisation, name=f"Client {next(_unique)}")
    Contract.objects.create(
        organisation=organisation,
        client=client,
        title="Hébergement",
        start_on=day - timedelta(days=365),
        end_on=day,
    )


SEEDS: dict[DeadlineKind, Callable[[Organisation, User, date], None]] = {
    DeadlineKind.CORRECTION: seed_correction,
    DeadlineKind.AUDIT_DUE: seed_audit_due,
    DeadlineKind.HDS_CERTIFICATE: seed_hds_certificate,
    DeadlineKind.ISO_CERTIFICATE: seed_iso_certificate,
    DeadlineKind.SUBCONTRACTOR_CERTIFICATE: seed_subcontractor_certificate,
    DeadlineKind.DECISION: seed_decision,
    DeadlineKind.EVIDENCE: seed_evidence,
    DeadlineKind.AUDITOR_ACCESS: seed_auditor_access,
    DeadlineKind.CONTRACT_END: seed_contract_end,
}


def seed_every_kind(
    organisation: Organisation, officer: User, day_of: Callable[[int], date]
) -> set[tuple[str, date]]:
    """One row of each kind of the registry, the n-th on day_of(n); returns (kind, date)."""
    expected = set()
    for position, kind in enumerate(DEADLINE_KINDS):
        SEEDS[kind](organisation, officer, day_of(position))
        expected.add((kind.value, day_of(position)))
    return expected


def today() -> date:
    return deadlines.paris_date(now=timezone.now())


# --- the registry itself ------------------------------------------------------------------


def test_every_kind_has_one_entry_and_a_seed():
    assert list(DEADLINE_KINDS) == list(DeadlineKind)
    assert all(kind == entry.kind for kind, entry in DEADLINE_KINDS.items())
    assert set(SEEDS) == set(DeadlineKind), "seed one row of the new kind in SEEDS"


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_labels_tell_kinds_apart_in_every_language(language):
    with translation.override(language):
        labels = [entry.label for entry in DEADLINE_KINDS.values()]
    assert len(set(labels)) == len(labels)


def test_reminder_keys_keep_their_prefixes():
    """Reminders already sent keep their keys: changing a prefix would send them again."""
    assert {kind.value: entry.reminder_key_prefix for kind, entry in DEADLINE_KINDS.items()} == {
        "correction": "correction",
        "audit_due": "audit_due",
        "hds_certificate": "certificate",
        "iso_certificate": "certificate",
        "subcontractor_certificate": "certificate",
        "decision": "decision",
        "evidence": "evidence",
        "auditor_access": "auditor_access",
        "contract_end": "contract_end",
    }


def test_who_is_reminded_and_when():
    """Officers always; contributors write the corrections; an auditor's access ends by itself,
    so it reminds the auditor before its last day and nobody after it."""
    assert {
        kind.value: (entry.also_reminds, entry.reminds_person, entry.overdue_reminder)
        for kind, entry in DEADLINE_KINDS.items()
    } == {
        "correction": (("contributor",), False, True),
        "audit_due": ((), False, True),
        "hds_certificate": ((), False, True),
        "iso_certificate": ((), False, True),
        "subcontractor_certificate": ((), False, True),
        "decision": ((), False, True),
        "evidence": ((), False, True),
        "auditor_access": ((), True, False),
        "contract_end": ((), False, False),
    }


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
@pytest.mark.parametrize("kind", list(DeadlineKind))
def test_reminder_texts_of_every_kind(kind, language, organisation):
    entry = DEADLINE_KINDS[kind]
    due = Due(kind, 1, date(2027, 3, 31), organisation, "Subject ☂")
    offsets = [7, OVERDUE] if entry.overdue_reminder else [7]
    with translation.override(language):
        for offset in offsets:
            text = reminder_text(due=due, offset=offset, today=date(2027, 3, 24))
            assert "Subject ☂" in text
            assert "2027" in text
            assert "%(" not in text
    if not entry.overdue_reminder:
        with pytest.raises(ValueError, match="no overdue reminder"):
            reminder_text(due=due, offset=OVERDUE, today=date(2027, 4, 1))


# The planned audits' programmes (audits/programme.py) are read in one more query for them all.
PROGRAMME_QUERY = 1


def test_rows_are_one_query_per_kind_whatever_their_number(organisation, officer):
    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            rows = deadline_rows(
                organisations=[organisation], start=today(), end=today() + timedelta(days=90)
            )
        return len(captured), len(rows)

    seed_every_kind(organisation, officer, lambda n: today() + timedelta(days=10 + n))
    kinds = len(DEADLINE_KINDS)
    assert queries() == (kinds + PROGRAMME_QUERY, kinds)
    for _round in range(4):
        seed_every_kind(organisation, officer, lambda n: today() + timedelta(days=10 + n))
    assert queries() == (kinds + PROGRAMME_QUERY, 5 * kinds)


def test_rows_stay_inside_the_range_and_the_organisations(organisation, officer, outsider):
    start = today() + timedelta(days=10)
    seed_every_kind(organisation, officer, lambda n: start - timedelta(days=1))
    seed_every_kind(organisation, officer, lambda n: start + timedelta(days=31))
    inside = seed_every_kind(organisation, officer, lambda n: start + timedelta(days=n))
    other = outsider.memberships.get().organisation
    seed_every_kind(other, outsider, lambda n: start + timedelta(days=n))

    rows = deadline_rows(organisations=[organisation], start=start, end=start + timedelta(days=30))

    assert {(row.kind.value, row.day) for row in rows} == inside
    assert len(rows) == len(inside)
    assert [row.day for row in rows] == sorted(row.day for row in rows)


def test_closed_or_started_rows_are_not_deadlines(organisation, officer):
    day = today() + timedelta(days=10)
    seed_every_kind(organisation, officer, lambda n: day)
    # The correction window closed, the surveillance audit started, the evidence retired,
    # the access revoked, the decision's certificate recorded among the host's certificates
    # (Decision.certificates).
    Audit.objects.filter(correction_deadline=day).update(status=AuditStatus.CORRECTIONS_VERIFIED)
    Audit.objects.filter(due_on=day).update(status=AuditStatus.STAGE2_PLANNED)
    EvidenceItem.objects.update(status="retired")
    AuditorAccess.objects.update(revoked_at=timezone.now())
    decision = Decision.objects.get()
    decision.certificates.add(
        _certificate(
            organisation, day, number=decision.certificate_number, kind=CertificateKind.HDS
        )
    )

    rows = deadline_rows(organisations=[organisation], start=day, end=day)

    assert Counter(row.kind for row in rows) == {
        DeadlineKind.HDS_CERTIFICATE: 2,
        DeadlineKind.ISO_CERTIFICATE: 1,
        DeadlineKind.SUBCONTRACTOR_CERTIFICATE: 1,
        # A contract's end date stays a deadline, whatever is done before it.
        DeadlineKind.CONTRACT_END: 1,
    }


# --- the same deadlines on every channel ---------------------------------------------------

HOME_ROW = re.compile(r'data-deadline-kind="([a-z_]+)" data-deadline-day="(\d{4}-\d\d-\d\d)"')
FEED_URL = re.compile(r"/calendar/([A-Za-z0-9_-]+)\.ics")


def home_deadlines(client, organisation: Organisation) -> set[tuple[str, date]]:
    response = client.get(reverse("audits:home-certification", args=[organisation.slug]))
    assert response.status_code == 200
    found = HOME_ROW.findall(response.content.decode())
    assert len(found) == len(set(found)), "a deadline shown twice"
    return {(kind, date.fromisoformat(day)) for kind, day in found}


def parse_ics(body: str) -> list[dict[str, str]]:
    """The VEVENTs of an iCalendar body: unfolded content lines, property name -> value."""
    unfolded = body.replace("\r\n ", "")
    events: list[dict[str, str]] = []
    for line in unfolded.split("\r\n"):
        if line == "BEGIN:VEVENT":
            events.append({})
        elif events and line != "END:VEVENT" and ":" in line and "END:VCALENDAR" not in line:
            name, _sep, value = line.partition(":")
            events[-1].setdefault(name, value)
    return events


def feed_deadlines(client, feed_client) -> set[tuple[str, date]]:
    response = feed_client.post(reverse("audits:calendar-token"))
    token = FEED_URL.search(response.content.decode())
    assert token
    body = client.get(reverse("audits:calendar-feed", args=[token.group(1)])).content.decode()
    events = parse_ics(body)
    found = set()
    for event in events:
        uid = event["UID"].removesuffix("@hdsready")
        kind, _sep, pk = uid.rpartition("-")
        assert pk.isdigit(), uid
        found.add((kind, date.fromisoformat(event["DTSTART;VALUE=DATE"])))
        assert event["URL"].startswith(settings.SITE_URL + "/o/")
    assert len(found) == len(events), "a deadline in the feed twice"
    return found


def api_deadlines(client, organisation: Organisation) -> set[tuple[str, date]]:
    response = client.get(f"/api/o/{organisation.slug}/deadlines/")
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    found = {(row["kind"], date.fromisoformat(row["date"])) for row in results}
    assert len(found) == len(results), "a deadline in the API twice"
    return found


def test_home_feed_and_api_show_the_same_deadlines_of_every_kind(
    client, organisation, officer, contributor
):
    expected = seed_every_kind(organisation, officer, lambda n: today() + timedelta(days=10 + n))

    home = home_deadlines(verified_client_for(contributor), organisation)
    feed = feed_deadlines(client, verified_client_for(officer))
    api = api_deadlines(api_client(officer), organisation)

    # The home lists the nearest HOME_LIST_LIMIT (one screen; it links to the feed for the
    # rest): one kind a day, so the first kinds of the registry.
    nearest = sorted(expected, key=lambda pair: pair[1])[:HOME_LIST_LIMIT]
    assert home == set(nearest)
    assert feed == expected
    assert api == expected
    assert {kind for kind, _day in expected} == set(DeadlineKind.values)


def test_the_api_row_of_every_kind(organisation, manager, officer):
    seed_every_kind(organisation, officer, lambda n: today() + timedelta(days=10 + n))
    rows = api_client(manager).get(f"/api/o/{organisation.slug}/deadlines/").json()["results"]
    assert [row["kind"] for row in rows] == DeadlineKind.values
    for position, row in enumerate(rows):
        assert row["label"] == DEADLINE_KINDS[DeadlineKind(row["kind"])].label
        assert row["days_left"] == 10 + position
        assert isinstance(row["object_id"], int)
        assert row["subject"]
        assert row["url"].startswith(f"/o/{organisation.slug}/")


# --- the reminder sweep over every kind ----------------------------------------------------

DEADLINE = date(2027, 3, 31)  # a month end; Paris changes to summer time on 28 March 2027


def at_paris(day: date, hour: int = 7) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=deadlines.PARIS)


def test_the_sweep_reminds_every_kind_once_per_offset(
    settings, organisation, officer, contributor, manager
):
    settings.REMINDER_OFFSET_DAYS = OFFSETS
    seed_every_kind(organisation, officer, lambda n: DEADLINE)
    auditor = User.objects.get(email=AUDITOR)

    sent: dict[date, Counter[tuple[str, int]]] = {}
    day = DEADLINE - timedelta(days=40)
    while day <= DEADLINE + timedelta(days=10):
        before = set(Reminder.objects.values_list("pk", flat=True))
        claimed = reminders_sweep(now=at_paris(day))
        assert reminders_sweep(now=at_paris(day, hour=19)) == 0, f"sent twice on {day}"
        new = Reminder.objects.exclude(pk__in=before)
        assert new.count() == claimed
        if claimed:
            sent[day] = Counter(new.values_list("subject_type", "offset_days"))
        day += timedelta(days=1)

    kinds = set(DeadlineKind.values)
    overdue = {kind.value for kind, entry in DEADLINE_KINDS.items() if entry.overdue_reminder}
    assert sent == {
        **{
            DEADLINE - timedelta(days=offset): Counter({(kind, offset): 1 for kind in kinds})
            for offset in OFFSETS
        },
        DEADLINE + timedelta(days=1): Counter({(kind, OVERDUE): 1 for kind in overdue}),
    }
    # Every reminder key is unique, and keeps the prefix of its kind's entry.
    for reminder in Reminder.objects.all():
        prefix = DEADLINE_KINDS[DeadlineKind(reminder.subject_type)].reminder_key_prefix
        assert reminder.key.startswith(f"{prefix}:{reminder.subject_id}:2027-03-31:")

    # Officers get every reminder; contributors those of the kinds that name their role, the
    # auditor those of their own access; managers none.
    reminders = len(OFFSETS) * len(kinds) + len(overdue)
    # Officers also get the EXI 14 alert of each certificate's procedure, opened once by the
    # sweep when the expiry came within 90 days.
    procedures = CertificateProcedure.objects.filter(organisation=organisation)
    assert procedures.count() == Certificate.objects.filter(organisation=organisation).count()
    assert Notification.objects.filter(user=officer).count() == reminders + procedures.count()
    contributor_kinds = [e for e in DEADLINE_KINDS.values() if "contributor" in e.also_reminds]
    assert Notification.objects.filter(user=contributor).count() == sum(
        len(OFFSETS) + e.overdue_reminder for e in contributor_kinds
    )
    person_kinds = [e for e in DEADLINE_KINDS.values() if e.reminds_person]
    assert Notification.objects.filter(user=auditor).count() == sum(
        len(OFFSETS) + e.overdue_reminder for e in person_kinds
    )
    assert not Notification.objects.filter(user=manager).exists()


def test_sweep_queries_do_not_grow_with_the_rows(settings, organisation, officer, contributor):
    """Listing the candidates costs one query per kind and one for the other members reminded;
    the sending (claim, notification) is per reminder by design."""
    settings.REMINDER_OFFSET_DAYS = OFFSETS

    def listing_queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            dues = list(_candidates(today=DEADLINE - timedelta(days=7), offsets=OFFSETS))
        return len(captured), len(dues)

    seed_every_kind(organisation, officer, lambda n: DEADLINE)
    assert listing_queries() == (len(DEADLINE_KINDS) + 1 + PROGRAMME_QUERY, len(DEADLINE_KINDS))
    for _round in range(4):
        seed_every_kind(organisation, officer, lambda n: DEADLINE)
    assert listing_queries() == (
        len(DEADLINE_KINDS) + 1 + PROGRAMME_QUERY,
        5 * len(DEADLINE_KINDS),
    )


# --- the API endpoint ----------------------------------------------------------------------


class TestDeadlineAPI:
    def url(self, organisation: Organisation, query: str = "") -> str:
        return f"/api/o/{organisation.slug}/deadlines/{query}"

    def test_range_and_kind_filters(self, organisation, officer):
        start = today() + timedelta(days=400)
        seed_every_kind(organisation, officer, lambda n: start + timedelta(days=n))
        client = api_client(officer)
        assert client.get(self.url(organisation)).json()["results"] == []  # a year from today
        query = f"?start={start}&end={start + timedelta(days=2)}"
        rows = client.get(self.url(organisation, query)).json()["results"]
        assert [row["kind"] for row in rows] == DeadlineKind.values[:3]
        query = f"?start={start}&kind=evidence&kind=correction"
        rows = client.get(self.url(organisation, query)).json()["results"]
        assert [row["kind"] for row in rows] == ["correction", "evidence"]
        assert rows[0]["days_left"] == (start - today()).days

    @pytest.mark.parametrize(
        ("query", "field", "message"),
        [
            ("?start=2027-03-31&end=2027-03-30", "end", "The end must not be before the start."),
            ("?start=31/03/2027", "start", "Date has wrong format"),
            ("?kind=birthday", "kind", '"birthday" is not a valid choice.'),
        ],
    )
    def test_bad_input_is_a_clear_400(self, organisation, officer, query, field, message):
        response = api_client(officer).get(self.url(organisation, query))
        assert response.status_code == 400
        assert message in str(response.json()[field])

    def test_wrong_method_anonymous_and_outsider(self, client, organisation, officer, outsider):
        seed_every_kind(organisation, officer, lambda n: today() + timedelta(days=10))
        assert api_client(officer).post(self.url(organisation)).status_code == 405
        assert client.get(self.url(organisation)).status_code == 401
        assert api_client(outsider).get(self.url(organisation)).status_code == 404
        own = outsider.memberships.get().organisation
        assert api_client(outsider).get(self.url(own)).json()["results"] == []

    def test_query_count_is_constant(self, organisation, officer):
        client = api_client(officer)

        def queries() -> tuple[int, int]:
            with CaptureQueriesContext(connection) as captured:
                response = client.get(self.url(organisation))
            assert response.status_code == 200
            return len(captured), len(response.json()["results"])

        day = today() + timedelta(days=10)
        seed_every_kind(organisation, officer, lambda n: day)
        client.get(self.url(organisation))  # the first request of a process fills caches
        one, shown = queries()
        assert shown == len(DEADLINE_KINDS)
        for _round in range(4):
            seed_every_kind(organisation, officer, lambda n: day)
        assert queries() == (one, 5 * len(DEADLINE_KINDS)), one
