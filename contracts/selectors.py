"""Permission-scoped reads of the register of client contracts. Organisation access is checked by
the core selectors; here every object is looked up inside that organisation, so an id from
elsewhere is a 404. The readiness figures of EXI 11 and 17-27 are read in a fixed number of
queries, whatever the number of contracts and clients."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import ngettext

from contracts.clauses import (
    CLAUSES,
    CLAUSES_BY_CODE,
    HEALTH_PROFESSIONAL_REF,
    INCIDENT_REFERENT_REF,
    Clause,
    effective_state,
)
from contracts.models import (
    ClauseState,
    Client,
    ClientContact,
    Contract,
    ContractClause,
    ContractStatus,
)
from evidence.models import EvidenceItem, EvidenceStatus
from hdsready.models import Organisation
from scopes.models import Certificate, CertificateStatus
from scopes.readiness_figures import ComputedFigure

# Clients -------------------------------------------------------------------------------------


# The gaps of the clients' list: clients without a contact holding this flag.
CLIENT_GAPS = ("health_professional", "incident_referent")


def clients_of(*, organisation: Organisation, gap: str = "") -> QuerySet[Client]:
    """The organisation's clients with their counts; `gap` (one of CLIENT_GAPS) keeps those
    with no contact holding that flag (EXI 11: health professional; EXI 20: incident referent)."""
    contacts = ClientContact.objects.filter(client=OuterRef("pk"))
    clients = Client.objects.filter(organisation=organisation).annotate(
        contact_count=Subquery(
            contacts.order_by().values("client").annotate(n=Count("pk")).values("n")[:1]
        ),
        has_health_professional=Exists(contacts.filter(health_professional=True)),
        has_incident_referent=Exists(contacts.filter(incident_referent=True)),
    )
    if gap == "health_professional":
        clients = clients.filter(has_health_professional=False)
    elif gap == "incident_referent":
        clients = clients.filter(has_incident_referent=False)
    return clients.order_by("name", "pk")


def client_get(*, organisation: Organisation, pk: int) -> Client:
    client = Client.objects.filter(organisation=organisation, pk=pk).first()
    if client is None:
        raise Http404
    return client


def contacts_of_client(*, client: Client) -> QuerySet[ClientContact]:
    return ClientContact.objects.filter(client=client).order_by("name", "pk")


def contact_get(*, organisation: Organisation, pk: int) -> ClientContact:
    contact = (
        ClientContact.objects.select_related("client")
        .filter(client__organisation=organisation, pk=pk)
        .first()
    )
    if contact is None:
        raise Http404
    return contact


def contacts_of(*, organisation: Organisation) -> QuerySet[ClientContact]:
    """Every contact of every client: the list sent to the authority on demand (EXI 11)."""
    return (
        ClientContact.objects.filter(client__organisation=organisation)
        .select_related("client")
        .order_by("client__name", "name", "pk")
    )


# Contracts -----------------------------------------------------------------------------------


def _in_force_on(day: date) -> Q:
    return Q(is_template=False, start_on__lte=day) & (Q(end_on__isnull=True) | Q(end_on__gte=day))


def _effective(code: str) -> Coalesce:
    """A contract's answer to one clause, in SQL: its own, else its template's."""
    own = ContractClause.objects.filter(contract=OuterRef("pk"), clause=code).values("state")[:1]
    inherited = ContractClause.objects.filter(contract=OuterRef("template_id"), clause=code).values(
        "state"
    )[:1]
    return Coalesce(Subquery(own), Subquery(inherited))


def contracts_of(
    *, organisation: Organisation, status: str = "", today: date, gap: str = ""
) -> QuerySet[Contract]:
    """The organisation's contracts and templates, filtered by the status their dates give on
    `today`; `gap` (a clause code) keeps the contracts whose effective answer to that clause is
    missing or not given."""
    contracts = Contract.objects.filter(organisation=organisation).select_related(
        "client", "template"
    )
    if status == ContractStatus.TEMPLATE:
        contracts = contracts.filter(is_template=True)
    elif status == ContractStatus.ACTIVE:
        contracts = contracts.filter(_in_force_on(today))
    elif status == ContractStatus.ENDED:
        contracts = contracts.filter(is_template=False, end_on__lt=today)
    elif status == ContractStatus.UPCOMING:
        contracts = contracts.filter(is_template=False, start_on__gt=today)
    if gap in CLAUSES_BY_CODE:
        contracts = contracts.annotate(gap_state=_effective(gap)).filter(
            Q(gap_state__isnull=True) | Q(gap_state=ClauseState.MISSING)
        )
    return contracts.order_by("is_template", "client__name", "title", "pk")


def contract_get(*, organisation: Organisation, pk: int) -> Contract:
    contract = (
        Contract.objects.select_related("client", "template", "signed_copy")
        .filter(organisation=organisation, pk=pk)
        .first()
    )
    if contract is None:
        raise Http404
    return contract


def templates_of(*, organisation: Organisation) -> QuerySet[Contract]:
    return Contract.objects.filter(organisation=organisation, is_template=True).order_by("title")


def evidence_for_contracts(*, organisation: Organisation) -> QuerySet[EvidenceItem]:
    """The evidence a contract's signed copy may be: the organisation's active items."""
    return EvidenceItem.objects.filter(
        organisation=organisation, status=EvidenceStatus.ACTIVE
    ).order_by("title")


@dataclass(frozen=True)
class ClauseLine:
    clause: Clause
    own: ContractClause | None
    inherited: ContractClause | None

    @property
    def effective(self) -> ContractClause | None:
        return self.own if self.own is not None else self.inherited

    @property
    def state(self) -> str | None:
        return effective_state(
            self.own.state if self.own else None,
            self.inherited.state if self.inherited else None,
        )

    @property
    def is_inherited(self) -> bool:
        return self.own is None and self.inherited is not None


def clause_lines_of(*, contract: Contract) -> list[ClauseLine]:
    """The eleven clauses of a contract with its own answer and its template's (one query)."""
    ids = [contract.pk] + ([contract.template_id] if contract.template_id else [])
    rows: dict[tuple[int, str], ContractClause] = {
        (row.contract_id, row.clause): row
        for row in ContractClause.objects.filter(contract_id__in=ids)
    }
    return _lines(contract, rows)


