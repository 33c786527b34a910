"""The notification pages of the core: every app's notifications of a user, newest first."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from hdsready.models import Notification, Organisation, User


@pytest.fixture
def notifications(officer: User, organisation: Organisation) -> list[Notification]:
    now = timezone.now()
    return [
        Notification.objects.create(
            user=officer,
            organisation=organisation,
            text="Older, read",
            created_at=now - timedelta(days=2),
            read_at=now,
        ),
        Notification.objects.create(
            user=officer, organisation=organisation, text="Newer, unread", created_at=now
        ),
    ]


@pytest.mark.django_db
class TestNotificationViews:
    def test_list_newest_first_unread_marked(
        self, client_as, officer, notifications, django_assert_num_queries
    ):
        client = client_as(officer)
        with django_assert_num_queries(QUERIES_NOTIFICATION_LIST):
            response = client.get(reverse("hdsready:notification-list"))
        assert response.status_code == 200
        page = response.content.decode()
        assert page.index("Newer, unread") < page.index("Older, read")
        assert 'class="unread"' in page
        assert 'data-unread="1"' in page  # the header's count

    def test_mark_all_read(self, client_as, officer, notifications):
        response = client_as(officer).post(reverse("hdsready:notification-read"))
        assert response.status_code == 302
        assert response["Location"] == reverse("hdsready:notification-list")
        assert not Notification.objects.filter(user=officer, read_at__isnull=True).exists()

    def test_wrong_methods(self, client_as, officer):
        client = client_as(officer)
        assert client.post(reverse("hdsready:notification-list")).status_code == 405
        assert client.get(reverse("hdsready:notification-read")).status_code == 405

    def test_anonymous_goes_to_login(self, client):
        for name in ("hdsready:notification-list", "hdsready:notification-read"):
            response = (
                client.post(reverse(name)) if name.endswith("read") else client.get(reverse(name))
            )
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("hdsready:login"))

    def test_outsider_sees_only_their_own(self, client_as, outsider, notifications):
        client = client_as(outsider)
        page = client.get(reverse("hdsready:notification-list")).content.decode()
        assert "Newer, unread" not in page
        client.post(reverse("hdsready:notification-read"))
        assert Notification.objects.filter(read_at__isnull=True).count() == 1


QUERIES_NOTIFICATION_LIST = 6  # the page with the header's memberships and unread count
