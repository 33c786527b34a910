"""Every change to the register of client contracts: clients, their contacts, contracts and
templates, and their answers to the eleven mandatory clauses. Each writes one trail event in its
own transaction."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.certificate_bundle import BundleEntry, BundleFile, build_bundle
from contracts.clauses import CLAUSES_BY_CODE
from contracts.models import ClauseState, Client, ClientContact, Contract, ContractClause
from evidence.models import EvidenceItem
from evidence.selectors import certificate_latest_versions
from evidence.services import EvidenceIntegrityError, evidence_version_open
from hdsready.models import Organisation, User
from hdsready.trail import trail_record
from scopes.activities import ACTIVITIES_BY_NUMBER
from scopes.models import Certificate


class ContractError(Exception):
    """A change to the register refused; the message says why, in the active language."""


_SIREN = re.compile(r"[0-9]{9}")


def _text(value: str, what: str) -> str:
    if "\x00" in value:
        raise ContractError(
            _("%(field)s contains a character that is not allowed.") % {"field": what}
        )
    return value.strip()


# Clients -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClientData:
    name: str
    siren: str = ""
    notes: str = ""


def client_save(
    *, organisation: Organisation, data: ClientData, actor: User, client: Client | None = None
) -> Client:
    """Record a client of the host, or change one (HDS v2 EXI 11: the host keeps, per client,
    the contacts it works with)."""
    name = _text(data.name, _("The name"))
    siren = _text(data.siren, _("The SIREN")).replace(" ", "")
    if not name:
        raise ContractError(_("A client needs a name."))
    if siren and not _SIREN.fullmatch(siren):
        raise ContractError(_("A SIREN has nine digits."))
    if client is not None and client.organisation_id != organisation.pk:
        raise ContractError(_("Unknown client."))
    with transaction.atomic():
        clash = Client.objects.filter(organisation=organisation, name__iexact=name)
        if client is not None:
            clash = clash.exclude(pk=client.pk)
        if clash.exists():
            raise ContractError(_("A client with this name already exists."))
        created = client is None
        before = {} if client is None else {"name": client.name, "siren": client.siren}
        if client is None:
            client = Client(organisation=organisation)
        client.name, client.siren, client.notes = name, siren, _text(data.notes, _("The notes"))
        client.save()
        after = {"name": client.name, "siren": client.siren}
        trail_record(
            kind="client.created" if created else "client.updated",
            actor=actor,
            organisation=organisation,
            target=client,
            data=after if created else {"changes": _changes(before, after)},
        )
        return client


def client_delete(*, client: Client, actor: User) -> None:
    """Remove a client that has no contract (a contract's client is part of the record)."""
    with transaction.atomic():
        if Contract.objects.filter(client=client).exists():
            raise ContractError(_("This client has contracts: delete them first."))
        trail_record(
            kind="client.deleted",
            actor=actor,
            organisation=client.organisation,
            target=client,
            data={"name": client.name},
        )
        client.delete()


# Contacts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactData:
    name: str
    function: str = ""
    email: str = ""
    phone: str = ""
    health_professional: bool = False
    incident_referent: bool = False


def client_contact_save(
    *, client: Client, data: ContactData, actor: User, contact: ClientContact | None = None
) -> ClientContact:
    """Record a person at the client: its designated health professional (HDS v2 EXI 11), its
    incident referent (EXI 20), or anyone the host works with."""
    name = _text(data.name, _("The name"))
    if not name:
        raise ContractError(_("A contact needs a name."))
    if contact is not None and contact.client_id != client.pk:
        raise ContractError(_("Unknown contact."))
    with transaction.atomic():
        created = contact is None
        contact = contact or ClientContact(client=client)
        before = contact_facts(contact) if not created else {}
        contact.name = name
        contact.function = _text(data.function, _("The function"))
        contact.email = _text(data.email, _("The e-mail address"))
        contact.phone = _text(data.phone, _("The phone"))
        contact.health_professional = data.health_professional
        contact.incident_referent = data.incident_referent
        contact.save()
        after = contact_facts(contact)
        trail_record(
            kind="client_contact.created" if created else "client_contact.updated",
            actor=actor,
            organisation=client.organisation,
            target=contact,
            data={"client": client.name, **after}
            if created
            else {"client": client.name, "changes": _changes(before, after)},
        )
        return contact


def contact_facts(contact: ClientContact) -> dict[str, object]:
    """What a contact says, as the trail records it and as its form starts from."""
    return {
        "name": contact.name,
        "function": contact.function,
        "email": contact.email,
        "phone": contact.phone,
        "health_professional": contact.health_professional,
        "incident_referent": contact.incident_referent,
    }


def client_contact_delete(*, contact: ClientContact, actor: User) -> None:
    with transaction.atomic():
        trail_record(
            kind="client_contact.deleted",
            actor=actor,
            organisation=contact.client.organisation,
            target=contact,
            data={"client": contact.client.name, "name": contact.name},
        )
        contact.delete()


def client_contacts_exported(*, organisation: Organisation, rows: int, actor: User) -> None:
    """HDS v2 EXI 11: the list of the clients' contacts goes to the authority on demand; who
    took it out, and when, is kept."""
    trail_record(
        kind="client_contacts.exported",
        actor=actor,
        organisation=organisation,
        target=organisation,
        data={"rows": rows},
    )


# Contracts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContractData:
    title: str
    client: Client | None = None
    template: Contract | None = None
    services: str = ""
    activities: list[int] = field(default_factory=list)
    start_on: date | None = None
    end_on: date | None = None
    signed_copy: EvidenceItem | None = None


def _check_contract(
    *, organisation: Organisation, data: ContractData, is_template: bool, contract: Contract | None
) -> None:
    if not _text(data.title, _("The title")):
        raise ContractError(_("A contract needs a title or the name of its offer."))
    _text(data.services, _("The services"))
    unknown = [n for n in data.activities if n not in ACTIVITIES_BY_NUMBER]
    if unknown:
        raise ContractError(_("Activities are numbered 1 to 6."))
    for linked, message in (
        (data.client, _("Unknown client.")),
        (data.template, _("Unknown template.")),
        (data.signed_copy, _("Unknown evidence.")),
    ):
        if linked is not None and linked.organisation_id != organisation.pk:
            raise ContractError(message)
    if is_template:
        if data.client is not None or data.template is not None:
            raise ContractError(_("A template has no client and derives from no template."))
    else:
        if data.client is None:
            raise ContractError(_("A contract names its client."))
        if data.start_on is None:
            raise ContractError(_("A contract has a start date."))
        if data.template is not None and not data.template.is_template:
            raise ContractError(_("A contract derives only from a template."))
    if data.start_on and data.end_on and data.end_on < data.start_on:
        raise ContractError(_("A contract cannot end before it starts."))
    if contract is not None and contract.organisation_id != organisation.pk:
        raise ContractError(_("Unknown contract."))


def _contract_facts(contract: Contract) -> dict[str, object]:
    return {
        "title": contract.title,
        "client": str(contract.client or ""),
        "template": contract.template.title if contract.template else "",
        "activities": list(contract.activities),
        "start_on": contract.start_on,
        "end_on": contract.end_on,
        "signed_copy": contract.signed_copy.title if contract.signed_copy else "",
    }


def contract_save(
    *,
    organisation: Organisation,
    data: ContractData,
    actor: User,
    is_template: bool = False,
    contract: Contract | None = None,
) -> Contract:
    """Record a client contract, or a template checked once for many contracts (HDS v2
    chapter 6: each contract carries the eleven clauses of art. R.1111-11 CSP). A contract made
    from a template inherits the template's clause answers until it gives its own."""
    if contract is not None:
        is_template = contract.is_template  # a template stays one, a contract stays one
    _check_contract(
        organisation=organisation, data=data, is_template=is_template, contract=contract
    )
    with transaction.atomic():
        created = contract is None
        if contract is None:
            contract = Contract(
                organisation=organisation, is_template=is_template, created_by=actor
            )
        before = {} if created else _contract_facts(contract)
        contract.title = data.title.strip()
        contract.services = data.services.strip()
        contract.client, contract.template = data.client, data.template
        contract.activities = sorted(set(data.activities))
        contract.start_on, contract.end_on = data.start_on, data.end_on
        contract.signed_copy = data.signed_copy
        contract.save()
        after = _contract_facts(contract)
        trail_record(
            kind="contract.created" if created else "contract.updated",
            actor=actor,
            organisation=organisation,
            target=contract,
            data={**after, "is_template": is_template}
            if created
            else {"changes": _changes(before, after)},
        )
        return contract


def contract_delete(*, contract: Contract, actor: User) -> None:
    """Remove a contract with its clause answers; a template others derive from stays."""
    with transaction.atomic():
        if contract.is_template and Contract.objects.filter(template=contract).exists():
            raise ContractError(_("Contracts derive from this template: it cannot be deleted."))
        trail_record(
            kind="contract.deleted",
            actor=actor,
            organisation=contract.organisation,
            target=contract,
            data={"title": contract.title, "client": str(contract.client or "")},
        )
        contract.delete()


# Clause answers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClauseAnswer:
    state: str
    reference: str = ""
    note: str = ""


def _check_answer(code: str, answer: ClauseAnswer | None) -> ClauseAnswer | None:
    clause = CLAUSES_BY_CODE.get(code)
    if clause is None:
        raise ContractError(_("Unknown clause."))
    if answer is None:
        return None
    if answer.state not in ClauseState.values:
        raise ContractError(_("%(clause)s: unknown state.") % {"clause": clause.ref_id})
    reference = _text(answer.reference, clause.ref_id)
    note = _text(answer.note, clause.ref_id)
    if answer.state == ClauseState.PRESENT and not reference:
        raise ContractError(
            _("%(clause)s: give the article or page where the clause is.")
            % {"clause": clause.ref_id}
        )
    return ClauseAnswer(state=answer.state, reference=reference, note=note)


def contract_clauses_set(
    *, contract: Contract, answers: Mapping[str, ClauseAnswer | None], actor: User
) -> list[ContractClause]:
    """Set the contract's own answers to the mandatory clauses (HDS v2 EXI 17-27) named in
    `answers`: present (with the article or page), missing, or not applicable. None removes the
    contract's own answer, so it inherits its template's again. Clauses not named stay as they
    are. Nothing changed: no trail event. Every answer is checked before any is written."""
    checked = {code: _check_answer(code, answer) for code, answer in answers.items()}
    with transaction.atomic():
        Contract.objects.select_for_update().filter(pk=contract.pk).first()
        current = {
            row.clause: row
            for row in ContractClause.objects.filter(contract=contract, clause__in=list(checked))
        }
        changes: dict[str, object] = {}
        now = timezone.now()
        for code, answer in checked.items():
            row = current.get(code)
            ref_id = CLAUSES_BY_CODE[code].ref_id
            if answer is None:
                if row is not None:
                    row.delete()
                    changes[ref_id] = None
                continue
            if row is not None and (row.state, row.reference, row.note) == (
                answer.state,
                answer.reference,
                answer.note,
            ):
                continue
            row = row or ContractClause(contract=contract, clause=code)
            row.state, row.reference, row.note = answer.state, answer.reference, answer.note
            row.updated_at = now
            row.save()
            changes[ref_id] = asdict(answer)
        if changes:
            trail_record(
                kind="contract.clauses_set",
                actor=actor,
                organisation=contract.organisation,
                target=contract,
                data={"clauses": changes},
            )
        return list(ContractClause.objects.filter(contract=contract))


def _changes(before: Mapping[str, object], after: Mapping[str, object]) -> dict[str, list[object]]:
    return {
        key: [before.get(key), value] for key, value in after.items() if before.get(key) != value
    }


# Certificates handed to a client ------------------------------------------------------------


def _bundle_entry(certificate: Certificate, file: BundleFile | None, today: date) -> BundleEntry:
    return BundleEntry(
        holder=str(certificate.subcontractor or certificate.organisation),
        kind=str(certificate.get_kind_display()),
        number=certificate.number,
        certification_body=certificate.certification_body,
        issued_on=certificate.issued_on,
        expires_on=certificate.expires_on,
        status=str(certificate.status_on(today).label),
        file=file,
    )


def client_certificates_bundle(
    *, client: Client, certificates: Sequence[Certificate], actor: User, today: date
) -> bytes:
    """HDS v2 EXI 12: the host's certificates and its certified subcontractors' handed to one
    client as a ZIP with a manifest. Each file is read through the evidence app (checked against
    its recorded SHA-256, the access logged); a certificate without a file is listed as such.
    Who handed which certificates to which client is recorded."""
    if not certificates:
        raise ContractError(_("Choose at least one certificate."))
    if any(c.organisation_id != client.organisation_id for c in certificates):
        raise ContractError(_("Unknown certificate."))
    versions = certificate_latest_versions(
        organisation=client.organisation, pks=[c.pk for c in certificates]
    )
    entries = []
    for certificate in certificates:
        version = versions.get(certificate.pk)
        file = None
        if version is not None:
            try:
                handle = evidence_version_open(version=version, actor=actor, purpose="downloaded")
            except EvidenceIntegrityError as exc:
                raise ContractError(str(exc)) from exc
            with handle:
                file = BundleFile(original_name=version.original_name, content=handle.read())
        entries.append(_bundle_entry(certificate, file, today))
    content = build_bundle(
        entries,
        header=[
            _("Holder"),
            _("Kind"),
            _("Number"),
            _("Certification body"),
            _("Issued on"),
            _("Valid until"),
            _("Status"),
            _("File"),
            "SHA-256",
        ],
        missing=_("file missing"),
    )
    trail_record(
        kind="client.certificates_sent",
        actor=actor,
        organisation=client.organisation,
        target=client,
        data={
            "client": client.name,
            "certificates": [f"{entry.kind} {entry.number} ({entry.holder})" for entry in entries],
            "missing_files": [
                f"{entry.kind} {entry.number} ({entry.holder})"
                for entry in entries
                if entry.file is None
            ],
        },
    )
    return content
