"""HDS v2 EXI 14: the loss-of-certification procedure closes when the certificate covers again
(a renewal recorded on it, a suspension lifted), and the next expiry opens a new one. Before,
a renewed certificate kept its "no cover from..." procedure and its tasks to do for good."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from hdsready.models import TrailEvent
from scopes.chain import EXPIRY_WARNING_DAYS, LAPSED, calls_for_procedure
from scopes.models import CertificateProcedure, CertificateProcedureTask, ProcedureTaskKind
from scopes.services import ScopeError
from scopes.services.certificates import (
    certificate_procedure_task_done,
    certificate_procedures_open_expiring,
    certificate_status_set,
)
from scopes.services.scope import certificate_save
from tests.scopes.test_certificate_status import certificate, suspend  # noqa: F401  (fixture)
from tests.scopes.test_scope_services import hds_data

pytestmark = pytest.mark.django_db

EXPIRES = date(2028, 1, 1)  # hds_data's expiry
IN_WINDOW = date(2027, 10, 4)  # 89 days before it
RENEWED = date(2031, 1, 1)


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)


def renew(
    certificate,  # noqa: F811
    officer,
    expires=RENEWED,
    day=date(2027, 10, 10),
    number="HDS-1-R",
):
    return certificate_save(
        organisation=certificate.organisation,
        subcontractor=certificate.subcontractor,
        data=hds_data([1, 2], expires=expires, number=number),
        actor=officer,
        certificate=certificate,
        now=at(day),
    )


@given(
    expires_in=st.integers(min_value=-400, max_value=400),
    status=st.sampled_from(["valid", *sorted(LAPSED)]),
)
def test_the_rule_at_its_edges(expires_in: int, status: str) -> None:
    today = date(2027, 6, 30)
    needed = calls_for_procedure(
        expires_on=today + timedelta(days=expires_in), status=status, today=today
    )
    assert needed == (status in LAPSED or expires_in <= EXPIRY_WARNING_DAYS)


def test_a_renewal_closes_the_expiry_procedure_and_the_next_expiry_opens_another(
    certificate,  # noqa: F811
    officer,
):
    assert certificate_procedures_open_expiring(today=IN_WINDOW, now=at(IN_WINDOW)) == 1
    renew(certificate, officer)
    procedure = CertificateProcedure.objects.get()
    assert (procedure.closed_at, procedure.closed_because) == (at(date(2027, 10, 10)), "renewed")
    event = TrailEvent.objects.get(kind="certificate.procedure_closed")
    assert (event.actor, event.data["because"]) == (officer, "renewed")
    # Its tasks are history: none can be checked done now.
    task = CertificateProcedureTask.objects.get(kind=ProcedureTaskKind.INFORM_CLIENTS)
    with pytest.raises(ScopeError):
        certificate_procedure_task_done(task=task, actor=officer, now=at(date(2027, 10, 11)))
    task.refresh_from_db()
    assert task.done_at is None
    # The scan opens nothing while the renewed certificate is far from its end...
    assert certificate_procedures_open_expiring(today=date(2027, 10, 11), now=at(IN_WINDOW)) == 0
    # ...and a new procedure when it nears it, three years on.
    later = RENEWED - timedelta(days=30)
    assert certificate_procedures_open_expiring(today=later, now=at(later)) == 1
    assert CertificateProcedure.objects.count() == 2
    assert CertificateProcedure.objects.filter(closed_at__isnull=True).count() == 1
    # Renewing again closes that one too (once: a second save closes nothing more).
    renew(certificate, officer, expires=date(2034, 1, 1), day=later)
    renew(certificate, officer, expires=date(2034, 1, 1), day=later, number="HDS-1-R2")
    assert not CertificateProcedure.objects.filter(closed_at__isnull=True).exists()
    assert TrailEvent.objects.filter(kind="certificate.procedure_closed").count() == 2


def test_an_edit_that_does_not_renew_keeps_it_open(certificate, officer):  # noqa: F811
    certificate_procedures_open_expiring(today=IN_WINDOW, now=at(IN_WINDOW))
    renew(certificate, officer, expires=EXPIRES, number="HDS-1-corrected")
    # Moved, but still within the window of the day it was saved: still needed.
    renew(certificate, officer, expires=date(2027, 10, 10) + timedelta(days=EXPIRY_WARNING_DAYS))
    assert CertificateProcedure.objects.get().closed_at is None
    assert not TrailEvent.objects.filter(kind="certificate.procedure_closed").exists()


def test_a_new_certificate_closes_nothing(certificate, officer):  # noqa: F811
    certificate_procedures_open_expiring(today=IN_WINDOW, now=at(IN_WINDOW))
    certificate_save(
        organisation=certificate.organisation,
        subcontractor=certificate.subcontractor,
        data=replace(hds_data([1, 2], expires=RENEWED), number="HDS-2"),
        actor=officer,
        now=at(date(2027, 10, 10)),
    )
    assert CertificateProcedure.objects.get().closed_at is None


@pytest.mark.parametrize(
    ("expires", "closes"),
    [(EXPIRES, True), (date(2026, 6, 1) + timedelta(days=EXPIRY_WARNING_DAYS), False)],
)
def test_lifting_a_suspension_closes_it_unless_the_expiry_is_near(
    certificate,  # noqa: F811
    officer,
    expires,
    closes,
):
    renew(certificate, officer, expires=expires, day=date(2026, 4, 1), number="HDS-1")
    suspend(certificate, officer)  # from 1 May 2026
    certificate_status_set(
        certificate=certificate,
        status="valid",
        status_from=date(2026, 6, 1),
        reason="Suspension levée",
        actor=officer,
        now=at(date(2026, 6, 1)),
    )
    procedure = CertificateProcedure.objects.get()
    assert (procedure.closed_because == "lifted") == closes
    assert (procedure.closed_at is not None) == closes


def test_the_page_shows_it_closed_without_its_task_forms(
    client_as,
    certificate,  # noqa: F811
    officer,
):
    certificate_procedures_open_expiring(today=IN_WINDOW, now=at(IN_WINDOW))
    url = reverse("scopes:certificate-detail", args=[certificate.organisation.slug, certificate.pk])
    assert b"/done/" in client_as(officer).get(url).content
    renew(certificate, officer)
    response = client_as(officer).get(url)
    assert b'data-closed="renewed"' in response.content
    assert b"/done/" not in response.content
    api = reverse("api:certificate-procedure", args=[certificate.organisation.slug, certificate.pk])
    assert client_as(officer).get(api).json()["closed_because"] == "renewed"
