from django.urls import reverse


def test_officer_sees_members_page(client_as, officer, organisation):
    response = client_as(officer).get(reverse("hdsready:member-list", args=[organisation.slug]))
    assert response.status_code == 200
    assert b"officer@clinicloud.test" in response.content
