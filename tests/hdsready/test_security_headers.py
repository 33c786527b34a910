"""Every page carries the Content-Security-Policy: no inline script or style, nothing from
another site, no framing."""

from __future__ import annotations

import pytest
from django.test import Client

from hdsready.models import User
from tests.conftest import verified_client_for

pytestmark = pytest.mark.django_db


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.mark.parametrize("path", ["/login/", "/", "/notifications/", "/account/tokens/"])
def test_pages_carry_a_strict_policy(officer: User, path: str) -> None:
    client = Client() if path == "/login/" else verified_client_for(officer)
    response = client.get(path, follow=True)
    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert not any("unsafe" in value for values in policy.values() for value in values)


def test_the_api_docs_allow_inline_styles_and_nothing_more(officer: User) -> None:
    """Swagger UI styles its widgets from its script; its scripts still come from here only."""
    response = verified_client_for(officer).get("/api/docs/")
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