def _lines(contract: Contract, rows: Mapping[tuple[int, str], ContractClause]) -> list[ClauseLine]:
    """The eleven clauses of `contract` from the answers `rows` (by contract id and clause)."""
    return [
        ClauseLine(
            clause=clause,
            own=rows.get((contract.pk, clause.code)),
            inherited=rows.get((contract.template_id, clause.code))
            if contract.template_id
            else None,
        )
        for clause in CLAUSES
    ]


# The register as of one day, for the dossiers -------------------------------------------------


@dataclass(frozen=True)
class ContractInForce:
    contract: Contract
    lines: list[ClauseLine]

    @property
    def gaps(self) -> list[ClauseLine]:
        """The clauses missing or not answered (own, else inherited from the template)."""
        return [line for line in self.lines if line.state in (None, ClauseState.MISSING)]


@dataclass(frozen=True)
class ClientKeyContacts:
    """A client with a contract in force, and its contacts holding an HDS role: the designated
    health professional (EXI 11) and the referent for security incidents (EXI 20)."""

    client: Client
    contacts: list[ClientContact]

    @property
    def has_health_professional(self) -> bool:
        return any(contact.health_professional for contact in self.contacts)

    @property
    def has_incident_referent(self) -> bool:
        return any(contact.incident_referent for contact in self.contacts)


@dataclass(frozen=True)
class RegisterOnDay:
    contracts: list[ContractInForce]
    clients: list[ClientKeyContacts]


def register_on(*, organisation: Organisation, on: date) -> RegisterOnDay:
    """The contracts in force on `on` with their eleven clauses (own answer, else the
    template's), and their clients' key contacts. Three queries, whatever the number of
    contracts, clauses, clients and contacts."""
    contracts = list(
        Contract.objects.filter(_in_force_on(on), organisation=organisation)
        .select_related("client", "template")
        .order_by("client__name", "title", "pk")
    )
    ids = {contract.pk for contract in contracts}
    ids |= {contract.template_id for contract in contracts if contract.template_id}
    rows: dict[tuple[int, str], ContractClause] = {
        (row.contract_id, row.clause): row
        for row in (ContractClause.objects.filter(contract_id__in=ids) if ids else [])
    }
    in_force = [
        ContractInForce(contract=contract, lines=_lines(contract, rows)) for contract in contracts
    ]
    clients: dict[int, Client] = {}
    for contract in contracts:
        if contract.client is not None:
            clients.setdefault(contract.client.pk, contract.client)
    contacts: dict[int, list[ClientContact]] = {pk: [] for pk in clients}
    if clients:
        for contact in ClientContact.objects.filter(
            Q(health_professional=True) | Q(incident_referent=True), client_id__in=clients
        ).order_by("name", "pk"):
            contacts[contact.client_id].append(contact)
    return RegisterOnDay(
        contracts=in_force,
        clients=[
            ClientKeyContacts(client=client, contacts=contacts[client.pk])
            for client in sorted(clients.values(), key=lambda c: (c.name.casefold(), c.pk))
        ],
    )


# Readiness figures (EXI 11, 17-27) -----------------------------------------------------------


@dataclass(frozen=True)
class ClauseCount:
    clause: Clause
    present: int
    missing: int
    not_applicable: int
    unanswered: int

    @property
    def applicable(self) -> int:
        return self.present + self.missing + self.unanswered

    @property
    def gaps(self) -> int:
        return self.missing + self.unanswered


@dataclass(frozen=True)
class RegisterFigures:
    in_force: int
    clauses: list[ClauseCount]
    clients: int
    clients_with_health_professional: int
    clients_with_incident_referent: int


