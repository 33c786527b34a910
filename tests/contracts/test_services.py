"""The register's services: checks, inheritance from a template, the trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from contracts.models import ClauseState, Client, ClientContact, Contract, ContractClause
from contracts.selectors import clause_lines_of
from contracts.services import (
    ClauseAnswer,
    ClientData,
    ContactData,
    ContractData,
    ContractError,
    client_contact_delete,
    client_contact_save,
    client_delete,
    client_save,
    contract_clauses_set,
    contract_delete,
    contract_save,
)
from evidence.models import EvidenceItem
from hdsready.models import TrailEvent
from tests.contracts.conftest import make_contract, present
from tests.factories import OrganisationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def kinds() -> list[str]:
    return list(TrailEvent.objects.order_by("seq").values_list("kind", flat=True))


def states(contract: Contract) -> dict[str, tuple[str | None, bool]]:
    return {
        line.clause.ref_id: (line.state, line.is_inherited)
        for line in clause_lines_of(contract=contract)
    }


class TestClients:
    def test_create_update_delete_write_the_trail(self, organisation, officer) -> None:
        client = client_save(
            organisation=organisation,
            data=ClientData(name=" Clinique ", siren="552 100 554"),
            actor=officer,
        )
        assert (client.name, client.siren) == ("Clinique", "552100554")
        client_save(
            organisation=organisation,
            client=client,
            data=ClientData(name="Clinique des Lilas", siren="552100554"),
            actor=officer,
        )
        event = TrailEvent.objects.filter(kind="client.updated").get()
        assert event.data == {"changes": {"name": ["Clinique", "Clinique des Lilas"]}}
        client_delete(client=client, actor=officer)
        assert not Client.objects.exists()
        assert kinds()[-3:] == ["client.created", "client.updated", "client.deleted"]

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            (ClientData(name="  "), "A client needs a name."),
            (ClientData(name="X", siren="12345"), "A SIREN has nine digits."),
            (ClientData(name="a\x00b"), "contains a character that is not allowed"),
        ],
    )
    def test_bad_input_is_refused_and_nothing_saved(
        self, organisation, officer, data, message
    ) -> None:
        before = TrailEvent.objects.count()
        with pytest.raises(ContractError, match=message):
            client_save(organisation=organisation, data=data, actor=officer)
        assert not Client.objects.exists()
        assert TrailEvent.objects.count() == before

    def test_same_name_twice_is_refused(self, organisation, officer) -> None:
        client_save(organisation=organisation, data=ClientData(name="Lilas"), actor=officer)
        with pytest.raises(ContractError, match="already exists"):
            client_save(organisation=organisation, data=ClientData(name="LILAS"), actor=officer)

    def test_a_client_with_contracts_stays(self, organisation, officer, register) -> None:
        with pytest.raises(ContractError, match="has contracts"):
            client_delete(client=register.client, actor=officer)
        assert Client.objects.filter(pk=register.client.pk).exists()


class TestContacts:
    def test_flags_and_trail(self, organisation, officer, register) -> None:
        contact = client_contact_save(
            client=register.client,
            data=ContactData(name="Dr Martin", health_professional=True),
            actor=officer,
        )
        client_contact_save(
            client=register.client,
            contact=contact,
            data=ContactData(name="Dr Martin", health_professional=True, incident_referent=True),
            actor=officer,
        )
        contact.refresh_from_db()
        assert contact.health_professional
        assert contact.incident_referent
        assert TrailEvent.objects.get(kind="client_contact.updated").data["changes"] == {
            "incident_referent": [False, True]
        }
        client_contact_delete(contact=contact, actor=officer)
        assert not ClientContact.objects.exists()
        assert kinds()[-1] == "client_contact.deleted"

    def test_a_contact_of_another_client_is_refused(self, organisation, officer, register) -> None:
        other = client_save(organisation=organisation, data=ClientData(name="B"), actor=officer)
        contact = client_contact_save(client=other, data=ContactData(name="X"), actor=officer)
        with pytest.raises(ContractError, match="Unknown contact"):
            client_contact_save(
                client=register.client, contact=contact, data=ContactData(name="Y"), actor=officer
            )


class TestContracts:
    def test_a_contract_needs_client_and_start(self, organisation, officer) -> None:
        with pytest.raises(ContractError, match="names its client"):
            contract_save(organisation=organisation, data=ContractData(title="X"), actor=officer)
        assert not Contract.objects.exists()

    def test_dates_in_order(self, organisation, officer, register) -> None:
        today = timezone.localdate()
        with pytest.raises(ContractError, match="cannot end before it starts"):
            make_contract(
                organisation, officer, register.client, start_on=today, end_on=today - timedelta(1)
            )

    def test_unknown_activity_is_refused(self, organisation, officer, register) -> None:
        with pytest.raises(ContractError, match="numbered 1 to 6"):
            contract_save(
                organisation=organisation,
                data=ContractData(
                    title="X",
                    client=register.client,
                    activities=[7],
                    start_on=timezone.localdate(),
                ),
                actor=officer,
            )

    def test_another_organisations_objects_are_refused(
        self, organisation, officer, outsider, register
    ) -> None:
        other = OrganisationFactory(name="Tiers", slug="tiers")
        stranger = client_save(organisation=other, data=ClientData(name="Ailleurs"), actor=outsider)
        item = EvidenceItem.objects.create(organisation=other, title="Contrat", created_by=outsider)
        count = Contract.objects.count()
        for data, message in (
            (ContractData(title="X", client=stranger), "Unknown client"),
            (
                ContractData(title="X", client=register.client, signed_copy=item),
                "Unknown evidence",
            ),
        ):
            with pytest.raises(ContractError, match=message):
                contract_save(
                    organisation=organisation,
                    data=ContractData(**{**data.__dict__, "start_on": timezone.localdate()}),
                    actor=officer,
                )
        assert Contract.objects.count() == count

    def test_a_contract_derives_only_from_a_template(self, organisation, officer, register) -> None:
        with pytest.raises(ContractError, match="only from a template"):
            make_contract(organisation, officer, register.client, template=register.contract)

    def test_a_template_has_no_client(self, organisation, officer, register) -> None:
        with pytest.raises(ContractError, match="no client"):
            contract_save(
                organisation=organisation,
                data=ContractData(title="T", client=register.client),
                is_template=True,
                actor=officer,
            )

    def test_a_template_others_derive_from_stays(self, organisation, officer, register) -> None:
        with pytest.raises(ContractError, match="cannot be deleted"):
            contract_delete(contract=register.template, actor=officer)
        contract_delete(contract=register.contract, actor=officer)
        contract_delete(contract=register.template, actor=officer)
        assert not Contract.objects.exists()
        assert not ContractClause.objects.exists()


class TestClausesAndInheritance:
    def test_a_derived_contract_inherits_until_it_answers(
        self, organisation, officer, register
    ) -> None:
        contract = register.contract
        assert states(contract)["EXI 17"] == ("present", True)
        assert states(contract)["EXI 18"] == ("missing", True)
        assert states(contract)["EXI 19"] == (None, False)
        contract_clauses_set(
            contract=contract, answers={"exi17": ClauseAnswer(ClauseState.MISSING)}, actor=officer
        )
        assert states(contract)["EXI 17"] == ("missing", False)
        # The template changes: the contract keeps its own answer, inherits the rest.
        contract_clauses_set(
            contract=register.template, answers={"exi18": present("art. 3")}, actor=officer
        )
        assert states(contract)["EXI 18"] == ("present", True)
        assert states(contract)["EXI 17"] == ("missing", False)
        # Removing its own answer: the template's applies again.
        contract_clauses_set(contract=contract, answers={"exi17": None}, actor=officer)
        assert states(contract)["EXI 17"] == ("present", True)

    def test_present_needs_a_reference(self, organisation, officer, register) -> None:
        before = ContractClause.objects.count(), TrailEvent.objects.count()
        with pytest.raises(ContractError, match="EXI 19: give the article or page"):
            contract_clauses_set(
                contract=register.contract,
                answers={"exi18": present(), "exi19": ClauseAnswer(ClauseState.PRESENT)},
                actor=officer,
            )
        # Checked before anything is written: the valid EXI 18 answer was not saved either.
        assert (ContractClause.objects.count(), TrailEvent.objects.count()) == before

    @pytest.mark.parametrize(
        ("answers", "message"),
        [
            ({"exi99": present()}, "Unknown clause"),
            ({"exi17": ClauseAnswer("maybe")}, "unknown state"),
            ({"exi17": ClauseAnswer(ClauseState.MISSING, note="a\x00")}, "not allowed"),
        ],
    )
    def test_bad_answers(self, organisation, officer, register, answers, message) -> None:
        with pytest.raises(ContractError, match=message):
            contract_clauses_set(contract=register.contract, answers=answers, actor=officer)

    def test_the_same_answers_again_write_nothing(self, organisation, officer, register) -> None:
        answers = {"exi20": present("art. 9"), "exi21": ClauseAnswer(ClauseState.NOT_APPLICABLE)}
        contract_clauses_set(contract=register.contract, answers=answers, actor=officer)
        count = TrailEvent.objects.count()
        contract_clauses_set(contract=register.contract, answers=answers, actor=officer)
        contract_clauses_set(contract=register.contract, answers={"exi22": None}, actor=officer)
        assert TrailEvent.objects.count() == count
        event = TrailEvent.objects.filter(kind="contract.clauses_set").order_by("seq").last()
        assert event is not None
        assert event.data["clauses"] == {
            "EXI 20": {"state": "present", "reference": "art. 9", "note": ""},
            "EXI 21": {"state": "not_applicable", "reference": "", "note": ""},
        }
