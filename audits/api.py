"""The audits app's part of the REST API, under /api/o/<slug>/: certification cycles, their
audits and the audits' transitions, findings and their corrections, evidence reviews, and the
deadlines of every kind.

The pages' rules hold: every object is looked up inside the organisation (another
organisation's id, in the path, the query or the body, is a 404), reading needs VIEW, planning
and moving audits needs MANAGE and answering a finding needs EDIT_READINESS (a member without
the right gets a 403). Every change is one service call, which checks it and writes the trail;
an AuditError becomes a 400 whose `detail` is the service's message.

Auditors (certification bodies) are not members: they raise and verify findings on their pages,
not through this API.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

from django.db.models import QuerySet
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from audits import deadlines
from audits.deadline_kinds import DeadlineKind, DeadlineRow
from audits.models import (
    Audit,
    AuditKind,
    AuditStatus,
    Cycle,
    Decision,
    EvidenceReview,
    Finding,
    FindingKind,
    FindingStatus,
    ReviewDecision,
    Stage,
)
from audits.selectors import (
    audit_get_in_organisation,
    audits_of_cycle,
    audits_of_organisation,
    cycle_get_in_organisation,
    cycles_of_organisation,
    deadlines_of_organisation,
    evidence_versions_of_organisation,
    finding_get_in_organisation,
    findings_of_organisation,
    reviews_of_audit,
)
from audits.services import AuditError
from audits.services.cycle import (
    audit_complete_stage1,
    audit_complete_stage2,
    audit_plan,
    audit_schedule_stage1,
    audit_schedule_stage2,
    audit_submit_stage1_documents,
    cycle_create,
    decision_record,
)
from audits.services.findings import finding_submit_correction
from evidence.models import EvidenceVersion
from hdsready import roles
from hdsready.api import OrganisationAPIView
from hdsready.models import Organisation
from scopes.api.base import member_field


class AuditsAPIView(OrganisationAPIView):
    service_errors: ClassVar[tuple[type[Exception], ...]] = (AuditError,)


class EvidenceVersionField(serializers.PrimaryKeyRelatedField):
    """An evidence version of the organisation: another organisation's is "unknown"."""

    default_error_messages = {"does_not_exist": _("Unknown evidence.")}

    def get_queryset(self) -> QuerySet[EvidenceVersion]:
        return evidence_versions_of_organisation(organisation=self.context["organisation"])


# Cycles


class CycleSerializer(serializers.ModelSerializer):
    audits = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Cycle
        fields = (
            "id",
            "certification_body",
            "accreditation",
            "referential_version",
            "activities",
            "created_at",
            "audits",
        )
        read_only_fields = ("referential_version", "activities", "created_at")
        extra_kwargs = {"activities": {"help_text": _("HDS activities in scope (1 to 6).")}}