def register_figures_of(*, organisation: Organisation, on: date) -> RegisterFigures:
    """How many contracts in force on `on` have each clause present (with inheritance from their
    template), and how many clients have a designated health professional and an incident
    referent. Two queries, whatever the number of contracts, clauses and clients."""
    counts: dict[str, Any] = {"in_force": Count("pk")}
    for clause in CLAUSES:
        for state in ClauseState:
            counts[f"{clause.code}_{state.value}"] = Count(
                "pk", filter=Q(**{f"e_{clause.code}": state.value})
            )
        counts[f"{clause.code}_none"] = Count("pk", filter=Q(**{f"e_{clause.code}__isnull": True}))
    contracts = Contract.objects.filter(_in_force_on(on), organisation=organisation).annotate(
        **{f"e_{clause.code}": _effective(clause.code) for clause in CLAUSES}
    )
    totals = contracts.aggregate(**counts)
    clients = Client.objects.filter(organisation=organisation).aggregate(
        total=Count("pk"),
        health=Count(
            "pk",
            filter=Q(
                Exists(
                    ClientContact.objects.filter(client=OuterRef("pk"), health_professional=True)
                )
            ),
        ),
        referent=Count(
            "pk",
            filter=Q(
                Exists(ClientContact.objects.filter(client=OuterRef("pk"), incident_referent=True))
            ),
        ),
    )
    return RegisterFigures(
        in_force=totals["in_force"],
        clauses=[
            ClauseCount(
                clause=clause,
                present=totals[f"{clause.code}_{ClauseState.PRESENT.value}"],
                missing=totals[f"{clause.code}_{ClauseState.MISSING.value}"],
                not_applicable=totals[f"{clause.code}_{ClauseState.NOT_APPLICABLE.value}"],
                unanswered=totals[f"{clause.code}_none"],
            )
            for clause in CLAUSES
        ],
        clients=clients["total"],
        clients_with_health_professional=clients["health"],
        clients_with_incident_referent=clients["referent"],
    )


def register_readiness_figures(
    organisation: Organisation, on: date
) -> Mapping[str, list[ComputedFigure]]:
    """The figures shown beside the manual status of EXI 11 and 17-27 (scopes' readiness pages)."""
    figures = register_figures_of(organisation=organisation, on=on)
    contracts_url = reverse("contracts:contract-list", args=[organisation.slug])
    clients_url = reverse("contracts:client-list", args=[organisation.slug])
    found: dict[str, list[ComputedFigure]] = {}
    for count in figures.clauses:
        text = ngettext(
            "Clause present: %(present)s of %(total)s contract in force",
            "Clause present: %(present)s of %(total)s contracts in force",
            figures.in_force,
        ) % {"present": count.present, "total": figures.in_force}
        if count.not_applicable:
            text += " " + ngettext(
                "(%(count)s where it does not apply)",
                "(%(count)s where it does not apply)",
                count.not_applicable,
            ) % {"count": count.not_applicable}
        query = urlencode({"status": ContractStatus.ACTIVE.value, "gap": count.clause.code})
        found[count.clause.ref_id] = [
            ComputedFigure(
                text=text,
                gaps=count.gaps,
                gaps_url=f"{contracts_url}?{query}",
                gaps_label=ngettext(
                    "%(count)s contract without it", "%(count)s contracts without it", count.gaps
                )
                % {"count": count.gaps},
            )
        ]
    missing = figures.clients - figures.clients_with_health_professional
    found.setdefault(HEALTH_PROFESSIONAL_REF, []).append(
        ComputedFigure(
            text=ngettext(
                "Health professional designated: %(count)s of %(total)s client",
                "Health professional designated: %(count)s of %(total)s clients",
                figures.clients,
            )
            % {"count": figures.clients_with_health_professional, "total": figures.clients},
            gaps=missing,
            gaps_url=f"{clients_url}?{urlencode({'gap': 'health_professional'})}",
            gaps_label=ngettext(
                "%(count)s client to complete", "%(count)s clients to complete", missing
            )
            % {"count": missing},
        )
    )
    without_referent = figures.clients - figures.clients_with_incident_referent
    found.setdefault(INCIDENT_REFERENT_REF, []).append(
        ComputedFigure(
            text=ngettext(
                "Incident referent named: %(count)s of %(total)s client",
                "Incident referent named: %(count)s of %(total)s clients",
                figures.clients,
            )
            % {"count": figures.clients_with_incident_referent, "total": figures.clients},
            gaps=without_referent,
            gaps_url=f"{clients_url}?{urlencode({'gap': 'incident_referent'})}",
            gaps_label=ngettext(
                "%(count)s client to complete", "%(count)s clients to complete", without_referent
            )
            % {"count": without_referent},
        )
    )
    return found


def bundle_certificates_of(*, organisation: Organisation, today: date) -> QuerySet[Certificate]:
    """The certificates a client may be handed (HDS v2 EXI 12): the host's own and its
    subcontractors', those valid today (issued, not expired, not suspended or withdrawn yet),
    the host's first."""
    return (
        Certificate.objects.filter(
            organisation=organisation, issued_on__lte=today, expires_on__gte=today
        )
        .filter(Q(status=CertificateStatus.VALID) | Q(status_from__gt=today))
        .select_related("subcontractor", "organisation")
        .order_by(F("subcontractor__name").asc(nulls_first=True), "kind", "number", "pk")
    )
