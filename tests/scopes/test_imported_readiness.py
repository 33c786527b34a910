"""A framework imported with the YAML importer gets a readiness list and a score like HDS and
ISO 27001, reachable from the home's progress and the catalog."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hdsready.models import Organisation, User
from scopes.models import ReadinessEntry, ReadinessStatus
from scopes.services.catalog import framework_import
from tests.scopes.test_importer import library_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _import(organisation: Organisation, officer: User, version: int = 1):
    return framework_import(
        organisation=organisation, raw=library_bytes(version=version), actor=officer
    ).framework


def test_readiness_list_bulk_edit_and_score(organisation, officer, contributor, client_as):
    framework = _import(organisation, officer)
    url = reverse("scopes:readiness-list", args=[organisation.slug, framework.code])
    page = client_as(contributor).get(url)
    assert page.status_code == 200
    content = page.content.decode()
    assert "R1" in content
    # A chapter is not assessed: no row for it (a bare "R0" may be in a CSRF token by chance).
    assert 'data-ref="R1"' in content
    assert 'data-ref="R0"' not in content
    requirement = framework.nodes.get(ref_id="R1")
    response = client_as(contributor).post(
        reverse("scopes:readiness-bulk", args=[organisation.slug, framework.code]),
        {"requirements": [requirement.pk], "status": ReadinessStatus.COMPLIANT},
    )
    assert response.status_code == 302
    entry = ReadinessEntry.objects.get(organisation=organisation, requirement=requirement)
    assert entry.status == ReadinessStatus.COMPLIANT
    progress = client_as(contributor).get(reverse("audits:home-progress", args=[organisation.slug]))
    assert f'data-framework="{framework.code}"' in progress.content.decode()
    assert url in progress.content.decode()
    # 1 of the 8 assessable requirements is compliant: 12.5 rounds to 12.
    assert "12%" in progress.content.decode().split(f'data-framework="{framework.code}"')[1]
    catalog = client_as(contributor).get(reverse("scopes:catalog-list", args=[organisation.slug]))
    assert url in catalog.content.decode()


def test_the_latest_version_is_assessed(organisation, officer, client_as):
    _import(organisation, officer, version=1)
    latest = _import(organisation, officer, version=2)
    page = client_as(officer).get(
        reverse("scopes:readiness-list", args=[organisation.slug, latest.code])
    )
    assert page.context["framework"] == latest


def test_another_organisations_framework_is_a_404(organisation, officer, outsider, client_as):
    framework = _import(organisation, officer)
    url = reverse("scopes:readiness-list", args=["autre", framework.code])
    assert client_as(outsider).get(url).status_code == 404
    mine = reverse("scopes:readiness-list", args=[organisation.slug, framework.code])
    assert client_as(outsider).get(mine).status_code == 404
    assert client_as(officer).post(mine).status_code == 405
    progress = client_as(outsider).get(reverse("audits:home-progress", args=["autre"]))
    assert framework.code not in progress.content.decode()
