"""`manage.py seed_large` at a small scale: the counts asked for, a trail that verifies, and a
refusal on a database that already holds data."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from audits.models import Audit, AuditStatus, Finding, FindingStatus
from evidence.models import EvidenceItem, EvidenceVersion
from evidence.services import VerifyProblem, evidence_verify_all
from hdsready.models import Membership, Organisation, Role, TrailEvent, User
from hdsready.roles import MANAGE
from scopes.models import ReadinessEntry, Requirement, SoAEntry
from scopes.selectors import HDS_CODE, ISO_CODE, annex_a_controls, builtin_framework
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db
SMALL = {"organisations": 2, "items": 20, "findings": 10, "trail_rows": 1000}


def seed(**options: object) -> str:
    out = io.StringIO()
    call_command("seed_large", stdout=out, **{**SMALL, **options})
    return out.getvalue()


def test_small_seed_has_the_counts_asked_for_and_a_trail_that_verifies(settings) -> None:
    settings.DEBUG = True
    output = seed()

    organisations = Organisation.objects.order_by("slug")
    assert [o.slug for o in organisations] == ["large", "large-01"]
    large = organisations[0]
    assert EvidenceItem.objects.filter(organisation=large).count() == 20
    # One stored version each, a second one every fourth item.
    assert EvidenceVersion.objects.filter(item__organisation=large).count() == 25
    assert EvidenceItem.objects.filter(organisation=organisations[1]).count() == 5
    problems = [p for p in evidence_verify_all() if isinstance(p, VerifyProblem)]
    assert problems == []

    audit = Audit.objects.get(cycle__organisation=large)
    assert audit.status == AuditStatus.CORRECTIONS
    findings = Finding.objects.filter(audit=audit)
    assert findings.count() == 10
    assert findings.filter(status=FindingStatus.VERIFIED).count() == 2
    assert findings.filter(status=FindingStatus.CORRECTION_SUBMITTED).count() == 2
    assert findings.filter(status=FindingStatus.OPEN).count() == 1

    # Every organisation assessed against the whole built-in catalogs.
    frameworks = [builtin_framework(code=HDS_CODE), builtin_framework(code=ISO_CODE)]
    assessable = Requirement.objects.filter(framework__in=frameworks, assessable=True).count()
    controls = annex_a_controls().count()
    for organisation in organisations:
        assert ReadinessEntry.objects.filter(organisation=organisation).count() == assessable
        assert SoAEntry.objects.filter(organisation=organisation).count() == controls
    officer = User.objects.get(email="officer@large.hdsready.test")
    assert officer.has_perm(f"hdsready.{MANAGE}", large)
    assert Membership.objects.filter(organisation=large).count() == 3
    assert Membership.objects.get(organisation=large, user=officer).role == Role.OFFICER

    assert TrailEvent.objects.count() == 1000
    verified = io.StringIO()
    call_command("trail_verify", stdout=verified)
    assert "Audit trail intact: 1000 rows verified." in verified.getvalue()
    for persona in ("officer", "contributor", "manager", "auditor"):
        assert f"{persona}@large.hdsready.test" in output
    assert "TOTP secret" in output


def _fingerprint() -> tuple[list[tuple[object, ...]], list[tuple[str, str]]]:
    """What the random seed decides (ids aside, which the database's sequences give)."""
    trail = [
        (kind, object_type, object_repr, actor_label, ip, data.get("version"), data.get("file"))
        for kind, object_type, object_repr, actor_label, ip, data in TrailEvent.objects.order_by(
            "seq"
        ).values_list("kind", "object_type", "object_repr", "actor_label", "ip", "data")
        if kind.startswith(("evidence.viewed", "evidence.downloaded", "user.", "mfa.passed"))
    ]
    readiness = sorted(ReadinessEntry.objects.values_list("requirement__ref_id", "status"))
    return trail, readiness


def test_the_same_seed_gives_the_same_data(settings) -> None:
    settings.DEBUG = True
    options = {"organisations": 1, "items": 4, "findings": 2, "trail_rows": 600}
    with transaction.atomic():
        seed(**options)
        first = _fingerprint()
        transaction.set_rollback(True)
    assert not Organisation.objects.exists()

    seed(**options)
    assert _fingerprint() == first
    assert len(first[0]) > 100


def test_refuses_a_database_with_data_unless_forced(settings) -> None:
    settings.DEBUG = True
    OrganisationFactory(slug="someone")
    with pytest.raises(CommandError, match="not empty"):
        seed()
    assert not Organisation.objects.filter(slug="large").exists()

    seed(organisations=1, items=2, findings=1, trail_rows=0, force=True)
    assert Organisation.objects.filter(slug="large").exists()


def test_refuses_without_debug_unless_forced(settings) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="development"):
        seed()
