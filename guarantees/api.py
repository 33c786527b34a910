"""The guarantees page in the REST API, under /api/o/<slug>/guarantees/: the published versions
(members read, with each version's frozen facts and public addresses) and the publication of a
new version (officers only: anyone else in the organisation gets a 403). A GuaranteesError
becomes a 400 with the service's message."""

from __future__ import annotations

from typing import ClassVar

from django.urls import path, reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from guarantees.models import Publication
from guarantees.selectors import publications_of
from guarantees.services import GuaranteesError, guarantees_publish
from hdsready import roles
from hdsready.api import OrganisationAPIView
from hdsready.api_schema import ErrorSerializer


class PublicationSerializer(serializers.ModelSerializer):
    public_url = serializers.SerializerMethodField(help_text="The public page of this version.")
    pdf_url = serializers.SerializerMethodField(help_text="The PDF of this version.")
    snapshot = serializers.JSONField(
        read_only=True,
        help_text="The facts frozen on publication: actors, activities, certificates, transfers.",
    )

    class Meta:
        model = Publication
        fields = ("number", "published_at", "public_url", "pdf_url", "snapshot")

    def _slug(self) -> str:
        return str(self.context["organisation"].slug)

    def get_public_url(self, publication: Publication) -> str:
        return reverse("guarantees:public-version", args=[self._slug(), publication.number])

    def get_pdf_url(self, publication: Publication) -> str:
        return reverse("guarantees:public-pdf", args=[self._slug(), publication.number])


class PublicationList(OrganisationAPIView):
    """The published versions of the guarantees page (HDS v2 EXI 31, chapter 8), newest first;
    POST publishes a new version of what the registers say now (officers only)."""

    serializer_class = PublicationSerializer
    write_perm: ClassVar[str] = roles.MANAGE
    service_errors: ClassVar[tuple[type[Exception], ...]] = (GuaranteesError,)

    @extend_schema(responses=PublicationSerializer(many=True))
    def get(self, request: Request, slug: str) -> Response:
        publications = publications_of(organisation=self.organisation(), with_snapshot=True)
        page = self.paginate_queryset(publications)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=None, responses={201: PublicationSerializer, 400: ErrorSerializer})
    def post(self, request: Request, slug: str) -> Response:
        # Nothing is read from the body, but a body that cannot be read is refused (400, 415)
        # rather than ignored.
        request.data  # noqa: B018
        publication = guarantees_publish(organisation=self.organisation(), actor=request.user)
        return Response(self.get_serializer(publication).data, status=201)


urlpatterns = [
    path("o/<slug:slug>/guarantees/", PublicationList.as_view(), name="guarantees-list"),
]
