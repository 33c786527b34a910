"""The dossiers app's part of the REST API, under /api/o/<slug>/dossiers/: ask for a dossier,
follow its layout, download its PDF, retry it if it failed.

The pages' rules hold: everything needs PRINT_DOSSIER on the organisation (officers and
managers). Someone who is not a member gets a 404; a member without the right (a contributor)
a 403. Every dossier is looked up inside the organisation (another organisation's id is a 404),
a request is checked by the pages' form and then by the service, and a download is served only
if the stored bytes still have the SHA-256 recorded at assembly (otherwise a 409, recorded in
the trail). A DossierError becomes a 400 whose `detail` is the service's message.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.http import HttpResponse
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from dossiers.forms import DossierRequestForm
from dossiers.models import Dossier, DossierKind, DossierStatus
from dossiers.selectors import (
    dossier_get_in_organisation,
    dossier_target_objects,
    dossier_targets,
    dossier_with_progress_get,
    dossiers_with_progress,
    progress_of,
)
from dossiers.services import DossierError, DossierIntegrityError
from dossiers.services.request import DossierTarget, dossier_open, dossier_request, dossier_retry
from hdsready import roles
from hdsready.api import FileDownloadMixin, OrganisationAPIView, Refused
from hdsready.api_schema import ErrorSerializer, InvalidInputSerializer
from hdsready.selectors import user_can


class DossiersAPIView(OrganisationAPIView):
    """Reading dossiers needs PRINT_DOSSIER as much as asking for one does."""

    service_errors: ClassVar[tuple[type[Exception], ...]] = (DossierError,)
    write_perm: ClassVar[str] = roles.PRINT_DOSSIER

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        method = (request.method or "").lower()
        # As in the base: an unknown method stays a 405.
        if hasattr(self, method) and not user_can(
            user=request.user, organisation=self.organisation(), perm=roles.PRINT_DOSSIER
        ):
            raise PermissionDenied(_("Your role in this organisation does not allow dossiers."))


class IntegrityConflict(APIException):
    """The stored PDF no longer matches the SHA-256 recorded at assembly: 409, nothing served."""

    status_code = 409
    default_code = "integrity_failed"


class DossierSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=DossierKind.choices, read_only=True)
    status = serializers.ChoiceField(choices=DossierStatus.choices, read_only=True)
    done = serializers.SerializerMethodField(
        help_text=_("Steps done: one per part laid out, and the assembly.")
    )
    total = serializers.SerializerMethodField(help_text=_("Steps in all."))
    requested_by = serializers.EmailField(source="requested_by.email", read_only=True)
    download_url = serializers.SerializerMethodField(
        help_text=_("Where to download the PDF once the dossier is ready; null before.")
    )

    class Meta:
        model = Dossier
        fields = (
            "id",
            "kind",
            "title",
            "subtitle",
            "language",
            "audit",
            "cycle",
            "status",
            "done",
            "total",
            "error",
            "page_count",
            "size",
            "sha256",
            "requested_by",
            "requested_at",
            "finished_at",
            "reused_from",
            "download_url",
        )
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.INT)
    def get_done(self, dossier: Dossier) -> int:
        return progress_of(dossier)[0]

    @extend_schema_field(OpenApiTypes.INT)
    def get_total(self, dossier: Dossier) -> int:
        return progress_of(dossier)[1]

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, dossier: Dossier) -> str | None:
        if dossier.status != DossierStatus.READY:
            return None
        url = reverse(
            "api:dossier-download",
            kwargs={"slug": self.context["organisation"].slug, "pk": dossier.pk},
        )
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class DossierRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DossierKind.choices)
    target = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_(
            'What the dossier is for: "cycle:<id>" (full dossier), "audit:<id>" (stage 1, '
            "stage 2 and correction dossiers), empty for the organisation (SoA)."
        ),
    )
    language = serializers.ChoiceField(choices=settings.LANGUAGES)


class DossierList(DossiersAPIView):
    """The organisation's dossiers, newest first, with their progress. A POST asks for one: its
    content is read at once, the layout happens on the worker pool (follow `status`, `done` and
    `total` on the dossier); the same content asked again gets the stored file at once."""

    serializer_class = DossierSerializer

    @extend_schema(responses=DossierSerializer(many=True))
    def get(self, request: Request, slug: str) -> Response:
        page = self.paginate_queryset(dossiers_with_progress(organisation=self.organisation()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        request=DossierRequestSerializer,
        responses={201: DossierSerializer, 400: InvalidInputSerializer},
    )
    def post(self, request: Request, slug: str) -> Response:
        asked = DossierRequestSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        organisation = self.organisation()
        # The pages' form, with the same targets: what the page would refuse, this refuses.
        form = DossierRequestForm(
            asked.validated_data, targets=dossier_targets(organisation=organisation)
        )
        if not form.is_valid():
            raise Refused(form.error_text())
        audit, cycle = dossier_target_objects(
            organisation=organisation, key=form.cleaned_data["target"]
        )
        dossier = dossier_request(
            organisation=organisation,
            target=DossierTarget(kind=form.cleaned_data["kind"], audit=audit, cycle=cycle),
            language=form.cleaned_data["language"],
            actor=request.user,
        )
        dossier = dossier_with_progress_get(organisation=organisation, pk=dossier.pk)
        return Response(self.get_serializer(dossier).data, status=201)


class DossierDetail(DossiersAPIView):
    """One dossier: its status and progress (`done` of `total` steps), and once ready its
    pages, size, SHA-256 and download address."""

    serializer_class = DossierSerializer

    def get(self, request: Request, slug: str, pk: int) -> Response:
        dossier = dossier_with_progress_get(organisation=self.organisation(), pk=pk)
        return Response(self.get_serializer(dossier).data)


class DossierDownload(FileDownloadMixin, DossiersAPIView):
    """The dossier's PDF, as an attachment, after its bytes were checked against the SHA-256
    recorded at assembly; the download is written to the trail."""

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            400: OpenApiResponse(ErrorSerializer, description="The dossier is not ready."),
            409: OpenApiResponse(
                ErrorSerializer,
                description="The stored file no longer matches its SHA-256: nothing is served "
                "and the incident is written to the trail.",
            ),
        }
    )
    def get(self, request: Request, slug: str, pk: int) -> HttpResponse:
        organisation = self.organisation()
        dossier = dossier_get_in_organisation(organisation=organisation, pk=pk)
        try:
            content = dossier_open(dossier=dossier, actor=request.user)
        except DossierIntegrityError as exc:
            raise IntegrityConflict(str(exc)) from exc
        response = HttpResponse(content, content_type="application/pdf")
        filename = f"{dossier.get_kind_display()} - {organisation.name} - {dossier.pk}.pdf"
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=filename
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        response["X-Content-SHA256"] = dossier.sha256
        return response


class DossierRetry(DossiersAPIView):
    """Lay out again a dossier that failed (its failed parts go back to pending)."""

    serializer_class = DossierSerializer

    @extend_schema(request=None, responses={200: DossierSerializer, 400: ErrorSerializer})
    def post(self, request: Request, slug: str, pk: int) -> Response:
        organisation = self.organisation()
        dossier = dossier_get_in_organisation(organisation=organisation, pk=pk)
        dossier_retry(dossier=dossier, actor=request.user)
        dossier = dossier_with_progress_get(organisation=organisation, pk=pk)
        return Response(self.get_serializer(dossier).data)


urlpatterns = [
    path("o/<slug:slug>/dossiers/", DossierList.as_view(), name="dossier-list"),
    path("o/<slug:slug>/dossiers/<int:pk>/", DossierDetail.as_view(), name="dossier-detail"),
    path(
        "o/<slug:slug>/dossiers/<int:pk>/download/",
        DossierDownload.as_view(),
        name="dossier-download",
    ),
    path("o/<slug:slug>/dossiers/<int:pk>/retry/", DossierRetry.as_view(), name="dossier-retry"),
]
