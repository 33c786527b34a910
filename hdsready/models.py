"""Cross-cutting core: users, organisations and roles, invitations, the audit trail,
notifications."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("A user needs an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


# django-stubs cannot follow the reverse managers of ProviderMFADevice, whose base (django-otp's
# Device) is untyped.
class User(AbstractBaseUser, PermissionsMixin):  # type: ignore[django-manager-missing]
    """A person who logs in with an e-mail address, a password and a second factor."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email


class Organisation(models.Model):
    """A hosting company preparing for, or holding, HDS certification."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Set by an officer: members log in with a passkey or security key only (phishing-resistant).
    require_passkeys = models.BooleanField(_("passkeys required"), default=False)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ("name",)
        # Object permissions granted per organisation through django-guardian (see roles.py).
        permissions = (
            ("manage_organisation", "Manage members, scope and certification cycle"),
            ("edit_readiness", "Edit readiness and evidence"),
            ("print_dossier", "Ask for and download dossiers"),
            ("view_trail", "View the audit trail"),
        )

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    OFFICER = "officer", _("Compliance officer")
    CONTRIBUTOR = "contributor", _("Contributor")
    MANAGER = "manager", _("Manager")


class Membership(models.Model):
    """A user's role in one organisation; its object permissions follow the role."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("member since"), default=timezone.now)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = (
            models.UniqueConstraint(fields=("user", "organisation"), name="membership_unique"),
        )

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.get_role_display()})"


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")


# The one transition table of an invitation.
INVITATION_TRANSITIONS: dict[str, frozenset[str]] = {
    InvitationStatus.PENDING: frozenset(
        {InvitationStatus.ACCEPTED, InvitationStatus.REVOKED, InvitationStatus.EXPIRED}
    ),
    InvitationStatus.ACCEPTED: frozenset(),
    InvitationStatus.REVOKED: frozenset(),
    InvitationStatus.EXPIRED: frozenset(),
}


def hash_token(raw: str) -> str:
    """Links and tokens (invitations, API tokens, calendar feeds) are stored hashed: a leaked
    database does not leak usable ones."""
    return hashlib.sha256(raw.encode()).hexdigest()


class Invitation(models.Model):
    """A single-use, expiring link that makes a person a member with a role."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=InvitationStatus.choices,
        default=InvitationStatus.PENDING,
    )
    # Empty when the operator of the install invited the first officer from the console
    # (`manage.py organisation_open`): nobody in the app sent it, and the trail says so too.
    invited_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invitations_sent",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.email} -> {self.organisation} ({self.get_status_display()})"

    def is_expired(self, *, now: datetime) -> bool:
        return now >= self.expires_at


class TrailEventQuerySet(models.QuerySet["TrailEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("The audit trail is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("The audit trail is append-only.")


class TrailEvent(models.Model):
    """One row of the append-only, hash-chained audit trail ("journal d'audit").

    Each row's hash is an HMAC, under a key kept outside the database, of its content and the
    previous row's hash, so an edited, removed or inserted row breaks the chain from that point
    on (`manage.py trail_verify`). The database itself refuses UPDATE and DELETE on these rows.
    """

    seq = models.PositiveBigIntegerField(unique=True, editable=False)
    created_at = models.DateTimeField(_("time"), db_index=True, editable=False)
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    actor_label = models.CharField(_("actor"), max_length=254, blank=True, editable=False)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    kind = models.CharField(_("event"), max_length=64, db_index=True, editable=False)
    object_type = models.CharField(_("object type"), max_length=64, blank=True, editable=False)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, editable=False)
    object_repr = models.CharField(_("object"), max_length=200, blank=True, editable=False)
    data = models.JSONField(_("data"), default=dict, blank=True, editable=False)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True, editable=False)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, unique=True, editable=False)
    # Which trail key chained this row (hdsready.trail.trail_key_id); blank for the rows written
    # before the chain was keyed, which keep their plain SHA-256.
    key_id = models.CharField(max_length=16, blank=True, default="", editable=False)

    objects = TrailEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit trail event")
        verbose_name_plural = _("audit trail")
        ordering = ("-seq",)
        indexes = (
            models.Index(fields=("organisation", "-seq"), name="trail_org_seq"),
            models.Index(fields=("object_type", "object_id"), name="trail_object"),
        )

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind} by {self.actor_label or '-'}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("The audit trail is append-only.")


class TrailHead(models.Model):
    """The single row that serialises trail writers and remembers the end of the chain."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"trail head #{self.last_seq}"


class ApiToken(models.Model):
    """A personal credential for the REST API, made on a page reached only after MFA.

    Only the SHA-256 of the token is stored: a leaked database leaks no usable token. The first
    characters stay readable so that its owner can tell tokens apart.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("prefix"), max_length=8, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class Notification(models.Model):
    """A message to one user in the app (its e-mail goes out too), worded in their language."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", null=True
    )
    text = models.CharField(max_length=300)
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return self.text


class QueuedTask(models.Model):
    """A Celery task to send, written in the transaction of the change that calls for it (a
    transactional outbox, hdsready.queue): the change and its task commit together, so a broker
    that is down, or a process killed between the commit and the send, loses no task. The row
    goes once the broker has the message; its id is the task's id."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    task = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ("created_at",)

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)!r}"


class IdentityProvider(models.Model):  # type: ignore[django-manager-missing]
    """An organisation's OpenID Connect provider for single sign-on (one per organisation).

    The client secret is stored encrypted (hdsready.services.sso, with a key from the
    environment, never from the database): a database dump alone does not give it away.
    """

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="identity_provider"
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    issuer_url = models.URLField(_("issuer URL"), max_length=300)
    client_id = models.CharField(_("client ID"), max_length=200)
    client_secret_encrypted = models.TextField(editable=False)
    # Lower-case domains, one per line: an address in one of them logs in through this provider,
    # and this provider speaks only for addresses in them.
    email_domains = models.TextField(_("e-mail domains"))
    # The officer's domain rule: a verified address of these domains without an account or an
    # invitation joins the organisation with the least role (manager: reads, changes nothing).
    join_by_domain = models.BooleanField(_("anyone of these domains may join"), default=False)
    trust_provider_mfa = models.BooleanField(_("trust the provider's MFA"), default=False)
    # The `amr` or `acr` values (space separated) that show the provider checked a second factor.
    accepted_mfa_values = models.CharField(
        _("accepted amr/acr values"), max_length=300, blank=True, default="mfa"
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("identity provider")
        verbose_name_plural = _("identity providers")

    def __str__(self) -> str:
        return f"{self.organisation} ({self.issuer_url})"

    @property
    def domains(self) -> list[str]:
        return self.email_domains.split()

    @property
    def mfa_values(self) -> frozenset[str]:
        return frozenset(self.accepted_mfa_values.split())


class ProviderMFADevice(Device):
    """What django-otp marks a session verified with when an organisation trusts its identity
    provider's second factor: it accepts no code of its own (Device.verify_token is False), so
    only the single sign-on callback can put it in a session."""

    identity_provider = models.ForeignKey(
        IdentityProvider, on_delete=models.CASCADE, related_name="mfa_devices"
    )

    class Meta:
        verbose_name = _("identity provider second factor")
        constraints = (
            models.UniqueConstraint(
                fields=("user", "identity_provider"), name="provider_mfa_device_unique"
            ),
        )
