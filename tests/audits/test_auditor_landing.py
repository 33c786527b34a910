"""An invited auditor belongs to no organisation: their home leads straight to their audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audits.models import Audit, AuditKind, AuditorAccess
from audits.services.auditors import (
    auditor_accept_existing_user,
    auditor_access_revoke,
    auditor_invite,
)
from audits.services.cycle import audit_plan, cycle_create
from hdsready.models import Organisation, User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _audit(organisation: Organisation, officer: User, kind: str = AuditKind.INITIAL) -> Audit:
    cycle = cycle_create(
        organisation=organisation, certification_body="Body", accreditation="5-1", actor=officer
    )
    return audit_plan(cycle=cycle, kind=kind, actor=officer)


def _grant(
    audit: Audit, officer: User, auditor: User, *, opens_in: timedelta = timedelta(0)
) -> AuditorAccess:
    now = timezone.now()
    access, _raw = auditor_invite(
        audit=audit,
        email=auditor.email,
        valid_from=now - timedelta(hours=1) + opens_in,
        valid_until=now + timedelta(hours=2) + opens_in,
        actor=officer,
    )
    return auditor_accept_existing_user(access=access, user=auditor)


def test_one_open_audit_is_the_home(scoped, officer, auditor, client_as):
    audit = _audit(scoped, officer)
    _grant(audit, officer, auditor)
    response = client_as(auditor).get(reverse("hdsready:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("audits:auditor-audit", args=[audit.pk])


def test_a_window_to_come_or_several_audits_lead_to_my_audits(scoped, officer, auditor, client_as):
    _grant(_audit(scoped, officer), officer, auditor, opens_in=timedelta(days=3))
    client = client_as(auditor)
    response = client.get(reverse("hdsready:home"))
    assert response["Location"] == reverse("audits:auditor-home")
    _grant(_audit(scoped, officer, AuditKind.SURVEILLANCE), officer, auditor)
    assert client.get(reverse("hdsready:home"))["Location"] == reverse("audits:auditor-home")


def test_a_revoked_access_and_a_stranger_see_the_no_organisation_page(
    scoped, officer, auditor, client_as
):
    access = _grant(_audit(scoped, officer), officer, auditor)
    auditor_access_revoke(access=access, actor=officer)
    page = client_as(auditor).get(reverse("hdsready:home"))
    assert page.status_code == 200
    assert "not a member of any organisation" in page.content.decode()


def test_a_member_keeps_their_organisation_home(scoped, officer, client_as):
    response = client_as(officer).get(reverse("hdsready:home"))
    assert response["Location"] == reverse("hdsready:organisation-home", args=[scoped.slug])
    assert client_as(officer).post(reverse("hdsready:home")).status_code == 405
