"""The end dates of client contracts among the deadlines (HDS v2 chapter 6): the contracts in
force are reminded at each configured offset, once, and never after they ended; a template's
date, which no form gives but the table allows, is never a deadline. The calendar feed and the
organisation home show them like every other kind."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from audits.deadline_kinds import DeadlineKind, deadline_rows
from audits.ical import escape_text
from audits.models import Reminder
from audits.services.reminders import reminders_sweep
from contracts.models import Client, Contract
from hdsready.models import Notification, Organisation
from tests.audits.test_deadline_kinds import (
    FEED_URL,
    at_paris,
    feed_deadlines,
    home_deadlines,
    parse_ics,
    today,
)
from tests.conftest import verified_client_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

OFFSETS = (30, 14, 7, 1)
END = date(2027, 3, 31)  # a month end; Paris changes to summer time on 28 March 2027
SCAN_FROM = END - timedelta(days=40)


def contract(organisation: Organisation, client: Client, *, end_on: date | None, **fields):
    return Contract.objects.create(
        organisation=organisation,
        client=client,
        title=fields.pop("title", "Hébergement"),
        start_on=fields.pop("start_on", date(2025, 1, 1)),
        end_on=end_on,
        **fields,
    )


@pytest.fixture
def lilas(organisation):
    return Client.objects.create(organisation=organisation, name="Clinique des Lilas")


@pytest.fixture
def contracts(organisation, lilas):
    """A contract ending on END; one ended 3 days before the scan starts (inside the sweep's
    catch-up window); one with no end; a template carrying END as its end date."""
    return {
        "ending": contract(organisation, lilas, end_on=END, title="Offre Santé"),
        "ended": contract(organisation, lilas, end_on=SCAN_FROM - timedelta(days=3)),
        "open": contract(organisation, lilas, end_on=None, title="Sans fin"),
        "template": Contract.objects.create(
            organisation=organisation, is_template=True, title="Modèle", end_on=END
        ),
    }


def test_rows_are_the_contracts_not_the_templates(organisation, contracts):
    rows = deadline_rows(organisations=[organisation], start=date(2020, 1, 1), end=date(2030, 1, 1))
    assert [(row.kind, row.pk) for row in rows] == [
        (DeadlineKind.CONTRACT_END, contracts["ended"].pk),
        (DeadlineKind.CONTRACT_END, contracts["ending"].pk),
    ]
    ending = rows[1]
    assert ending.day == END
    assert ending.subject == "Offre Santé (Clinique des Lilas)"
    assert ending.url == f"/o/{organisation.slug}/contracts/{contracts['ending'].pk}/"
    assert ending.label == "Client contract ends"


def test_the_sweep_reminds_once_per_offset_and_never_after_the_end(
    settings, organisation, officer, contributor, manager, contracts
):
    settings.REMINDER_OFFSET_DAYS = OFFSETS
    sent: dict[date, Counter[tuple[str, int]]] = {}
    day = SCAN_FROM
    while day <= END + timedelta(days=10):
        with time_machine.travel(at_paris(day), tick=False):
            claimed = reminders_sweep(now=timezone.now())
        with time_machine.travel(at_paris(day, hour=19), tick=False):
            assert reminders_sweep(now=timezone.now()) == 0, f"sent twice on {day}"
        if claimed:
            sent[day] = Counter(
                Reminder.objects.filter(created_at__date=day).values_list(
                    "subject_id", "offset_days"
                )
            )
        day += timedelta(days=1)

    ending = str(contracts["ending"].pk)
    assert sent == {
        END - timedelta(days=offset): Counter({(ending, offset): 1}) for offset in OFFSETS
    }
    # Only the contract ending in the scan: not the ended one, not the template, not after END.
    assert set(Reminder.objects.values_list("subject_type", "subject_id")) == {
        ("contract_end", ending)
    }
    # In the officer's language (French, the default).
    texts = list(Notification.objects.filter(user=officer).values_list("text", flat=True))
    assert len(texts) == len(OFFSETS)
    assert all("Offre Santé (Clinique des Lilas)" in text for text in texts)
    assert all("31 mars 2027" in text for text in texts)
    # The compliance officers are reminded; nobody else.
    assert not Notification.objects.exclude(user=officer).exists()


def test_reminder_text_in_english(settings, organisation, officer, contracts):
    settings.REMINDER_OFFSET_DAYS = OFFSETS
    officer.language = "en"
    officer.save(update_fields=["language"])
    assert reminders_sweep(now=at_paris(END - timedelta(days=7))) == 1
    [text] = Notification.objects.filter(user=officer).values_list("text", flat=True)
    assert text == (
        "The client contract Offre Santé (Clinique des Lilas) ends on March 31, 2027: 7 days left."
    )


def test_calendar_feed_and_home_show_the_contract_end(client, organisation, officer, lilas):
    day = today() + timedelta(days=20)
    contract(organisation, lilas, end_on=day, title="Offre Santé")
    Contract.objects.create(organisation=organisation, is_template=True, title="Modèle", end_on=day)

    assert feed_deadlines(client, verified_client_for(officer)) == {("contract_end", day)}
    assert home_deadlines(verified_client_for(officer), organisation) == {("contract_end", day)}


def test_the_feed_event_names_the_contract_and_links_to_it(
    client, settings, organisation, officer, lilas
):
    day = today() + timedelta(days=20)
    ending = contract(organisation, lilas, end_on=day, title="Offre Santé")
    response = verified_client_for(officer).post(reverse("audits:calendar-token"))
    token = FEED_URL.search(response.content.decode())
    assert token
    body = client.get(reverse("audits:calendar-feed", args=[token.group(1)])).content.decode()
    [event] = parse_ics(body)
    assert event["UID"] == f"contract_end-{ending.pk}@hdsready"
    assert event["SUMMARY"] == f"{escape_text(organisation.name)}: Offre Santé (Clinique des Lilas)"
    assert event["DESCRIPTION"] == "Client contract ends"
    assert event["URL"] == f"{settings.SITE_URL}/o/{organisation.slug}/contracts/{ending.pk}/"
    assert event["DTSTART;VALUE=DATE"] == f"{day:%Y%m%d}"
