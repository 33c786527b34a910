from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from hdsready import roles
from hdsready.models import Invitation, InvitationStatus, Membership, Role, TrailEvent
from hdsready.selectors import organisations_for_user, user_can
from hdsready.services import CoreError
from hdsready.services.invitations import (
    invitation_accept_existing_user,
    invitation_accept_new_user,
    invitation_find_usable,
    invitation_revoke,
    invitation_send,
    invitations_expire,
)
from hdsready.services.mfa import (
    backup_codes_regenerate,
    mfa_check_code,
    mfa_reset,
    totp_enrolment_confirm,
    totp_enrolment_start,
)
from hdsready.services.organisations import (
    membership_change_role,
    membership_remove,
    organisation_create,
)
from tests.factories import UserFactory, membership_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def totp_now(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def kinds() -> list[str]:
    return list(TrailEvent.objects.order_by("seq").values_list("kind", flat=True))


class TestRolesAndPermissions:
    @pytest.mark.parametrize(
        ("role", "expected"),
        [
            (Role.OFFICER, roles.ALL_ORGANISATION_PERMS),
            (Role.CONTRIBUTOR, {roles.VIEW, roles.EDIT_READINESS}),
            (Role.MANAGER, {roles.VIEW, roles.PRINT_DOSSIER}),
        ],
    )
    def test_role_gives_exactly_its_permissions(self, organisation, role, expected):
        from tests.factories import make_member

        user = make_member(organisation, role)
        granted = {
            p
            for p in roles.ALL_ORGANISATION_PERMS
            if user_can(user=user, organisation=organisation, perm=p)
        }
        assert granted == set(expected)

    def test_outsider_has_nothing_here(self, organisation, officer, outsider):
        assert not organisations_for_user(user=outsider).filter(pk=organisation.pk).exists()
        assert not user_can(user=outsider, organisation=organisation, perm=roles.VIEW)

    def test_role_change_moves_permissions_and_is_trailed(self, organisation, officer, contributor):
        membership = membership_of(contributor, organisation)
        membership_change_role(membership=membership, role=Role.MANAGER, actor=officer)
        assert user_can(user=contributor, organisation=organisation, perm=roles.PRINT_DOSSIER)
        assert not user_can(user=contributor, organisation=organisation, perm=roles.EDIT_READINESS)
        assert kinds()[-1] == "membership.role_changed"

    def test_last_officer_cannot_be_demoted_or_removed(self, organisation, officer):
        membership = membership_of(officer, organisation)
        with pytest.raises(CoreError, match="at least one compliance officer"):
            membership_change_role(membership=membership, role=Role.MANAGER, actor=officer)
        with pytest.raises(CoreError, match="at least one compliance officer"):
            membership_remove(membership=membership, actor=officer)
        assert membership_of(officer, organisation).role == Role.OFFICER

    def test_removed_member_loses_access(self, organisation, officer, manager):
        membership_remove(membership=membership_of(manager, organisation), actor=officer)
        assert not Membership.objects.filter(user=manager).exists()
        assert not user_can(user=manager, organisation=organisation, perm=roles.VIEW)

    def test_organisation_create_makes_the_actor_officer(self, db):
        user = UserFactory()
        organisation = organisation_create(name="Nouvel hébergeur", slug="nouvel", actor=user)
        assert user_can(user=user, organisation=organisation, perm=roles.MANAGE)
        with pytest.raises(CoreError, match="already exists"):
            organisation_create(name="Doublon", slug="nouvel", actor=user)


class TestInvitations:
    def test_send_stores_only_a_hash_and_mails_the_link(self, organisation, officer):
        invitation, raw = invitation_send(
            organisation=organisation,
            email=" New@Example.org ",
            role=Role.CONTRIBUTOR,
            actor=officer,
        )
        assert invitation.email == "new@example.org"
        assert raw not in invitation.token_hash
        assert invitation.expires_at - invitation.created_at == timedelta(days=7)
        # Celery runs eagerly in tests; on_commit callbacks run when the test's transaction
        # would commit, which captureOnCommitCallbacks forces below.
        assert kinds()[-1] == "invitation.sent"

    def test_link_is_mailed_after_commit(
        self, organisation, officer, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            _, raw = invitation_send(
                organisation=organisation, email="new@example.org", role=Role.MANAGER, actor=officer
            )
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == ["new@example.org"]
        assert f"/invitations/{raw}/" in mail.outbox[0].body

    def test_accept_creates_user_and_membership_once(self, organisation, officer):
        invitation, raw = invitation_send(
            organisation=organisation, email="new@example.org", role=Role.CONTRIBUTOR, actor=officer
        )
        user = invitation_accept_new_user(
            invitation=invitation, full_name="Nina Petit", password="a long enough passphrase"
        )
        assert user_can(user=user, organisation=organisation, perm=roles.EDIT_READINESS)
        assert Invitation.objects.get(pk=invitation.pk).status == InvitationStatus.ACCEPTED
        assert invitation_find_usable(raw_token=raw, now=timezone.now()) is None
        with pytest.raises(CoreError, match="already used or expired"):
            invitation_accept_existing_user(invitation=invitation, user=user)

    def test_weak_password_changes_nothing(self, organisation, officer):
        invitation, raw = invitation_send(
            organisation=organisation, email="new@example.org", role=Role.CONTRIBUTOR, actor=officer
        )
        with pytest.raises(CoreError):
            invitation_accept_new_user(invitation=invitation, full_name="Nina", password="123")
        assert not Membership.objects.filter(user__email="new@example.org").exists()
        assert invitation_find_usable(raw_token=raw, now=timezone.now()) is not None

    def test_expired_link_is_refused_and_swept(self, organisation, officer):
        invitation, raw = invitation_send(
            organisation=organisation, email="late@example.org", role=Role.MANAGER, actor=officer
        )
        later = invitation.expires_at + timedelta(seconds=1)
        assert invitation_find_usable(raw_token=raw, now=later) is None
        with pytest.raises(CoreError, match="expired"):
            invitation_accept_new_user(
                invitation=invitation,
                full_name="Late",
                password="a long enough passphrase",
                now=later,
            )
        assert invitations_expire(now=later) == 1
        assert invitations_expire(now=later) == 0  # idempotent
        assert Invitation.objects.get(pk=invitation.pk).status == InvitationStatus.EXPIRED

    def test_revoked_and_replaced_links_stop_working(self, organisation, officer):
        first, first_raw = invitation_send(
            organisation=organisation, email="x@example.org", role=Role.MANAGER, actor=officer
        )
        _, second_raw = invitation_send(
            organisation=organisation, email="x@example.org", role=Role.MANAGER, actor=officer
        )
        assert invitation_find_usable(raw_token=first_raw, now=timezone.now()) is None
        second = invitation_find_usable(raw_token=second_raw, now=timezone.now())
        invitation_revoke(invitation=second, actor=officer)
        assert invitation_find_usable(raw_token=second_raw, now=timezone.now()) is None
        with pytest.raises(CoreError, match="no longer pending"):
            invitation_revoke(invitation=first, actor=officer)

    def test_existing_user_must_match_the_address(self, organisation, officer, outsider):
        invitation, _ = invitation_send(
            organisation=organisation,
            email="someone.else@example.org",
            role=Role.MANAGER,
            actor=officer,
        )
        with pytest.raises(CoreError, match="another e-mail address"):
            invitation_accept_existing_user(invitation=invitation, user=outsider)
        invitation2, _ = invitation_send(
            organisation=organisation, email=outsider.email, role=Role.MANAGER, actor=officer
        )
        invitation_accept_existing_user(invitation=invitation2, user=outsider)
        assert user_can(user=outsider, organisation=organisation, perm=roles.PRINT_DOSSIER)

    def test_member_cannot_be_invited_again(self, organisation, officer, manager):
        with pytest.raises(CoreError, match="already a member"):
            invitation_send(
                organisation=organisation, email=manager.email, role=Role.MANAGER, actor=officer
            )


class TestMfa:
    def test_enrolment_needs_a_valid_code_and_returns_backup_codes(self, db):
        user = UserFactory(with_totp=False)
        device = totp_enrolment_start(user=user)
        assert totp_enrolment_start(user=user) == device  # one pending device at a time
        with pytest.raises(CoreError, match="not valid"):
            totp_enrolment_confirm(user=user, device=device, token="000000")
        codes = totp_enrolment_confirm(user=user, device=device, token=totp_now(device))
        assert len(codes) == 10
        assert len(set(codes)) == 10
        device.refresh_from_db()
        assert device.confirmed
        assert {"mfa.enrolment_started", "mfa.enrolled"} <= set(kinds())

    def test_backup_code_works_once(self, officer):
        codes = backup_codes_regenerate(user=officer)
        first = mfa_check_code(user=officer, token=codes[0])
        assert first.device is not None
        again = mfa_check_code(user=officer, token=codes[0])
        assert again.device is None
        assert StaticToken.objects.filter(device__user=officer).count() == 9
        assert kinds()[-2:] == ["mfa.backup_code_used", "mfa.failed"]

    def test_regenerating_backup_codes_voids_the_old_ones(self, officer):
        old = backup_codes_regenerate(user=officer)
        backup_codes_regenerate(user=officer)
        assert mfa_check_code(user=officer, token=old[0]).device is None

    def test_totp_code_passes(self, officer):
        device = TOTPDevice.objects.get(user=officer)
        assert mfa_check_code(user=officer, token=totp_now(device)).device == device

    def test_wrong_codes_are_throttled(self, officer):
        assert mfa_check_code(user=officer, token="000000").device is None
        # django-otp backs off after a failure: even the right code waits.
        device = TOTPDevice.objects.get(user=officer)
        check = mfa_check_code(user=officer, token=totp_now(device))
        assert check.device is None
        assert check.throttled

    def test_officer_reset_removes_devices_with_a_trail_entry(
        self, organisation, officer, contributor
    ):
        backup_codes_regenerate(user=contributor)
        mfa_reset(membership=membership_of(contributor, organisation), actor=officer)
        assert not TOTPDevice.objects.filter(user=contributor).exists()
        event = TrailEvent.objects.latest("seq")
        assert (event.kind, event.actor, event.organisation) == ("mfa.reset", officer, organisation)
        assert event.data["devices_removed"] == 2
        assert event.data["tokens_revoked"] == 0

    def test_reset_revokes_api_tokens(self, organisation, officer, contributor):
        from hdsready.models import ApiToken
        from hdsready.services.tokens import api_token_create

        api_token_create(user=contributor, name="ci", actor=contributor)
        mfa_reset(membership=membership_of(contributor, organisation), actor=officer)
        assert ApiToken.objects.get(user=contributor).revoked_at is not None
