"""The scope: activities, host profile, subcontractors and their certificates (MANAGE)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from hdsready.api import Refused
from scopes.api.base import ScopesAPIView, SubcontractorField, merged
from scopes.models import (
    ISO_STANDARD_CHOICES,
    ActivityMode,
    Certificate,
    CertificateKind,
    HostProfile,
    Subcontractor,
)
from scopes.selectors import (
    certificate_get,
    certificates_of,
    host_profile_of,
    scope_of,
    subcontractor_get,
    subcontractors_of,
)
from scopes.services.scope import (
    ActivityChoice,
    CertificateData,
    certificate_delete,
    certificate_save,
    host_profile_update,
    scope_set_activities,
    subcontractor_save,
)


class ScopeActivitySerializer(serializers.Serializer):
    activity = serializers.IntegerField(help_text=_("HDS activity, 1 to 6 (art. R.1111-9 CSP)."))
    mode = serializers.ChoiceField(choices=ActivityMode.choices)
    subcontractor = SubcontractorField(
        queryset=Subcontractor.objects.none(), allow_null=True, required=False, default=None
    )


class ScopeSerializer(serializers.Serializer):
    activities = ScopeActivitySerializer(many=True)

    def validate_activities(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        numbers = [row["activity"] for row in rows]
        if len(numbers) != len(set(numbers)):
            raise serializers.ValidationError(_("Each activity may appear only once."))
        return rows


class ScopeDetail(ScopesAPIView):
    """The HDS activities in scope, each performed in-house or by a subcontractor. A PUT
    replaces the whole declaration."""

    serializer_class = ScopeSerializer

    def get(self, request: Request, slug: str) -> Response:
        return Response(self._current())

    def put(self, request: Request, slug: str) -> Response:
        rows = self.validated()["activities"]
        scope_set_activities(
            organisation=self.organisation(),
            choices={
                row["activity"]: ActivityChoice(
                    mode=row["mode"], subcontractor=row["subcontractor"]
                )
                for row in rows
            },
            actor=request.user,
        )
        return Response(self._current())

    def _current(self) -> Any:
        rows = scope_of(organisation=self.organisation())
        return ScopeSerializer({"activities": rows}, context=self.get_serializer_context()).data


PROFILE_FIELDS = ("stores_health_data", "non_eea_access", "non_eu_law_exposure")


class HostProfileSerializer(serializers.ModelSerializer):
    next_audit_on = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text=_("The next planned audit, from the certification cycle (read-only)."),
    )

    class Meta:
        model = HostProfile
        fields = (*PROFILE_FIELDS, "next_audit_on")


class HostProfileDetail(ScopesAPIView):
    """The host's situations that decide which conditional HDS requirements apply."""

    serializer_class = HostProfileSerializer

    def get(self, request: Request, slug: str) -> Response:
        return Response(
            HostProfileSerializer(host_profile_of(organisation=self.organisation())).data
        )

    def put(self, request: Request, slug: str) -> Response:
        return self._save(partial=False)

    def patch(self, request: Request, slug: str) -> Response:
        return self._save(partial=True)

    def _save(self, *, partial: bool) -> Response:
        organisation = self.organisation()
        changes = self.validated(partial=partial)
        base = host_profile_of(organisation=organisation) if partial else HostProfile()
        profile = host_profile_update(
            organisation=organisation,
            actor=self.request.user,
            **merged(base, changes, PROFILE_FIELDS),
        )
        return Response(HostProfileSerializer(profile).data)


# Subcontractors and certificates

SUBCONTRACTOR_FIELDS = ("name", "siren", "contact", "part_of_service", "notes")


class SubcontractorSerializer(serializers.ModelSerializer):
    certificates = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Subcontractor
        fields = ("id", *SUBCONTRACTOR_FIELDS, "certificates")


class SubcontractorList(ScopesAPIView):
    """The organisation's subcontractors."""

    serializer_class = SubcontractorSerializer

    @extend_schema(responses=SubcontractorSerializer(many=True))
    def get(self, request: Request, slug: str) -> Response:
        page = self.paginate_queryset(subcontractors_of(organisation=self.organisation()))
        return self.get_paginated_response(SubcontractorSerializer(page, many=True).data)

    @extend_schema(responses={201: SubcontractorSerializer})
    def post(self, request: Request, slug: str) -> Response:
        organisation = self.organisation()
        subcontractor = subcontractor_save(
            organisation=organisation,
            actor=request.user,
            **merged(Subcontractor(), self.validated(), SUBCONTRACTOR_FIELDS),
        )
        subcontractor = subcontractor_get(organisation=organisation, pk=subcontractor.pk)
        return Response(SubcontractorSerializer(subcontractor).data, status=201)


