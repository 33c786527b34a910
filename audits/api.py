"""The audits app's part of the REST API: under /api/o/<slug>/, certification cycles, their
audits, findings and evidence reviews, and every action of the certification workflow
(audits/workflow.py); under /api/auditor/, the audits an auditor is invited to and the actions
they may take on them; the deadlines of every kind.

The pages' rules hold: every object is looked up inside the organisation (another
organisation's id, in the path, the query or the body, is a 404), reading needs VIEW, planning
audits needs MANAGE. An action is validated by the same form as on the pages and allowed by the
same definition: an action the member's role never allows is a 403 (an auditor: a 404), one the
audit's state does not allow now a 400 whose `detail` says why. Every change is one service
call, which checks it and writes the trail.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from django import forms
from django.core.validators import MinValueValidator
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ParseError, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from audits import deadlines
from audits.deadline_kinds import DeadlineKind, DeadlineRow
from audits.forms import ACTION_FORMS, choices_for
from audits.models import (
    Audit,
    AuditKind,
    AuditorAccess,
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
    audit_get_for_auditor,
    audit_get_in_organisation,
    auditor_access_get_in_audit,
    auditor_accesses_of_audit,
    audits_for_auditor,
    audits_of_cycle,
    audits_of_organisation,
    cycle_get_in_organisation,
    cycles_of_organisation,
    deadlines_of_organisation,
    finding_get_in_audit,
    finding_get_in_organisation,
    findings_of_audit,
    findings_of_organisation,
    member_actors,
    reviews_of_audit,
)
from audits.services import AuditError
from audits.services.auditors import auditor_access_revoke, auditor_invite
from audits.services.cycle import audit_plan, cycle_create
from audits.views.actions import Offered, offered_forms, role_for
from audits.workflow import ACTIONS_BY_NAME, Actor
from hdsready import roles
from hdsready.api import OrganisationAPIView, ServiceAPIView
from hdsready.models import Organisation


class AuditsAPIView(OrganisationAPIView):
    service_errors: ClassVar[tuple[type[Exception], ...]] = (AuditError,)


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


# Actions of the workflow (audits/workflow.py): the same forms and rules as the pages.


class ActionFieldSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    required = serializers.BooleanField()
    choices = serializers.ListField(child=serializers.CharField(), required=False)


class ActionSerializer(serializers.Serializer):
    name = serializers.CharField(help_text=_("Use it in .../actions/<name>/."))
    label = serializers.CharField()
    help = serializers.CharField(allow_null=True)
    finding = serializers.IntegerField(allow_null=True)
    fields = ActionFieldSerializer(many=True)


def _describe(offered: Offered) -> dict[str, Any]:
    fields = []
    for name, field in offered.form.fields.items():
        row: dict[str, Any] = {
            "name": name,
            "label": str(field.label or name),
            "required": field.required,
        }
        choices = getattr(field, "choices", None)
        if choices is not None and not isinstance(field, forms.ModelChoiceField):
            row["choices"] = [str(value) for value, _label in choices if value != ""]
        fields.append(row)
    action = offered.action
    return {
        "name": action.name,
        "label": str(action.label),
        "help": str(action.help) if action.help else None,
        "finding": offered.finding.pk if offered.finding else None,
        "fields": fields,
    }


def _offered(audit: Audit, actors: frozenset[Actor]) -> list[dict[str, Any]]:
    findings = list(findings_of_audit(audit=audit))
    on_audit, on_findings = offered_forms(audit=audit, actors=actors, findings=findings)
    rows = [_describe(offered) for offered in on_audit]
    for offered_list in on_findings.values():
        rows += [_describe(offered) for offered in offered_list]
    return rows


def api_take_action(
    request: Request,
    *,
    audit: Audit,
    name: str,
    actors: frozenset[Actor],
    finding: Finding | None = None,
    refused: type[Exception] = PermissionDenied,
) -> None:
    """Take one action from the request's JSON body, validated by the action's page form.
    An unknown action is a 404; one this person may never take is `refused`; input the form
    refuses is a 400 with the form's errors; a refusal of the workflow a 400 with its reason."""
    action = ACTIONS_BY_NAME.get(name)
    if action is None or action.name not in ACTION_FORMS or action.on_finding != bool(finding):
        raise NotFound
    role = role_for(action, actors)
    if role is None:
        raise refused(_("Your role does not allow this action."))
    if not isinstance(request.data, dict):  # a JSON list or scalar has no fields to read
        raise ParseError(_("Send the action's fields as a JSON object."))
    form_class = ACTION_FORMS[action.name]
    form = form_class(
        request.data,
        audit=audit,
        choices=choices_for(audit, form_class.needs, auditor=role == Actor.AUDITOR),
        role=role,
    )
    if not form.is_valid():
        raise serializers.ValidationError(form.errors)
    form.perform(actor=request.user, role=role, finding=finding)


