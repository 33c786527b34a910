"""The evidence app's part of the REST API, under /api/o/<slug>/evidence/: items (files or links)
and their immutable, hash-checked versions.

The pages' rules hold: every object is looked up inside the organisation by the selectors
(another organisation's id is a 404), reading needs VIEW and changing needs EDIT_READINESS (a
member without it gets a 403), and every change is one service call that checks it and writes
the trail; an EvidenceError becomes a 400 whose `detail` is the service's message.

Uploads are multipart: the global upload handler (evidence/uploads.py) streams and hashes them
and drops whatever crosses the size limit. A download is the file after the integrity check, with
the pages' headers (evidence/serving.py), or a 409 when the bytes no longer match their SHA-256.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from django.db.models import QuerySet
from django.http import FileResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import APIException
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from evidence.models import EvidenceItem, EvidenceKind, EvidenceStatus, EvidenceVersion
from evidence.selectors import (
    evidence_item_get,
    evidence_items_of,
    evidence_version_get,
    evidence_versions_of,
)
from evidence.services import (
    EvidenceError,
    EvidenceIntegrityError,
    ItemData,
    evidence_item_create,
    evidence_item_set_status,
    evidence_item_update,
    evidence_version_add,
    evidence_version_open,
)
from evidence.serving import file_response, too_large_message
from hdsready import roles
from hdsready.api import FileDownloadMixin, OrganisationAPIView, Refused
from hdsready.api_schema import ErrorSerializer
from scopes.api.base import member_field, merged
from scopes.models import Requirement
from scopes.selectors import frameworks_visible


class EvidenceAPIView(OrganisationAPIView):
    service_errors: ClassVar[tuple[type[Exception], ...]] = (EvidenceError,)
    write_perm: ClassVar[str] = roles.EDIT_READINESS


class IntegrityConflict(APIException):
    """The stored bytes no longer match the SHA-256 recorded at upload: 409, nothing served."""

    status_code = 409
    default_code = "integrity_failed"


class RequirementField(serializers.PrimaryKeyRelatedField):
    """An assessable requirement of a built-in framework or of one the organisation imported:
    another organisation's requirement is "unknown", like one that does not exist."""

    default_error_messages = {"does_not_exist": _("Unknown requirement.")}

    def get_queryset(self) -> QuerySet[Requirement]:
        return Requirement.objects.select_related("framework").filter(
            framework__in=frameworks_visible(organisation=self.context["organisation"]),
            assessable=True,
        )


# Items

ITEM_FIELDS = ("title", "description", "url", "owner", "effective_on", "review_due_on")


class EvidenceItemSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(
        choices=EvidenceKind.choices,
        required=False,
        help_text=_("Set at creation: a link when an address is given, otherwise files."),
    )
    owner = member_field()
    requirements = RequirementField(
        many=True,
        queryset=Requirement.objects.none(),
        required=False,
        help_text=_("Ids of the requirements it supports."),
    )
    version_count = serializers.SerializerMethodField()

    class Meta:
        model = EvidenceItem
        fields = (
            "id",
            "kind",
            *ITEM_FIELDS,
            "requirements",
            "status",
            "created_at",
            "version_count",
        )
        read_only_fields = ("status", "created_at")

    def get_version_count(self, item: EvidenceItem) -> int:
        # The list's selector counts them in its own query; a single item counts its own.
        count = getattr(item, "version_count", None)
        return item.versions.count() if count is None else int(count)


class EvidenceQuerySerializer(serializers.Serializer):
    requirement = RequirementField(
        queryset=Requirement.objects.none(),
        required=False,
        help_text=_("Only the evidence of this requirement."),
    )
    status = serializers.ChoiceField(
        choices=EvidenceStatus.choices,
        default=EvidenceStatus.ACTIVE,
        allow_blank=True,
        help_text=_("Empty for every status."),
    )


class EvidenceStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=EvidenceStatus.choices)


def item_data(
    base: EvidenceItem, changes: dict[str, Any], requirements: Sequence[Requirement]
) -> ItemData:
    return ItemData(**merged(base, changes, ITEM_FIELDS), requirements=list(requirements))


def check_kind(kind: str, changes: dict[str, Any]) -> None:
    if kind == EvidenceKind.FILE and changes.get("url"):
        raise Refused(_("Only a link has an address."))


class EvidenceList(EvidenceAPIView):
    """The organisation's evidence by title: the active items unless `status` says otherwise."""

    serializer_class = EvidenceItemSerializer

    @extend_schema(
        parameters=[EvidenceQuerySerializer], responses=EvidenceItemSerializer(many=True)
    )
    def get(self, request: Request, slug: str) -> Response:
        query = EvidenceQuerySerializer(
            data=request.query_params, context=self.get_serializer_context()
        )
        query.is_valid(raise_exception=True)
        items = evidence_items_of(
            organisation=self.organisation(),
            requirement=query.validated_data.get("requirement"),
            status=query.validated_data["status"],
        )
        page = self.paginate_queryset(items)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(responses={201: EvidenceItemSerializer})
    def post(self, request: Request, slug: str) -> Response:
        changes = self.validated()
        kind = changes.get("kind") or (
            EvidenceKind.LINK if changes.get("url") else EvidenceKind.FILE
        )
        check_kind(kind, changes)
        item = evidence_item_create(
            organisation=self.organisation(),
            data=item_data(EvidenceItem(kind=kind), changes, changes.get("requirements", [])),
            kind=kind,
            actor=request.user,
        )
        return Response(self.get_serializer(item).data, status=201)


