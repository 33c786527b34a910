"""The demo of `make run` tells one story: the ISO 27001 readiness agrees with the ISO 27001
certificate on file, the cycle opened before its audits, and the demo auditor, printed with the
other personas, is invited to the demo audit for a window that covers today; the officer was
told of what the auditor did."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from audits.models import Audit, AuditorAccess
from audits.selectors import audits_for_auditor
from hdsready.homes import home_elsewhere
from hdsready.models import Membership, Notification, Organisation, User
from scopes.models import ReadinessStatus
from scopes.readiness import readiness_score
from scopes.selectors import ISO_CODE, builtin_framework, readiness_rows

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = io.StringIO()
    for command in ("seed_demo", "seed_demo_scope", "seed_demo_cycle"):
        call_command(command, force=True, stdout=out)
    return out.getvalue()


def test_four_personas_printed_with_password_and_totp() -> None:
    printed = _seed()
    for role, email in (
        ("officer", "officer@demo.hdsready.test"),
        ("contributor", "contributor@demo.hdsready.test"),
        ("manager", "manager@demo.hdsready.test"),
        ("auditor", "auditor@demo.hdsready.test"),
    ):
        line = re.search(
            rf"^\s+{role}\s+{re.escape(email)}\s+password: (\S+)\s+TOTP secret: "
            r"([A-Z2-7=]+)$",
            printed,
            re.M,
        )
        assert line is not None, role
        assert User.objects.get(email=email).check_password(line.group(1))
    auditor = User.objects.get(email="auditor@demo.hdsready.test")
    assert not Membership.objects.filter(user=auditor).exists()


def test_the_story_holds_together() -> None:
    _seed()
    # The seed's past events e-mail nobody: the personas stay the last thing printed.
    assert mail.outbox == []
    organisation = Organisation.objects.get(slug="demo")
    audit = Audit.objects.select_related("cycle").get(cycle__organisation=organisation)
    # The cycle opened before its first audit.
    assert audit.stage1_start is not None
    assert audit.cycle.created_at.date() < audit.stage1_start
    # ISO readiness agrees with the ISO certificate on file: nearly all met.
    rows = readiness_rows(organisation=organisation, framework=builtin_framework(code=ISO_CODE))
    score = readiness_score(
        entry.status if entry else ReadinessStatus.NOT_ASSESSED
        for _r, entry, applies in rows
        if applies
    )
    assert score.percent >= 95
    assert score.counts.get(ReadinessStatus.PARTIAL) == 2
    # The auditor reaches the demo audit today, and their home leads to it.
    auditor = User.objects.get(email="auditor@demo.hdsready.test")
    now = timezone.now()
    assert [access.audit for access in audits_for_auditor(user=auditor, now=now)] == [audit]
    assert home_elsewhere(user=auditor, now=now) == reverse("audits:auditor-audit", args=[audit.pk])
    # The officer was told of the auditor's reviews and findings.
    officer = User.objects.get(email="officer@demo.hdsready.test")
    # 3 reviews, 5 findings, the two stages completed.
    assert Notification.objects.filter(user=officer, text__startswith=str(auditor)).count() == 10


def test_a_later_run_reopens_an_ended_access_once() -> None:
    _seed()
    auditor = User.objects.get(email="auditor@demo.hdsready.test")
    with time_machine.travel(timezone.now() + timedelta(days=45)):
        assert not audits_for_auditor(user=auditor, now=timezone.now())
        printed = _seed()
        assert "access reopened" in printed
        assert len(audits_for_auditor(user=auditor, now=timezone.now())) == 1
        again = _seed()
        assert "nothing changed" in again
    assert AuditorAccess.objects.filter(user=auditor).count() == 2
