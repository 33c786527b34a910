"""Publishing the public guarantees page: each publication freezes what the registers say into a
numbered, dated version kept for the record, and writes one trail event."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from guarantees.models import Publication
from guarantees.selectors import live_snapshot
from hdsready import roles
from hdsready.models import Organisation, User
from hdsready.selectors import user_can
from hdsready.trail import trail_record


class GuaranteesError(Exception):
    """A publication refused; the message says why, in the active language."""


def guarantees_publish(*, organisation: Organisation, actor: User) -> Publication:
    """Publish the guarantees page as it stands now (HDS v2 EXI 31: the host makes public, and
    keeps up to date, the map of its transfers outside the EEA; chapter 8: the table presenting
    the guarantees of every actor of the hosting chain). The facts are frozen in the row: later
    changes to the registers show only on the next publication. Officers only."""
    if not user_can(user=actor, organisation=organisation, perm=roles.MANAGE):
        raise GuaranteesError(_("Only a compliance officer may publish the guarantees page."))
    with transaction.atomic():
        # Serialises concurrent publications of one organisation, so version numbers never clash.
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        last = Publication.objects.filter(organisation=organisation).aggregate(n=Max("number"))
        now = timezone.now()
        snapshot = live_snapshot(organisation=organisation, on=timezone.localdate(now))
        publication = Publication.objects.create(
            organisation=organisation,
            number=(last["n"] or 0) + 1,
            published_at=now,
            published_by=actor,
            snapshot=snapshot,
        )
        trail_record(
            kind="guarantees.published",
            actor=actor,
            organisation=organisation,
            target=publication,
            data={
                "number": publication.number,
                "actors": len(snapshot["actors"]),
                "statement": snapshot["statement"],
            },
        )
        return publication
