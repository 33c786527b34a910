"""The scope: activities, host profile, subcontractors and their certificates (MANAGE)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from hdsready import roles
from hdsready.api import Refused
from hdsready.models import Organisation
from scopes.api.base import ScopesAPIView, SubcontractorField, merged
from scopes.certificate_files import certificate_files_of
from scopes.models import (
    CERTIFICATE_DECISIONS,
    ISO_STANDARD_CHOICES,
    ActivityMode,
    Certificate,
    CertificateKind,
    CertificateProcedure,
    CertificateProcedureTask,
    CertificateStatus,
    HostProfile,
    Subcontractor,
)
from scopes.selectors import (
    certificate_get,
    certificate_procedure_of,
    certificates_of,
    host_profile_of,
    procedure_task_get,
    scope_of,
    subcontractor_get,
    subcontractors_of,
)
from scopes.services.certificates import (
    REASON_MAX_LENGTH,
    certificate_procedure_task_done,
    certificate_status_set,
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

    status = serializers.ChoiceField(
        choices=CERTIFICATE_DECISIONS,
        read_only=True,
        help_text=_(
            "The certification body's decision: valid, suspended or withdrawn (set through "
            "the status endpoint)."
        ),
    )
    status_from = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text=_("The first day a suspension or withdrawal applies."),
    )
    status_reason = serializers.CharField(read_only=True)
    status_today = serializers.SerializerMethodField(
        help_text=_("The status today, with expired derived from expires_on.")
    )
    has_file = serializers.SerializerMethodField(
        help_text=_("Whether the certificate's file is stored (as evidence).")
    )

    class Meta:
        model = Certificate
        fields = (
            "id",
            "subcontractor",
            *CERTIFICATE_FIELDS,
            "status",
            "status_from",
            "status_reason",
            "status_today",
            "has_file",
        )

    @extend_schema_field(serializers.ChoiceField(choices=CertificateStatus.choices))
    def get_status_today(self, certificate: Certificate) -> str:
        return str(certificate.status_on(self.context["today"]).value)

    def get_has_file(self, certificate: Certificate) -> bool:
        return certificate.pk in self.context["with_file"]


def _certificate_context(
    organisation: Organisation, certificates: list[Certificate]
) -> dict[str, Any]:
    """What the serializer reads besides the rows: today, and which have a file (one query)."""
    files = certificate_files_of(organisation=organisation, pks=[c.pk for c in certificates])
    return {"today": timezone.localdate(), "with_file": set(files), "organisation": organisation}


def certificate_out(certificate: Certificate) -> dict[str, Any]:
    context = _certificate_context(certificate.organisation, [certificate])
    return dict(CertificateSerializer(certificate, context=context).data)


def certificate_data(values: dict[str, Any]) -> CertificateData:
    return CertificateData(**{name: values[name] for name in CERTIFICATE_FIELDS})


class CertificateList(ScopesAPIView):
    """The certificates of the host and of its subcontractors."""

    serializer_class = CertificateSerializer

    @extend_schema(responses=CertificateSerializer(many=True))
    def get(self, request: Request, slug: str) -> Response:
        organisation = self.organisation()
        page = list(self.paginate_queryset(certificates_of(organisation=organisation)) or [])
        context = _certificate_context(organisation, page)
        return self.get_paginated_response(
            CertificateSerializer(page, many=True, context=context).data
        )

    @extend_schema(responses={201: CertificateSerializer})
    def post(self, request: Request, slug: str) -> Response:
        changes = self.validated()
        certificate = certificate_save(
            organisation=self.organisation(),
            subcontractor=changes.get("subcontractor"),
            data=certificate_data(merged(Certificate(), changes, CERTIFICATE_FIELDS)),
            actor=request.user,
        )
        return Response(certificate_out(certificate), status=201)


class CertificateDetail(ScopesAPIView):
    serializer_class = CertificateSerializer

    def get(self, request: Request, slug: str, pk: int) -> Response:
        certificate = certificate_get(organisation=self.organisation(), pk=pk)
        return Response(certificate_out(certificate))

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
        return Response(certificate_out(certificate))


class CertificateStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=CERTIFICATE_DECISIONS,
        help_text=_("suspended or withdrawn from status_from; valid lifts a suspension."),
    )
    status_from = serializers.DateField(help_text=_("The first day the status applies."))
    reason = serializers.CharField(
        max_length=REASON_MAX_LENGTH, help_text=_("The certification body's decision.")
    )


class CertificateStatusSet(ScopesAPIView):
    """Record the certification body's decision on a certificate. A suspension or withdrawal
    opens the EXI 14 procedure (once per certificate) and alerts the compliance officers."""

    serializer_class = CertificateStatusSerializer

    @extend_schema(responses=CertificateSerializer)
    def post(self, request: Request, slug: str, pk: int) -> Response:
        certificate = certificate_get(organisation=self.organisation(), pk=pk)
        values = self.validated()
        certificate = certificate_status_set(
            certificate=certificate,
            status=values["status"],
            status_from=values["status_from"],
            reason=values["reason"],
            actor=request.user,
            now=timezone.now(),
        )
        return Response(certificate_out(certificate))


class ProcedureTaskSerializer(serializers.ModelSerializer):
    done_by = serializers.EmailField(source="done_by.email", read_only=True, allow_null=True)

    class Meta:
        model = CertificateProcedureTask
        fields = ("id", "kind", "done_at", "done_by")


class ProcedureSerializer(serializers.ModelSerializer):
    tasks = ProcedureTaskSerializer(many=True, read_only=True)

    class Meta:
        model = CertificateProcedure
        fields = ("trigger", "gap_from", "opened_at", "closed_at", "closed_because", "tasks")


class CertificateProcedureDetail(ScopesAPIView):
    """The certificate's EXI 14 procedure and its tasks (the open one, else the last closed);
    404 while none was opened."""

    serializer_class = ProcedureSerializer

    def get(self, request: Request, slug: str, pk: int) -> Response:
        certificate = certificate_get(organisation=self.organisation(), pk=pk)
        procedure = certificate_procedure_of(certificate=certificate)
        if procedure is None:
            raise Http404
        return Response(ProcedureSerializer(procedure).data)


class ProcedureTaskDone(ScopesAPIView):
    """Check one EXI 14 task done (who and when are recorded); contributors may too."""

    serializer_class = None
    write_perm = roles.EDIT_READINESS

    @extend_schema(request=None, responses=ProcedureTaskSerializer)
    def post(self, request: Request, slug: str, pk: int) -> Response:
        task = procedure_task_get(organisation=self.organisation(), pk=pk)
        task = certificate_procedure_task_done(task=task, actor=request.user, now=timezone.now())
        return Response(ProcedureTaskSerializer(task).data)
