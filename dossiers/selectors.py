"""Permission-scoped reads of dossiers. The callers (pages and API) first get the organisation
through hdsready.selectors with PRINT_DOSSIER; everything here is looked up inside it, so another
organisation's id is a 404."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from audits.models import Audit, AuditStatus, Cycle
from dossiers.models import Dossier, DossierStatus, DossierUnit, UnitStatus
from hdsready.http import query_pk
from hdsready.models import Organisation


def dossiers_of_organisation(*, organisation: Organisation) -> QuerySet[Dossier]:
    return Dossier.objects.filter(organisation=organisation).select_related(
        "requested_by", "audit", "cycle"
    )


def dossier_get_in_organisation(*, organisation: Organisation, pk: int) -> Dossier:
    dossier = dossiers_of_organisation(organisation=organisation).filter(pk=pk).first()
    if dossier is None:
        raise Http404
    return dossier


def _progress(*, status: str, ready: int, units: int) -> tuple[int, int]:
    """Steps done and steps in all: one per unit laid out, and the assembly."""
    if status == DossierStatus.READY:
        return 1, 1
    return ready, units + 1


def dossier_progress(*, dossier: Dossier) -> tuple[int, int]:
    """Steps done and steps in all: one per unit laid out, and the assembly."""
    if dossier.status == DossierStatus.READY:
        return 1, 1
    counts = DossierUnit.objects.filter(dossier=dossier).aggregate(
        total=Count("pk"), ready=Count("pk", filter=Q(unit__status=UnitStatus.READY))
    )
    return _progress(status=dossier.status, ready=counts["ready"], units=counts["total"])


def dossiers_with_progress(*, organisation: Organisation) -> QuerySet[Dossier]:
    """The organisation's dossiers, newest first, each with its units counted in the same query
    (read by progress_of): a list costs the same whatever its length."""
    # Explicit order: the model's default ordering is not applied to a grouped query.
    return (
        dossiers_of_organisation(organisation=organisation)
        .annotate(
            units_total=Count("parts"),
            units_ready=Count("parts", filter=Q(parts__unit__status=UnitStatus.READY)),
        )
        .order_by("-requested_at", "-pk")
    )


def dossier_with_progress_get(*, organisation: Organisation, pk: int) -> Dossier:
    dossier = dossiers_with_progress(organisation=organisation).filter(pk=pk).first()
    if dossier is None:
        raise Http404
    return dossier


def progress_of(dossier: Dossier) -> tuple[int, int]:
    """The progress of a dossier read by dossiers_with_progress (no query)."""
    return _progress(
        status=dossier.status,
        ready=getattr(dossier, "units_ready", 0),
        units=getattr(dossier, "units_total", 0),
    )


def dossier_targets(*, organisation: Organisation) -> list[tuple[str, str]]:
    """What a dossier can be asked for: each cycle (full dossier) and each audit under way or
    done (stage 1, stage 2 and correction dossiers)."""
    targets: list[tuple[str, str]] = []
    cycles = (
        Cycle.objects.filter(organisation=organisation)
        .prefetch_related(
            Prefetch(
                "audits",
                queryset=Audit.objects.exclude(
                    status__in=(AuditStatus.DRAFT, AuditStatus.CANCELLED)
                ).order_by("created_at", "pk"),
            )
        )
        .order_by("-created_at")
    )
    for cycle in cycles:
        targets.append((f"cycle:{cycle.pk}", _("Cycle: %(cycle)s") % {"cycle": cycle}))
        for audit in cycle.audits.all():
            targets.append((f"audit:{audit.pk}", _("Audit: %(audit)s") % {"audit": audit.label}))
    return targets


def dossier_target_objects(
    *, organisation: Organisation, key: str
) -> tuple[Audit | None, Cycle | None]:
    """The audit or cycle a target key names, inside the organisation; unknown keys are None."""
    kind, _sep, raw = key.partition(":")
    pk = query_pk(raw)
    if pk is None:
        return None, None
    if kind == "audit":
        return Audit.objects.filter(cycle__organisation=organisation, pk=pk).select_related(
            "cycle"
        ).first(), None
    if kind == "cycle":
        return None, Cycle.objects.filter(organisation=organisation, pk=pk).first()
    return None, None
