"""Every route of the app (pages and API, found from the URL configuration) against the people
who must not reach what it holds: anonymous, a password without the second factor, a member of
another organisation, the auditor of another audit, and the demo's auditor before and after
their access window. Each gets its expected answer on GET and POST, nothing changes, and a route
whose arguments this file cannot fill fails the test (a new route needs an expectation here).

What each member of the organisation may do is pinned by each app's view tests and by the
workflow's state x action x role tests (tests/audits/test_workflow.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from audits.models import Audit, AuditorAccess, EvidenceReview, Finding, PinnedVersion
from audits.services.auditors import auditor_accept_existing_user, auditor_invite
from evidence.models import EvidenceItem
from hdsready.models import Membership, Role, TrailEvent
from hdsready.services.invitations import invitation_send
from hdsready.services.tokens import api_token_create
from scopes.models import Certificate, Framework, Requirement, Subcontractor
from tests.audits.conftest import auditor, cast, scoped  # noqa: F401  (the audits' personas)
from tests.audits.workflow_helpers import audit_in
from tests.conftest import verified_client_for
from tests.dossiers.helpers import stored_dossier
from tests.factories import OrganisationFactory, UserFactory, make_member
from tests.test_crawl import demo  # noqa: F401  (the demo of `make run`, one persona per role)

pytestmark = pytest.mark.django_db

SLUG = "demo"
# Reached without logging in, by design: their own checks are tested where they live.
PUBLIC = frozenset(
    {
        "hdsready:login",
        "hdsready:language-set",
        "hdsready:invitation-accept",
        "audits:auditor-accept",
        "audits:calendar-feed",
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
    hds = Framework.objects.get(code="hds")
    exi05 = Requirement.objects.get(framework=hds, ref_id="EXI 05")
    control = Requirement.objects.filter(framework__code="iso27001", ref_id="A.5.1").first()
    dossier = stored_dossier(audit.cycle.organisation, officer, cycle=audit.cycle)
    found: dict[tuple[str, str], object] = {
        ("o", "slug"): SLUG,
        ("audits", "pk"): audit.pk,
        ("cycles", "pk"): audit.cycle_id,
        ("findings", "pk"): finding.pk if finding else None,
        ("findings", "finding_pk"): finding.pk if finding else None,
        ("evidence", "pk"): item.pk if item else None,
        ("v", "number"): 1,
        ("versions", "number"): 1,
        ("versions", "version_pk"): pinned.version_id if pinned else None,
        ("members", "pk"): contributor.pk,
        ("invitations", "pk"): invitation.pk,
        ("tokens", "pk"): token.pk,
        ("certificates", "pk"): _pk(Certificate.objects.filter(organisation__slug=SLUG).first()),
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
