"""The snapshot's rules, without the database: which certificates are published, which
activities show as uncovered, which EXI 31 statement applies."""

from __future__ import annotations

from datetime import date, timedelta

from guarantees.facts import (
    HOST,
    SUBCONTRACTOR,
    ActorFact,
    CertificateFact,
    GuaranteesFacts,
    Statement,
    TransferFacts,
    snapshot_of,
    statement_for,
)

DAY = date(2026, 6, 30)


def certificate(
    number: str, activities: tuple[int, ...], *, kind: str = "hds", **days
) -> CertificateFact:
    return CertificateFact(
        kind=kind,
        number=number,
        body="CB",
        accreditation="",
        standard="HDS v2",
        activities=activities,
        issued_on=days.get("issued_on", DAY - timedelta(days=10)),
        expires_on=days.get("expires_on", DAY + timedelta(days=10)),
    )


def test_the_statement_follows_the_transfers() -> None:
    assert statement_for(None) == Statement.NOT_RECORDED
    assert statement_for(TransferFacts()) == Statement.NO_TRANSFER
    assert statement_for(TransferFacts(storage=[{"country": "US"}])) == Statement.TRANSFERS
    assert statement_for(TransferFacts(remote_accesses=[{"country": "MA"}])) == Statement.TRANSFERS
    # A risk of access under a non-EU law (EXI 30) is published in the table too.
    assert statement_for(TransferFacts(law_exposures=[{"law": "CLOUD Act"}])) == Statement.TRANSFERS
    in_eea = {"country": "FR", "in_eea": True}
    assert statement_for(TransferFacts(storage=[in_eea])) == Statement.NO_TRANSFER
    qualified = {**in_eea, "secnumcloud": True}
    assert statement_for(TransferFacts(storage=[qualified])) == Statement.SECNUMCLOUD
    # Every location must be qualified, and a recorded transfer is published all the same.
    assert statement_for(TransferFacts(storage=[qualified, in_eea])) == Statement.NO_TRANSFER
    outside = {"country": "US", "in_eea": False, "secnumcloud": True}
    assert statement_for(TransferFacts(storage=[qualified, outside])) == Statement.TRANSFERS
    assert (
        statement_for(TransferFacts(storage=[qualified], remote_accesses=[{"country": "IN"}]))
        == Statement.TRANSFERS
    )


def test_only_certificates_valid_that_day_are_published_and_gaps_are_said() -> None:
    facts = GuaranteesFacts(
        host_name="Hôte",
        on=DAY,
        actors=(
            ActorFact(
                role=HOST, name="Hôte", activities=(3, 4), certificates=(certificate("H", (3,)),)
            ),
            ActorFact(
                role=SUBCONTRACTOR,
                name="DC",
                activities=(1, 2),
                certificates=(
                    certificate("OLD", (1, 2), expires_on=DAY - timedelta(days=1)),
                    certificate("LATER", (1, 2), issued_on=DAY + timedelta(days=1)),
                    certificate("ISO", (1, 2), kind="iso27001"),
                ),
            ),
        ),
        transfers=TransferFacts(),
    )
    snapshot = snapshot_of(facts)
    host, datacenter = snapshot["actors"]
    assert [c["number"] for c in host["certificates"]] == ["H"]
    assert host["uncovered"] == [4]
    # An ISO certificate does not cover an HDS activity; expired and future ones are left out.
    assert [c["number"] for c in datacenter["certificates"]] == ["ISO"]
    assert datacenter["uncovered"] == [1, 2]
    assert snapshot["statement"] == "no_transfer"
    assert snapshot["as_of"] == "2026-06-30"
    assert host["certificates"][0]["expires_on"] == "2026-07-10"


def test_the_last_day_of_validity_still_counts() -> None:
    facts = GuaranteesFacts(
        host_name="Hôte",
        on=DAY,
        actors=(
            ActorFact(
                role=HOST,
                name="Hôte",
                activities=(5,),
                certificates=(certificate("H", (5,), expires_on=DAY),),
            ),
        ),
    )
    (host,) = snapshot_of(facts)["actors"]
    assert host["uncovered"] == []
    assert snapshot_of(facts)["transfers"] is None
