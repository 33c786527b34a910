"""API tokens: made only behind MFA, stored hashed, refused once revoked; the API's MFA rule."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hdsready.models import ApiToken, TrailEvent
from hdsready.services import CoreError
from hdsready.services.tokens import api_token_create, api_token_revoke

pytestmark = pytest.mark.django_db

ORGANISATIONS = "/api/organisations/"


def bearer(raw: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}", "Accept-Language": "en"})


def token_of(user, name="ci"):
    return api_token_create(user=user, name=name, actor=user)


class TestTokenPage:
    def test_unverified_session_is_sent_to_mfa_and_makes_nothing(self, officer):
        client = Client()
        client.force_login(officer)
        for response in [
            client.get(reverse("hdsready:token-list")),
            client.post(reverse("hdsready:token-list"), {"name": "ci"}),
        ]:
            assert response.status_code == 302
            assert response["Location"] == reverse("hdsready:mfa-verify")
        assert not ApiToken.objects.exists()

    def test_anonymous_is_sent_to_login(self, db):
        response = Client().get(reverse("hdsready:token-list"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("hdsready:login"))

    def test_make_a_token_shows_it_once_and_stores_its_hash(self, client_as, officer):
        client = client_as(officer)
        response = client.post(reverse("hdsready:token-list"), {"name": "CI server"})
        assert response.status_code == 200
        raw = response.context["raw_token"]
        assert raw in response.content.decode()
        token = ApiToken.objects.get(user=officer)
        assert token.name == "CI server"
        assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
        assert token.prefix == raw[:8]
        assert raw not in {token.key_hash, token.prefix, token.name}
        assert "no-cache" in response["Cache-Control"]
        event = TrailEvent.objects.get(kind="api_token.created")
        assert event.actor == officer
        assert raw not in str(event.data) + event.object_repr
        # Shown once: the list shows the prefix, never the secret.
        page = client.get(reverse("hdsready:token-list")).content.decode()
        assert token.prefix in page
        assert raw not in page

    def test_a_name_is_required(self, client_as, officer):
        response = client_as(officer).post(reverse("hdsready:token-list"), {"name": ""})
        assert response.status_code == 200
        assert response.context["form"].errors
        assert not ApiToken.objects.exists()

    def test_revoke(self, client_as, officer):
        token, _raw = token_of(officer)
        client = client_as(officer)
        response = client.post(reverse("hdsready:token-revoke", args=[token.pk]))
        assert response.status_code == 302
        assert response["Location"] == reverse("hdsready:token-list")
        token.refresh_from_db()
        assert token.revoked_at is not None
        assert TrailEvent.objects.filter(kind="api_token.revoked", actor=officer).count() == 1
        # Twice: refused with a message, nothing recorded.
        client.post(reverse("hdsready:token-revoke", args=[token.pk]))
        assert TrailEvent.objects.filter(kind="api_token.revoked").count() == 1

    def test_someone_elses_token_is_404(self, client_as, officer, outsider):
        token, _raw = token_of(officer)
        response = client_as(outsider).post(reverse("hdsready:token-revoke", args=[token.pk]))
        assert response.status_code == 404
        token.refresh_from_db()
        assert token.revoked_at is None

    def test_wrong_method(self, client_as, officer):
        token, _raw = token_of(officer)
        client = client_as(officer)
        assert client.put(reverse("hdsready:token-list")).status_code == 405
        assert client.get(reverse("hdsready:token-revoke", args=[token.pk])).status_code == 405

    def test_header_links_to_the_page_and_queries_are_counted(
        self, client_as, officer, django_assert_num_queries
    ):
        token_of(officer, "one")
        client = client_as(officer)
        client.get(reverse("hdsready:token-list"))
        with django_assert_num_queries(6):
            page = client.get(reverse("hdsready:token-list"))
        assert f'href="{reverse("hdsready:token-list")}"' in page.content.decode()
        token_of(officer, "two")
        token_of(officer, "three")
        with django_assert_num_queries(6):
            client.get(reverse("hdsready:token-list"))


class TestTokenServices:
    def test_only_the_owner_makes_a_token(self, officer, contributor):
        with pytest.raises(CoreError):
            api_token_create(user=contributor, name="x", actor=officer)
        assert not ApiToken.objects.exists()


class TestBearer:
    def test_bearer_token_reaches_the_api(self, officer, organisation):
        _token, raw = token_of(officer)
        response = bearer(raw).get(ORGANISATIONS)
        assert response.status_code == 200
        assert response.json() == [{"slug": "clinicloud", "name": "Clinicloud", "role": "officer"}]

    def test_no_credentials_is_401_in_json(self, db):
        response = Client().get(ORGANISATIONS)
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert "detail" in response.json()

    @pytest.mark.parametrize("header", ["Bearer nope", "Bearer a b", "Bearer"])
    def test_bad_token_is_401(self, db, header):
        response = Client(headers={"Authorization": header}).get(ORGANISATIONS)
        assert response.status_code == 401

    def test_revoked_token_is_401(self, officer):
        token, raw = token_of(officer)
        api_token_revoke(token=token, actor=officer)
        assert bearer(raw).get(ORGANISATIONS).status_code == 401

    def test_inactive_user_is_401(self, officer):
        _token, raw = token_of(officer)
        officer.is_active = False
        officer.save()
        assert bearer(raw).get(ORGANISATIONS).status_code == 401

    def test_last_used_is_kept_at_most_once_a_minute(self, officer):
        token, raw = token_of(officer)
        client = bearer(raw)
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            client.get(ORGANISATIONS)
        token.refresh_from_db()
        assert token.last_used_at == start
        with time_machine.travel(start + timedelta(seconds=30), tick=False):
            client.get(ORGANISATIONS)
        token.refresh_from_db()
        assert token.last_used_at == start
        later = start + timedelta(minutes=2)
        with time_machine.travel(later, tick=False):
            client.get(ORGANISATIONS)
        token.refresh_from_db()
        assert token.last_used_at == later

    def test_token_without_a_session_is_not_redirected_by_the_mfa_gate(self, officer):
        # A password-only session in the same client does not get in the token's way.
        _token, raw = token_of(officer)
        client = bearer(raw)
        client.force_login(officer)
        assert client.get(ORGANISATIONS).status_code == 200


class TestSession:
    def test_session_without_mfa_is_403_not_a_redirect(self, officer):
        client = Client()
        client.force_login(officer)
        response = client.get(ORGANISATIONS)
        assert response.status_code == 403
        assert "detail" in response.json()

    def test_verified_session_reaches_the_api(self, client_as, officer):
        assert client_as(officer).get(ORGANISATIONS).status_code == 200

    def test_pages_still_redirect_a_session_without_mfa(self, officer, organisation):
        client = Client()
        client.force_login(officer)
        response = client.get(reverse("hdsready:organisation-home", args=[organisation.slug]))
        assert response["Location"] == reverse("hdsready:mfa-verify")


class TestTokenApi:
    def test_list_shows_only_my_tokens_without_secrets(self, officer, contributor):
        mine, raw = token_of(officer)
        token_of(contributor)
        response = bearer(raw).get("/api/tokens/")
        assert response.status_code == 200
        body = response.json()
        assert [t["id"] for t in body["results"]] == [mine.pk]
        assert "key_hash" not in body["results"][0]
        assert raw not in response.content.decode()

    def test_revoke_own_token(self, officer):
        _token, raw = token_of(officer)
        other, other_raw = token_of(officer, "other")
        response = bearer(raw).post(f"/api/tokens/{other.pk}/revoke/")
        assert response.status_code == 200
        assert response.json()["revoked_at"]
        assert bearer(other_raw).get(ORGANISATIONS).status_code == 401
        assert TrailEvent.objects.filter(kind="api_token.revoked").count() == 1
        again = bearer(raw).post(f"/api/tokens/{other.pk}/revoke/")
        assert again.status_code == 400
        assert again.json() == {"detail": "This token is already revoked."}

    def test_someone_elses_token_is_404(self, officer, outsider):
        token, _raw = token_of(officer)
        _mine, raw = token_of(outsider)
        assert bearer(raw).post(f"/api/tokens/{token.pk}/revoke/").status_code == 404

    def test_wrong_method(self, officer):
        _token, raw = token_of(officer)
        assert bearer(raw).post(ORGANISATIONS).status_code == 405
        assert bearer(raw).delete("/api/tokens/").status_code == 405


class TestSchema:
    PATHS = (
        "/api/organisations/",
        "/api/tokens/",
        "/api/o/{slug}/frameworks/",
        "/api/o/{slug}/frameworks/{id}/requirements/",
        "/api/o/{slug}/scope/",
        "/api/o/{slug}/scope/profile/",
        "/api/o/{slug}/subcontractors/",
        "/api/o/{slug}/subcontractors/{id}/",
        "/api/o/{slug}/certificates/",
        "/api/o/{slug}/certificates/{id}/",
        "/api/o/{slug}/soa/",
        "/api/o/{slug}/soa/{id}/",
        "/api/o/{slug}/readiness/",
        "/api/o/{slug}/readiness/{id}/",
    )

    def test_schema_is_openapi_with_every_path(self, client_as, officer):
        response = client_as(officer).get("/api/schema/?format=json")
        assert response.status_code == 200
        schema = response.json()
        assert schema["openapi"].startswith("3.")
        assert schema["info"]["title"] == "hdsready API"
        for path in self.PATHS:
            assert path in schema["paths"], path
        assert schema["components"]["securitySchemes"]["bearerToken"]["scheme"] == "bearer"

    def test_schema_needs_credentials(self, db):
        assert Client().get("/api/schema/").status_code == 401

    def test_docs_are_served_from_the_app_not_a_cdn(self, client_as, officer):
        response = client_as(officer).get("/api/docs/")
        assert response.status_code == 200
        page = response.content.decode()
        assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
        assert "cdn." not in page

    def test_schema_validates_without_warnings(self, tmp_path):
        call_command(
            "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml")
        )
        assert (tmp_path / "s.yml").read_text().startswith("openapi:")