class CycleList(AuditsAPIView):
    """The organisation's certification cycles, newest first. A POST opens one with a
    certification body; its scope is the organisation's declared activities."""

    serializer_class = CycleSerializer

    @extend_schema(responses=CycleSerializer(many=True))
    def get(self, request: Request, slug: str) -> Response:
        page = self.paginate_queryset(cycles_of_organisation(organisation=self.organisation()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(responses={201: CycleSerializer})
    def post(self, request: Request, slug: str) -> Response:
        data = self.validated()
        organisation = self.organisation()
        cycle = cycle_create(
            organisation=organisation,
            certification_body=data["certification_body"],
            accreditation=data["accreditation"],
            actor=request.user,
        )
        cycle = cycle_get_in_organisation(organisation=organisation, pk=cycle.pk)
        return Response(self.get_serializer(cycle).data, status=201)


class CycleDetail(AuditsAPIView):
    """One certification cycle, with the ids of its audits."""

    serializer_class = CycleSerializer

    def get(self, request: Request, slug: str, pk: int) -> Response:
        cycle = cycle_get_in_organisation(organisation=self.organisation(), pk=pk)
        return Response(self.get_serializer(cycle).data)


# Audits


class DecisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Decision
        fields = ("certificate_number", "decided_on", "activities", "expires_on", "recorded_at")
        read_only_fields = fields


class AuditSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=AuditKind.choices, read_only=True)
    status = serializers.ChoiceField(choices=AuditStatus.choices, read_only=True)
    days_left = serializers.SerializerMethodField(
        help_text=_(
            "Whole days until the correction deadline (Europe/Paris): 0 on its day, negative "
            "once passed; null without a correction window."
        )
    )
    decision = serializers.SerializerMethodField()

    class Meta:
        model = Audit
        fields = (
            "id",
            "cycle",
            "kind",
            "status",
            "due_on",
            "stage1_start",
            "stage1_end",
            "stage1_submitted_at",
            "stage1_outcome",
            "stage2_start",
            "stage2_end",
            "stage2_sites",
            "stage2_outcome",
            "correction_deadline",
            "days_left",
            "decision",
            "created_at",
        )
        read_only_fields = fields

    def get_days_left(self, audit: Audit) -> int | None:
        if audit.correction_deadline is None:
            return None
        return deadlines.days_left(deadline=audit.correction_deadline, now=timezone.now())

    @extend_schema_field(DecisionSerializer(allow_null=True))
    def get_decision(self, audit: Audit) -> dict[str, Any] | None:
        try:
            decision = audit.decision
        except Decision.DoesNotExist:
            return None
        data: dict[str, Any] = DecisionSerializer(decision).data
        return data


class AuditQuerySerializer(serializers.Serializer):
    cycle = serializers.IntegerField(required=False, help_text=_("Only the audits of this cycle."))


class AuditPlanSerializer(serializers.Serializer):
    cycle = serializers.IntegerField(help_text=_("Id of a cycle of the organisation."))
    kind = serializers.ChoiceField(choices=AuditKind.choices)
    due_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text=_("When it must take place by.")
    )


class AuditList(AuditsAPIView):
    """The organisation's audits, or one cycle's; a POST plans an audit in a cycle."""

    serializer_class = AuditSerializer

    @extend_schema(parameters=[AuditQuerySerializer], responses=AuditSerializer(many=True))
    def get(self, request: Request, slug: str) -> Response:
        query = AuditQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        organisation = self.organisation()
        cycle_pk = query.validated_data.get("cycle")
        if cycle_pk is None:
            audits = audits_of_organisation(organisation=organisation)
        else:
            cycle = cycle_get_in_organisation(organisation=organisation, pk=cycle_pk)
            audits = audits_of_cycle(cycle=cycle)
        page = self.paginate_queryset(audits)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=AuditPlanSerializer, responses={201: AuditSerializer})
    def post(self, request: Request, slug: str) -> Response:
        plan = AuditPlanSerializer(data=request.data)
        plan.is_valid(raise_exception=True)
        organisation = self.organisation()
        cycle = cycle_get_in_organisation(
            organisation=organisation, pk=plan.validated_data["cycle"]
        )
        audit = audit_plan(
            cycle=cycle,
            kind=plan.validated_data["kind"],
            due_on=plan.validated_data["due_on"],
            actor=request.user,
        )
        audit = audit_get_in_organisation(organisation=organisation, pk=audit.pk)
        return Response(self.get_serializer(audit).data, status=201)


class AuditDetail(AuditsAPIView):
    """One audit: its status, the dates of its stages, the correction window and the decision."""

    serializer_class = AuditSerializer

    def get(self, request: Request, slug: str, pk: int) -> Response:
        audit = audit_get_in_organisation(organisation=self.organisation(), pk=pk)
        return Response(self.get_serializer(audit).data)


class TransitionAction:
    STAGE1 = "stage1"
    STAGE1_SUBMIT = "stage1_submit"
    STAGE1_COMPLETE = "stage1_complete"
    STAGE2 = "stage2"
    STAGE2_COMPLETE = "stage2_complete"
    DECISION = "decision"


