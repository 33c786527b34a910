"""The register of client contracts in the REST API, under /api/o/<slug>/: contracts and
templates (read and write), their answers to the eleven mandatory clauses (read and write), and
the clients with their contacts (read). Contributors and officers write, managers read; every
change is one service call, and a ContractError becomes a 400 with the service's message."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import QuerySet
from django.http import Http404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from contracts.clauses import CLAUSES_BY_CODE
from contracts.models import ClauseState, Client, ClientContact, Contract, ContractClause
from contracts.selectors import (
    ClauseLine,
    clause_lines_of,
    client_get,
    clients_of,
    contacts_of_client,
    contract_get,
    contracts_of,
    evidence_for_contracts,
    templates_of,
)
from contracts.services import (
    ClauseAnswer,
    ContractData,
    ContractError,
    contract_clauses_set,
    contract_delete,
    contract_save,
)
from evidence.models import EvidenceItem
from hdsready import roles
from hdsready.api import OrganisationAPIView, Refused


class ContractsAPIView(OrganisationAPIView):
    write_perm: ClassVar[str] = roles.EDIT_READINESS
    service_errors: ClassVar[tuple[type[Exception], ...]] = (ContractError,)


# Fields whose choices come from the organisation: another organisation's id "does not exist".


class ClientField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> QuerySet[Client]:
        return clients_of(organisation=self.context["organisation"])


class TemplateField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> QuerySet[Contract]:
        return templates_of(organisation=self.context["organisation"])


class EvidenceField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> QuerySet[EvidenceItem]:
        return evidence_for_contracts(organisation=self.context["organisation"])


CONTRACT_FIELDS = (
    "title",
    "client",
    "template",
    "services",
    "activities",
    "start_on",
    "end_on",
    "signed_copy",
)


class ContractSerializer(serializers.ModelSerializer):
    client = ClientField(queryset=Client.objects.none(), allow_null=True, required=False)
    template = TemplateField(
        queryset=Contract.objects.none(),
        allow_null=True,
        required=False,
        help_text=_("The template whose clause answers apply until the contract gives its own."),
    )
    signed_copy = EvidenceField(
        queryset=EvidenceItem.objects.none(),
        allow_null=True,
        required=False,
        help_text=_("The evidence item holding the signed copy."),
    )
    activities = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text=_("HDS activities performed for this client, 1 to 6."),
    )
    is_template = serializers.BooleanField(
        required=False, default=False, help_text=_("Set on creation only.")
    )
    status = serializers.SerializerMethodField()

    class Meta:
        model = Contract
        fields = ("id", "is_template", *CONTRACT_FIELDS, "status")

    def get_status(self, contract: Contract) -> str:
        today = self.context["today"]
        return str(contract.status_on(today).value)


def _contract_data(values: dict[str, Any]) -> ContractData:
    return ContractData(
        title=values.get("title", ""),
        client=values.get("client"),
        template=values.get("template"),
        services=values.get("services", ""),
        activities=list(values.get("activities") or []),
        start_on=values.get("start_on"),
        end_on=values.get("end_on"),
        signed_copy=values.get("signed_copy"),
    )


class _WithToday(ContractsAPIView):
    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["today"] = timezone.localdate()
        return context


class ContractList(_WithToday):
    """The client contracts and templates (HDS v2 chapter 6)."""

    serializer_class = ContractSerializer

    @extend_schema(responses=ContractSerializer(many=True))
    def get(self, request: Request, slug: str) -> Response:
        context = self.get_serializer_context()
        contracts = contracts_of(organisation=self.organisation(), today=context["today"])
        page = self.paginate_queryset(contracts)
        return self.get_paginated_response(
            ContractSerializer(page, many=True, context=context).data
        )

    @extend_schema(responses={201: ContractSerializer})
    def post(self, request: Request, slug: str) -> Response:
        values = self.validated()
        contract = contract_save(
            organisation=self.organisation(),
            data=_contract_data(values),
            is_template=values.get("is_template", False),
            actor=request.user,
        )
        return Response(
            ContractSerializer(contract, context=self.get_serializer_context()).data, status=201
        )


class ContractDetail(_WithToday):
    serializer_class = ContractSerializer

    def get(self, request: Request, slug: str, pk: int) -> Response:
        contract = contract_get(organisation=self.organisation(), pk=pk)
        return Response(ContractSerializer(contract, context=self.get_serializer_context()).data)

    def put(self, request: Request, slug: str, pk: int) -> Response:
        return self._save(pk, partial=False)

    def patch(self, request: Request, slug: str, pk: int) -> Response:
        return self._save(pk, partial=True)

    def delete(self, request: Request, slug: str, pk: int) -> Response:
        contract = contract_get(organisation=self.organisation(), pk=pk)
        contract_delete(contract=contract, actor=request.user)
        return Response(status=204)

    def _save(self, pk: int, *, partial: bool) -> Response:
        organisation = self.organisation()
        contract = contract_get(organisation=organisation, pk=pk)
        changes = self.validated(partial=partial)
        if "is_template" in changes and changes["is_template"] != contract.is_template:
            raise Refused(_("A template stays a template and a contract stays a contract."))
        base = {name: getattr(contract, name) for name in CONTRACT_FIELDS} if partial else {}
        contract = contract_save(
            organisation=organisation,
            contract=contract,
            data=_contract_data({**base, **changes}),
            actor=self.request.user,
        )
        return Response(ContractSerializer(contract, context=self.get_serializer_context()).data)


# Clause answers ------------------------------------------------------------------------------


class AnswerSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=ClauseState.choices)
    reference = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("The article or page of the contract; required when the clause is present."),
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ClauseLineSerializer(serializers.Serializer):
    clause = serializers.CharField(read_only=True)
    ref_id = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    own = AnswerSerializer(read_only=True, allow_null=True)
    inherited = AnswerSerializer(
        read_only=True, allow_null=True, help_text=_("The template's answer, if any.")
    )
    state = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text=_("The answer that applies: own, else inherited."),
    )


def _answer(row: ContractClause | None) -> dict[str, str] | None:
    return (
        None if row is None else {"state": row.state, "reference": row.reference, "note": row.note}
    )


def clause_line(line: ClauseLine) -> dict[str, Any]:
    return {
        "clause": line.clause.code,
        "ref_id": line.clause.ref_id,
        "label": str(line.clause.label),
        "own": _answer(line.own),
        "inherited": _answer(line.inherited),
        "state": line.state,
    }


class ClauseList(ContractsAPIView):
    """A contract's eleven mandatory clauses (HDS v2 EXI 17-27): its own answers, its template's,
    and the one that applies."""

    serializer_class = ClauseLineSerializer

    @extend_schema(responses=ClauseLineSerializer(many=True))
    def get(self, request: Request, slug: str, pk: int) -> Response:
        contract = contract_get(organisation=self.organisation(), pk=pk)
        lines = [clause_line(line) for line in clause_lines_of(contract=contract)]
        page = self.paginate_queryset(lines)
        return self.get_paginated_response(ClauseLineSerializer(page, many=True).data)


# The eleven clauses' codes, listed in the schema.
CLAUSE_PARAMETER = OpenApiParameter(
    "clause", str, OpenApiParameter.PATH, enum=list(CLAUSES_BY_CODE)
)


class ClauseDetail(ContractsAPIView):
    """One clause of a contract. PUT sets the contract's own answer; DELETE removes it, so the
    template's answer applies again."""

    serializer_class = AnswerSerializer

    def _line(self, pk: int, clause: str) -> tuple[Contract, ClauseLine]:
        contract = contract_get(organisation=self.organisation(), pk=pk)
        if clause not in CLAUSES_BY_CODE:
            raise Http404
        line = next(li for li in clause_lines_of(contract=contract) if li.clause.code == clause)
        return contract, line

    @extend_schema(responses=ClauseLineSerializer, parameters=[CLAUSE_PARAMETER])
    def get(self, request: Request, slug: str, pk: int, clause: str) -> Response:
        _contract, line = self._line(pk, clause)
        return Response(ClauseLineSerializer(clause_line(line)).data)

    @extend_schema(responses=ClauseLineSerializer, parameters=[CLAUSE_PARAMETER])
    def put(self, request: Request, slug: str, pk: int, clause: str) -> Response:
        contract, _line = self._line(pk, clause)
        values = self.validated()
        contract_clauses_set(
            contract=contract, answers={clause: ClauseAnswer(**values)}, actor=request.user
        )
        _contract, line = self._line(pk, clause)
        return Response(ClauseLineSerializer(clause_line(line)).data)

    @extend_schema(parameters=[CLAUSE_PARAMETER])
    def delete(self, request: Request, slug: str, pk: int, clause: str) -> Response:
        contract, _line = self._line(pk, clause)
        contract_clauses_set(contract=contract, answers={clause: None}, actor=request.user)
        return Response(status=204)


