"""The audit programme in the REST API (audits/programme.py): a cycle's programme requirement by
requirement, the proposed rotation, one requirement placed in the surveillance audits, an
audit's programme marked as the body's plan; the programme of an auditor's audit.

The pages' rules hold: reading needs VIEW, a change needs EDIT_READINESS (officers and
contributors; a manager gets a 403), another organisation's id is a 404."""

from __future__ import annotations

from typing import Any, ClassVar

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from audits.api import AuditorAPIView, AuditsAPIView
from audits.models import ProgrammeSource
from audits.programme import topics_of
from audits.selectors import cycle_get_in_organisation
from audits.selectors.programme import (
    FULL_KINDS,
    Programme,
    is_editable,
    key_of,
    programme_line_get,
    programme_of,
)
from audits.services.programme import (
    BODY_REFERENCE_LENGTH,
    programme_body_plan_mark,
    programme_propose,
    programme_requirement_place,
)
from hdsready import roles
from scopes.models import Requirement


class CoverSerializer(serializers.Serializer):
    audit = serializers.IntegerField(help_text=_("Id of an audit of the cycle that covers it."))
    source = serializers.ChoiceField(
        choices=[("full", _("Initial or renewal audit")), *ProgrammeSource.choices],
        help_text=_("Why: a full audit covers everything; otherwise the line's source."),
    )
    body_reference = serializers.CharField(allow_blank=True)


class ProgrammeRowSerializer(serializers.Serializer):
    requirement = serializers.IntegerField(help_text=_("Id of the requirement."))
    framework = serializers.CharField()
    ref_id = serializers.CharField()
    name = serializers.CharField()
    topics = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("The topics of every surveillance audit it stands for."),
    )
    covered_by = CoverSerializer(many=True)
    never_before_renewal = serializers.BooleanField(
        help_text=_("No surveillance audit covers it before the renewal audit.")
    )


def _row(programme: Programme, requirement: Requirement) -> dict[str, Any]:
    covered = []
    for audit in programme.audits:
        line = programme.lines.get((audit.pk, requirement.pk))
        if audit.kind in FULL_KINDS:
            covered.append({"audit": audit.pk, "source": "full", "body_reference": ""})
        elif line is not None:
            covered.append(
                {"audit": audit.pk, "source": line.source, "body_reference": line.body_reference}
            )
    return {
        "requirement": requirement.pk,
        "framework": requirement.framework.code,
        "ref_id": requirement.ref_id,
        "name": requirement.name,
        "topics": [topic.code for topic in topics_of(key_of(requirement))],
        "covered_by": covered,
        "never_before_renewal": any(requirement in gaps.never for gaps in programme.gaps),
    }


class ProgrammeAPIView(AuditsAPIView):
    write_perm: ClassVar[str] = roles.EDIT_READINESS

    def cycle_programme(self) -> Programme:
        cycle = cycle_get_in_organisation(organisation=self.organisation(), pk=self.kwargs["pk"])
        return programme_of(cycle=cycle)


class ProgrammeList(ProgrammeAPIView):
    """A cycle's programme: every applicable requirement (HDS v2, then ISO/IEC 27001:2022) with
    the audits that cover it, a page at a time."""

    serializer_class = ProgrammeRowSerializer

    @extend_schema(responses=ProgrammeRowSerializer(many=True))
    def get(self, request: Request, slug: str, pk: int) -> Response:
        programme = self.cycle_programme()
        page = self.paginate_queryset(programme.applicable)
        return self.get_paginated_response(
            [_row(programme, requirement) for requirement in page or []]
        )


class ProposedSerializer(serializers.Serializer):
    written = serializers.IntegerField(help_text=_("Requirements placed in the audits."))


class ProgrammePropose(ProgrammeAPIView):
    """Replace the programme of the surveillance audits not started yet with the proposed
    rotation: the mandatory topics in each, the rest shared out between them."""

    serializer_class = ProposedSerializer

    @extend_schema(request=None, responses=ProposedSerializer)
    def post(self, request: Request, slug: str, pk: int) -> Response:
        cycle = cycle_get_in_organisation(organisation=self.organisation(), pk=pk)
        return Response({"written": programme_propose(cycle=cycle, actor=request.user)})


