"""Every view: the happy path, the wrong method, the outsider (404, never 403)."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from hdsready.models import Invitation, InvitationStatus, Membership, Role, TrailEvent, User
from hdsready.services.invitations import invitation_send
from hdsready.trail import trail_record
from tests.factories import PASSWORD, UserFactory, membership_of
from tests.hdsready.test_services import totp_now

pytestmark = pytest.mark.django_db

MEMBER_ACTIONS = ["hdsready:member-role", "hdsready:member-remove", "hdsready:member-mfa-reset"]


def org_url(name, organisation, *args):
    return reverse(name, args=[organisation.slug, *args])


class TestMfaGate:
    def test_password_only_session_reaches_nothing_but_verification(self, organisation, officer):
        client = Client()
        client.force_login(officer)
        for url in [
            reverse("hdsready:home"),
            org_url("hdsready:organisation-home", organisation),
            org_url("hdsready:trail-list", organisation),
            "/admin/",
        ]:
            response = client.get(url)
            assert response.status_code == 302, url
            assert response["Location"] == reverse("hdsready:mfa-verify")

    def test_user_without_device_is_sent_to_enrolment(self, organisation):
        user = UserFactory(with_totp=False)
        Membership.objects.create(user=user, organisation=organisation, role=Role.MANAGER)
        client = Client()
        client.force_login(user)
        response = client.get(org_url("hdsready:organisation-home", organisation))
        assert response["Location"] == reverse("hdsready:mfa-enrol")

    def test_anonymous_is_sent_to_login(self, organisation):
        response = Client().get(org_url("hdsready:organisation-home", organisation))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("hdsready:login"))


class TestLogin:
    def test_password_then_code(self, officer):
        client = Client()
        response = client.post(
            reverse("hdsready:login"), {"username": officer.email, "password": PASSWORD}
        )
        assert response["Location"] == reverse("hdsready:mfa-verify")
        device = TOTPDevice.objects.get(user=officer)
        response = client.post(reverse("hdsready:mfa-verify"), {"code": totp_now(device)})
        assert response.status_code == 302
        assert response["Location"] == reverse("hdsready:home")
        assert client.get(reverse("hdsready:home")).status_code == 302  # to the only organisation
        assert "user.logged_in" in TrailEvent.objects.values_list("kind", flat=True)

    def test_wrong_password_is_refused(self, officer):
        response = Client().post(
            reverse("hdsready:login"), {"username": officer.email, "password": "nope"}
        )
        assert response.status_code == 200
        assert response.context["form"].errors

    def test_five_wrong_passwords_lock_the_account_with_a_clear_message(self, officer):
        client = Client()
        for _ in range(5):
            client.post(reverse("hdsready:login"), {"username": officer.email, "password": "x"})
        response = client.post(
            reverse("hdsready:login"), {"username": officer.email, "password": PASSWORD}
        )
        assert response.status_code == 429
        assert b'id="lockout"' in response.content

    def test_five_wrong_codes_end_the_session_and_lock(self, officer):
        client = Client()
        client.post(reverse("hdsready:login"), {"username": officer.email, "password": PASSWORD})
        statuses = [
            client.post(reverse("hdsready:mfa-verify"), {"code": "000000"}).status_code
            for _ in range(5)
        ]
        assert statuses == [200, 200, 200, 200, 429]
        # The session is over and the password alone is now refused too.
        assert client.get(reverse("hdsready:home")).status_code == 302
        response = client.post(
            reverse("hdsready:login"), {"username": officer.email, "password": PASSWORD}
        )
        assert response.status_code == 429

    @pytest.mark.parametrize("rounds", [(5,), (4, 1), (1, 1, 1, 1, 1), (2, 3), (1, 4)])
    def test_wrong_codes_add_up_across_password_logins(self, officer, rounds):
        """Re-entering the right password between wrong codes does not reset the count."""
        client = Client()
        statuses = []
        for wrong_codes in rounds:
            login = client.post(
                reverse("hdsready:login"), {"username": officer.email, "password": PASSWORD}
            )
            statuses.append(login.status_code)
            statuses += [
                client.post(reverse("hdsready:mfa-verify"), {"code": "000000"}).status_code
                for _ in range(wrong_codes)
            ]
        assert statuses[-1] == 429
        assert 429 not in statuses[:-1]
        response = client.post(
            reverse("hdsready:login"), {"username": officer.email, "password": PASSWORD}
        )
        assert response.status_code == 429

    def test_a_complete_login_clears_the_count(self, officer):
        client = Client()
        client.post(reverse("hdsready:login"), {"username": officer.email, "password": PASSWORD})
        for _ in range(4):
            client.post(reverse("hdsready:mfa-verify"), {"code": "000000"})
        device = TOTPDevice.objects.get(user=officer)
        device.throttle_reset()  # as after waiting out django-otp's back-off
        response = client.post(reverse("hdsready:mfa-verify"), {"code": totp_now(device)})
        assert response["Location"] == reverse("hdsready:home")
        client.post(reverse("hdsready:logout"))
        client.post(reverse("hdsready:login"), {"username": officer.email, "password": PASSWORD})
        statuses = [
            client.post(reverse("hdsready:mfa-verify"), {"code": "000000"}).status_code
            for _ in range(4)
        ]
        assert statuses == [200, 200, 200, 200]

    def test_wrong_passwords_and_codes_add_up(self, officer):
        client = Client()
        for _ in range(2):
            client.post(reverse("hdsready:login"), {"username": officer.email, "password": "x"})
        client.post(reverse("hdsready:login"), {"username": officer.email, "password": PASSWORD})
        statuses = [
            client.post(reverse("hdsready:mfa-verify"), {"code": "000000"}).status_code
            for _ in range(3)
        ]
        assert statuses == [200, 200, 429]

    def test_wrong_method(self):
        assert Client().put(reverse("hdsready:login")).status_code == 405

    def test_next_is_kept_but_only_on_this_site(self, officer, organisation):
        client = Client()
        target = org_url("hdsready:trail-list", organisation)
        client.post(
            reverse("hdsready:login"),
            {"username": officer.email, "password": PASSWORD, "next": target},
        )
        device = TOTPDevice.objects.get(user=officer)
        response = client.post(
            reverse("hdsready:mfa-verify") + f"?next={target}", {"code": totp_now(device)}
        )
        assert response["Location"] == target
        client.post(reverse("hdsready:logout"))
        evil = "https://evil.example/steal"
        client.post(
            reverse("hdsready:login"),
            {"username": officer.email, "password": PASSWORD, "next": evil},
        )
        # A code of the next step: the one above is spent (django-otp refuses a replay).
        device.refresh_from_db()
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = totp.time + device.step
        response = client.post(
            reverse("hdsready:mfa-verify") + f"?next={evil}", {"code": f"{totp.token():06d}"}
        )
        assert response["Location"] == reverse("hdsready:home")


class TestLogout:
    def test_logout(self, client_as, officer):
        client = client_as(officer)
        assert client.post(reverse("hdsready:logout")).status_code == 302
        assert client.get(reverse("hdsready:home"))["Location"].startswith(
            reverse("hdsready:login")
        )

    def test_wrong_method(self, client_as, officer):
        assert client_as(officer).get(reverse("hdsready:logout")).status_code == 405


class TestEnrolment:
    def test_enrol_then_backup_codes_once(self, db):
        user = UserFactory(with_totp=False)
        client = Client()
        client.force_login(user)
        page = client.get(reverse("hdsready:mfa-enrol"))
        assert page.status_code == 200
        assert b"<svg" in page.content
        device = TOTPDevice.objects.get(user=user, confirmed=False)
        response = client.post(reverse("hdsready:mfa-enrol"), {"code": "000000"})
        assert "code" in response.context["form"].errors
        response = client.post(reverse("hdsready:mfa-enrol"), {"code": totp_now(device)})
        assert response["Location"] == reverse("hdsready:mfa-backup-codes")
        first = client.get(reverse("hdsready:mfa-backup-codes"))
        assert len(first.context["codes"]) == 10
        assert client.get(reverse("hdsready:mfa-backup-codes")).context["codes"] is None

    def test_password_alone_cannot_replace_a_confirmed_device(self, officer):
        client = Client()
        client.force_login(officer)
        response = client.get(reverse("hdsready:mfa-enrol"))
        assert response["Location"] == reverse("hdsready:mfa-verify")

    def test_wrong_method(self, client_as, officer):
        assert client_as(officer).put(reverse("hdsready:mfa-enrol")).status_code == 405
        assert client_as(officer).put(reverse("hdsready:mfa-verify")).status_code == 405


class TestBackupCodes:
    def test_regenerate(self, client_as, officer):
        client = client_as(officer)
        response = client.post(reverse("hdsready:mfa-backup-codes"))
        assert response.status_code == 302
        assert len(client.get(reverse("hdsready:mfa-backup-codes")).context["codes"]) == 10

    def test_wrong_method(self, client_as, officer):
        assert client_as(officer).put(reverse("hdsready:mfa-backup-codes")).status_code == 405


class TestLanguage:
    def test_switch_to_english_and_back(self, client_as, officer):
        client = client_as(officer)
        client.post(reverse("hdsready:language-set"), {"language": "en", "next": "/"})
        officer.refresh_from_db()
        assert officer.language == "en"
        page = client.get(reverse("hdsready:mfa-backup-codes"))
        assert page.context["LANGUAGE_CODE"] == "en"
        client.post(reverse("hdsready:language-set"), {"language": "fr", "next": "/"})
        assert client.get(reverse("hdsready:mfa-backup-codes")).context["LANGUAGE_CODE"] == "fr"

    def test_wrong_method(self):
        assert Client().get(reverse("hdsready:language-set")).status_code == 405


class TestHome:
    def test_single_organisation_goes_straight_there(self, client_as, officer, organisation):
        response = client_as(officer).get(reverse("hdsready:home"))
        assert response["Location"] == org_url("hdsready:organisation-home", organisation)

    def test_several_organisations_are_listed(self, client_as, officer, outsider):
        Membership.objects.create(
            user=outsider,
            organisation=membership_of(
                officer, officer.memberships.get().organisation
            ).organisation,
            role=Role.MANAGER,
        )
        response = client_as(outsider).get(reverse("hdsready:home"))
        assert response.status_code == 200
        assert len(response.context["memberships"]) == 2

    def test_wrong_method(self, client_as, officer):
        assert client_as(officer).post(reverse("hdsready:home")).status_code == 405


class TestOrganisationHome:
    @pytest.mark.parametrize("persona", ["officer", "contributor", "manager"])
    def test_every_member_sees_it(self, request, client_as, organisation, persona):
        user = request.getfixturevalue(persona)
        response = client_as(user).get(org_url("hdsready:organisation-home", organisation))
        assert response.status_code == 200
        assert response.context["can_manage"] is (persona == "officer")

    def test_outsider_gets_404(self, client_as, outsider, organisation):
        response = client_as(outsider).get(org_url("hdsready:organisation-home", organisation))
        assert response.status_code == 404

    def test_wrong_method(self, client_as, officer, organisation):
        response = client_as(officer).post(org_url("hdsready:organisation-home", organisation))
        assert response.status_code == 405


class TestMemberList:
    def test_officer_sees_members_and_invitations(
        self, client_as, officer, contributor, organisation
    ):
        invitation_send(
            organisation=organisation, email="p@example.org", role=Role.MANAGER, actor=officer
        )
        response = client_as(officer).get(org_url("hdsready:member-list", organisation))
        assert response.status_code == 200
        assert contributor.email in response.content.decode()
        assert "p@example.org" in response.content.decode()

    @pytest.mark.parametrize("persona", ["contributor", "manager", "outsider"])
    def test_non_officers_get_404(self, request, client_as, organisation, persona):
        user = request.getfixturevalue(persona)
        response = client_as(user).get(org_url("hdsready:member-list", organisation))
        assert response.status_code == 404

    def test_wrong_method(self, client_as, officer, organisation):
        assert (
            client_as(officer).post(org_url("hdsready:member-list", organisation)).status_code
            == 405
        )

    def test_query_count_does_not_grow_with_members(
        self, client_as, officer, organisation, django_assert_num_queries
    ):
        from tests.factories import make_member

        client = client_as(officer)
        url = org_url("hdsready:member-list", organisation)
        client.get(url)  # warm the session and permission caches
        with django_assert_num_queries(8):
            client.get(url)
        for _ in range(5):
            make_member(organisation, Role.CONTRIBUTOR)
            invitation_send(
                organisation=organisation,
                email=f"x{_}@example.org",
                role=Role.MANAGER,
                actor=officer,
            )
        with django_assert_num_queries(8):
            client.get(url)


class TestMemberInvite:
    def test_officer_invites(
        self, client_as, officer, organisation, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = client_as(officer).post(
                org_url("hdsready:member-invite", organisation),
                {"email": "new@example.org", "role": Role.CONTRIBUTOR},
            )
        assert response.status_code == 302
        assert Invitation.objects.filter(email="new@example.org").exists()

    def test_bad_input_changes_nothing(self, client_as, officer, organisation):
        response = client_as(officer).post(
            org_url("hdsready:member-invite", organisation),
            {"email": "not-an-email", "role": "boss"},
            follow=True,
        )
        assert not Invitation.objects.exists()
        # The members page again, each error beside its field, the input kept.
        assert (response.status_code, response.redirect_chain) == (200, [])
        assert set(response.context["invite_form"].errors) == {"email", "role"}
        assert 'value="not-an-email"' in response.content.decode()

    def test_outsider_gets_404(self, client_as, outsider, organisation):
        response = client_as(outsider).post(
            org_url("hdsready:member-invite", organisation),
            {"email": "a@b.org", "role": Role.MANAGER},
        )
        assert response.status_code == 404
        assert not Invitation.objects.exists()

    def test_wrong_method(self, client_as, officer, organisation):
        assert (
            client_as(officer).get(org_url("hdsready:member-invite", organisation)).status_code
            == 405
        )


class TestMemberActions:
    @pytest.mark.parametrize("name", MEMBER_ACTIONS)
    def test_outsider_gets_404(self, client_as, outsider, contributor, organisation, name):
        target = membership_of(contributor, organisation)
        response = client_as(outsider).post(
            org_url(name, organisation, target.pk), {"role": Role.MANAGER}
        )
        assert response.status_code == 404

    @pytest.mark.parametrize("name", MEMBER_ACTIONS)
    def test_membership_of_another_organisation_is_404(
        self, client_as, outsider, contributor, organisation, name
    ):
        # The outsider is officer of their own organisation: the id of a membership here,
        # addressed through their organisation's URL, must not resolve.
        other = outsider.memberships.get().organisation
        target = membership_of(contributor, organisation)
        response = client_as(outsider).post(org_url(name, other, target.pk), {"role": Role.MANAGER})
        assert response.status_code == 404
        assert membership_of(contributor, organisation).role == Role.CONTRIBUTOR

    @pytest.mark.parametrize("name", MEMBER_ACTIONS)
    def test_wrong_method(self, client_as, officer, contributor, organisation, name):
        target = membership_of(contributor, organisation)
        assert client_as(officer).get(org_url(name, organisation, target.pk)).status_code == 405

    def test_change_role(self, client_as, officer, contributor, organisation):
        target = membership_of(contributor, organisation)
        client_as(officer).post(
            org_url("hdsready:member-role", organisation, target.pk), {"role": Role.MANAGER}
        )
        assert membership_of(contributor, organisation).role == Role.MANAGER

    def test_last_officer_message(self, client_as, officer, organisation):
        target = membership_of(officer, organisation)
        response = client_as(officer).post(
            org_url("hdsready:member-role", organisation, target.pk),
            {"role": Role.MANAGER},
            follow=True,
        )
        assert membership_of(officer, organisation).role == Role.OFFICER
        assert len(list(response.context["messages"])) == 1

    def test_remove(self, client_as, officer, contributor, organisation):
        target = membership_of(contributor, organisation)
        client_as(officer).post(org_url("hdsready:member-remove", organisation, target.pk))
        assert not Membership.objects.filter(pk=target.pk).exists()

    def test_mfa_reset(self, client_as, officer, contributor, organisation):
        target = membership_of(contributor, organisation)
        client_as(officer).post(org_url("hdsready:member-mfa-reset", organisation, target.pk))
        assert not TOTPDevice.objects.filter(user=contributor).exists()
        assert TrailEvent.objects.filter(kind="mfa.reset", organisation=organisation).exists()


class TestInvitationRevoke:
    def test_revoke(self, client_as, officer, organisation):
        invitation, _ = invitation_send(
            organisation=organisation, email="a@b.org", role=Role.MANAGER, actor=officer
        )
        client_as(officer).post(org_url("hdsready:invitation-revoke", organisation, invitation.pk))
        invitation.refresh_from_db()
        assert invitation.status == InvitationStatus.REVOKED

    def test_outsider_gets_404(self, client_as, officer, outsider, organisation):
        invitation, _ = invitation_send(
            organisation=organisation, email="a@b.org", role=Role.MANAGER, actor=officer
        )
        for org in (organisation, outsider.memberships.get().organisation):
            response = client_as(outsider).post(
                org_url("hdsready:invitation-revoke", org, invitation.pk)
            )
            assert response.status_code == 404
        invitation.refresh_from_db()
        assert invitation.status == InvitationStatus.PENDING

    def test_wrong_method(self, client_as, officer, organisation):
        invitation, _ = invitation_send(
            organisation=organisation, email="a@b.org", role=Role.MANAGER, actor=officer
        )
        response = client_as(officer).get(
            org_url("hdsready:invitation-revoke", organisation, invitation.pk)
        )
        assert response.status_code == 405


class TestInvitationAccept:
    def test_new_person_sets_a_password_and_goes_to_enrolment(self, officer, organisation):
        _, raw = invitation_send(
            organisation=organisation,
            email="nina@example.org",
            role=Role.CONTRIBUTOR,
            actor=officer,
        )
        client = Client()
        url = reverse("hdsready:invitation-accept", args=[raw])
        assert client.get(url).status_code == 200
        response = client.post(
            url,
            {
                "full_name": "Nina Petit",
                "password1": "a long passphrase 1",
                "password2": "a long passphrase 1",
            },
        )
        assert response["Location"] == reverse("hdsready:mfa-enrol")
        assert User.objects.filter(email="nina@example.org").exists()
        assert client.get(url).status_code == 404  # single use

    def test_mismatched_passwords_change_nothing(self, officer, organisation):
        _, raw = invitation_send(
            organisation=organisation,
            email="nina@example.org",
            role=Role.CONTRIBUTOR,
            actor=officer,
        )
        url = reverse("hdsready:invitation-accept", args=[raw])
        response = Client().post(
            url, {"full_name": "N", "password1": "a long passphrase 1", "password2": "other"}
        )
        assert response.status_code == 200
        assert not User.objects.filter(email="nina@example.org").exists()

    def test_existing_member_of_elsewhere_accepts_when_verified(
        self, client_as, officer, outsider, organisation
    ):
        _, raw = invitation_send(
            organisation=organisation, email=outsider.email, role=Role.MANAGER, actor=officer
        )
        url = reverse("hdsready:invitation-accept", args=[raw])
        assert b"?next=" in Client().get(url).content  # asked to log in first
        response = client_as(outsider).post(url)
        assert response["Location"] == org_url("hdsready:organisation-home", organisation)

    def test_unknown_or_expired_token_is_404(self, officer, organisation):
        invitation, raw = invitation_send(
            organisation=organisation, email="z@example.org", role=Role.MANAGER, actor=officer
        )
        assert Client().get(reverse("hdsready:invitation-accept", args=["nope"])).status_code == 404
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
        assert Client().get(reverse("hdsready:invitation-accept", args=[raw])).status_code == 404

    def test_wrong_method(self, officer, organisation):
        _, raw = invitation_send(
            organisation=organisation, email="z@example.org", role=Role.MANAGER, actor=officer
        )
        assert Client().put(reverse("hdsready:invitation-accept", args=[raw])).status_code == 405


class TestTrailList:
    def test_officer_filters_and_pages(self, client_as, officer, organisation):
        for i in range(60):
            trail_record(kind="test.bulk", actor=officer, organisation=organisation, data={"i": i})
        client = client_as(officer)
        url = org_url("hdsready:trail-list", organisation)
        page1 = client.get(url, {"kind": "test.bulk"})
        assert page1.status_code == 200
        first = page1.context["page"]
        assert len(first.rows) == 50
        assert first.newer is None
        page2 = client.get(url, {"kind": "test.bulk", "before": first.older})
        second = page2.context["page"]
        assert len(second.rows) == 10
        assert second.older is None
        back = client.get(url, {"kind": "test.bulk", "after": second.newer}).context["page"]
        assert [e.seq for e in back.rows] == [e.seq for e in first.rows]
        assert f"before={first.older}" in page1.content.decode()
        none = client.get(url, {"actor": "nobody-here"})
        assert len(none.context["page"].rows) == 0
        for odd in ("²", "-1", "9" * 30, "x"):
            assert client.get(url, {"before": odd}).status_code == 200

    @pytest.mark.parametrize("persona", ["contributor", "manager", "outsider"])
    def test_others_get_404(self, request, client_as, organisation, persona):
        user = request.getfixturevalue(persona)
        assert client_as(user).get(org_url("hdsready:trail-list", organisation)).status_code == 404

    def test_wrong_method(self, client_as, officer, organisation):
        assert (
            client_as(officer).post(org_url("hdsready:trail-list", organisation)).status_code == 405
        )

    def test_query_count_does_not_grow_with_events(
        self, client_as, officer, organisation, django_assert_num_queries
    ):
        client = client_as(officer)
        url = org_url("hdsready:trail-list", organisation)
        client.get(url)
        with django_assert_num_queries(7):  # keyset pages: no COUNT, no scan of the trail
            client.get(url)
        for i in range(40):
            trail_record(kind="test.more", actor=officer, organisation=organisation, data={"i": i})
        with django_assert_num_queries(7):
            client.get(url)


class TestAdminTrail:
    def test_trail_cannot_be_changed_or_deleted_in_the_admin(self, organisation, officer):
        officer.is_staff = officer.is_superuser = True
        officer.save()
        from tests.conftest import verified_client_for

        client = verified_client_for(officer)
        event = TrailEvent.objects.latest("seq")
        change = client.get(f"/admin/hdsready/trailevent/{event.pk}/change/")
        assert change.status_code == 200
        assert b'name="_save"' not in change.content
        assert client.post(f"/admin/hdsready/trailevent/{event.pk}/delete/").status_code == 403
        assert client.get("/admin/hdsready/trailevent/add/").status_code == 403


class TestEvidenceReviewFragment:
    def test_home_loads_the_review_list_and_it_lists_due_items(
        self, client_as, officer, organisation
    ):
        from datetime import timedelta

        from evidence.services import ItemData, evidence_item_create

        soon = timezone.localdate() + timedelta(days=10)
        evidence_item_create(
            organisation=organisation,
            data=ItemData(title="Backup restore test", review_due_on=soon),
            actor=officer,
        )
        evidence_item_create(
            organisation=organisation,
            data=ItemData(title="Far away", review_due_on=soon + timedelta(days=300)),
            actor=officer,
        )
        client = client_as(officer)
        home = client.get(org_url("hdsready:organisation-home", organisation)).content.decode()
        fragment_url = reverse("evidence:review-due", args=[organisation.slug])
        assert f'data-fragment="{fragment_url}"' in home
        assert "<script" not in home.split("</title>")[0]
        assert home.count("js/evidence-upload.js") == 1
        fragment = client.get(fragment_url).content.decode()
        assert "Backup restore test" in fragment
        assert "Far away" not in fragment

    def test_outsider_and_wrong_method(self, client_as, outsider, officer, organisation):
        url = reverse("evidence:review-due", args=[organisation.slug])
        assert client_as(outsider).get(url).status_code == 404
        assert client_as(officer).post(url).status_code == 405
