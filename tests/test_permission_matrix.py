"""Every route of the app (pages and API, found from the URL configuration) against the people
who must not reach what it holds: anonymous, a password without the second factor, a member of
another organisation, the auditor of another audit, and the demo's auditor before and after
their access window. Each gets its expected answer on GET and POST, nothing changes, and a route
whose arguments this file cannot fill fails the test (a new route needs an expectation here).

The members of the organisation (officer, contributor, manager) and the auditor of its audit get
the answer MEMBERS pins for every route, on GET and on an empty POST; a route missing there fails
the test. What a member may do beyond the empty POST is pinned by each app's view tests and by
the workflow's state x action x role tests (tests/audits/test_workflow.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from accessreviews.models import Campaign
from audits.models import Audit, AuditorAccess, EvidenceReview, Finding, PinnedVersion
from audits.services.auditors import auditor_accept_existing_user, auditor_invite
from contracts.models import Client as HostClient
from contracts.models import ClientContact, Contract
from evidence.models import EvidenceItem
from guarantees.services import guarantees_publish
from hdsready.models import Membership, Role, TrailEvent
from hdsready.services.invitations import invitation_send
from hdsready.services.tokens import api_token_create
from scopes.models import (
    Certificate,
    CertificateProcedureTask,
    Framework,
    Requirement,
    Subcontractor,
)
from sovereignty.models import LawExposure, RemoteAccess, StorageLocation
from tests.audits.conftest import auditor, cast, scoped  # noqa: F401  (the audits' personas)
from tests.audits.workflow_helpers import audit_in
from tests.conftest import verified_client_for
from tests.dossiers.helpers import stored_dossier
from tests.factories import OrganisationFactory, UserFactory, make_member, make_passkey
from tests.test_crawl import demo  # noqa: F401  (the demo of `make run`, one persona per role)

pytestmark = pytest.mark.django_db

SLUG = "demo"
# Reached without logging in, by design: their own checks are tested where they live.
PUBLIC = frozenset(
    {
        "hdsready:login",
        "hdsready:sso-start",
        "hdsready:sso-callback",
        "hdsready:language-set",
        "hdsready:invitation-accept",
        "audits:auditor-accept",
        "audits:calendar-feed",
        "guarantees:public-latest",
        "guarantees:public-version",
        "guarantees:public-pdf",
    }
)


def _routes(patterns: list, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{pattern.namespace}:" if pattern.namespace else namespace
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), namespace + (pattern.name or "")


ROUTES = sorted(
    (route, name)
    for route, name in _routes(get_resolver().url_patterns)
    if not route.startswith("admin/")
)
_ARGUMENT = re.compile(r"(?:([a-z-]+)/)?<(?:int|slug|str):(\w+)>")


def _pk(instance: object) -> object:
    return getattr(instance, "pk", None)


def _objects(auditor_audit: Audit) -> dict[tuple[str, str], object]:
    """What each (path segment, argument) names: one object of the demo organisation."""
    audit = auditor_audit
    finding = Finding.objects.filter(audit=audit).order_by("pk").first()
    item = EvidenceItem.objects.filter(organisation__slug=SLUG).order_by("pk").first()
    pinned = PinnedVersion.objects.filter(audit=audit).order_by("pk").first()
    officer = Membership.objects.get(organisation__slug=SLUG, role=Role.OFFICER).user
    contributor = Membership.objects.get(organisation__slug=SLUG, role=Role.CONTRIBUTOR)
    invitation, _raw = invitation_send(
        organisation=audit.cycle.organisation,
        email="pending@clinicloud.test",
        role=Role.MANAGER,
        actor=officer,
    )
    token, _raw_token = api_token_create(user=officer, name="matrix", actor=officer)
    passkey = make_passkey(officer)
    hds = Framework.objects.get(code="hds")
    exi05 = Requirement.objects.get(framework=hds, ref_id="EXI 05")
    control = Requirement.objects.filter(framework__code="iso27001", ref_id="A.5.1").first()
    dossier = stored_dossier(audit.cycle.organisation, officer, cycle=audit.cycle)
    # The demo's access review, open (seed_demo_access_review).
    review = Campaign.objects.get(organisation__slug=SLUG)
    found: dict[tuple[str, str], object] = {
        ("o", "slug"): SLUG,
        ("audits", "pk"): audit.pk,
        ("cycles", "pk"): audit.cycle_id,
        ("findings", "pk"): finding.pk if finding else None,
        ("findings", "finding_pk"): finding.pk if finding else None,
        # The demo's audit is the initial one: nothing carries over to it, so every person's
        # check of its finding is a 404 (tests/audits/test_carryover.py checks the real ones).
        ("carried-over", "finding_pk"): finding.pk if finding else None,
        ("evidence", "pk"): item.pk if item else None,
        ("v", "number"): 1,
        ("versions", "number"): 1,
        ("versions", "version_pk"): pinned.version_id if pinned else None,
        ("members", "pk"): contributor.pk,
        ("invitations", "pk"): invitation.pk,
        ("tokens", "pk"): token.pk,
        ("passkeys", "pk"): passkey.pk,
        ("certificates", "pk"): _pk(Certificate.objects.filter(organisation__slug=SLUG).first()),
        ("certificate-tasks", "pk"): _pk(
            CertificateProcedureTask.objects.filter(procedure__organisation__slug=SLUG).first()
        ),
        ("subcontractors", "pk"): _pk(
            Subcontractor.objects.filter(organisation__slug=SLUG).first()
        ),
        ("soa", "pk"): control.pk if control else None,
        ("requirements", "pk"): exi05.pk,
        ("requirements", "rpk"): exi05.pk,
        ("readiness", "pk"): exi05.pk,
        ("readiness", "code"): "hds",
        ("catalog", "pk"): hds.pk,
        ("frameworks", "pk"): hds.pk,
        ("dossiers", "pk"): dossier.pk,
        ("reviews", "pk"): _pk(EvidenceReview.objects.filter(audit=audit).first()),
        ("auditors", "access_pk"): _pk(AuditorAccess.objects.filter(audit=audit).first()),
        ("invitations", "token"): "x" * 43,
        ("auditor-invitations", "token"): "x" * 43,
        ("calendar", "token"): "x" * 43,
        ("contracts", "pk"): _pk(
            Contract.objects.filter(organisation__slug=SLUG, template__isnull=False).first()
        ),
        ("clients", "pk"): _pk(HostClient.objects.filter(organisation__slug=SLUG).first()),
        ("contacts", "pk"): _pk(
            ClientContact.objects.filter(client__organisation__slug=SLUG).first()
        ),
        ("clauses", "clause"): "exi17",
        ("storage", "pk"): _pk(StorageLocation.objects.filter(organisation__slug=SLUG).first()),
        ("access", "pk"): _pk(RemoteAccess.objects.filter(organisation__slug=SLUG).first()),
        ("laws", "pk"): _pk(LawExposure.objects.filter(organisation__slug=SLUG).first()),
        ("garanties", "slug"): SLUG,
        ("access-reviews", "pk"): review.pk,
        ("lines", "item_pk"): _pk(review.items.order_by("pk").first()),
        ("", "number"): 1,
    }
    assert all(value is not None for value in found.values()), found
    return found


def _url(route: str, name: str, objects: dict[tuple[str, str], object]) -> str:
    def fill(match: re.Match[str]) -> str:
        segment, argument = match.group(1) or "", match.group(2)
        if argument == "action":
            value: object = "correction-submit" if "findings" in route else "finding-raise"
        else:
            key = (segment, argument)
            assert key in objects, f"{name}: no expectation for <{argument}> after {segment}/"
            value = objects[key]
        return f"{segment}/{value}" if segment else str(value)

    return "/" + _ARGUMENT.sub(fill, route).replace(".ics", ".ics")


def _holds_objects(route: str) -> bool:
    return bool(_ARGUMENT.search(route))


@pytest.fixture
def world(demo) -> dict[str, object]:  # noqa: F811
    audit = Audit.objects.filter(cycle__organisation__slug=SLUG).order_by("pk").first()
    assert audit is not None
    # The public guarantees page answers only once a version is published.
    officer = Membership.objects.get(organisation__slug=SLUG, role=Role.OFFICER).user
    guarantees_publish(organisation=audit.cycle.organisation, actor=officer)
    return {"audit": audit, "objects": _objects(audit), "auditor": demo["auditor"]}


# Leaves the session: every later request would be anonymous (tests/hdsready/test_views.py).
NOT_PROBED = frozenset({"hdsready:logout"})


def _answers(
    client: Client, objects: dict, *, only_holding: bool
) -> Iterator[tuple[str, str, int, str]]:
    for route, name in ROUTES:
        if name in NOT_PROBED or (only_holding and not _holds_objects(route)):
            continue
        url = _url(route, name, objects)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            yield name, method, response.status_code, response.get("Location", "")


def _unchanged(before: int) -> None:
    assert TrailEvent.objects.count() == before, "a refused request changed something"


def test_every_route_has_an_expectation(world) -> None:
    for route, name in ROUTES:
        _url(route, name, world["objects"])


def test_anonymous_reaches_nothing_but_the_public_pages(world) -> None:
    before = TrailEvent.objects.count()
    wrong = []
    for name, method, status, location in _answers(Client(), world["objects"], only_holding=False):
        if status >= 500:
            wrong.append((name, method, status))
        elif name in PUBLIC:
            continue
        elif name.startswith("api:"):
            if status not in (401, 403, 405):
                wrong.append((name, method, status))
        elif not (status == 302 and location.startswith("/login/")) and status != 405:
            wrong.append((name, method, status, location))
    assert wrong == []
    _unchanged(before)


def test_a_password_without_the_second_factor_reaches_nothing(world) -> None:
    client = Client()
    client.force_login(Membership.objects.get(organisation__slug=SLUG, role=Role.OFFICER).user)
    before = TrailEvent.objects.count()
    wrong = []
    for name, method, status, location in _answers(client, world["objects"], only_holding=False):
        if status >= 500:
            wrong.append((name, method, status))
        elif name in PUBLIC or name in {
            "hdsready:mfa-verify",
            "hdsready:mfa-enrol",
            "hdsready:logout",
        }:
            continue
        elif name.startswith("api:"):
            if status not in (401, 403, 405):
                wrong.append((name, method, status))
        elif not (status == 302 and location.startswith(("/mfa/", "/login/"))) and status != 405:
            wrong.append((name, method, status, location))
    assert wrong == []
    _unchanged(before)


def _strangers_get_404(client: Client, world: dict) -> None:
    before = TrailEvent.objects.count()
    answers = list(_answers(client, world["objects"], only_holding=True))
    assert len(answers) > 200  # every route naming an object, on GET and POST
    wrong = [
        (name, method, status)
        for name, method, status, _location in answers
        if name not in PUBLIC and status not in (404, 405)
    ]
    assert wrong == []
    _unchanged(before)


def test_a_member_of_another_organisation_gets_404_everywhere(world) -> None:
    other = OrganisationFactory(name="Autre hébergeur", slug="autre")
    _strangers_get_404(
        verified_client_for(make_member(other, Role.OFFICER, email="o@autre.test")), world
    )


def test_the_auditor_of_another_audit_gets_404_everywhere(world, cast) -> None:  # noqa: F811
    other_audit = audit_in("stage1_planned", cast)
    assert other_audit.cycle.organisation.slug != SLUG
    _strangers_get_404(verified_client_for(cast.auditor), world)


def test_the_demo_auditor_after_their_window_gets_404_everywhere(world) -> None:
    with time_machine.travel(timezone.now() + timedelta(days=60), tick=False):
        _strangers_get_404(verified_client_for(world["auditor"]), world)


def test_an_auditor_before_their_window_gets_404_everywhere(world) -> None:
    audit = world["audit"]
    officer = Membership.objects.get(organisation__slug=SLUG, role=Role.OFFICER).user
    early = UserFactory(email="early@organisme.test")
    now = timezone.now()
    access, _raw = auditor_invite(
        audit=audit,
        email=early.email,
        valid_from=now + timedelta(days=1),
        valid_until=now + timedelta(days=5),
        actor=officer,
    )
    auditor_accept_existing_user(access=access, user=early)
    _strangers_get_404(verified_client_for(early), world)


# What each person of the organisation gets, GET then an empty POST, for officer, contributor,
# manager and the auditor invited to the demo audit (in that order). Pages answer 404 for what a
# person may not reach or do; the API answers 403 to a member of the organisation whose role does
# not allow the request and 404 to anyone else. 302 is a redirect to a page of the app (never to
# the login or second-factor pages: checked below); 200 on a POST is a form sent back with its
# errors; 400/415 an API request refused for its body.
PERSONAS = ("officer", "contributor", "manager", "auditor")
MEMBERS = {
    "audits:auditor-programme": "404 404 404 200 | 405 405 405 405",
    # Officers review access rights; managers read the reviews. The world's review is open, so
    # the officer is sent to it from the page that opens one.
    "accessreviews:campaign-list": "200 404 200 404 | 405 405 405 405",
    "accessreviews:campaign-open": "302 404 404 404 | 302 404 404 404",
    "accessreviews:policy-edit": "200 404 404 404 | 200 404 404 404",
    "accessreviews:campaign-detail": "200 404 200 404 | 405 405 405 405",
    "accessreviews:campaign-close": "405 405 405 405 | 302 404 404 404",
    "accessreviews:item-decide": "405 405 405 405 | 200 404 404 404",
    "audits:programme-requirement": "200 200 404 404 | 302 302 404 404",
    "audits:programme-body-plan": "405 405 405 405 | 200 200 404 404",
    "audits:programme-propose": "405 405 405 405 | 302 302 404 404",
    "audits:cycle-programme": "200 200 200 404 | 405 405 405 405",
    "api:auditor-programme": "404 404 404 200 | 405 405 405 405",
    "api:programme-requirement": "200 200 200 404 | 405 405 405 404",
    "api:programme-body-plan": "405 405 405 404 | 415 415 403 404",
    "api:programme-propose": "405 405 405 404 | 400 400 403 404",
    "api:programme-list": "200 200 200 404 | 405 405 405 404",
    "api:audit-action": "405 405 405 404 | 415 403 403 404",
    "api:audit-action-list": "200 200 200 404 | 405 405 405 404",
    "api:audit-detail": "200 200 200 404 | 405 405 405 404",
    "api:audit-list": "200 200 200 404 | 415 403 403 404",
    "api:audit-review-list": "200 200 200 404 | 405 405 405 404",
    "api:auditor-access-list": "200 200 200 404 | 415 403 403 404",
    "api:auditor-access-revoke": "405 405 405 404 | 200 403 403 404",
    "api:auditor-action": "405 405 405 405 | 404 404 404 415",
    "api:auditor-action-list": "404 404 404 200 | 405 405 405 405",
    "api:auditor-audit-detail": "404 404 404 200 | 405 405 405 405",
    "api:auditor-audit-list": "200 200 200 200 | 405 405 405 405",
    "api:auditor-finding-action": "405 405 405 405 | 404 404 404 404",
    "api:certificate-detail": "200 200 200 404 | 405 405 405 404",
    "api:certificate-list": "200 200 200 404 | 415 403 403 404",
    "api:certificate-procedure": "200 200 200 404 | 405 405 405 404",
    "api:certificate-status": "405 405 405 404 | 415 403 403 404",
    "api:client-detail": "200 200 200 404 | 405 405 405 404",
    "api:client-list": "200 200 200 404 | 405 405 405 404",
    "api:contract-clause-detail": "200 200 200 404 | 405 405 405 404",
    "api:contract-clause-list": "200 200 200 404 | 405 405 405 404",
    "api:contract-detail": "200 200 200 404 | 405 405 405 404",
    "api:contract-list": "200 200 200 404 | 415 415 403 404",
    "api:cycle-detail": "200 200 200 404 | 405 405 405 404",
    "api:cycle-list": "200 200 200 404 | 415 403 403 404",
    "api:deadline-list": "200 200 200 404 | 405 405 405 404",
    "api:docs": "200 200 200 200 | 405 405 405 405",
    "api:dossier-detail": "200 403 200 404 | 405 405 405 404",
    "api:dossier-download": "200 403 200 404 | 405 405 405 404",
    "api:dossier-list": "200 403 200 404 | 415 403 415 404",
    "api:dossier-retry": "405 405 405 404 | 400 403 400 404",
    "api:evidence-detail": "200 200 200 404 | 405 405 405 404",
    "api:evidence-list": "200 200 200 404 | 415 415 403 404",
    "api:evidence-status": "405 405 405 404 | 415 415 403 404",
    "api:evidence-version-download": "200 200 200 404 | 405 405 405 404",
    "api:evidence-version-list": "200 200 200 404 | 400 400 403 404",
    "api:finding-action": "405 405 405 404 | 415 415 403 404",
    "api:finding-detail": "200 200 200 404 | 405 405 405 404",
    "api:finding-list": "200 200 200 404 | 405 405 405 404",
    "api:framework-list": "200 200 200 404 | 405 405 405 404",
    "api:guarantees-list": "200 200 200 404 | 415 403 403 404",
    "api:host-check-list": "200 200 200 404 | 405 405 405 404",
    "api:host-list": "200 200 200 404 | 405 405 405 404",
    "api:host-profile": "200 200 200 404 | 405 405 405 404",
    "api:law-exposure-detail": "200 200 200 404 | 405 405 405 404",
    "api:law-exposure-list": "200 200 200 404 | 415 415 403 404",
    "api:organisation-list": "200 200 200 200 | 405 405 405 405",
    "api:readiness-detail": "200 200 200 404 | 405 405 405 404",
    "api:procedure-task-done": "405 405 405 404 | 200 200 403 404",
    "api:readiness-list": "200 200 200 404 | 405 405 405 404",
    "api:remote-access-detail": "200 200 200 404 | 405 405 405 404",
    "api:remote-access-list": "200 200 200 404 | 415 415 403 404",
    "api:requirement-list": "200 200 200 404 | 405 405 405 404",
    "api:schema": "200 200 200 200 | 405 405 405 405",
    "api:scope-detail": "200 200 200 404 | 405 405 405 404",
    "api:soa-detail": "200 200 200 404 | 405 405 405 404",
    "api:soa-list": "200 200 200 404 | 405 405 405 404",
    "api:storage-location-detail": "200 200 200 404 | 405 405 405 404",
    "api:storage-location-list": "200 200 200 404 | 415 415 403 404",
    "api:subcontractor-detail": "200 200 200 404 | 405 405 405 404",
    "api:subcontractor-list": "200 200 200 404 | 415 403 403 404",
    "api:token-list": "200 200 200 200 | 405 405 405 405",
    "api:token-revoke": "405 405 405 405 | 200 404 404 404",
    "audits:audit-action": "405 405 405 405 | 200 404 404 404",
    "audits:audit-detail": "200 200 200 404 | 405 405 405 405",
    # The demo's audit here is the initial audit: it has no delta (tests/audits/test_delta.py
    # pins the pages of a surveillance audit for every persona).
    "audits:audit-delta": "404 404 404 404 | 405 405 405 405",
    "audits:auditor-delta": "404 404 404 404 | 405 405 405 405",
    "audits:audit-evidence-search": "200 200 404 404 | 405 405 405 405",
    "audits:audit-plan": "405 405 405 405 | 200 404 404 404",
    "audits:audit-reviews": "200 200 200 404 | 405 405 405 405",
    "audits:auditor-accept": "404 404 404 404 | 404 404 404 404",
    "audits:auditor-action": "405 405 405 405 | 404 404 404 200",
    "audits:auditor-audit": "404 404 404 200 | 405 405 405 405",
    "audits:auditor-evidence-search": "404 404 404 200 | 405 405 405 405",
    "audits:auditor-finding-action": "405 405 405 405 | 404 404 404 404",
    "audits:auditor-carryover-check": "405 405 405 405 | 404 404 404 404",
    "audits:carryover-check": "405 405 405 405 | 404 404 404 404",
    "audits:auditor-home": "200 200 200 200 | 405 405 405 405",
    "audits:auditor-invite": "405 405 405 405 | 200 404 404 404",
    "audits:auditor-review": "404 404 404 200 | 405 405 405 405",
    "audits:auditor-revoke": "405 405 405 405 | 302 404 404 404",
    "audits:auditor-version-view": "404 404 404 200 | 405 405 405 405",
    "audits:calendar-feed": "404 404 404 404 | 405 405 405 405",
    "audits:calendar-revoke": "405 405 405 405 | 302 302 302 302",
    "audits:calendar-token": "200 200 200 200 | 200 200 200 200",
    "audits:cycle-list": "200 200 200 404 | 200 404 404 404",
    "audits:finding-action": "405 405 405 405 | 200 200 404 404",
    "audits:home-certification": "200 200 200 404 | 405 405 405 405",
    "audits:home-my-work": "200 200 200 404 | 405 405 405 405",
    "audits:home-progress": "200 200 200 404 | 405 405 405 405",
    "audits:item-reviews": "200 200 200 404 | 405 405 405 405",
    "audits:review-answer": "405 405 405 405 | 200 200 404 404",
    "contracts:client-delete": "405 405 405 405 | 302 302 404 404",
    "contracts:client-certificates": "200 200 404 404 | 200 200 404 404",
    "contracts:client-detail": "200 200 200 404 | 200 200 404 404",
    "contracts:client-list": "200 200 200 404 | 200 200 404 404",
    "contracts:contact-create": "405 405 405 405 | 200 200 404 404",
    "contracts:contact-delete": "405 405 405 405 | 302 302 404 404",
    "contracts:contact-edit": "200 200 404 404 | 200 200 404 404",
    "contracts:contact-export": "200 200 200 404 | 405 405 405 405",
    "contracts:contract-create": "200 200 404 404 | 200 200 404 404",
    "contracts:contract-delete": "405 405 405 405 | 302 302 404 404",
    "contracts:contract-detail": "200 200 200 404 | 200 200 404 404",
    "contracts:contract-edit": "200 200 404 404 | 200 200 404 404",
    "contracts:contract-list": "200 200 200 404 | 405 405 405 405",
    "sovereignty:access-create": "200 200 404 404 | 200 200 404 404",
    "sovereignty:access-delete": "405 405 405 405 | 302 302 404 404",
    "sovereignty:access-edit": "200 200 404 404 | 200 200 404 404",
    "sovereignty:law-create": "200 200 404 404 | 200 200 404 404",
    "sovereignty:law-delete": "405 405 405 405 | 302 302 404 404",
    "sovereignty:law-edit": "200 200 404 404 | 200 200 404 404",
    "sovereignty:register": "200 200 200 404 | 405 405 405 405",
    "sovereignty:storage-create": "200 200 404 404 | 200 200 404 404",
    "sovereignty:storage-delete": "405 405 405 405 | 302 302 404 404",
    "sovereignty:storage-edit": "200 200 404 404 | 200 200 404 404",
    "dossiers:dossier-detail": "200 404 200 404 | 405 405 405 405",
    "dossiers:dossier-download": "200 404 200 404 | 405 405 405 405",
    "dossiers:dossier-list": "200 404 200 404 | 200 404 200 404",
    "dossiers:dossier-retry": "405 405 405 405 | 302 404 302 404",
    "dossiers:dossier-status": "200 404 200 404 | 405 405 405 405",
    "evidence:item-detail": "200 200 200 404 | 200 200 404 404",
    "evidence:certificate-file": "405 405 405 405 | 302 404 404 404",
    "evidence:item-list": "200 200 200 404 | 200 200 404 404",
    "evidence:item-status": "405 405 405 405 | 302 302 404 404",
    "evidence:requirement-evidence": "200 200 200 404 | 302 302 404 404",
    "evidence:review-due": "200 200 200 404 | 405 405 405 405",
    "evidence:version-download": "200 200 200 404 | 405 405 405 405",
    "evidence:version-upload": "405 405 405 405 | 302 302 404 404",
    "evidence:version-view": "200 200 200 404 | 405 405 405 405",
    "guarantees:guarantees-page": "200 200 200 404 | 405 405 405 405",
    "guarantees:guarantees-publish": "405 405 405 405 | 302 404 404 404",
    # Public: anyone reads a published version (the world publishes one).
    "guarantees:public-latest": "200 200 200 200 | 405 405 405 405",
    "guarantees:public-pdf": "200 200 200 200 | 405 405 405 405",
    "guarantees:public-version": "200 200 200 200 | 405 405 405 405",
    "hdsready:home": "302 302 302 302 | 405 405 405 405",
    "hdsready:identity-provider-edit": "200 404 404 404 | 200 404 404 404",
    "hdsready:invitation-accept": "404 404 404 404 | 404 404 404 404",
    "hdsready:invitation-revoke": "405 405 405 405 | 302 404 404 404",
    "hdsready:language-set": "405 405 405 405 | 302 302 302 302",
    "hdsready:login": "302 302 302 302 | 302 302 302 302",
    "hdsready:member-invite": "405 405 405 405 | 200 404 404 404",
    "hdsready:member-list": "200 404 404 404 | 405 405 405 405",
    "hdsready:member-mfa-reset": "405 405 405 405 | 302 404 404 404",
    "hdsready:member-remove": "405 405 405 405 | 302 404 404 404",
    "hdsready:member-role": "405 405 405 405 | 302 404 404 404",
    "hdsready:mfa-backup-codes": "200 200 200 200 | 302 302 302 302",
    "hdsready:mfa-enrol": "200 200 200 200 | 200 200 200 200",
    "hdsready:mfa-verify": "302 302 302 302 | 302 302 302 302",
    "hdsready:mfa-passkey-verify": "405 405 405 405 | 302 302 302 302",
    "hdsready:organisation-passkey-policy": "405 405 405 405 | 302 404 404 404",
    "hdsready:passkey-list": "200 200 200 200 | 405 405 405 405",
    # A refused enrolment (here: no answer) shows the list again with its errors.
    "hdsready:passkey-register": "405 405 405 405 | 200 200 200 200",
    # The officer's own passkey (the world makes one); anybody else's is a 404.
    "hdsready:passkey-remove": "405 405 405 405 | 302 404 404 404",
    "hdsready:passkey-rename": "405 405 405 405 | 200 404 404 404",
    "hdsready:notification-list": "200 200 200 200 | 405 405 405 405",
    "hdsready:notification-read": "405 405 405 405 | 302 302 302 302",
    "hdsready:organisation-home": "200 200 200 404 | 405 405 405 405",
    "hdsready:organisation-open": "404 404 404 404 | 404 404 404 404",
    # A verified session has nothing to sign in to: home.
    "hdsready:sso-callback": "302 302 302 302 | 405 405 405 405",
    "hdsready:sso-start": "302 302 302 302 | 302 302 302 302",
    "hdsready:token-list": "200 200 200 200 | 200 200 200 200",
    "hdsready:token-revoke": "405 405 405 405 | 302 404 404 404",
    "hdsready:trail-list": "200 404 404 404 | 405 405 405 405",
    "scopes:catalog-detail": "200 200 200 404 | 405 405 405 405",
    "scopes:catalog-import": "405 405 405 405 | 200 404 404 404",
    "scopes:catalog-list": "200 200 200 404 | 405 405 405 405",
    "scopes:certificate-create": "200 404 404 404 | 200 404 404 404",
    "scopes:certificate-delete": "405 405 405 405 | 302 404 404 404",
    "scopes:certificate-edit": "200 404 404 404 | 200 404 404 404",
    "scopes:certificate-detail": "200 200 200 404 | 405 405 405 405",
    "scopes:chain-view": "200 200 200 404 | 405 405 405 405",
    "scopes:host-list": "200 200 200 404 | 405 405 405 405",
    "scopes:host-list-import": "302 404 404 404 | 302 404 404 404",
    "scopes:host-list-upload": "405 405 405 405 | 200 404 404 404",
    "scopes:certificate-status": "405 405 405 405 | 200 404 404 404",
    "scopes:iso-view": "200 200 200 404 | 405 405 405 405",
    "scopes:profile-edit": "405 405 405 405 | 302 404 404 404",
    "scopes:readiness-bulk": "405 405 405 405 | 200 200 404 404",
    "scopes:procedure-task-done": "405 405 405 405 | 302 302 404 404",
    "scopes:readiness-edit": "200 200 200 404 | 200 200 404 404",
    "scopes:readiness-list": "200 200 200 404 | 405 405 405 405",
    "scopes:scope-edit": "200 200 200 404 | 302 404 404 404",
    "scopes:soa-edit": "200 200 200 404 | 200 200 404 404",
    "scopes:soa-export": "200 200 200 404 | 405 405 405 405",
    "scopes:soa-import": "405 405 405 405 | 200 200 404 404",
    "scopes:soa-list": "200 200 200 404 | 405 405 405 405",
    "scopes:soa-print": "200 200 200 404 | 405 405 405 405",
    "scopes:subcontractor-detail": "200 200 200 404 | 200 404 404 404",
    "scopes:subcontractor-list": "200 200 200 404 | 200 404 404 404",
}


def test_each_person_of_the_organisation_gets_the_answer_pinned_for_every_route(
    world,
    demo,  # noqa: F811
) -> None:
    wrong = []
    for column, persona in enumerate(PERSONAS):
        wrong += _members_answers(verified_client_for(demo[persona]), world, column, persona)
    assert wrong == []


def _members_answers(client: Client, world: dict, column: int, persona: str) -> list[tuple]:
    wrong: list[tuple] = []
    for route, name in ROUTES:
        if name in NOT_PROBED:
            continue
        assert name in MEMBERS, f"{name}: no expectation for the organisation's people in MEMBERS"
        expected_get, expected_post = (part.split()[column] for part in MEMBERS[name].split(" | "))
        url = _url(route, name, world["objects"])
        got_get = client.get(url)
        before = TrailEvent.objects.count()
        with transaction.atomic():  # an accepted empty POST changes nothing for the next route
            got_post = client.post(url)
            changed = TrailEvent.objects.count() != before
            transaction.set_rollback(True)
        for method, expected, got in (
            ("get", expected_get, got_get),
            ("post", expected_post, got_post),
        ):
            if str(got.status_code) != expected:
                wrong.append((persona, name, method, expected, got.status_code))
            if got.get("Location", "").startswith(("/login/", "/mfa/verify/")):
                wrong.append((persona, name, method, "sent to log in again", got["Location"]))
        if got_post.status_code >= 400 and changed:
            wrong.append((persona, name, "post", "refused but changed something"))
    return wrong