class SubcontractorDetail(ScopesAPIView):
    serializer_class = SubcontractorSerializer

    def get(self, request: Request, slug: str, pk: int) -> Response:
        subcontractor = subcontractor_get(organisation=self.organisation(), pk=pk)
        return Response(SubcontractorSerializer(subcontractor).data)

    def put(self, request: Request, slug: str, pk: int) -> Response:
        return self._save(pk, partial=False)

    def patch(self, request: Request, slug: str, pk: int) -> Response:
        return self._save(pk, partial=True)

    def _save(self, pk: int, *, partial: bool) -> Response:
        organisation = self.organisation()
        subcontractor = subcontractor_get(organisation=organisation, pk=pk)
        changes = self.validated(partial=partial)
        subcontractor_save(
            organisation=organisation,
            subcontractor=subcontractor,
            actor=self.request.user,
            **merged(subcontractor if partial else Subcontractor(), changes, SUBCONTRACTOR_FIELDS),
        )
        subcontractor = subcontractor_get(organisation=organisation, pk=pk)
        return Response(SubcontractorSerializer(subcontractor).data)


CERTIFICATE_FIELDS = (
    "kind",
    "number",
    "certification_body",
    "accreditation",
    "standard_version",
    "activities",
    "scope_statement",
    "issued_on",
    "expires_on",
    "iso_standard",
    "iso_equivalent_name",
)


class CertificateSerializer(serializers.ModelSerializer):
    subcontractor = SubcontractorField(
        queryset=Subcontractor.objects.none(),
        allow_null=True,
        required=False,
        help_text=_("The subcontractor holding it; none for the host's own certificate."),
    )
    kind = serializers.ChoiceField(choices=CertificateKind.choices)
    standard_version = serializers.CharField(
        max_length=60,
        required=False,
        default="",
        help_text=_(
            "The HDS référentiel version, e.g. HDS v2. For an ISO 27001 certificate it is "
            "derived from iso_standard."
        ),
    )
    iso_standard = serializers.ChoiceField(
        choices=ISO_STANDARD_CHOICES,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("ISO 27001 certificates only: the standard it was issued against."),
    )
    activities = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text=_("HDS activities covered.")
    )

    class Meta:
        model = Certificate
        fields = ("id", "subcontractor", *CERTIFICATE_FIELDS)


def certificate_data(values: dict[str, Any]) -> CertificateData:
    return CertificateData(**{name: values[name] for name in CERTIFICATE_FIELDS})


class CertificateList(ScopesAPIView):
    """The certificates of the host and of its subcontractors."""

    serializer_class = CertificateSerializer

    @extend_schema(responses=CertificateSerializer(many=True))
    def get(self, request: Request, slug: str) -> Response:
        page = self.paginate_queryset(certificates_of(organisation=self.organisation()))
        return self.get_paginated_response(CertificateSerializer(page, many=True).data)

    @extend_schema(responses={201: CertificateSerializer})
    def post(self, request: Request, slug: str) -> Response:
        changes = self.validated()
        certificate = certificate_save(
            organisation=self.organisation(),
            subcontractor=changes.get("subcontractor"),
            data=certificate_data(merged(Certificate(), changes, CERTIFICATE_FIELDS)),
            actor=request.user,
        )
        return Response(CertificateSerializer(certificate).data, status=201)


class CertificateDetail(ScopesAPIView):
    serializer_class = CertificateSerializer

    def get(self, request: Request, slug: str, pk: int) -> Response:
        certificate = certificate_get(organisation=self.organisation(), pk=pk)
        return Response(CertificateSerializer(certificate).data)

    def put(self, request: Request, slug: str, pk: int) -> Response:
        return self._save(pk, partial=False)

    def patch(self, request: Request, slug: str, pk: int) -> Response:
        return self._save(pk, partial=True)

    def delete(self, request: Request, slug: str, pk: int) -> Response:
        certificate = certificate_get(organisation=self.organisation(), pk=pk)
        certificate_delete(certificate=certificate, actor=request.user)
        return Response(status=204)

    def _save(self, pk: int, *, partial: bool) -> Response:
        organisation = self.organisation()
        certificate = certificate_get(organisation=organisation, pk=pk)
        changes = self.validated(partial=partial)
        if changes.get("subcontractor", certificate.subcontractor) != certificate.subcontractor:
            raise Refused(_("A certificate's holder cannot change: delete it and record it anew."))
        certificate = certificate_save(
            organisation=organisation,
            subcontractor=certificate.subcontractor,
            certificate=certificate,
            data=certificate_data(
                merged(certificate if partial else Certificate(), changes, CERTIFICATE_FIELDS)
            ),
            actor=self.request.user,
        )
        return Response(CertificateSerializer(certificate).data)