class AuditActionList(AuditsAPIView):
    """The actions you may take on this audit now (and on its findings), with their fields, a
    page at a time (an audit may have a hundred findings)."""

    serializer_class = ActionSerializer

    @extend_schema(responses=ActionSerializer(many=True))
    def get(self, request: Request, slug: str, pk: int) -> Response:
        organisation = self.organisation()
        audit = audit_get_in_organisation(organisation=organisation, pk=pk)
        actors = member_actors(user=request.user, organisation=organisation)
        page = self.paginate_queryset(_offered(audit, actors))
        return self.get_paginated_response(ActionSerializer(page, many=True).data)


class AuditAction(AuditsAPIView):
    """Take one action of the certification workflow on the audit: the body holds the fields of
    the action's form (see .../actions/). Every action of the pages is here: scheduling and
    completing the stages, submitting the stage 1 documents, correcting the end of the on-site
    audit, recording a finding, the decision (granted, for fewer activities, or refused), closing
    and cancelling."""

    serializer_class = AuditSerializer
    write_perm: ClassVar[str] = roles.VIEW  # the workflow says who may take which action

    @extend_schema(request=OpenApiTypes.OBJECT, responses=AuditSerializer)
    def post(self, request: Request, slug: str, pk: int, action: str) -> Response:
        organisation = self.organisation()
        audit = audit_get_in_organisation(organisation=organisation, pk=pk)
        api_take_action(
            request,
            audit=audit,
            name=action,
            actors=member_actors(user=request.user, organisation=organisation),
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
            "action_plan_due_on",
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


class FindingAction(AuditsAPIView):
    """Take one action of the workflow on a finding: submit its correction (correction,
    root_cause, action_plan, owner, evidence), or record the certification body's verification
    of it (accepted: "yes"/"no", comment, letter)."""

    serializer_class = FindingSerializer
    write_perm: ClassVar[str] = roles.VIEW  # the workflow says who may take which action

    @extend_schema(request=OpenApiTypes.OBJECT, responses=FindingSerializer)
    def post(self, request: Request, slug: str, pk: int, action: str) -> Response:
        organisation = self.organisation()
        finding = finding_get_in_organisation(organisation=organisation, pk=pk)
        api_take_action(
            request,
            audit=finding.audit,
            finding=finding,
            name=action,
            actors=member_actors(user=request.user, organisation=organisation),
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


# Auditor invitations of an audit (the officer's side)


# Paris kept its local mean time (UTC+00:09:21) until 1911: a date-time of then has no RFC 3339
# form to answer with, and no access window of an HDS audit starts before this century.
EARLIEST_ACCESS = datetime(2000, 1, 1, tzinfo=UTC)


class AuditorAccessSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditorAccess
        fields = (
            "id",
            "email",
            "valid_from",
            "valid_until",
            "invited_at",
            "accepted_at",
            "revoked_at",
        )
        read_only_fields = ("id", "invited_at", "accepted_at", "revoked_at")
        extra_kwargs = {
            "valid_from": {
                "validators": [
                    MinValueValidator(
                        EARLIEST_ACCESS, message=_("The access window cannot start before 2000.")
                    )
                ]
            }
        }


class AuditorAccessList(AuditsAPIView):
    """The auditors invited to an audit; a POST invites one (e-mail, access window) while the
    audit is not closed or cancelled: the invitation link goes by e-mail."""

    serializer_class = AuditorAccessSerializer

    @extend_schema(responses=AuditorAccessSerializer(many=True))
    def get(self, request: Request, slug: str, pk: int) -> Response:
        audit = audit_get_in_organisation(organisation=self.organisation(), pk=pk)
        page = self.paginate_queryset(auditor_accesses_of_audit(audit=audit))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(responses={201: AuditorAccessSerializer})
    def post(self, request: Request, slug: str, pk: int) -> Response:
        audit = audit_get_in_organisation(organisation=self.organisation(), pk=pk)
        data = self.validated()
        access, _raw = auditor_invite(
            audit=audit,
            email=data["email"],
            valid_from=data["valid_from"],
            valid_until=data["valid_until"],
            actor=request.user,
        )
        return Response(self.get_serializer(access).data, status=201)


class AuditorAccessRevoke(AuditsAPIView):
    """Revoke an auditor's access to the audit at once."""

    serializer_class = AuditorAccessSerializer

    @extend_schema(request=None, responses=AuditorAccessSerializer)
    def post(self, request: Request, slug: str, pk: int, access_pk: int) -> Response:
        audit = audit_get_in_organisation(organisation=self.organisation(), pk=pk)
        access = auditor_access_get_in_audit(audit=audit, pk=access_pk)
        access = auditor_access_revoke(access=access, actor=request.user)
        return Response(self.get_serializer(access).data)


# The auditor's side: the audits you are invited to, within their access window.


class AuditorAPIView(ServiceAPIView):
    """Base of the endpoints under /api/auditor/: an audit outside your open access is a 404."""

    service_errors: ClassVar[tuple[type[Exception], ...]] = (AuditError,)

    def audit(self) -> Audit:
        return audit_get_for_auditor(
            user=self.request.user, pk=self.kwargs["pk"], now=timezone.now()
        )


AUDITOR_ONLY: frozenset[Actor] = frozenset({Actor.AUDITOR})


class AuditorAuditList(AuditorAPIView):
    """The audits you are invited to as an auditor, while your access is open."""

    serializer_class = AuditSerializer
    pagination_class = None

    @extend_schema(responses=AuditSerializer(many=True))
    def get(self, request: Request) -> Response:
        accesses = audits_for_auditor(user=request.user, now=timezone.now())
        return Response(AuditSerializer([a.audit for a in accesses], many=True).data)


class AuditorAuditDetail(AuditorAPIView):
    serializer_class = AuditSerializer

    def get(self, request: Request, pk: int) -> Response:
        return Response(AuditSerializer(self.audit()).data)


class AuditorActionList(AuditorAPIView):
    """The actions you may take on this audit now as its auditor, with their fields, a page at
    a time."""

    serializer_class = ActionSerializer

    @extend_schema(responses=ActionSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        page = self.paginate_queryset(_offered(self.audit(), AUDITOR_ONLY))
        return self.get_paginated_response(ActionSerializer(page, many=True).data)


class AuditorAction(AuditorAPIView):
    """Take one action as the audit's auditor: review evidence (requirement, version, decision,
    comment), record a finding, complete a stage."""

    serializer_class = AuditSerializer

    @extend_schema(request=OpenApiTypes.OBJECT, responses=AuditSerializer)
    def post(self, request: Request, pk: int, action: str) -> Response:
        audit = self.audit()
        api_take_action(request, audit=audit, name=action, actors=AUDITOR_ONLY, refused=NotFound)
        return Response(AuditSerializer(self.audit()).data)


class AuditorFindingAction(AuditorAPIView):
    """Verify the correction of a finding as the audit's auditor (accepted "yes"/"no",
    comment)."""

    serializer_class = FindingSerializer

    @extend_schema(request=OpenApiTypes.OBJECT, responses=FindingSerializer)
    def post(self, request: Request, pk: int, finding_pk: int, action: str) -> Response:
        audit = self.audit()
        finding = finding_get_in_audit(audit=audit, pk=finding_pk)
        api_take_action(
            request,
            audit=audit,
            finding=finding,
            name=action,
            actors=AUDITOR_ONLY,
            refused=NotFound,
        )
        finding = findings_of_audit(audit=audit).get(pk=finding_pk)
        return Response(FindingSerializer(finding).data)


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
        "o/<slug:slug>/audits/<int:pk>/actions/",
        AuditActionList.as_view(),
        name="audit-action-list",
    ),
    path(
        "o/<slug:slug>/audits/<int:pk>/actions/<slug:action>/",
        AuditAction.as_view(),
        name="audit-action",
    ),
    path(
        "o/<slug:slug>/audits/<int:pk>/auditors/",
        AuditorAccessList.as_view(),
        name="auditor-access-list",
    ),
    path(
        "o/<slug:slug>/audits/<int:pk>/auditors/<int:access_pk>/revoke/",
        AuditorAccessRevoke.as_view(),
        name="auditor-access-revoke",
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
        "o/<slug:slug>/findings/<int:pk>/actions/<slug:action>/",
        FindingAction.as_view(),
        name="finding-action",
    ),
    path("auditor/audits/", AuditorAuditList.as_view(), name="auditor-audit-list"),
    path("auditor/audits/<int:pk>/", AuditorAuditDetail.as_view(), name="auditor-audit-detail"),
    path(
        "auditor/audits/<int:pk>/actions/",
        AuditorActionList.as_view(),
        name="auditor-action-list",
    ),
    path(
        "auditor/audits/<int:pk>/actions/<slug:action>/",
        AuditorAction.as_view(),
        name="auditor-action",
    ),
    path(
        "auditor/audits/<int:pk>/findings/<int:finding_pk>/actions/<slug:action>/",
        AuditorFindingAction.as_view(),
        name="auditor-finding-action",
    ),
]
