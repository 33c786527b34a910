"""The access review pages: the officer opens, decides and closes; the manager reads; anybody
else gets 404; every form offered only while it can be used."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accessreviews.models import Campaign, CampaignItem, Decision, SubjectKind
from accessreviews.services import campaign_open, item_decide
from audits.models import AuditorAccess
from hdsready.dates import date_format
from hdsready.models import ApiToken
from hdsready.services.tokens import api_token_create
from tests.conftest import verified_client_for

pytestmark = pytest.mark.django_db


def _open(organisation, officer) -> Campaign:
    return campaign_open(
        organisation=organisation,
        due_on=timezone.localdate() + timedelta(days=30),
        actor=officer,
    )


def _detail(campaign: Campaign) -> str:
    return reverse("accessreviews:campaign-detail", args=[campaign.organisation.slug, campaign.pk])


def _decide_url(line: CampaignItem) -> str:
    campaign = line.campaign
    return reverse(
        "accessreviews:item-decide", args=[campaign.organisation.slug, campaign.pk, line.pk]
    )


def test_the_officer_opens_a_review_from_the_list(cast, officer, english) -> None:
    client = verified_client_for(officer)
    slug = cast.organisation.slug
    page = client.get(reverse("accessreviews:campaign-list", args=[slug]))
    assert page.status_code == 200
    assert reverse("accessreviews:campaign-open", args=[slug]).encode() in page.content
    due = (timezone.localdate() + timedelta(days=20)).isoformat()
    response = client.post(reverse("accessreviews:campaign-open", args=[slug]), {"due_on": due})
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _detail(campaign)
    page = client.get(_detail(campaign))
    assert b"Close the review" not in page.content  # lines still to decide
    assert page.content.count(b'class="decide"') == campaign.items.count()


def test_a_past_due_date_is_shown_beside_the_field(cast, officer, english) -> None:
    client = verified_client_for(officer)
    url = reverse("accessreviews:campaign-open", args=[cast.organisation.slug])
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post(url, {"due_on": past})
    assert response.status_code == 200
    assert b"cannot be due in the past" in response.content
    assert not Campaign.objects.exists()


def test_revoking_without_a_reason_says_why_and_changes_nothing(
    cast, access, officer, english
) -> None:
    campaign = _open(cast.organisation, officer)
    line = CampaignItem.objects.get(campaign=campaign, subject_kind=SubjectKind.AUDITOR_ACCESS)
    client = verified_client_for(officer)
    response = client.post(_decide_url(line), {"decision": "revoke", "reason": "  "})
    assert response.status_code == 200  # the page again, the line's form with why
    assert b"Give the reason for revoking this access." in response.content
    assert AuditorAccess.objects.get(pk=access.pk).revoked_at is None


def test_the_officer_revokes_a_token_and_keeps_the_page(cast, officer, english) -> None:
    token, _raw = api_token_create(user=officer, name="ci", actor=officer)
    campaign = _open(cast.organisation, officer)
    line = CampaignItem.objects.get(campaign=campaign, subject_kind=SubjectKind.API_TOKEN)
    client = verified_client_for(officer)
    response = client.post(
        _decide_url(line) + "?page=2&flagged=1&x=%0d%0a", {"decision": "revoke", "reason": "Unused"}
    )
    assert response["Location"] == _detail(campaign) + f"?page=2&flagged=1#line-{line.pk}"
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    page = client.get(_detail(campaign))
    assert f'action="{_decide_url(line)}"'.encode() not in page.content


def test_the_manager_reads_without_a_form_and_the_contributor_gets_404(
    cast, access, officer, manager, contributor
) -> None:
    campaign = _open(cast.organisation, officer)
    slug = cast.organisation.slug
    reader = verified_client_for(manager)
    for url in (reverse("accessreviews:campaign-list", args=[slug]), _detail(campaign)):
        page = reader.get(url)
        assert page.status_code == 200
        assert b'class="decide"' not in page.content
        assert b"campaign-open" not in page.content
    line = campaign.items.first()
    assert reader.post(_decide_url(line), {"decision": "confirm"}).status_code == 404
    assert reader.post(reverse("accessreviews:campaign-open", args=[slug])).status_code == 404
    other = verified_client_for(contributor)
    assert other.get(_detail(campaign)).status_code == 404
    assert not CampaignItem.objects.filter(campaign=campaign).exclude(decision="").exists()


def test_an_outsider_gets_404_and_wrong_methods_405(cast, officer, outsider) -> None:
    campaign = _open(cast.organisation, officer)
    line = campaign.items.first()
    client = verified_client_for(outsider)
    slug = cast.organisation.slug
    urls = [
        reverse("accessreviews:campaign-list", args=[slug]),
        reverse("accessreviews:campaign-open", args=[slug]),
        reverse("accessreviews:policy-edit", args=[slug]),
        _detail(campaign),
    ]
    for url in urls:
        assert client.get(url).status_code == 404
    assert client.post(_decide_url(line), {"decision": "confirm"}).status_code == 404
    close = reverse("accessreviews:campaign-close", args=[slug, campaign.pk])
    assert client.post(close).status_code == 404
    officer_client = verified_client_for(officer)
    assert officer_client.get(close).status_code == 405
    assert officer_client.get(_decide_url(line)).status_code == 405
    assert officer_client.delete(_detail(campaign)).status_code == 405


def test_closing_from_the_page(cast, officer, english) -> None:
    campaign = _open(cast.organisation, officer)
    client = verified_client_for(officer)
    close = reverse("accessreviews:campaign-close", args=[cast.organisation.slug, campaign.pk])
    response = client.post(close, follow=True)
    assert b"still to decide" in response.content
    for line in campaign.items.all():
        item_decide(item=line, decision=Decision.CONFIRM, reason="", actor=officer)
    page = client.get(_detail(campaign))
    assert b"campaign-close-form" in page.content
    response = client.post(close, follow=True)
    assert b"kept as evidence" in response.content
    assert b"campaign-evidence" in response.content
    assert b'class="decide"' not in response.content


def test_the_interval_form(cast, officer, english) -> None:
    client = verified_client_for(officer)
    url = reverse("accessreviews:policy-edit", args=[cast.organisation.slug])
    assert client.get(url).status_code == 200
    assert client.post(url, {"interval_months": "5"}).status_code == 200
    response = client.post(url, {"interval_months": "6"}, follow=True)
    assert b"every six months" in response.content


def test_the_campaign_page_costs_the_same_whatever_the_number_of_lines(
    cast, officer, django_assert_num_queries
) -> None:
    for number in range(60):
        api_token_create(user=officer, name=f"t{number}", actor=officer)
    campaign = _open(cast.organisation, officer)
    client = verified_client_for(officer)
    client.get(_detail(campaign))
    with django_assert_num_queries(QUERIES_DETAIL):
        page = client.get(_detail(campaign))
    assert page.content.count(b'class="decide"') == 50
    with django_assert_num_queries(QUERIES_DETAIL):
        client.get(_detail(campaign) + "?page=2")


QUERIES_DETAIL = 12  # with the reviewer's own membership (no revoke button on it)


def test_no_revoke_button_on_the_reviewer_s_own_membership(cast, officer, english) -> None:
    """The service refuses it (another officer must): the page does not offer it."""
    campaign = _open(cast.organisation, officer)
    own = campaign.items.get(subject_kind=SubjectKind.MEMBERSHIP, label=officer.email)
    others = campaign.items.exclude(pk=own.pk)
    page = verified_client_for(officer).get(_detail(campaign)).content.decode()
    form_of = {
        line.pk: page.split(f'action="{_decide_url(line)}"', 1)[1].split("</form>", 1)[0]
        for line in campaign.items.all()
    }
    assert 'value="revoke"' not in form_of[own.pk]
    assert "another officer may revoke it" in form_of[own.pk]
    assert 'value="confirm"' in form_of[own.pk]
    assert all('value="revoke"' in form_of[line.pk] for line in others)


def test_a_line_decided_meanwhile_says_so_and_changes_nothing(cast, officer, english) -> None:
    """A second tab, a double click: the second decision is refused with a message."""
    campaign = _open(cast.organisation, officer)
    line = campaign.items.exclude(label=officer.email).first()
    assert line is not None
    client = verified_client_for(officer)
    client.post(_decide_url(line), {"decision": "confirm", "reason": ""})
    response = client.post(_decide_url(line), {"decision": "revoke", "reason": "Left"}, follow=True)
    assert response.redirect_chain[-1][0] == _detail(campaign) + f"#line-{line.pk}"
    assert "This line was already decided" in response.content.decode()
    line.refresh_from_db()
    assert line.decision == Decision.CONFIRM


def test_a_one_day_period_reads_as_one_date_in_french(cast, officer) -> None:
    """A first review opened the day the organisation was created covers one day: its title,
    the list and the PDF say that date once, not « du 4 décembre 2026 au 4 décembre 2026 »."""
    campaign = _open(cast.organisation, officer)
    assert campaign.period_start == campaign.period_end
    client = verified_client_for(officer)
    day = campaign.period_start
    page = client.get(_detail(campaign), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    long_day = in_french_long(day)
    assert f"<h1>Revue des accès du {long_day}</h1>" in page
    listing = client.get(
        reverse("accessreviews:campaign-list", args=[cast.organisation.slug]),
        HTTP_ACCEPT_LANGUAGE="fr",
    ).content.decode()
    assert listing.count(day.strftime("%d/%m/%Y")) == 2  # the period once, and the opening day

    Campaign.objects.filter(pk=campaign.pk).update(period_start=day - timedelta(days=92))
    start = day - timedelta(days=92)
    page = client.get(_detail(campaign), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    long_start = in_french_long(start)
    assert f"<h1>Revue des accès du {long_start} au {long_day}</h1>" in page


def in_french_long(day) -> str:
    with translation.override("fr"):
        return date_format(day, "DATE_FORMAT")
