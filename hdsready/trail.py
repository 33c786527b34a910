"""The audit trail: append-only, hash-chained (journal d'audit, traçabilité).

HDS asks that one can say who saw and changed what, and when (référentiel HDS v2, EXI 15 and 16:
trace consultation and audit of access traces). Every service writes its event with
`trail_record` inside its own transaction, so the event exists exactly when the change does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from hdsready.models import Organisation, TrailEvent, TrailHead, User
from hdsready.request_context import client_ip

GENESIS_HASH = "0" * 64


def _normalise(data: dict[str, Any] | None) -> dict[str, Any]:
    # Round-trip through JSON so the stored value and the hashed value are the same thing
    # (dates become strings, tuples lists, Decimals strings).
    return json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))


def event_digest(
    *,
    prev_hash: str,
    seq: int,
    created_at: datetime,
    actor_id: int | None,
    actor_label: str,
    organisation_id: int | None,
    kind: str,
    object_type: str,
    object_id: str,
    object_repr: str,
    data: dict[str, Any],
    ip: str | None,
) -> str:
    """The SHA-256 of one event's canonical form, chained to the previous event's hash."""
    canonical = json.dumps(
        {
            "prev": prev_hash,
            "seq": seq,
            "at": created_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor": actor_id,
            "actor_label": actor_label,
            "org": organisation_id,
            "kind": kind,
            "otype": object_type,
            "oid": object_id,
            "orepr": object_repr,
            "data": data,
            "ip": ip,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _digest_of(event: TrailEvent) -> str:
    return event_digest(
        prev_hash=event.prev_hash,
        seq=event.seq,
        created_at=event.created_at,
        actor_id=event.actor_id,
        actor_label=event.actor_label,
        organisation_id=event.organisation_id,
        kind=event.kind,
        object_type=event.object_type,
        object_id=event.object_id,
        object_repr=event.object_repr,
        data=event.data,
        ip=event.ip,
    )


def trail_record(
    *,
    kind: str,
    actor: User | None,
    organisation: Organisation | None = None,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> TrailEvent:
    """Append one event to the trail, in the caller's transaction.

    The head row is locked until the caller's transaction ends, so chained writes are serialised
    and an event exists only if the change it records is committed.
    """
    with transaction.atomic():
        head, _ = TrailHead.objects.select_for_update().get_or_create(id=1)
        seq = head.last_seq + 1
        created_at = timezone.now()
        actor_label = actor.email if actor is not None else ""
        object_type = target._meta.label_lower if target is not None else ""
        object_id = str(target.pk) if target is not None else ""
        object_repr = str(target)[:200] if target is not None else ""
        clean_data = _normalise(data)
        ip = client_ip.get()
        digest = event_digest(
            prev_hash=head.last_hash,
            seq=seq,
            created_at=created_at,
            actor_id=actor.pk if actor is not None else None,
            actor_label=actor_label,
            organisation_id=organisation.pk if organisation is not None else None,
            kind=kind,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr,
            data=clean_data,
            ip=ip,
        )
        event = TrailEvent(
            seq=seq,
            created_at=created_at,
            actor=actor,
            actor_label=actor_label,
            organisation=organisation,
            kind=kind,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr,
            data=clean_data,
            ip=ip,
            prev_hash=head.last_hash,
            hash=digest,
        )
        event.save()
        TrailHead.objects.filter(id=1).update(last_seq=seq, last_hash=digest)
        return event


@dataclass(frozen=True)
class TrailCheck:
    checked: int
    first_broken_seq: int | None
    reason: str

    @property
    def ok(self) -> bool:
        return self.first_broken_seq is None


def _events_in_order(batch_size: int) -> Iterator[TrailEvent]:
    return TrailEvent.objects.order_by("seq").iterator(chunk_size=batch_size)


def trail_verify(*, batch_size: int = 2000) -> TrailCheck:
    """Recompute the chain and report the first row that does not fit.

    Detects an edited row (its hash no longer matches its content), a removed or inserted row
    (sequence gap or broken link) and a truncated tail (the head remembers the last hash).
    """
    prev_hash = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for event in _events_in_order(batch_size):
        if event.seq != expected_seq:
            return TrailCheck(checked, expected_seq, f"row #{expected_seq} is missing")
        if event.prev_hash != prev_hash:
            return TrailCheck(checked, event.seq, "link to the previous row is broken")
        if _digest_of(event) != event.hash:
            return TrailCheck(checked, event.seq, "content does not match its hash")
        prev_hash = event.hash
        expected_seq += 1
        checked += 1
    head = TrailHead.objects.filter(id=1).first() or TrailHead()
    if head.last_seq != checked or (checked and head.last_hash != prev_hash):
        return TrailCheck(checked, checked + 1, "rows at the end of the trail are missing")
    return TrailCheck(checked, None, "")
