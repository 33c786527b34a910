"""Permission-scoped reads of evidence: everything is looked up inside an organisation the
user may see (checked by the core selectors), so an id from elsewhere is a 404."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from django.db.models import CharField, Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Cast
from django.http import Http404
from django.urls import reverse

from evidence.models import EvidenceItem, EvidenceStatus, EvidenceVersion
from hdsready.models import Organisation, TrailEvent
from scopes.certificate_files import CertificateFileFacts
from scopes.models import Requirement

REVIEW_SOON_DAYS = 30


def evidence_items_of(
    *,
    organisation: Organisation,
    requirement: Requirement | None = None,
    status: str = EvidenceStatus.ACTIVE,
    review_due_by: date | None = None,
    search: str = "",
) -> QuerySet[EvidenceItem]:
    items = (
        EvidenceItem.objects.filter(organisation=organisation)
        .select_related("owner")
        .annotate(version_count=Count("versions"))
        .prefetch_related(Prefetch("requirements", queryset=Requirement.objects.only("ref_id")))
    )
    if status:
        items = items.filter(status=status)
    if requirement is not None:
        items = items.filter(requirements=requirement)
    if review_due_by is not None:
        items = items.filter(review_due_on__lte=review_due_by)
    if search:
        items = items.filter(Q(title__icontains=search) | Q(description__icontains=search))
    return items.order_by("title")


def evidence_review_due(*, organisation: Organisation, today: date) -> QuerySet[EvidenceItem]:
    """Active items whose review date is past or within REVIEW_SOON_DAYS, soonest first."""
    return (
        EvidenceItem.objects.filter(
            organisation=organisation,
            status=EvidenceStatus.ACTIVE,
            review_due_on__lte=today + timedelta(days=REVIEW_SOON_DAYS),
        )
        .select_related("owner")
        .order_by("review_due_on")
    )


def evidence_item_get(*, organisation: Organisation, pk: int) -> EvidenceItem:
    item = (
        EvidenceItem.objects.select_related("owner", "organisation")
        .filter(organisation=organisation, pk=pk)
        .first()
    )
    if item is None:
        raise Http404
    return item


def evidence_versions_of(*, item: EvidenceItem) -> QuerySet[EvidenceVersion]:
    return item.versions.select_related("uploaded_by").order_by("-number")


def evidence_version_get(*, organisation: Organisation, pk: int, number: int) -> EvidenceVersion:
    version = (
        EvidenceVersion.objects.select_related("item", "item__organisation")
        .filter(item__organisation=organisation, item_id=pk, number=number)
        .first()
    )
    if version is None:
        raise Http404
    return version


def evidence_access_history(*, item: EvidenceItem, limit: int = 200) -> QuerySet[TrailEvent]:
    """Who saw which version, when and from where; and what changed on the item."""
    # The trail keeps ids as text: the item's versions as a subquery, however many there are.
    version_ids = item.versions.annotate(text_pk=Cast("pk", CharField())).values("text_pk")
    return (
        TrailEvent.objects.filter(organisation=item.organisation_id)
        .filter(
            Q(object_type="evidence.evidenceversion", object_id__in=version_ids)
            | Q(object_type="evidence.evidenceitem", object_id=str(item.pk))
        )
        .order_by("-seq")[:limit]
    )


def certificate_latest_versions(
    *, organisation: Organisation, pks: Sequence[int]
) -> dict[int, EvidenceVersion]:
    """The latest file version of each certificate (HDS v2 EXI 12) that has one, by
    certificate pk: one query whatever the number of certificates and versions."""
    newest = EvidenceVersion.objects.filter(item=OuterRef("item")).order_by("-number")
    versions = EvidenceVersion.objects.filter(
        item__certificate_link__certificate__organisation=organisation,
        item__certificate_link__certificate__in=pks,
        number=Subquery(newest.values("number")[:1]),
    ).select_related("item__certificate_link")
    return {version.item.certificate_link.certificate_id: version for version in versions}


def certificate_files(
    organisation: Organisation, pks: Sequence[int]
) -> dict[int, CertificateFileFacts]:
    """The source the scopes pages read through scopes.certificate_files."""
    return {
        pk: CertificateFileFacts(
            name=version.original_name,
            sha256=version.sha256,
            version=version.number,
            download_url=reverse(
                "evidence:version-download",
                args=[organisation.slug, version.item_id, version.number],
            ),
            evidence_url=reverse("evidence:item-detail", args=[organisation.slug, version.item_id]),
        )
        for pk, version in certificate_latest_versions(organisation=organisation, pks=pks).items()
    }


def certificate_upload_url(organisation: Organisation, pk: int) -> str:
    return reverse("evidence:certificate-file", args=[organisation.slug, pk])
