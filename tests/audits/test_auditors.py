"""Auditor access: invited by e-mail to one audit for a window, the auditor sees that audit and
nothing else, and loses it by itself when the window ends."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from audits.models import Audit, AuditKind, AuditorAccess
from audits.services import AuditError
from audits.services.auditors import (
    auditor_accept_existing_user,
    auditor_access_expire_sweep,
    auditor_access_revoke,
    auditor_invite,
)
from audits.services.cycle import audit_plan, cycle_create
from audits.tasks import auditor_access_sweep
from evidence.services import evidence_version_add
from hdsready.models import Membership, Organisation, Role, TrailEvent, User
from hdsready.selectors import object_perm_held
from scopes.models import ActivityMode, Requirement
from scopes.services.scope import ActivityChoice, scope_set_activities
from tests.conftest import verified_client_for
from tests.evidence.helpers import PDF, hashed_upload, make_item
from tests.factories import OrganisationFactory, make_member

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PERM = "audits.audit_as_auditor"
PASSWORD = "Un-mot-de-passe-solide-42"


def _cycle_audit(organisation: Organisation, officer: User) -> Audit:
    cycle = cycle_create(
        organisation=organisation,
        certification_body="Organisme X",
        accreditation="5-0001",
        actor=officer,
    )
    return audit_plan(cycle=cycle, kind=AuditKind.INITIAL, actor=officer)


@pytest.fixture
def audit(scoped: Organisation, officer: User) -> Audit:
    return _cycle_audit(scoped, officer)


@pytest.fixture
def other_audit(audit: Audit, officer: User) -> Audit:
    """Another audit of the same organisation."""
    return audit_plan(cycle=audit.cycle, kind=AuditKind.SURVEILLANCE, actor=officer)


@pytest.fixture
def foreign_audit(db: None) -> Audit:
    """An audit of another organisation."""
    other = OrganisationFactory(name="Autre hébergeur", slug="autre-hebergeur")
    other_officer = make_member(other, Role.OFFICER, email="officer@autre-hebergeur.test")
    scope_set_activities(
        organisation=other,
        choices={5: ActivityChoice(ActivityMode.IN_HOUSE)},
        actor=other_officer,
    )
    return _cycle_audit(other, other_officer)


def _window(now: datetime | None = None) -> tuple[datetime, datetime]:
    # Short enough that travelling past its end keeps the session (SESSION_COOKIE_AGE) alive.
    now = now or timezone.now()
    return now - timedelta(hours=1), now + timedelta(hours=2)


@pytest.fixture
def access(audit: Audit, officer: User, auditor: User) -> AuditorAccess:
    """The auditor persona, invited to `audit` and accepted: its window is open now."""
    valid_from, valid_until = _window()
    invited, _raw = auditor_invite(
        audit=audit,
        email=auditor.email,
        valid_from=valid_from,
        valid_until=valid_until,
        actor=officer,
    )
    return auditor_accept_existing_user(access=invited, user=auditor)


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _audit_page(audit: Audit) -> str:
    try:
        return reverse("audits:audit-detail", args=[audit.cycle.organisation.slug, audit.pk])
    except NoReverseMatch:
        return reverse("hdsready:organisation-home", args=[audit.cycle.organisation.slug])


class TestInviteAndAcceptAsNewUser:
    def test_the_whole_path(self, audit, officer, client_as, django_capture_on_commit_callbacks):
        valid_from, valid_until = _window()
        with django_capture_on_commit_callbacks(execute=True):
            response = client_as(officer).post(
                reverse("audits:auditor-invite", args=[audit.cycle.organisation.slug, audit.pk]),
                {
                    "email": "New.Auditor@Organisme.test",
                    "valid_from": _local(valid_from),
                    "valid_until": _local(valid_until),
                },
            )
        assert response.status_code == 302
        assert response["Location"] == _audit_page(audit)
        access = AuditorAccess.objects.get(audit=audit)
        assert access.email == "new.auditor@organisme.test"
        assert access.accepted_at is None

        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["new.auditor@organisme.test"]
        assert "Clinicloud" in message.subject
        match = re.search(r"/auditor-invitations/([^/\s]+)/", message.body)
        assert match is not None
        raw = match.group(1)
        assert access.token_hash != raw  # stored hashed
        html = message.alternatives[0]
        assert f"/auditor-invitations/{raw}/" in str(html[0])

        anonymous = Client()
        accept_url = reverse("audits:auditor-accept", args=[raw])
        page = anonymous.get(accept_url)
        assert page.status_code == 200
        assert b'name="password1"' in page.content
        response = anonymous.post(
            accept_url,
            {"full_name": "Anne Auditrice", "password1": PASSWORD, "password2": PASSWORD},
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("hdsready:mfa-enrol")
        new_user = User.objects.get(email="new.auditor@organisme.test")
        assert not Membership.objects.filter(user=new_user).exists()
        assert object_perm_held(user=new_user, obj=audit, perm=PERM)
        # Logged in but without the second factor: nothing but the MFA pages.
        home = anonymous.get(reverse("audits:auditor-home"))
        assert home.status_code == 302
        assert home["Location"] == reverse("hdsready:mfa-enrol")

        TOTPDevice.objects.create(user=new_user, name="phone", confirmed=True)
        client = verified_client_for(new_user)
        home = client.get(reverse("audits:auditor-home"))
        assert home.status_code == 200
        assert reverse("audits:auditor-audit", args=[audit.pk]).encode() in home.content
        page = client.get(reverse("audits:auditor-audit", args=[audit.pk]))
        assert page.status_code == 200
        assert b"Clinicloud" in page.content

        kinds = set(
            TrailEvent.objects.filter(organisation=audit.cycle.organisation).values_list(
                "kind", flat=True
            )
        )
        assert {"auditor_access.invited", "auditor_access.accepted"} <= kinds

    def test_the_link_works_once(self, audit, officer):
        valid_from, valid_until = _window()
        access, raw = auditor_invite(
            audit=audit,
            email="once@organisme.test",
            valid_from=valid_from,
            valid_until=valid_until,
            actor=officer,
        )
        url = reverse("audits:auditor-accept", args=[raw])
        data = {"full_name": "Once", "password1": PASSWORD, "password2": PASSWORD}
        assert Client().post(url, data).status_code == 302
        assert Client().get(url).status_code == 404
        assert Client().post(url, data).status_code == 404
        user = User.objects.get(email="once@organisme.test")
        with translation.override("en"), pytest.raises(AuditError, match="already used"):
            auditor_accept_existing_user(access=access, user=user)
        assert User.objects.filter(email="once@organisme.test").count() == 1

    def test_an_unknown_link_is_404(self, db):
        assert Client().get(reverse("audits:auditor-accept", args=["nope"])).status_code == 404


class TestAcceptAsExistingUser:
    def test_log_in_then_accept(self, audit, officer, auditor, client_as):
        valid_from, valid_until = _window()
        _access, raw = auditor_invite(
            audit=audit,
            email=auditor.email,
            valid_from=valid_from,
            valid_until=valid_until,
            actor=officer,
        )
        url = reverse("audits:auditor-accept", args=[raw])
        page = Client().get(url)
        assert page.status_code == 200
        assert b'name="password1"' not in page.content
        assert reverse("hdsready:login").encode() in page.content
        client = client_as(auditor)
        response = client.post(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("audits:auditor-audit", args=[audit.pk])
        assert client.get(reverse("audits:auditor-audit", args=[audit.pk])).status_code == 200

    def test_another_address_is_refused(self, audit, officer, outsider):
        valid_from, valid_until = _window()
        access, _raw = auditor_invite(
            audit=audit,
            email="someone@organisme.test",
            valid_from=valid_from,
            valid_until=valid_until,
            actor=officer,
        )
        with pytest.raises(AuditError, match="another e-mail"):
            auditor_accept_existing_user(access=access, user=outsider)


class TestInviteRules:
    def test_the_window_ends_after_it_starts_and_in_the_future(self, audit, officer):
        now = timezone.now()
        with pytest.raises(AuditError, match="end after it starts"):
            auditor_invite(
                audit=audit,
                email="a@organisme.test",
                valid_from=now + timedelta(days=2),
                valid_until=now + timedelta(days=1),
                actor=officer,
            )
        with pytest.raises(AuditError, match="in the future"):
            auditor_invite(
                audit=audit,
                email="a@organisme.test",
                valid_from=now - timedelta(days=2),
                valid_until=now - timedelta(days=1),
                actor=officer,
            )
        assert not AuditorAccess.objects.exists()

    def test_a_new_invitation_replaces_the_pending_one(self, audit, officer):
        valid_from, valid_until = _window()
        first, first_raw = auditor_invite(
            audit=audit,
            email="a@organisme.test",
            valid_from=valid_from,
            valid_until=valid_until,
            actor=officer,
        )
        second, _raw = auditor_invite(
            audit=audit,
            email="A@organisme.test",
            valid_from=valid_from,
            valid_until=valid_until,
            actor=officer,
        )
        first.refresh_from_db()
        assert first.revoked_at is not None
        assert second.revoked_at is None
        assert Client().get(reverse("audits:auditor-accept", args=[first_raw])).status_code == 404

    def test_invalid_form_changes_nothing(self, audit, officer, client_as):
        response = client_as(officer).post(
            reverse("audits:auditor-invite", args=[audit.cycle.organisation.slug, audit.pk]),
            {"email": "not an address", "valid_from": "", "valid_until": ""},
        )
        assert response.status_code == 200
        assert set(response.context["auditor_invite_form"].errors) == {
            "email",
            "valid_from",
            "valid_until",
        }
        assert not AuditorAccess.objects.exists()

    def test_an_end_before_the_start_is_said_beside_it_and_the_input_kept(
        self, audit, officer, client_as
    ):
        """Issue 12, item 6: the page again, the error beside the end, what was typed kept."""
        response = client_as(officer).post(
            reverse("audits:auditor-invite", args=[audit.cycle.organisation.slug, audit.pk]),
            {
                "email": "lea@organisme.test",
                "valid_from": "2030-06-10T09:00",
                "valid_until": "2030-06-01T09:00",
            },
        )
        assert response.status_code == 200
        form = response.context["auditor_invite_form"]
        assert form.errors == {"valid_until": ["The access window must end after it starts."]}
        page = response.content.decode()
        for kept in ('value="lea@organisme.test"', 'value="2030-06-10T09:00"'):
            assert kept in page
        assert not AuditorAccess.objects.exists()


class TestWhatTheAuditorSees:
    @pytest.mark.parametrize("extra_items", [0, 3])
    def test_the_audit_with_requirements_evidence_and_findings(
        self,
        extra_items,
        access,
        audit,
        contributor,
        auditor,
        client_as,
        django_assert_num_queries,
    ):
        exi10 = Requirement.objects.get(framework__organisation__isnull=True, ref_id="EXI 10")
        item = make_item(audit.cycle.organisation, contributor, title="Awareness register")
        item.requirements.set([exi10])
        evidence_version_add(item=item, upload=hashed_upload(PDF), actor=contributor)
        evidence_version_add(item=item, upload=hashed_upload(PDF, "v2.pdf"), actor=contributor)
        for number in range(extra_items):
            extra = make_item(audit.cycle.organisation, contributor, title=f"Extra {number}")
            extra.requirements.set([exi10])
            evidence_version_add(item=extra, upload=hashed_upload(PDF), actor=contributor)
        client = client_as(auditor)
        url = reverse("audits:auditor-audit", args=[audit.pk])
        client.get(url)  # warm the session and caches
        with django_assert_num_queries(14):
            page = client.get(url)
        assert page.status_code == 200
        content = page.content.decode()
        assert "Awareness register" in content
        assert "version 2 (v2.pdf)" in content
        assert "EXI 10" in content
        assert "Clinicloud" in content

    def test_home_lists_open_accesses_only(
        self, access, audit, auditor, client_as, django_assert_num_queries
    ):
        client = client_as(auditor)
        client.get(reverse("audits:auditor-home"))
        # A draft audit: no evidence is reviewed now, so what is left to review is not read.
        with django_assert_num_queries(6):
            page = client.get(reverse("audits:auditor-home"))
        assert page.status_code == 200
        assert reverse("audits:auditor-audit", args=[audit.pk]).encode() in page.content

    def test_nothing_else(self, access, audit, other_audit, foreign_audit, auditor, client_as):
        client = client_as(auditor)
        slug = audit.cycle.organisation.slug
        for pk in (other_audit.pk, foreign_audit.pk, 999999):
            assert client.get(reverse("audits:auditor-audit", args=[pk])).status_code == 404
        for url in (
            reverse("hdsready:organisation-home", args=[slug]),
            reverse("hdsready:member-list", args=[slug]),
            reverse("scopes:readiness-list", args=[slug, "hds"]),
            reverse("hdsready:trail-list", args=[slug]),
        ):
            assert client.get(url).status_code == 404, url
        response = client.post(
            reverse("audits:auditor-invite", args=[slug, audit.pk]),
            {"email": "x@organisme.test", "valid_from": "", "valid_until": ""},
        )
        assert response.status_code == 404
        revoke = reverse("audits:auditor-revoke", args=[slug, audit.pk, access.pk])
        assert client.post(revoke).status_code == 404

    def test_a_member_is_not_an_auditor(self, access, audit, officer, client_as):
        response = client_as(officer).get(reverse("audits:auditor-audit", args=[audit.pk]))
        assert response.status_code == 404


class TestTheWindowEnds:
    def test_404_at_the_end_of_the_window_before_the_sweep(self, access, audit, auditor, client_as):
        client = client_as(auditor)
        url = reverse("audits:auditor-audit", args=[audit.pk])
        assert client.get(url).status_code == 200
        with time_machine.travel(access.valid_until + timedelta(minutes=1)):
            assert client.get(url).status_code == 404
            home = client.get(reverse("audits:auditor-home"))
            assert home.status_code == 200
            assert url.encode() not in home.content
        # The sweep has not run: the permission is still there, the window alone refused.
        assert object_perm_held(user=auditor, obj=audit, perm=PERM)

    def test_not_before_the_window_opens(self, audit, officer, auditor, client_as):
        now = timezone.now()
        invited, _raw = auditor_invite(
            audit=audit,
            email=auditor.email,
            valid_from=now + timedelta(days=1),
            valid_until=now + timedelta(days=2),
            actor=officer,
        )
        auditor_accept_existing_user(access=invited, user=auditor)
        url = reverse("audits:auditor-audit", args=[audit.pk])
        assert client_as(auditor).get(url).status_code == 404

    def test_the_sweep_removes_the_permission_once(self, access, audit, auditor):
        later = access.valid_until + timedelta(minutes=1)
        assert auditor_access_expire_sweep(now=access.valid_until - timedelta(minutes=1)) == 0
        assert object_perm_held(user=auditor, obj=audit, perm=PERM)
        assert auditor_access_expire_sweep(now=later) == 1
        assert auditor_access_expire_sweep(now=later) == 0
        assert not object_perm_held(user=auditor, obj=audit, perm=PERM)
        access.refresh_from_db()
        assert access.permissions_removed_at == later
        assert (
            TrailEvent.objects.filter(
                kind="auditor_access.permissions_removed", object_id=str(access.pk)
            ).count()
            == 1
        )

    def test_the_beat_task(self, access, audit, auditor):
        with time_machine.travel(access.valid_until + timedelta(hours=1)):
            assert auditor_access_sweep.delay().get() == 1
            assert auditor_access_sweep.delay().get() == 0
        assert not object_perm_held(user=auditor, obj=audit, perm=PERM)

    def test_an_open_second_window_keeps_the_permission(self, access, audit, officer, auditor):
        later = access.valid_until + timedelta(minutes=1)
        second, _raw = auditor_invite(
            audit=audit,
            email=auditor.email,
            valid_from=access.valid_until - timedelta(hours=1),
            valid_until=access.valid_until + timedelta(days=3),
            actor=officer,
        )
        auditor_accept_existing_user(access=second, user=auditor)
        assert auditor_access_expire_sweep(now=later) == 1
        assert object_perm_held(user=auditor, obj=audit, perm=PERM)


class TestRevoke:
    def test_the_officer_revokes(self, access, audit, officer, auditor, client_as):
        url = reverse(
            "audits:auditor-revoke", args=[audit.cycle.organisation.slug, audit.pk, access.pk]
        )
        response = client_as(officer).post(url)
        assert response.status_code == 302
        assert response["Location"] == _audit_page(audit)
        access.refresh_from_db()
        assert access.revoked_at is not None
        assert access.permissions_removed_at is not None
        assert not object_perm_held(user=auditor, obj=audit, perm=PERM)
        assert (
            client_as(auditor).get(reverse("audits:auditor-audit", args=[audit.pk])).status_code
            == 404
        )
        assert TrailEvent.objects.filter(
            kind="auditor_access.revoked", object_id=str(access.pk), actor=officer
        ).exists()
        # The sweep has nothing left to do.
        assert auditor_access_expire_sweep(now=timezone.now()) == 0
        with pytest.raises(AuditError, match="already revoked"):
            auditor_access_revoke(access=access, actor=officer)

    def test_a_pending_invitation_revoked_cannot_be_accepted(self, audit, officer):
        valid_from, valid_until = _window()
        access, raw = auditor_invite(
            audit=audit,
            email="late@organisme.test",
            valid_from=valid_from,
            valid_until=valid_until,
            actor=officer,
        )
        auditor_access_revoke(access=access, actor=officer)
        assert Client().get(reverse("audits:auditor-accept", args=[raw])).status_code == 404


class TestPermissionsAndMethods:
    def test_wrong_method(self, access, audit, officer, auditor, client_as):
        slug = audit.cycle.organisation.slug
        officer_client = client_as(officer)
        auditor_client = client_as(auditor)
        invite = reverse("audits:auditor-invite", args=[slug, audit.pk])
        revoke = reverse("audits:auditor-revoke", args=[slug, audit.pk, access.pk])
        assert officer_client.get(invite).status_code == 405
        assert officer_client.get(revoke).status_code == 405
        assert Client().put(reverse("audits:auditor-accept", args=["x"])).status_code == 405
        assert auditor_client.post(reverse("audits:auditor-home")).status_code == 405
        page = reverse("audits:auditor-audit", args=[audit.pk])
        assert auditor_client.post(page).status_code == 405

    @pytest.mark.parametrize("persona", ["outsider", "contributor", "manager"])
    def test_only_the_officer_invites_and_revokes(self, persona, request, access, audit, client_as):
        client = client_as(request.getfixturevalue(persona))
        slug = audit.cycle.organisation.slug
        valid_from, valid_until = _window()
        response = client.post(
            reverse("audits:auditor-invite", args=[slug, audit.pk]),
            {
                "email": "x@organisme.test",
                "valid_from": _local(valid_from),
                "valid_until": _local(valid_until),
            },
        )
        assert response.status_code == 404
        revoke = reverse("audits:auditor-revoke", args=[slug, audit.pk, access.pk])
        assert client.post(revoke).status_code == 404
        access.refresh_from_db()
        assert access.revoked_at is None
        assert AuditorAccess.objects.count() == 1

    def test_an_audit_of_another_organisation_through_my_slug(
        self, audit, foreign_audit, officer, client_as
    ):
        slug = audit.cycle.organisation.slug
        response = client_as(officer).post(
            reverse("audits:auditor-invite", args=[slug, foreign_audit.pk]), {}
        )
        assert response.status_code == 404

    def test_the_outsider_sees_no_audit(self, access, audit, outsider, client_as):
        client = client_as(outsider)
        assert client.get(reverse("audits:auditor-audit", args=[audit.pk])).status_code == 404