# Clients (read only) -------------------------------------------------------------------------


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClientContact
        fields = (
            "id",
            "name",
            "function",
            "email",
            "phone",
            "health_professional",
            "incident_referent",
        )


class ClientSerializer(serializers.ModelSerializer):
    class Meta:
        model = Client
        fields: tuple[str, ...] = ("id", "name", "siren", "notes")


class ClientDetailSerializer(ClientSerializer):
    contacts = ContactSerializer(many=True, read_only=True)

    class Meta(ClientSerializer.Meta):
        fields = (*ClientSerializer.Meta.fields, "contacts")


class ClientList(ContractsAPIView):
    """The host's clients (HDS v2 EXI 11)."""

    serializer_class = ClientSerializer

    @extend_schema(responses=ClientSerializer(many=True))
    def get(self, request: Request, slug: str) -> Response:
        page = self.paginate_queryset(clients_of(organisation=self.organisation()))
        return self.get_paginated_response(ClientSerializer(page, many=True).data)


class ClientDetail(ContractsAPIView):
    """One client with its contacts: the designated health professional (EXI 11) and the
    incident referent (EXI 20) among them."""

    serializer_class = ClientDetailSerializer

    def get(self, request: Request, slug: str, pk: int) -> Response:
        client = client_get(organisation=self.organisation(), pk=pk)
        data = ClientSerializer(client).data
        data["contacts"] = ContactSerializer(contacts_of_client(client=client), many=True).data
        return Response(data)


urlpatterns = [
    path("o/<slug:slug>/contracts/", ContractList.as_view(), name="contract-list"),
    path("o/<slug:slug>/contracts/<int:pk>/", ContractDetail.as_view(), name="contract-detail"),
    path(
        "o/<slug:slug>/contracts/<int:pk>/clauses/",
        ClauseList.as_view(),
        name="contract-clause-list",
    ),
    path(
        "o/<slug:slug>/contracts/<int:pk>/clauses/<slug:clause>/",
        ClauseDetail.as_view(),
        name="contract-clause-detail",
    ),
    path("o/<slug:slug>/clients/", ClientList.as_view(), name="client-list"),
    path("o/<slug:slug>/clients/<int:pk>/", ClientDetail.as_view(), name="client-detail"),
]