A = TransitionAction
TRANSITION_CHOICES = (
    (A.STAGE1, _("Plan the documentary audit (stage 1): start, end")),
    (A.STAGE1_SUBMIT, _("Submit the documents of stage 1 (freezes the evidence versions)")),
    (A.STAGE1_COMPLETE, _("Complete the documentary audit: outcome")),
    (A.STAGE2, _("Plan the on-site audit (stage 2): start, end, sites")),
    (A.STAGE2_COMPLETE, _("Complete the on-site audit: outcome")),
    (A.DECISION, _("Record the certification decision: certificate_number, decided_on, ...")),
)
# The fields each action needs.
REQUIRED: dict[str, tuple[str, ...]] = {
    A.STAGE1: ("start", "end"),
    A.STAGE1_SUBMIT: (),
    A.STAGE1_COMPLETE: (),
    A.STAGE2: ("start", "end"),
    A.STAGE2_COMPLETE: (),
    A.DECISION: ("certificate_number", "decided_on"),
}


class AuditTransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=TRANSITION_CHOICES)
    start = serializers.DateField(required=False, help_text=_("stage1, stage2."))
    end = serializers.DateField(required=False, help_text=_("stage1, stage2."))
    sites = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("stage2: the sites visited.")
    )
    outcome = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("stage1_complete, stage2_complete."),
    )
    certificate_number = serializers.CharField(
        required=False, max_length=100, help_text=_("decision.")
    )
    decided_on = serializers.DateField(required=False, help_text=_("decision."))
    activities = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=6),
        required=False,
        help_text=_("decision: the activities covered; by default the cycle's."),
    )
    expires_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text=_("decision: when the certificate prints another date than 3 years."),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        missing = {
            name: _("This field is required for this action.")
            for name in REQUIRED[attrs["action"]]
            if attrs.get(name) in (None, "")
        }
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


class AuditTransition(AuditsAPIView):
    """Move an audit one step through its cycle; each action calls its service, which checks
    the audit's current status. Ending the on-site audit with open non-conformities opens the
    correction window (correction_deadline)."""

    serializer_class = AuditTransitionSerializer

    @extend_schema(responses=AuditSerializer)
    def post(self, request: Request, slug: str, pk: int) -> Response:
        organisation = self.organisation()
        audit = audit_get_in_organisation(organisation=organisation, pk=pk)
        data = self.validated()
        action, actor = data["action"], request.user
        if action == A.STAGE1:
            audit_schedule_stage1(audit=audit, start=data["start"], end=data["end"], actor=actor)
        elif action == A.STAGE1_SUBMIT:
            audit_submit_stage1_documents(audit=audit, actor=actor)
        elif action == A.STAGE1_COMPLETE:
            audit_complete_stage1(audit=audit, outcome=data["outcome"], actor=actor)
        elif action == A.STAGE2:
            audit_schedule_stage2(
                audit=audit, start=data["start"], end=data["end"], sites=data["sites"], actor=actor
            )
        elif action == A.STAGE2_COMPLETE:
            audit_complete_stage2(audit=audit, outcome=data["outcome"], actor=actor)
        else:
            activities = data.get("activities")
            decision_record(
                audit=audit,
                certificate_number=data["certificate_number"],
                decided_on=data["decided_on"],
                activities=audit.cycle.activities if activities is None else activities,
                expires_on=data.get("expires_on"),
                actor=actor,
            )
        audit = audit_get_in_organisation(organisation=organisation, pk=pk)
        return Response(AuditSerializer(audit, context=self.get_serializer_context()).data)


# Findings


class FindingSerializer(serializers.ModelSerializer):
    stage = serializers.ChoiceField(choices=Stage.choices, read_only=True)
    kind = serializers.ChoiceField(choices=FindingKind.choices, read_only=True)
    status = serializers.ChoiceField(choices=FindingStatus.choices, read_only=True)
    requirement = serializers.CharField(source="requirement.ref_id", read_only=True)
    raised_by = serializers.EmailField(source="raised_by.email", read_only=True)
    owner = serializers.EmailField(source="owner.email", read_only=True, allow_null=True)

    class Meta:
        model = Finding
        fields = (
            "id",
            "audit",
            "stage",
            "kind",
            "requirement",
            "evidence",
            "description",
            "raised_by",
            "raised_at",
            "status",
            "correction",
            "root_cause",
            "action_plan",
            "owner",
            "correction_evidence",
            "submitted_at",
            "verified_at",
            "verification_comment",
        )
        read_only_fields = fields


