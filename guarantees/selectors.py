"""Reads of the guarantees page: the live facts an officer previews, the organisation's published
versions, and the public reads by address (no login: only published snapshots are reachable,
looked up by the organisation's slug, so nothing unpublished and nothing of another organisation
can be reached from there)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.timezone import localtime
from django.utils.translation import gettext

from guarantees.facts import (
    HOST,
    SUBCONTRACTOR,
    ActorFact,
    CertificateFact,
    GuaranteesFacts,
    TransferFacts,
    snapshot_of,
)
from guarantees.models import Publication
from hdsready.dates import date_format
from hdsready.models import Organisation
from scopes.models import ActivityMode, Certificate, Subcontractor
from scopes.readiness_figures import ComputedFigure
from scopes.selectors import certificates_of, scope_of, subcontractors_of
from sovereignty.selectors import sovereignty_facts

# The requirement the page answers (HDS v2 EXI 31: the public page of transfers).
EXI_31 = "EXI 31"


def _certificate(certificate: Certificate) -> CertificateFact:
    return CertificateFact(
        kind=certificate.kind,
        number=certificate.number,
        body=certificate.certification_body,
        accreditation=certificate.accreditation,
        standard=certificate.standard_version,
        activities=tuple(certificate.activities),
        issued_on=certificate.issued_on,
        expires_on=certificate.expires_on,
    )


def _takes_part(subcontractor: Subcontractor, activities: tuple[int, ...]) -> bool:
    return bool(activities or subcontractor.part_of_service)


def transfers_of(*, organisation: Organisation) -> TransferFacts:
    """The sovereignty register (EXI 28-30) as the page publishes it: codes and names, never the
    labels of today's language (they are read when the page is rendered). The sites and the
    data stored stay in the register: the page says in which country, by whom, for which
    activities. Three queries, whatever the register's size."""
    facts = sovereignty_facts(organisation=organisation)
    return TransferFacts(
        storage=[
            {
                "country": row.country,
                "in_eea": row.in_eea,
                "provider": row.provider,
                "provider_is_host": row.provider_is_host,
                "activities": sorted(row.activities),
                "secnumcloud": row.secnumcloud,
                "secnumcloud_reference": row.secnumcloud_reference,
            }
            for row in facts.storage
        ],
        remote_accesses=[
            {
                "country": row.country,
                "basis": row.basis,
                "safeguard": row.safeguard,
                "actors": row.actors,
                "purpose": row.purpose,
            }
            for row in facts.remote_accesses
        ],
        law_exposures=[
            {
                "law": row.law,
                "jurisdiction": row.jurisdiction,
                "actor": row.actor,
                "mitigations": row.mitigations,
                "residual_risk": row.residual_risk,
            }
            for row in facts.law_exposures
        ],
    )


def guarantees_facts_of(*, organisation: Organisation, on: date) -> GuaranteesFacts:
    """Every actor of the hosting chain as the registers say today: the host with the
    activities it performs itself, then each subcontractor taking part in the service with the
    activities relied on it. A fixed number of queries whatever the number of actors."""
    scope = scope_of(organisation=organisation)
    in_house = tuple(row.activity for row in scope if row.mode == ActivityMode.IN_HOUSE)
    relied: dict[int, list[int]] = {}
    for row in scope:
        if row.subcontractor_id is not None:
            relied.setdefault(row.subcontractor_id, []).append(row.activity)
    own = [
        _certificate(c)
        for c in certificates_of(organisation=organisation).filter(subcontractor__isnull=True)
    ]
    actors = [
        ActorFact(role=HOST, name=organisation.name, activities=in_house, certificates=tuple(own))
    ]
    for subcontractor in subcontractors_of(organisation=organisation).order_by("name", "pk"):
        activities = tuple(sorted(relied.get(subcontractor.pk, ())))
        if not _takes_part(subcontractor, activities):
            continue
        actors.append(
            ActorFact(
                role=SUBCONTRACTOR,
                name=subcontractor.name,
                activities=activities,
                part_of_service=subcontractor.part_of_service,
                certificates=tuple(_certificate(c) for c in subcontractor.certificates.all()),
            )
        )
    return GuaranteesFacts(
        host_name=organisation.name,
        on=on,
        actors=tuple(actors),
        transfers=transfers_of(organisation=organisation),
    )


def live_snapshot(*, organisation: Organisation, on: date) -> dict[str, Any]:
    """What would be published now: the same document a publication freezes."""
    return snapshot_of(guarantees_facts_of(organisation=organisation, on=on))


def publications_of(
    *, organisation: Organisation, with_snapshot: bool = False
) -> QuerySet[Publication]:
    """The organisation's published versions, newest first; without their snapshots unless
    asked (a list of links needs only the number and the date)."""
    publications = Publication.objects.filter(organisation=organisation).order_by("-number")
    return publications if with_snapshot else publications.defer("snapshot")


def publication_get(*, organisation: Organisation, number: int) -> Publication:
    publication = Publication.objects.filter(organisation=organisation, number=number).first()
    if publication is None:
        raise Http404
    return publication


def public_publication(*, slug: str, number: int | None = None) -> Publication:
    """A published version for the public page, by the organisation's slug: the latest when
    `number` is None. An organisation with no publication, or a number it never published,
    is a 404 (the same answer as an unknown slug, so the page tells nothing else)."""
    publications = Publication.objects.select_related("organisation").filter(
        organisation__slug=slug
    )
    if number is not None:
        publications = publications.filter(number=number)
    publication = publications.order_by("-number").first()
    if publication is None:
        raise Http404
    return publication


def latest_publication_of(*, organisation: Organisation) -> Publication | None:
    return Publication.objects.filter(organisation=organisation).order_by("-number").first()


def _facts_only(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in snapshot.items() if key != "as_of"}


def publication_is_current(*, publication: Publication, live: Mapping[str, Any]) -> bool:
    """Whether the published facts are still what the registers say (the day aside): a change
    of a certificate, a subcontractor or a transfer, or a certificate that expired since, makes
    the public page out of date until it is published again (EXI 31: « mettre à jour »)."""
    return _facts_only(publication.snapshot) == _facts_only(live)


def register_readiness_figures(
    organisation: Organisation, on: date
) -> Mapping[str, list[ComputedFigure]]:
    """The figure shown beside the manual status of EXI 31 (scopes' readiness pages): whether
    the public page is published and still says what the registers say."""
    url = reverse("guarantees:guarantees-page", args=[organisation.slug])
    latest = latest_publication_of(organisation=organisation)
    if latest is None:
        figure = ComputedFigure(
            text=gettext("Public guarantees page: not published"),
            gaps=1,
            gaps_url=url,
            gaps_label=gettext("Publish the page"),
        )
    else:
        current = publication_is_current(
            publication=latest, live=live_snapshot(organisation=organisation, on=on)
        )
        facts = {"number": latest.number, "day": date_format(localtime(latest.published_at))}
        figure = ComputedFigure(
            text=(
                gettext("Public guarantees page: version %(number)s of %(day)s, up to date")
                if current
                else gettext(
                    "Public guarantees page: version %(number)s of %(day)s; the registers "
                    "changed since"
                )
            )
            % facts,
            gaps=0 if current else 1,
            gaps_url=url,
            gaps_label="" if current else gettext("Publish it again"),
        )
    return {EXI_31: [figure]}
