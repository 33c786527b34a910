"""Shared pieces of the scopes API: the base view and the organisation-bound fields."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from hdsready.api import OrganisationAPIView
from hdsready.models import User
from scopes.models import Subcontractor
from scopes.selectors import members_of, subcontractors_of
from scopes.services import ScopeError


class ScopesAPIView(OrganisationAPIView):
    service_errors: ClassVar[tuple[type[Exception], ...]] = (ScopeError,)


def merged(base: object, changes: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """A PUT starts from a blank object (its defaults), a PATCH from the current one."""
    return {name: changes[name] if name in changes else getattr(base, name) for name in names}


# Fields whose choices come from the organisation in the serializer context: an id or an address
# from another organisation is "does not exist", exactly like one that does not exist at all.


class SubcontractorField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> QuerySet[Subcontractor]:
        return subcontractors_of(organisation=self.context["organisation"])


class MemberField(serializers.SlugRelatedField):
    default_error_messages = {
        "does_not_exist": _("The owner must be a member of the organisation."),
        "invalid": _("Give the e-mail address of a member."),
    }

    def get_queryset(self) -> QuerySet[User]:
        return members_of(organisation=self.context["organisation"])


def member_field() -> MemberField:
    return MemberField(
        slug_field="email",
        queryset=User.objects.none(),
        allow_null=True,
        required=False,
        help_text=_("E-mail address of a member of the organisation."),
    )