class FindingQuerySerializer(serializers.Serializer):
    audit = serializers.IntegerField(
        required=False, help_text=_("Only the findings of this audit.")
    )


class FindingCorrectionSerializer(serializers.Serializer):
    correction = serializers.CharField(allow_blank=True)
    root_cause = serializers.CharField(allow_blank=True)
    action_plan = serializers.CharField(allow_blank=True)
    owner = member_field()
    evidence = EvidenceVersionField(
        queryset=EvidenceVersion.objects.none(),
        allow_null=True,
        required=False,
        default=None,
        help_text=_("Id of an evidence version that shows the correction."),
    )


class FindingList(AuditsAPIView):
    """The findings raised in the organisation's audits, or in one audit's."""

    serializer_class = FindingSerializer

    @extend_schema(parameters=[FindingQuerySerializer], responses=FindingSerializer(many=True))
    def get(self, request: Request, slug: str) -> Response:
        query = FindingQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        organisation = self.organisation()
        findings = findings_of_organisation(organisation=organisation)
        audit_pk = query.validated_data.get("audit")
        if audit_pk is not None:
            audit = audit_get_in_organisation(organisation=organisation, pk=audit_pk)
            findings = findings.filter(audit=audit)
        page = self.paginate_queryset(findings)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class FindingDetail(AuditsAPIView):
    """One finding and the host's answer to it."""

    serializer_class = FindingSerializer

    def get(self, request: Request, slug: str, pk: int) -> Response:
        finding = _finding(self.organisation(), pk)
        return Response(self.get_serializer(finding).data)


def _finding(organisation: Organisation, pk: int) -> Finding:
    finding = finding_get_in_organisation(organisation=organisation, pk=pk)
    return findings_of_organisation(organisation=organisation).get(pk=finding.pk)


class FindingCorrection(AuditsAPIView):
    """Answer a non-conformity during the correction window: the correction, its root cause and
    the corrective action plan, an owner and an evidence version that shows it."""

    serializer_class = FindingCorrectionSerializer
    write_perm: ClassVar[str] = roles.EDIT_READINESS

    @extend_schema(responses=FindingSerializer)
    def post(self, request: Request, slug: str, pk: int) -> Response:
        organisation = self.organisation()
        finding = finding_get_in_organisation(organisation=organisation, pk=pk)
        data = self.validated()
        finding_submit_correction(
            finding=finding,
            correction=data["correction"],
            root_cause=data["root_cause"],
            action_plan=data["action_plan"],
            owner=data.get("owner"),
            evidence=data["evidence"],
            actor=request.user,
        )
        finding = _finding(organisation, pk)
        return Response(FindingSerializer(finding, context=self.get_serializer_context()).data)


# Evidence reviews (read only: the auditor reviews on their pages)


class EvidenceReviewSerializer(serializers.ModelSerializer):
    decision = serializers.ChoiceField(choices=ReviewDecision.choices, read_only=True)
    stage = serializers.ChoiceField(source="pinned.stage", choices=Stage.choices, read_only=True)
    requirement = serializers.CharField(source="pinned.requirement.ref_id", read_only=True)
    evidence = serializers.IntegerField(source="pinned.version.item_id", read_only=True)
    version = serializers.IntegerField(source="pinned.version.number", read_only=True)
    reviewer = serializers.EmailField(source="reviewer.email", read_only=True)

    class Meta:
        model = EvidenceReview
        fields = (
            "id",
            "stage",
            "requirement",
            "evidence",
            "version",
            "decision",
            "comment",
            "reviewer",
            "reviewed_at",
            "answer",
            "answered_with",
        )
        read_only_fields = fields


