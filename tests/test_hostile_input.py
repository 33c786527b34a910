"""Hostile and clumsy input at the edges the forms do not guard: query strings, JSON bodies and
OPTIONS on every API route. A clear 4xx or a message, never a 500, nothing changed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_otp_webauthn.models import WebAuthnCredential

from audits.models import Audit, AuditKind
from hdsready.models import TrailEvent, User
from scopes.models import ReadinessStatus
from scopes.services.assessment import ReadinessData, readiness_update
from tests.audits.conftest import auditor, cast, scoped  # noqa: F401  (the audit's people)
from tests.audits.workflow_helpers import Cast, audit_in, invite, requirement
from tests.conftest import verified_client_for
from tests.factories import make_passkey
from tests.test_crawl import demo  # noqa: F401  (the demo of `make run`, one persona per role)

# The API routes are probed on the small `organisation` of tests/conftest.py (slug clinicloud):
# one demo per route would cost minutes for nothing the answers depend on.

pytestmark = pytest.mark.django_db

# What each kind of route argument is filled with: any value of the right shape will do, the
# point is what the route answers, not which object it finds.
ARGUMENTS = {
    "slug": "clinicloud",
    "pk": 1,
    "number": 1,
    "access_pk": 1,
    "finding_pk": 1,
    "action": "stage1-schedule",
    "clause": "exi17",
    "rpk": 1,
}


def _routes(patterns: list, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{pattern.namespace}:" if pattern.namespace else ""
            yield from _routes(pattern.url_patterns, prefix + namespace)
        else:
            yield prefix + (pattern.name or ""), pattern


def api_routes() -> list[tuple[str, list[str]]]:
    found = []
    for name, pattern in _routes(get_resolver().url_patterns):
        if name.startswith("api:"):
            found.append((name, sorted(pattern.pattern.converters)))
    return found


def api_url(name: str, arguments: list[str]) -> str:
    return reverse(name, kwargs={argument: ARGUMENTS[argument] for argument in arguments})


def test_every_api_route_is_listed() -> None:
    routes = api_routes()
    assert len(routes) > 30
    assert all(set(arguments) <= set(ARGUMENTS) for _name, arguments in routes), routes


@pytest.mark.parametrize(("name", "arguments"), api_routes())
def test_options_never_fails(officer: User, name: str, arguments: list[str]) -> None:
    response = verified_client_for(officer).options(api_url(name, arguments))
    assert response.status_code < 500, (name, response.status_code)
    if response.status_code == 200 and response["Content-Type"].startswith("application/json"):
        assert "actions" not in response.json()


@pytest.mark.parametrize(("name", "arguments"), api_routes())
@pytest.mark.parametrize("method", ["post", "put", "patch"])
def test_a_nul_character_in_json_is_a_400_and_changes_nothing(
    officer: User, name: str, arguments: list[str], method: str
) -> None:
    client = verified_client_for(officer)
    before = TrailEvent.objects.count()
    body = {
        "title": "a\x00b",
        "notes": "n\x00",
        "description": "\x00",
        "correction": "c\x00",
        "justification": "j\x00",
        "status": "compliant",
        "items": ["\x00"],
        "nested": {"\x00key": "value"},
    }
    response = getattr(client, method)(
        api_url(name, arguments), data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code < 500, (name, method, response.status_code)
    if response.status_code not in (404, 405, 403):
        assert response.status_code == 400, (name, method, response.status_code)
    assert TrailEvent.objects.count() == before


@pytest.mark.parametrize(
    "asked", ["2025-02-30", "2025-13-01", "0000-01-01", "31/02/2025", "x" * 10_000, "\x00"]
)
def test_an_impossible_date_on_the_chain_shows_today_with_an_error(
    demo: dict[str, User],  # noqa: F811
    asked: str,
) -> None:
    response = verified_client_for(demo["officer"]).get("/o/demo/chain/", {"on": asked})
    assert response.status_code == 200
    assert response.context["on"] == timezone.localdate()
    assert response.context["form"].errors


def test_a_real_date_on_the_chain_is_kept(demo: dict[str, User]) -> None:  # noqa: F811
    response = verified_client_for(demo["officer"]).get("/o/demo/chain/", {"on": "2027-02-28"})
    assert response.status_code == 200
    assert response.context["on"].isoformat() == "2027-02-28"
    assert not response.context["form"].errors


@pytest.mark.parametrize("holder", ["²", "٣", "-1", "9" * 30, "1e3", "\x00", ""])
def test_a_strange_subcontractor_id_is_no_subcontractor(
    demo: dict[str, User],  # noqa: F811
    holder: str,
) -> None:
    client: Client = verified_client_for(demo["officer"])
    response = client.get("/o/demo/certificates/new/", {"subcontractor": holder})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/api/o/clinicloud/evidence/-1/",
        "/api/o/clinicloud/audits/x/actions/",
        "/api/o/cl%C3%AC/scope/",
        "/api/nothing-here/",
    ],
)
def test_an_api_path_no_route_matches_is_a_json_404(officer: User, path: str) -> None:
    response = verified_client_for(officer).get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail"}


def test_a_page_no_route_matches_is_still_the_404_page(officer: User) -> None:
    response = verified_client_for(officer).get("/o/clinicloud/nothing-here/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    "query",
    [
        {"page": "\x00"},
        {"page": "9" * 30},
        {"page": "-3"},
        {"page": "1e3"},
        {"section": "bogus"},
        {"section": "\x00", "page": "2"},
        {"section": "x" * 10_000},
        {"section": ["evidence", "soa"], "page": ["1", "x"]},
    ],
)
def test_strange_queries_on_the_delta_pages_give_a_page(
    cast: Cast,  # noqa: F811
    query: dict[str, object],
) -> None:
    """The delta of a surveillance audit (tests/audits/test_delta.py), member's and auditor's:
    an unknown section is every section, a page that is no page the first or the last
    one."""
    decided = audit_in("decided", cast)
    surveillance = Audit.objects.filter(cycle=decided.cycle, kind=AuditKind.SURVEILLANCE).first()
    assert surveillance is not None
    readiness_update(
        organisation=cast.organisation,
        requirement=requirement("EXI 13"),
        data=ReadinessData(status=ReadinessStatus.COMPLIANT),
        actor=cast.officer,
    )
    invite(surveillance, cast.officer, cast.auditor)
    before = TrailEvent.objects.count()
    for user, url in (
        (cast.officer, reverse("audits:audit-delta", args=["clinicloud", surveillance.pk])),
        (cast.auditor, reverse("audits:auditor-delta", args=[surveillance.pk])),
    ):
        response = verified_client_for(user).get(url, query)
        assert response.status_code == 200
        assert 'id="delta-summary"' in response.content.decode()
    assert TrailEvent.objects.count() == before


# Carry-over (issue 15): the observation's action plan and the check of a carried-over finding.


@pytest.mark.parametrize(
    "due", ["2025-02-30", "2025-13-01", "31/02/2025", "x" * 10_000, "\x00", "2000-01-01"]
)
def test_an_impossible_action_plan_due_date_changes_nothing(cast, due: str) -> None:  # noqa: F811
    from audits.models import AuditStatus, FindingKind
    from audits.services.findings import finding_raise
    from tests.audits.workflow_helpers import audit_in, requirement

    audit = audit_in(AuditStatus.STAGE2_DONE, cast)
    observation = finding_raise(
        audit=audit,
        kind=FindingKind.OBSERVATION,
        requirement=requirement("EXI 10"),
        description="Awareness",
        actor=cast.auditor,
    )
    before = TrailEvent.objects.count()
    prefix = f"observation-plan-{observation.pk}"
    response = verified_client_for(cast.officer).post(
        reverse(
            "audits:finding-action",
            args=[cast.organisation.slug, observation.pk, "observation-plan"],
        ),
        {
            f"{prefix}-action_plan": "Plan\x00" if due == "\x00" else "Plan",
            f"{prefix}-action_plan_due_on": due,
        },
    )
    assert response.status_code == 200
    assert TrailEvent.objects.count() == before
    observation.refresh_from_db()
    assert observation.action_plan_due_on is None


def test_another_organisations_finding_is_no_carried_over_finding(cast, outsider) -> None:  # noqa: F811
    from audits.models import Audit, AuditKind, AuditStatus, Cycle, Finding, FindingKind
    from tests.audits.test_carryover import decided_with_findings, onsite_planned, surveillance_of
    from tests.audits.workflow_helpers import requirement

    initial, _found = decided_with_findings(cast)
    s1 = onsite_planned(surveillance_of(initial), cast)
    stranger_audit = Audit.objects.create(
        cycle=Cycle.objects.create(
            organisation=outsider.memberships.get().organisation,
            certification_body="X",
            accreditation="1",
        ),
        kind=AuditKind.INITIAL,
        status=AuditStatus.DECIDED,
        stage2_ended_on=timezone.localdate(),
    )
    theirs = Finding.objects.create(
        audit=stranger_audit,
        kind=FindingKind.OBSERVATION,
        requirement=requirement("EXI 10"),
        description="Theirs",
        raised_by=outsider,
        action_plan="Plan",
        action_plan_due_on=timezone.localdate() + timedelta(days=30),
    )
    before = TrailEvent.objects.count()
    prefix = f"carryover-{theirs.pk}"
    data = {f"{prefix}-outcome": "closed", f"{prefix}-comment": "Seen"}
    officer_url = reverse("audits:carryover-check", args=[cast.organisation.slug, s1.pk, theirs.pk])
    auditor_url = reverse("audits:auditor-carryover-check", args=[s1.pk, theirs.pk])
    assert verified_client_for(cast.officer).post(officer_url, data).status_code == 404
    assert verified_client_for(cast.auditor).post(auditor_url, data).status_code == 404
    assert TrailEvent.objects.count() == before


SSO_VALID = {
    "enabled": "on",
    "issuer_url": "https://idp.clinicloud.test",
    "client_id": "hdsready",
    "client_secret": "s3cret",
    "email_domains": "clinicloud.test",
    "accepted_mfa_values": "mfa",
}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("issuer_url", "https://idp.test/\x00"),
        ("issuer_url", "https://" + "a" * 10_000 + ".test"),
        ("issuer_url", "javascript:alert(1)"),
        ("issuer_url", "http://idp.clinicloud.test"),  # plain http off this machine
        ("issuer_url", "https://idp.test/?next=x"),
        ("client_id", "\x00"),
        ("client_id", "x" * 10_000),
        ("client_secret", "\x00"),
        ("email_domains", "clinicloud.test\x00"),
        ("email_domains", "x" * 10_000),
        ("email_domains", "not a domain!"),
        ("email_domains", " ".join(f"d{n}.test" for n in range(21))),
        ("email_domains", ""),
        ("accepted_mfa_values", "mfa\x00"),
        ("accepted_mfa_values", "x" * 10_000),
    ],
)
def test_hostile_single_sign_on_settings_change_nothing(
    officer: User, field: str, value: str
) -> None:
    client = verified_client_for(officer)
    before = TrailEvent.objects.count()
    response = client.post(
        reverse("hdsready:identity-provider-edit", args=["clinicloud"]),
        {**SSO_VALID, field: value},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert TrailEvent.objects.count() == before


def test_single_sign_on_settings_of_another_organisation_are_404(
    officer: User, outsider: User
) -> None:
    client = verified_client_for(outsider)
    url = reverse("hdsready:identity-provider-edit", args=["clinicloud"])
    assert client.get(url).status_code == 404
    assert client.post(url, SSO_VALID).status_code == 404
    assert not TrailEvent.objects.filter(kind__startswith="identity_provider.").exists()


@pytest.mark.parametrize("email", ["a@b.test\x00", "x" * 10_000 + "@b.test", "²@٣", ""])
def test_hostile_single_sign_on_address_is_a_message(db: None, email: str) -> None:
    response = Client().post(reverse("hdsready:sso-start"), {"email": email})
    assert response.status_code == 200
    assert response.context["form"].errors


@pytest.mark.parametrize(
    "query",
    ["", "code=x", "state=\x00&code=\x00", "state=" + "x" * 10_000, "error=x&state=y", "state=²"],
)
def test_hostile_single_sign_on_callback_is_a_message(db: None, query: str) -> None:
    response = Client().get(f"{reverse('hdsready:sso-callback')}?{query}")
    assert response.status_code == 302
    assert response["Location"] == reverse("hdsready:sso-start")


@pytest.mark.parametrize("page", ["²", "٣", "-1", "9" * 30, "\x00", "1%0d%0aX: y", "x" * 10_000])
def test_a_strange_page_of_the_access_review_is_its_first_or_last(
    demo: dict[str, User],  # noqa: F811
    page: str,
) -> None:
    from accessreviews.models import Campaign

    campaign = Campaign.objects.get(organisation__slug="demo")
    client = verified_client_for(demo["officer"])
    url = f"/o/demo/access-reviews/{campaign.pk}/"
    assert client.get(url, {"page": page, "flagged": page}).status_code == 200
    line = campaign.items.filter(decision="").first()
    assert line is not None
    before = TrailEvent.objects.count()
    # A refused decision (no reason to revoke) keeps the page asked, whatever it is.
    response = client.post(
        f"{url}lines/{line.pk}/decide/?page={page[:100]}", {"decision": "revoke", "reason": ""}
    )
    assert response.status_code == 200
    assert TrailEvent.objects.count() == before


def test_another_organisation_s_review_line_is_a_404(
    demo: dict[str, User],  # noqa: F811
    organisation,
    officer: User,
) -> None:
    from accessreviews.models import Campaign
    from accessreviews.services import campaign_open

    theirs = campaign_open(
        organisation=organisation,
        due_on=timezone.localdate() + timedelta(days=30),
        actor=officer,
    )
    ours = Campaign.objects.get(organisation__slug="demo")
    client = verified_client_for(demo["officer"])
    before = TrailEvent.objects.count()
    their_line = theirs.items.first()
    assert their_line is not None
    for url in (
        f"/o/demo/access-reviews/{theirs.pk}/",
        f"/o/demo/access-reviews/{ours.pk}/lines/{their_line.pk}/decide/",
        f"/o/demo/access-reviews/{theirs.pk}/lines/{their_line.pk}/decide/",
        f"/o/demo/access-reviews/{theirs.pk}/close/",
    ):
        assert client.post(url, {"decision": "confirm"}).status_code in (404, 405), url
    assert client.get(f"/o/demo/access-reviews/{theirs.pk}/").status_code == 404
    assert TrailEvent.objects.count() == before


PASSKEY_ANSWERS = {
    "NUL byte": '{"id": "a\x00b"}',
    "10,000 characters": "é" * 10_000,
    "too long": "{" * 40_000,
    "not JSON": "avant\x00après",
    "JSON but no answer": '{"response": 3}',
}


@pytest.mark.parametrize("label", sorted(PASSKEY_ANSWERS))
def test_a_hostile_passkey_answer_is_refused_cleanly(officer: User, label: str) -> None:
    """The hidden field the script fills, filled by someone else: a message, nothing stored,
    no session opened."""
    answer = PASSKEY_ANSWERS[label]
    client = verified_client_for(officer)
    client.get(reverse("hdsready:passkey-list"))
    before = TrailEvent.objects.count()
    response = client.post(
        reverse("hdsready:passkey-register"), {"name": "Portable", "credential": answer}
    )
    assert response.status_code == 200
    assert b"errorlist" in response.content
    assert not WebAuthnCredential.objects.filter(user=officer).exists()
    assert TrailEvent.objects.count() == before

    stranger = Client()
    stranger.force_login(officer)
    response = stranger.post(reverse("hdsready:mfa-passkey-verify"), {"credential": answer})
    assert response.status_code == 302
    assert response["Location"] == reverse("hdsready:mfa-verify")
    assert stranger.get(reverse("hdsready:token-list")).status_code == 302


@pytest.mark.parametrize("name", ["avant\x00après", "é" * 10_000, ""])
def test_a_hostile_passkey_name_is_refused_with_the_page(officer: User, name: str) -> None:
    passkey = make_passkey(officer, "Portable")
    client = verified_client_for(officer)
    response = client.post(reverse("hdsready:passkey-rename", args=[passkey.pk]), {"name": name})
    assert response.status_code == 200
    passkey.refresh_from_db()
    assert passkey.name == "Portable"


def test_another_persons_passkey_is_a_404(officer: User, outsider: User) -> None:
    theirs = make_passkey(outsider, "Leur clé")
    client = verified_client_for(officer)
    for route in ("hdsready:passkey-rename", "hdsready:passkey-remove"):
        response = client.post(reverse(route, args=[theirs.pk]), {"name": "x"})
        assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Leur clé"
