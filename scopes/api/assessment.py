"""The Statement of Applicability and readiness (EDIT_READINESS)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from hdsready import roles
from scopes.api.base import ScopesAPIView, member_field, merged
from scopes.models import (
    ImplementationStatus,
    ReadinessEntry,
    ReadinessStatus,
    Requirement,
    SoAEntry,
)
from scopes.selectors import (
    HDS_CODE,
    ISO_CODE,
    builtin_framework,
    readiness_line_of,
    readiness_rows,
    requirement_get,
    soa_control_get,
    soa_controls,
    soa_entry_of,
)
from scopes.services.assessment import ReadinessData, SoAData, readiness_update, soa_update

# A control or requirement without an entry shows the defaults of an unsaved entry: applicable
# and not started, not assessed.

SOA_FIELDS = ("applicable", "justification", "implementation", "owner", "notes")


def soa_line(control: Requirement, entry: SoAEntry | None) -> dict[str, Any]:
    shown = entry or SoAEntry(control=control)
    return {
        "control": control.pk,
        "ref_id": control.ref_id,
        "name": control.name,
        **{name: getattr(shown, name) for name in SOA_FIELDS},
        "updated_at": entry.updated_at if entry else None,
    }


class SoALineSerializer(serializers.Serializer):
    control = serializers.IntegerField(read_only=True)
    ref_id = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    applicable = serializers.BooleanField()
    justification = serializers.CharField(
        required=False, allow_blank=True, help_text=_("Required when the control does not apply.")
    )
    implementation = serializers.ChoiceField(choices=ImplementationStatus.choices, required=False)
    owner = member_field()
    notes = serializers.CharField(required=False, allow_blank=True)
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)


class SoAList(ScopesAPIView):
    """The Statement of Applicability: the 93 controls of ISO/IEC 27001:2022 Annex A."""

    serializer_class = SoALineSerializer

    @extend_schema(responses=SoALineSerializer(many=True))
    def get(self, request: Request, slug: str) -> Response:
        lines = [soa_line(*pair) for pair in soa_controls(organisation=self.organisation())]
        page = self.paginate_queryset(lines)
        return self.get_paginated_response(SoALineSerializer(page, many=True).data)


class SoADetail(ScopesAPIView):
    """One line of the SoA (ISO 27001 6.1.3 d; HDS v2 EXI 08)."""

    serializer_class = SoALineSerializer
    write_perm = roles.EDIT_READINESS

    def get(self, request: Request, slug: str, pk: int) -> Response:
        control = soa_control_get(pk=pk)
        entry = soa_entry_of(organisation=self.organisation(), control=control)
        return Response(self._shown(control, entry))

    def put(self, request: Request, slug: str, pk: int) -> Response:
        return self._save(pk, partial=False)

    def patch(self, request: Request, slug: str, pk: int) -> Response:
        return self._save(pk, partial=True)

    def _save(self, pk: int, *, partial: bool) -> Response:
        organisation = self.organisation()
        control = soa_control_get(pk=pk)
        changes = self.validated(partial=partial)
        current = soa_entry_of(organisation=organisation, control=control)
        base = (current if partial else None) or SoAEntry(control=control)
        entry = soa_update(
            organisation=organisation,
            control=control,
            data=SoAData(**merged(base, changes, SOA_FIELDS)),
            actor=self.request.user,
        )
        return Response(self._shown(control, entry))

    def _shown(self, control: Requirement, entry: SoAEntry | None) -> Any:
        return SoALineSerializer(
            soa_line(control, entry), context=self.get_serializer_context()
        ).data


READINESS_FIELDS = ("status", "justification", "owner", "target_date", "notes")


def readiness_line(
    requirement: Requirement, entry: ReadinessEntry | None, applies: bool
) -> dict[str, Any]:
    shown = entry or ReadinessEntry(requirement=requirement)
    return {
        "requirement": requirement.pk,
        "ref_id": requirement.ref_id,
        "name": requirement.name,
        "parent": requirement.parent_id,
        "applies": applies,
        **{name: getattr(shown, name) for name in READINESS_FIELDS},
        "updated_at": entry.updated_at if entry else None,
    }


class ReadinessLineSerializer(serializers.Serializer):
    requirement = serializers.IntegerField(read_only=True)
    ref_id = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    parent = serializers.IntegerField(read_only=True, allow_null=True)
    applies = serializers.BooleanField(
        read_only=True, help_text=_("False when the situation or the SoA rules it out.")
    )
    status = serializers.ChoiceField(choices=ReadinessStatus.choices)
    justification = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_("Required when the requirement does not apply."),
    )
    owner = member_field()
    target_date = serializers.DateField(required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True)
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)


class ReadinessQuerySerializer(serializers.Serializer):
    framework = serializers.ChoiceField(
        choices=[(HDS_CODE, "HDS"), (ISO_CODE, "ISO/IEC 27001")], default=HDS_CODE
    )


class ReadinessList(ScopesAPIView):
    """The host's self-assessment of every assessable requirement of a built-in framework."""

    serializer_class = ReadinessLineSerializer

    @extend_schema(
        parameters=[ReadinessQuerySerializer], responses=ReadinessLineSerializer(many=True)
    )
    def get(self, request: Request, slug: str) -> Response:
        query = ReadinessQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        framework = builtin_framework(code=query.validated_data["framework"])
        rows = readiness_rows(organisation=self.organisation(), framework=framework)
        page = self.paginate_queryset([readiness_line(*row) for row in rows])
        return self.get_paginated_response(ReadinessLineSerializer(page, many=True).data)


class ReadinessDetail(ScopesAPIView):
    """The host's assessment of one requirement; the trail keeps its history."""

    serializer_class = ReadinessLineSerializer
    write_perm = roles.EDIT_READINESS

    def get(self, request: Request, slug: str, pk: int) -> Response:
        requirement = self._requirement(pk)
        entry, applies = readiness_line_of(
            organisation=self.organisation(), requirement=requirement
        )
        return Response(self._shown(requirement, entry, applies))

    def put(self, request: Request, slug: str, pk: int) -> Response:
        return self._save(pk, partial=False)

    def patch(self, request: Request, slug: str, pk: int) -> Response:
        return self._save(pk, partial=True)

    def _requirement(self, pk: int) -> Requirement:
        requirement = requirement_get(organisation=self.organisation(), pk=pk)
        if not requirement.assessable:
            raise Http404
        return requirement

    def _save(self, pk: int, *, partial: bool) -> Response:
        organisation = self.organisation()
        requirement = self._requirement(pk)
        changes = self.validated(partial=partial)
        current, _applies = readiness_line_of(organisation=organisation, requirement=requirement)
        base = (current if partial else None) or ReadinessEntry(requirement=requirement)
        readiness_update(
            organisation=organisation,
            requirement=requirement,
            data=ReadinessData(**merged(base, changes, READINESS_FIELDS)),
            actor=self.request.user,
        )
        entry, applies = readiness_line_of(organisation=organisation, requirement=requirement)
        return Response(self._shown(requirement, entry, applies))

    def _shown(self, requirement: Requirement, entry: ReadinessEntry | None, applies: bool) -> Any:
        line = readiness_line(requirement, entry, applies)
        return ReadinessLineSerializer(line, context=self.get_serializer_context()).data