class EvidenceReviewList(AuditsAPIView):
    """The auditor's reviews of the evidence of an audit, newest first, with the host's answers."""

    serializer_class = EvidenceReviewSerializer

    @extend_schema(responses=EvidenceReviewSerializer(many=True))
    def get(self, request: Request, slug: str, pk: int) -> Response:
        audit = audit_get_in_organisation(organisation=self.organisation(), pk=pk)
        page = self.paginate_queryset(reviews_of_audit(audit=audit))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


# Deadlines (read only: every kind of the registry audits/deadline_kinds.py)

DEADLINES_DEFAULT_DAYS = 365


class DeadlineSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DeadlineKind.choices, read_only=True)
    label = serializers.CharField(read_only=True, help_text=_("The kind of deadline, worded."))
    subject = serializers.CharField(
        read_only=True, help_text=_("What the date is about: an audit, a certificate, ...")
    )
    date = serializers.DateField(source="day", read_only=True)
    days_left = serializers.SerializerMethodField(
        help_text=_("Whole days until the date (Europe/Paris): 0 on its day, negative once passed.")
    )
    object_id = serializers.IntegerField(
        source="pk", read_only=True, help_text=_("Id of the audit, certificate, ... it concerns.")
    )
    url = serializers.CharField(read_only=True, help_text=_("The page that shows it."))

    def get_days_left(self, row: DeadlineRow) -> int:
        return deadlines.days_left(deadline=row.day, now=self.context["now"])


class DeadlineQuerySerializer(serializers.Serializer):
    start = serializers.DateField(
        required=False, help_text=_("First day (included); by default today in Europe/Paris.")
    )
    end = serializers.DateField(
        required=False, help_text=_("Last day (included); by default a year after the start.")
    )
    kind = serializers.MultipleChoiceField(
        choices=DeadlineKind.choices, required=False, help_text=_("Only these kinds.")
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start = attrs.get("start") or deadlines.paris_date(now=timezone.now())
        end = attrs.get("end") or start + timedelta(days=DEADLINES_DEFAULT_DAYS)
        if end < start:
            raise serializers.ValidationError({"end": _("The end must not be before the start.")})
        return {**attrs, "start": start, "end": end}


class DeadlineList(AuditsAPIView):
    """The organisation's deadlines of every kind, by date: correction windows, planned audits,
    certificate expiries (the host's HDS and ISO 27001, its subcontractors'), evidence reviews
    and auditor accesses; from today for a year unless asked otherwise."""

    serializer_class = DeadlineSerializer

    @extend_schema(parameters=[DeadlineQuerySerializer], responses=DeadlineSerializer(many=True))
    def get(self, request: Request, slug: str) -> Response:
        query = DeadlineQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        kinds = query.validated_data.get("kind")
        rows = deadlines_of_organisation(
            organisation=self.organisation(),
            start=query.validated_data["start"],
            end=query.validated_data["end"],
            kinds=[DeadlineKind(kind) for kind in kinds] if kinds else None,
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "now": timezone.now()}


urlpatterns = [
    path("o/<slug:slug>/cycles/", CycleList.as_view(), name="cycle-list"),
    path("o/<slug:slug>/cycles/<int:pk>/", CycleDetail.as_view(), name="cycle-detail"),
    path("o/<slug:slug>/audits/", AuditList.as_view(), name="audit-list"),
    path("o/<slug:slug>/audits/<int:pk>/", AuditDetail.as_view(), name="audit-detail"),
    path(
        "o/<slug:slug>/audits/<int:pk>/transition/",
        AuditTransition.as_view(),
        name="audit-transition",
    ),
    path(
        "o/<slug:slug>/audits/<int:pk>/reviews/",
        EvidenceReviewList.as_view(),
        name="audit-review-list",
    ),
    path("o/<slug:slug>/deadlines/", DeadlineList.as_view(), name="deadline-list"),
    path("o/<slug:slug>/findings/", FindingList.as_view(), name="finding-list"),
    path("o/<slug:slug>/findings/<int:pk>/", FindingDetail.as_view(), name="finding-detail"),
    path(
        "o/<slug:slug>/findings/<int:pk>/correction/",
        FindingCorrection.as_view(),
        name="finding-correction",
    ),
]
