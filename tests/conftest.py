"""Personas and clients for every test: officer, contributor, manager, auditor later, outsider.

`make test` runs pytest against PostgreSQL and Redis with CELERY_TASK_ALWAYS_EAGER=true; the one
test that proves a real worker turns eagerness off for itself.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from hdsready.models import Organisation, Role, User
from tests.factories import OrganisationFactory, make_member


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    # PBKDF2's deliberate slowness is for attackers, not for the test suite.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _own_trail_checkpoints(settings, tmp_path_factory) -> None:
    # The trail checkpoints of a developer's `make run` describe another database's trail.
    settings.TRAIL_CHECKPOINT_DIR = tmp_path_factory.mktemp("trail-checkpoints")


@pytest.fixture
def english(settings):
    """Service error messages are gettext strings: compare them in English. Requests default to
    English too, since a request leaves its own language active in the thread afterwards."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def organisation(db: None) -> Organisation:
    return OrganisationFactory(name="Clinicloud", slug="clinicloud")


@pytest.fixture
def officer(organisation: Organisation) -> User:
    return make_member(organisation, Role.OFFICER, email="officer@clinicloud.test")


@pytest.fixture
def contributor(organisation: Organisation) -> User:
    return make_member(organisation, Role.CONTRIBUTOR, email="contributor@clinicloud.test")


@pytest.fixture
def manager(organisation: Organisation) -> User:
    return make_member(organisation, Role.MANAGER, email="manager@clinicloud.test")


@pytest.fixture
def outsider(db: None) -> User:
    """An officer of another organisation: authenticated, verified, and a stranger here."""
    other = OrganisationFactory(name="Autre hébergeur", slug="autre")
    return make_member(other, Role.OFFICER, email="outsider@autre.test")


def verified_client_for(user: User) -> Client:
    """A client logged in with the second factor passed, as django-otp records it."""
    client = Client()
    client.force_login(user)  # django-axes wants a request in authenticate(): force_login
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    assert device is not None, "persona without a TOTP device"
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def client_as() -> Callable[[User], Client]:
    return verified_client_for
