"""factory_boy factories; memberships go through the service so permissions are real."""

from __future__ import annotations

import secrets

import factory
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from hdsready.models import Membership, Organisation, User
from hdsready.services.organisations import membership_create

PASSWORD = "correct horse battery staple 42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name", locale="fr_FR")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def with_totp(self, create: bool, extracted: bool | None, **kwargs: object) -> None:
        self.save()
        if create and extracted is not False:
            TOTPDevice.objects.create(user=self, name="authenticator", confirmed=True)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Hébergeur {n}")
    slug = factory.Sequence(lambda n: f"host-{n}")


def make_member(organisation: Organisation, role: str, **user_kwargs: object) -> User:
    user = UserFactory(**user_kwargs)
    membership_create(organisation=organisation, user=user, role=role, actor=None)
    return user


def membership_of(user: User, organisation: Organisation) -> Membership:
    return Membership.objects.get(user=user, organisation=organisation)


def make_passkey(user: User, name: str = "Portable") -> WebAuthnCredential:
    """A stored passkey row (its key is never checked: for pages and permissions only; the
    ceremonies are tested with tests/hdsready/passkey_authenticator.py)."""
    credential_id = secrets.token_bytes(32)
    return WebAuthnCredential.objects.create(
        user=user,
        name=name,
        confirmed=True,
        credential_id=credential_id,
        public_key=secrets.token_bytes(77),
        aaguid="00000000-0000-0000-0000-000000000000",
    )
