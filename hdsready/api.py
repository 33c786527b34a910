"""The core's part of the REST API: the user's organisations and API tokens, and the base view of
every endpoint under /api/o/<slug>/.

The API follows the pages' rules: reads and writes go through the selectors and the services
(which write the audit trail), an organisation the user is not a member of, or an object outside
it, is a 404, never a 403. A member whose role does not allow a change gets a 403: they already
know the organisation exists.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import SAFE_METHODS
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from hdsready import roles
from hdsready.models import Organisation, Role
from hdsready.selectors import (
    api_token_get_for_user,
    api_tokens_of_user,
    memberships_for_user,
    organisation_get_for_user,
    organisations_for_user,
    user_can,
)
from hdsready.services import CoreError
from hdsready.services.tokens import api_token_revoke


class Refused(APIException):
    """A service refused the change: 400, with the service's message as `detail`."""

    status_code = 400
    default_detail = _("The change was refused.")
    default_code = "refused"


class ServiceAPIView(GenericAPIView):
    """An endpoint whose writes call services: their domain error becomes a 400."""

    service_errors: ClassVar[tuple[type[Exception], ...]] = (CoreError,)

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, self.service_errors):
            exc = Refused(str(exc))
        response: Response = super().handle_exception(exc)
        return response


class FileDownloadMixin:
    """An endpoint that answers with a file's bytes: whatever the client accepts, it gets them
    (the file is not rendered); an error still comes as JSON."""

    def perform_content_negotiation(
        self, request: Request, force: bool = False
    ) -> tuple[BaseRenderer, str]:
        negotiated: tuple[BaseRenderer, str] = super().perform_content_negotiation(  # type: ignore[misc]
            request, force=True
        )
        return negotiated


class OrganisationAPIView(ServiceAPIView):
    """Base of the endpoints under /api/o/<slug>/.

    Every request needs the VIEW permission on the organisation (otherwise 404); a request that
    changes something also needs `write_perm` (otherwise 403).
    """

    write_perm: ClassVar[str] = roles.MANAGE
    _organisation: Organisation | None = None

    def organisation(self) -> Organisation:
        if self._organisation is None:
            self._organisation = organisation_get_for_user(
                user=self.request.user, slug=self.kwargs["slug"], perm=roles.VIEW
            )
        return self._organisation

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        organisation = self.organisation()
        method = (request.method or "").lower()
        # An unknown method stays a 405: only an existing handler needs the right.
        if (
            request.method not in SAFE_METHODS
            and hasattr(self, method)
            and not user_can(user=request.user, organisation=organisation, perm=self.write_perm)
        ):
            raise PermissionDenied(_("Your role in this organisation does not allow this change."))

    def get_serializer_context(self) -> dict[str, Any]:
        context: dict[str, Any] = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["organisation"] = self.organisation()
        return context

    def validated(self, *, partial: bool = False) -> dict[str, Any]:
        serializer = self.get_serializer(data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = serializer.validated_data
        return data


class OrganisationSerializer(serializers.Serializer):
    slug = serializers.SlugField(read_only=True)
    name = serializers.CharField(read_only=True)
    role = serializers.ChoiceField(choices=Role.choices, read_only=True)


class OrganisationList(ServiceAPIView):
    """The organisations you are a member of, with your role in each."""

    serializer_class = OrganisationSerializer
    pagination_class = None

    @extend_schema(responses=OrganisationSerializer(many=True))
    def get(self, request: Request) -> Response:
        roles_by_organisation = {
            m.organisation_id: m.role for m in memberships_for_user(user=request.user)
        }
        rows = [
            {"slug": o.slug, "name": o.name, "role": roles_by_organisation.get(o.pk)}
            for o in organisations_for_user(user=request.user)
        ]
        return Response(OrganisationSerializer(rows, many=True).data)


class ApiTokenSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    prefix = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    last_used_at = serializers.DateTimeField(read_only=True, allow_null=True)
    revoked_at = serializers.DateTimeField(read_only=True, allow_null=True)


class ApiTokenList(ServiceAPIView):
    """Your API tokens (never their secret). New tokens are made on the API tokens page."""

    serializer_class = ApiTokenSerializer

    @extend_schema(responses=ApiTokenSerializer(many=True))
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(api_tokens_of_user(user=request.user))
        return self.get_paginated_response(ApiTokenSerializer(page, many=True).data)


class ApiTokenRevoke(ServiceAPIView):
    """Revoke one of your API tokens, for instance one that leaked."""

    serializer_class = ApiTokenSerializer

    @extend_schema(request=None, responses=ApiTokenSerializer)
    def post(self, request: Request, pk: int) -> Response:
        token = api_token_get_for_user(user=request.user, pk=pk)
        token = api_token_revoke(token=token, actor=request.user)
        return Response(ApiTokenSerializer(token).data)


urlpatterns = [
    path("organisations/", OrganisationList.as_view(), name="organisation-list"),
    path("tokens/", ApiTokenList.as_view(), name="token-list"),
    path("tokens/<int:pk>/revoke/", ApiTokenRevoke.as_view(), name="token-revoke"),
]
