"""Hostile and clumsy input at the edges the forms do not guard: query strings, JSON bodies and
OPTIONS on every API route. A clear 4xx or a message, never a 500, nothing changed."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_otp_webauthn.models import WebAuthnCredential

from hdsready.models import TrailEvent, User
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