class PlaceSerializer(serializers.Serializer):
    audits = serializers.ListField(
        child=serializers.IntegerField(),
        allow_empty=True,
        max_length=50,
        help_text=_(
            "Ids of the surveillance audits not started yet that cover it; empty: audited "
            "again only at the renewal audit."
        ),
    )


class ProgrammeRequirement(ProgrammeAPIView):
    """One requirement of the programme; PUT sets the surveillance audits that cover it."""

    serializer_class = ProgrammeRowSerializer

    def get(self, request: Request, slug: str, pk: int, rpk: int) -> Response:
        programme = self.cycle_programme()
        requirement = programme_line_get(cycle=programme.cycle, requirement_pk=rpk)
        return Response(_row(programme, requirement))

    @extend_schema(request=PlaceSerializer, responses=ProgrammeRowSerializer)
    def put(self, request: Request, slug: str, pk: int, rpk: int) -> Response:
        data = PlaceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        programme = self.cycle_programme()
        requirement = programme_line_get(cycle=programme.cycle, requirement_pk=rpk)
        editable = {audit.pk: audit for audit in programme.audits if is_editable(audit)}
        unknown = [pk for pk in data.validated_data["audits"] if pk not in editable]
        if unknown:
            raise serializers.ValidationError(
                {"audits": [_("Only a surveillance audit not started yet can be chosen.")]}
            )
        programme_requirement_place(
            cycle=programme.cycle,
            requirement=requirement,
            audits=[editable[pk] for pk in dict.fromkeys(data.validated_data["audits"])],
            actor=request.user,
        )
        return Response(_row(programme_of(cycle=programme.cycle), requirement))


class BodyPlanSerializer(serializers.Serializer):
    audit = serializers.IntegerField(help_text=_("Id of a surveillance audit not started yet."))
    reference = serializers.CharField(max_length=BODY_REFERENCE_LENGTH)


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text=_("Requirements marked."))


class ProgrammeBodyPlan(ProgrammeAPIView):
    """Mark a surveillance audit's programme as the certification body's plan says it."""

    serializer_class = BodyPlanSerializer

    @extend_schema(request=BodyPlanSerializer, responses=MarkedSerializer)
    def post(self, request: Request, slug: str, pk: int) -> Response:
        data = self.validated()
        programme = self.cycle_programme()
        audit = next((a for a in programme.audits if a.pk == data["audit"]), None)
        if audit is None or not is_editable(audit):
            raise serializers.ValidationError(
                {"audit": [_("Only a surveillance audit not started yet can be marked.")]}
            )
        marked = programme_body_plan_mark(
            audit=audit, reference=data["reference"], actor=request.user
        )
        return Response({"marked": marked})


class AuditorProgramme(AuditorAPIView):
    """The programme of the audit you are invited to: the requirements it covers."""

    serializer_class = ProgrammeRowSerializer

    @extend_schema(responses=ProgrammeRowSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        audit = self.audit()
        programme = programme_of(cycle=audit.cycle)
        covered = [
            requirement
            for requirement in programme.applicable
            if audit.kind in FULL_KINDS or (audit.pk, requirement.pk) in programme.lines
        ]
        page = self.paginate_queryset(covered)
        rows = []
        for requirement in page or []:
            row = _row(programme, requirement)
            # Only this audit: the auditor sees nothing of the cycle's other audits.
            row["covered_by"] = [c for c in row["covered_by"] if c["audit"] == audit.pk]
            rows.append(row)
        return self.get_paginated_response(rows)


urlpatterns = [
    path(
        "o/<slug:slug>/cycles/<int:pk>/programme/",
        ProgrammeList.as_view(),
        name="programme-list",
    ),
    path(
        "o/<slug:slug>/cycles/<int:pk>/programme/propose/",
        ProgrammePropose.as_view(),
        name="programme-propose",
    ),
    path(
        "o/<slug:slug>/cycles/<int:pk>/programme/body-plan/",
        ProgrammeBodyPlan.as_view(),
        name="programme-body-plan",
    ),
    path(
        "o/<slug:slug>/cycles/<int:pk>/programme/requirements/<int:rpk>/",
        ProgrammeRequirement.as_view(),
        name="programme-requirement",
    ),
    path(
        "auditor/audits/<int:pk>/programme/",
        AuditorProgramme.as_view(),
        name="auditor-programme",
    ),
]
