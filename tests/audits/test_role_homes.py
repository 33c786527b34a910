"""Each role's home starts with its own work: the contributor's tasks, the manager's progress
report, the officer's whole picture (with a "My work" card); the home links to the evidence,
the SoA and the subcontractors, and says what the calendar of deadlines is."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audits.models import ReviewDecision
from evidence.models import EvidenceItem
from hdsready.models import Organisation, User
from scopes.models import ReadinessEntry, ReadinessStatus, Requirement
from tests.audits.test_auditor_notices import _review, _version, stage2  # noqa: F401
from tests.evidence.helpers import make_item

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _home(client, organisation: Organisation) -> str:
    response = client.get(reverse("hdsready:organisation-home", args=[organisation.slug]))
    assert response.status_code == 200
    return response.content.decode()


def _order(content: str, *names: str) -> list[int]:
    return [content.index(reverse(name, args=["clinicloud"])) for name in names]


def test_the_contributor_starts_with_their_work(organisation, contributor, client_as):
    content = _home(client_as(contributor), organisation)
    assert 'data-home="contributor"' in content
    my_work, review_due, progress = _order(
        content, "audits:home-my-work", "evidence:review-due", "audits:home-progress"
    )
    assert my_work < review_due < progress
    assert reverse("dossiers:dossier-list", args=[organisation.slug]) not in content
    assert reverse("hdsready:member-list", args=[organisation.slug]) not in content


def test_the_manager_starts_with_progress_milestones_and_dossiers(organisation, manager, client_as):
    content = _home(client_as(manager), organisation)
    assert 'data-home="manager"' in content
    progress, certification, dossiers = _order(
        content, "audits:home-progress", "audits:home-certification", "dossiers:dossier-list"
    )
    assert progress < certification < dossiers
    assert reverse("audits:home-my-work", args=[organisation.slug]) not in content


def test_the_officer_keeps_the_whole_picture_with_links_and_the_calendar(
    organisation, officer, client_as
):
    content = _home(client_as(officer), organisation)
    assert 'data-home="officer"' in content
    for name in (
        "evidence:item-list",
        "scopes:soa-list",
        "scopes:subcontractor-list",
        "audits:home-my-work",
        "hdsready:member-list",
    ):
        assert reverse(name, args=[organisation.slug]) in content, name
    assert reverse("audits:calendar-token") in content
    assert "Outlook" in content
    calendar = client_as(officer).get(reverse("audits:calendar-token")).content.decode()
    assert "Subscribe from web" in calendar
    assert "Thunderbird" in calendar


def _requirements(count: int) -> list[Requirement]:
    return list(
        Requirement.objects.filter(framework__organisation__isnull=True, assessable=True).order_by(
            "framework__code", "order"
        )[:count]
    )


def _work(organisation: Organisation, user: User, other: User, count: int) -> None:
    """`count` requirements assigned to the user and not met, one met, one someone else's;
    `count` evidence items of theirs due for review and one not due."""
    today = timezone.localdate()
    *mine, met, others = _requirements(count + 2)
    for number, requirement in enumerate(mine):
        ReadinessEntry.objects.create(
            organisation=organisation,
            requirement=requirement,
            owner=user,
            status=ReadinessStatus.PARTIAL,
            target_date=today + timedelta(days=number),
        )
    ReadinessEntry.objects.create(
        organisation=organisation, requirement=met, owner=user, status=ReadinessStatus.COMPLIANT
    )
    ReadinessEntry.objects.create(
        organisation=organisation,
        requirement=others,
        owner=other,
        status=ReadinessStatus.NOT_COMPLIANT,
    )
    for number in range(count):
        make_item(organisation, user, title=f"Due {number}")
    EvidenceItem.objects.filter(title__startswith="Due").update(review_due_on=today)
    make_item(organisation, user, title="Not due")


@pytest.mark.parametrize("count", [2, 20])
def test_my_work_is_bounded_and_its_queries_constant(
    count,
    stage2,  # noqa: F811 (the fixture imported above)
    officer,
    contributor,
    auditor,
    client_as,
    django_assert_num_queries,
):
    organisation = stage2.cycle.organisation
    _work(organisation, contributor, officer, count)
    for number in range(count):
        version = _version(organisation, officer, f"Policy {number}")
        _review(stage2, version, auditor, ReviewDecision.REJECTED)
    _review(stage2, _version(organisation, officer, "Fine"), auditor, ReviewDecision.ACCEPTED)
    client = client_as(contributor)
    url = reverse("audits:home-my-work", args=[organisation.slug])
    client.get(url)
    with django_assert_num_queries(11):
        content = client.get(url).content.decode()
    shown = min(count, 5)
    assert content.count("data-requirement=") == shown
    assert content.count('<li><a href="/o/clinicloud/evidence/') == shown
    assert content.count("data-review=") == shown
    assert "Not due" not in content
    assert "Fine" not in content
    assert f"{count} requirements assigned to you are not met yet." in content
    if count > 5:
        assert f"All {count} evidence items to renew" in content
        assert f"{count} reviews need a response in all." in content
    assert reverse("audits:audit-reviews", args=[organisation.slug, stage2.pk]) in content


def test_my_work_is_mine_and_members_only(organisation, officer, contributor, outsider, client_as):
    _work(organisation, officer, contributor, 1)
    url = reverse("audits:home-my-work", args=[organisation.slug])
    content = client_as(contributor).get(url).content.decode()
    # Only the requirement the officer left to the contributor; none of the officer's evidence.
    assert content.count("data-requirement=") == 1
    assert "Due 0" not in content
    assert client_as(contributor).post(url).status_code == 405
    assert client_as(outsider).get(url).status_code == 404