class EvidenceDetail(EvidenceAPIView):
    """One evidence item. A PUT replaces every field (an absent one is emptied), a PATCH only
    the fields given; the status changes through the status endpoint."""

    serializer_class = EvidenceItemSerializer

    def get(self, request: Request, slug: str, pk: int) -> Response:
        item = evidence_item_get(organisation=self.organisation(), pk=pk)
        return Response(self.get_serializer(item).data)

    def put(self, request: Request, slug: str, pk: int) -> Response:
        return self._save(pk, partial=False)

    def patch(self, request: Request, slug: str, pk: int) -> Response:
        return self._save(pk, partial=True)

    def _save(self, pk: int, *, partial: bool) -> Response:
        item = evidence_item_get(organisation=self.organisation(), pk=pk)
        changes = self.validated(partial=partial)
        if changes.get("kind", item.kind) != item.kind:
            raise Refused(_("The kind of evidence cannot change: create a new item."))
        check_kind(item.kind, changes)
        if "requirements" in changes:
            requirements = changes["requirements"]
        else:
            requirements = list(item.requirements.all()) if partial else []
        base = item if partial else EvidenceItem(kind=item.kind)
        item = evidence_item_update(
            item=item, data=item_data(base, changes, requirements), actor=self.request.user
        )
        return Response(self.get_serializer(item).data)


class EvidenceStatusChange(EvidenceAPIView):
    """Retire an item (its versions stay; it takes no new one) or reinstate it."""

    serializer_class = EvidenceStatusSerializer

    @extend_schema(responses=EvidenceItemSerializer)
    def post(self, request: Request, slug: str, pk: int) -> Response:
        item = evidence_item_get(organisation=self.organisation(), pk=pk)
        status = self.validated()["status"]
        item = evidence_item_set_status(item=item, status=status, actor=request.user)
        return Response(EvidenceItemSerializer(item, context=self.get_serializer_context()).data)


# Versions


class EvidenceVersionSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.EmailField(source="uploaded_by.email", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = EvidenceVersion
        fields = (
            "number",
            "original_name",
            "size",
            "content_type",
            "sha256",
            "uploaded_by",
            "uploaded_at",
            "comment",
            "download_url",
        )
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, version: EvidenceVersion) -> str:
        url = reverse(
            "api:evidence-version-download",
            kwargs={
                "slug": self.context["organisation"].slug,
                "pk": version.item_id,
                "number": version.number,
            },
        )
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class VersionUploadSerializer(serializers.Serializer):
    # An empty file is let through to the service, which refuses it with the pages' message.
    file = serializers.FileField(allow_empty_file=True)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class EvidenceVersionList(EvidenceAPIView):
    """The versions of an item, newest first; a POST (multipart) stores the next one."""

    serializer_class = EvidenceVersionSerializer
    parser_classes = (MultiPartParser,)

    @extend_schema(responses=EvidenceVersionSerializer(many=True))
    def get(self, request: Request, slug: str, pk: int) -> Response:
        item = evidence_item_get(organisation=self.organisation(), pk=pk)
        page = self.paginate_queryset(evidence_versions_of(item=item))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        request={"multipart/form-data": VersionUploadSerializer},
        responses={201: EvidenceVersionSerializer},
        description=(
            "The file's type is judged from its bytes: a type that is not evidence (an "
            "executable, say) or a file past the size limit is refused with a 400 and nothing "
            "is stored."
        ),
    )
    def post(self, request: Request, slug: str, pk: int) -> Response:
        item = evidence_item_get(organisation=self.organisation(), pk=pk)
        # First: a file past the limit is missing from the parsed body, only named here.
        too_large = too_large_message(request)
        if too_large:
            raise Refused(too_large)
        upload = VersionUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        version = evidence_version_add(
            item=item,
            upload=upload.validated_data["file"],
            comment=upload.validated_data["comment"],
            actor=request.user,
        )
        return Response(self.get_serializer(version).data, status=201)


class EvidenceVersionDownload(FileDownloadMixin, EvidenceAPIView):
    """A version's file, as an attachment, after its bytes were checked against the SHA-256
    recorded at upload; the download is written to the trail."""

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            409: OpenApiResponse(
                ErrorSerializer,
                description="The stored file no longer matches its SHA-256: nothing is served "
                "and the incident is written to the trail.",
            ),
        }
    )
    def get(self, request: Request, slug: str, pk: int, number: int) -> FileResponse:
        version = evidence_version_get(organisation=self.organisation(), pk=pk, number=number)
        try:
            handle = evidence_version_open(
                version=version, actor=request.user, purpose="downloaded"
            )
        except EvidenceIntegrityError as exc:
            raise IntegrityConflict(str(exc)) from exc
        return file_response(version, handle, inline=False)


urlpatterns = [
    path("o/<slug:slug>/evidence/", EvidenceList.as_view(), name="evidence-list"),
    path("o/<slug:slug>/evidence/<int:pk>/", EvidenceDetail.as_view(), name="evidence-detail"),
    path(
        "o/<slug:slug>/evidence/<int:pk>/status/",
        EvidenceStatusChange.as_view(),
        name="evidence-status",
    ),
    path(
        "o/<slug:slug>/evidence/<int:pk>/versions/",
        EvidenceVersionList.as_view(),
        name="evidence-version-list",
    ),
    path(
        "o/<slug:slug>/evidence/<int:pk>/versions/<int:number>/download/",
        EvidenceVersionDownload.as_view(),
        name="evidence-version-download",
    ),
]
