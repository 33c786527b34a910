"""Seed a demo organisation with one user per role, and the certification body's auditor (no
membership: seed_demo_cycle invites them to the demo audit), and print how to log in.

Passwords and TOTP secrets are new at every run, so a demo never ships known credentials.
"""

from __future__ import annotations

import secrets
from base64 import b32encode
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from hdsready.models import Membership, Organisation, Role, User
from hdsready.services.organisations import membership_create, organisation_create

DEMO_SLUG = "demo"
DEMO_USERS = (
    ("officer@demo.hdsready.test", "Claire Martin", Role.OFFICER),
    ("contributor@demo.hdsready.test", "Hugo Bernard", Role.CONTRIBUTOR),
    ("manager@demo.hdsready.test", "Sophie Leroy", Role.MANAGER),
)
# The certification body's auditor: a login of their own, invited to the demo audit only.
DEMO_AUDITOR = ("auditor@demo.hdsready.test", "Marc Dubois (auditeur)", "auditor")


class Command(BaseCommand):
    help = "Create (or refresh) the demo organisation and its users; prints their credentials."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--force", action="store_true", help="Allow seeding when DEBUG is off.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError("seed_demo is for development (DEBUG=true); use --force to insist.")
        rows = []
        with transaction.atomic():
            users = []
            for email, name, _role in (*DEMO_USERS, DEMO_AUDITOR):
                user, _ = User.objects.get_or_create(email=email, defaults={"full_name": name})
                password = secrets.token_urlsafe(12)
                user.set_password(password)
                user.save()
                TOTPDevice.objects.filter(user=user).delete()
                StaticDevice.objects.filter(user=user).delete()
                device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
                users.append(user)
                rows.append((email, password, b32encode(device.bin_key).decode()))
            organisation = Organisation.objects.filter(slug=DEMO_SLUG).first()
            if organisation is None:
                organisation = organisation_create(
                    name="Clinicloud Hébergement (démo)", slug=DEMO_SLUG, actor=users[0]
                )
            for user, (_email, _name, role) in zip(
                users[: len(DEMO_USERS)], DEMO_USERS, strict=True
            ):
                if not Membership.objects.filter(organisation=organisation, user=user).exists():
                    membership_create(
                        organisation=organisation, user=user, role=role, actor=users[0]
                    )
        self.stdout.write(self.style.SUCCESS(f"Demo organisation: {organisation.name}"))
        self.stdout.write("Log in with an e-mail and password, then the TOTP code of the secret")
        self.stdout.write("(add the secret to an authenticator app, or: oathtool --totp -b SECRET)")
        self.stdout.write("The auditor belongs to no organisation: they see the demo audit only.")
        personas = [str(role) for _e, _n, role in DEMO_USERS] + [DEMO_AUDITOR[2]]
        for (email, password, secret), persona in zip(rows, personas, strict=True):
            self.stdout.write(
                f"  {persona:<12} {email:<32} password: {password}  TOTP secret: {secret}"
            )
