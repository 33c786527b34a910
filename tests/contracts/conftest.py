"""A small register of client contracts for the contracts tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from contracts.models import ClauseState, Client, Contract
from contracts.services import (
    ClauseAnswer,
    ClientData,
    ContractData,
    client_save,
    contract_clauses_set,
    contract_save,
)
from hdsready.models import Organisation, User


@dataclass
class Register:
    client: Client
    template: Contract
    contract: Contract  # in force, derived from the template


def present(reference: str = "art. 1") -> ClauseAnswer:
    return ClauseAnswer(ClauseState.PRESENT, reference=reference)


def make_contract(
    organisation: Organisation,
    actor: User,
    client: Client,
    *,
    title: str = "Hébergement",
    template: Contract | None = None,
    start_on: date | None = None,
    end_on: date | None = None,
) -> Contract:
    today = timezone.localdate()
    return contract_save(
        organisation=organisation,
        data=ContractData(
            title=title,
            client=client,
            template=template,
            activities=[3, 4],
            start_on=start_on or today - timedelta(days=10),
            end_on=end_on,
        ),
        actor=actor,
    )


@pytest.fixture
def register(organisation, officer) -> Register:
    client = client_save(
        organisation=organisation, data=ClientData(name="Clinique des Lilas"), actor=officer
    )
    template = contract_save(
        organisation=organisation,
        data=ContractData(title="Modèle 2025", activities=[3, 4, 5]),
        is_template=True,
        actor=officer,
    )
    contract_clauses_set(
        contract=template,
        answers={"exi17": present("art. 2"), "exi18": ClauseAnswer(ClauseState.MISSING)},
        actor=officer,
    )
    contract = make_contract(organisation, officer, client, template=template)
    return Register(client=client, template=template, contract=contract)
