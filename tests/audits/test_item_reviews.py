"""The auditor's decisions show on the evidence item's page, a rejection included; the read-only
scope page names each activity's subcontractor."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audits.models import ReviewDecision
from hdsready.models import Organisation, User
from scopes.models import ActivityMode
from scopes.services.scope import ActivityChoice, scope_set_activities, subcontractor_save
from tests.audits.test_auditor_notices import _review, _version, stage2  # noqa: F401
from tests.evidence.helpers import make_item

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.mark.parametrize("count", [1, 10])
def test_a_rejection_shows_on_the_item_page(
    count,
    stage2,  # noqa: F811 (the fixture imported above)
    officer,
    manager,
    contributor,
    auditor,
    outsider,
    client_as,
    django_assert_num_queries,
):
    organisation = stage2.cycle.organisation
    version = _version(organisation, contributor, "Backup report")
    for _number in range(count):
        _review(stage2, version, auditor, ReviewDecision.REJECTED)
    item_page = client_as(manager).get(
        reverse("evidence:item-detail", args=[organisation.slug, version.item_id])
    )
    url = reverse("audits:item-reviews", args=[organisation.slug, version.item_id])
    assert url in item_page.content.decode()
    client = client_as(manager)
    client.get(url)
    with django_assert_num_queries(7):
        content = client.get(url).content.decode()
    assert content.count('data-decision="rejected"') == count
    assert "Rejected" in content
    assert "Not this year&#x27;s report" in content
    assert reverse("audits:audit-reviews", args=[organisation.slug, stage2.pk]) in content
    assert client.post(url).status_code == 405
    assert client_as(outsider).get(url).status_code == 404


def test_an_item_without_review_and_another_organisations_item(
    organisation, officer, outsider, client_as
):
    item = make_item(organisation, officer, title="Policy")
    url = reverse("audits:item-reviews", args=[organisation.slug, item.pk])
    assert "No auditor has reviewed" in client_as(officer).get(url).content.decode()
    other = Organisation.objects.get(slug="autre")
    foreign = make_item(other, outsider, title="Theirs")
    assert (
        client_as(officer)
        .get(reverse("audits:item-reviews", args=[organisation.slug, foreign.pk]))
        .status_code
        == 404
    )


@pytest.mark.parametrize("persona", ["contributor", "manager"])
def test_the_read_only_scope_names_the_subcontractor(
    persona, request, organisation, officer, client_as
):
    datacenter = subcontractor_save(organisation=organisation, name="DataCentre SA", actor=officer)
    scope_set_activities(
        organisation=organisation,
        choices={
            1: ActivityChoice(ActivityMode.SUBCONTRACTED, subcontractor=datacenter),
            5: ActivityChoice(ActivityMode.IN_HOUSE),
        },
        actor=officer,
    )
    reader: User = request.getfixturevalue(persona)
    content = client_as(reader).get(reverse("scopes:scope-edit", args=[organisation.slug]))
    row = content.content.decode().split('id="activity-1"')[1].split("</tr>")[0]
    assert "DataCentre SA" in row
    assert "Relied on a subcontractor" in row
    assert "<select" not in row
