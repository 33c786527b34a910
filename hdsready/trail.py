"""The audit trail: append-only, hash-chained (journal d'audit, traçabilité).

HDS asks that one can say who saw and changed what, and when (référentiel HDS v2, EXI 15 and 16:
trace consultation and audit of access traces). Every service writes its event with
`trail_record` inside its own transaction, so the event exists exactly when the change does.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from hdsready.models import Organisation, TrailEvent, TrailHead, User
from hdsready.request_context import client_ip

GENESIS_HASH = "0" * 64
# The database refuses UPDATE and DELETE on trail rows through these triggers (migration 0005).
PROTECTION_TRIGGERS = ("hdsready_trail_no_update", "hdsready_trail_no_delete")


def trail_key() -> bytes:
    return settings.TRAIL_KEY.encode()


def trail_key_id(key: bytes | None = None) -> str:
    """A short public name of the key a row was chained with (never the key itself)."""
    return hashlib.sha256(b"hdsready-trail-key-id:" + (key or trail_key())).hexdigest()[:16]


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
    key: bytes | None,
) -> str:
    """The HMAC-SHA-256 under `key` of one event's canonical form, chained to the previous
    event's hash (a plain SHA-256 for the rows written before the chain was keyed, key=None)."""
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
    ).encode()
    if key is None:
        return hashlib.sha256(canonical).hexdigest()
    return hmac.new(key, canonical, hashlib.sha256).hexdigest()


def _digest_of(event: TrailEvent, key: bytes | None) -> str:
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
        key=key,
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
        key = trail_key()
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
            key=key,
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
            key_id=trail_key_id(key),
        )
        event.save()
        TrailHead.objects.filter(id=1).update(last_seq=seq, last_hash=digest)
        return event


def trail_first_values(
    *, kind: str, model: type[models.Model], pks: Iterable[object], field: str
) -> dict[str, Any]:
    """`data[field]` of the first event of `kind` about each object, by the object's pk as text.

    What the trail recorded when an object was made is the reference a later copy in an
    ordinary, editable column is checked against (one query, on the trail's object index).
    """
    rows = (
        TrailEvent.objects.filter(
            kind=kind,
            object_type=model._meta.label_lower,
            object_id__in=[str(pk) for pk in pks],
        )
        .order_by("seq")
        .values_list("object_id", "data")
    )
    found: dict[str, Any] = {}
    for object_id, data in rows:
        found.setdefault(object_id, (data or {}).get(field))
    return found


@dataclass(frozen=True)
class Checkpoint:
    """The head of the chain at one moment, signed with the trail key, kept outside the database."""

    seq: int
    hash: str
    at: str
    key_id: str
    signature: str
    path: Path | None = None

    def payload(self) -> bytes:
        return json.dumps(
            {"seq": self.seq, "hash": self.hash, "at": self.at, "key_id": self.key_id},
            sort_keys=True,
            separators=(",", ":"),
        ).encode()

    def signed_by(self, key: bytes) -> bool:
        expected = hmac.new(key, self.payload(), hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, self.signature)


def trail_checkpoint_write(*, now: datetime, directory: Path | None = None) -> Checkpoint:
    """Export the chain's head as a signed, dated file (read back by `trail_verify`)."""
    directory = directory or settings.TRAIL_CHECKPOINT_DIR
    head = TrailHead.objects.filter(id=1).first() or TrailHead()
    key = trail_key()
    unsigned = Checkpoint(
        seq=head.last_seq,
        hash=head.last_hash,
        at=now.astimezone(UTC).isoformat(timespec="seconds"),
        key_id=trail_key_id(key),
        signature="",
    )
    signature = hmac.new(key, unsigned.payload(), hashlib.sha256).hexdigest()
    checkpoint = Checkpoint(**{**unsigned.__dict__, "signature": signature})
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"trail-{checkpoint.seq:012d}-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}.json"
    body = {**json.loads(checkpoint.payload()), "signature": signature}
    path.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
    return Checkpoint(**{**checkpoint.__dict__, "path": path})


def _checkpoints_in(directory: Path) -> tuple[list[Checkpoint], list[str]]:
    found: list[Checkpoint] = []
    unreadable: list[str] = []
    for path in sorted(directory.glob("trail-*.json")) if directory.is_dir() else []:
        try:
            body = json.loads(path.read_text(encoding="utf-8"))
            found.append(
                Checkpoint(
                    seq=int(body["seq"]),
                    hash=str(body["hash"]),
                    at=str(body["at"]),
                    key_id=str(body["key_id"]),
                    signature=str(body["signature"]),
                    path=path,
                )
            )
        except (ValueError, KeyError, TypeError, OSError):
            unreadable.append(path.name)
    return found, unreadable


def trail_protections() -> list[str]:
    """The triggers of PROTECTION_TRIGGERS the database has (both, unless someone dropped one)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgname = ANY(%s) AND NOT tgisinternal",
                [list(PROTECTION_TRIGGERS)],
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name IN (%s, %s)",
                list(PROTECTION_TRIGGERS),
            )
        return sorted(row[0] for row in cursor.fetchall())


@dataclass(frozen=True)
class TrailCheck:
    """What `trail_verify` found: the chain, the database's protection, the checkpoints."""

    checked: int
    first_broken_seq: int | None
    reason: str
    unkeyed: int = 0
    protections: tuple[str, ...] = PROTECTION_TRIGGERS
    checkpoints_checked: int = 0
    problems: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.first_broken_seq is None and not self.problems


def _events_in_order(batch_size: int) -> Iterator[TrailEvent]:
    return TrailEvent.objects.order_by("seq").iterator(chunk_size=batch_size)


def _chain_check(batch_size: int, checkpoints: dict[int, Checkpoint]) -> TrailCheck:
    key = trail_key()
    key_id = trail_key_id(key)
    prev_hash = GENESIS_HASH
    expected_seq = 1
    checked = 0
    unkeyed = 0
    keyed_seen = False
    mismatch: tuple[int, str] | None = None
    for event in _events_in_order(batch_size):
        if event.seq != expected_seq:
            return TrailCheck(checked, expected_seq, f"row #{expected_seq} is missing")
        if event.prev_hash != prev_hash:
            return TrailCheck(checked, event.seq, "link to the previous row is broken")
        if event.key_id:
            if event.key_id != key_id:
                return TrailCheck(
                    checked, event.seq, f"chained with another key (key id {event.key_id})"
                )
            keyed_seen = True
            digest = _digest_of(event, key)
        elif keyed_seen:
            # Rows older than the keyed chain stay plain SHA-256; one after it is a rewrite.
            return TrailCheck(checked, event.seq, "unkeyed row after keyed rows")
        else:
            unkeyed += 1
            digest = _digest_of(event, None)
        if digest != event.hash:
            return TrailCheck(checked, event.seq, "content does not match its hash")
        checkpoint = checkpoints.get(event.seq)
        if checkpoint is not None and checkpoint.hash != event.hash and mismatch is None:
            mismatch = (event.seq, f"row differs from the checkpoint of {checkpoint.at}")
        prev_hash = event.hash
        expected_seq += 1
        checked += 1
    if mismatch is not None:
        return TrailCheck(checked, *mismatch)
    head = TrailHead.objects.filter(id=1).first() or TrailHead()
    if head.last_seq != checked or (checked and head.last_hash != prev_hash):
        return TrailCheck(checked, checked + 1, "rows at the end of the trail are missing")
    beyond = [c for c in checkpoints.values() if c.seq > checked]
    if beyond:
        last = max(beyond, key=lambda c: c.seq)
        return TrailCheck(
            checked,
            checked + 1,
            f"rows #{checked + 1} to #{last.seq} are missing: the checkpoint of {last.at} "
            f"recorded the trail up to #{last.seq}",
        )
    return TrailCheck(checked, None, "", unkeyed=unkeyed)


def trail_verify(*, batch_size: int = 2000, checkpoint_dir: Path | None = None) -> TrailCheck:
    """Recompute the keyed chain, compare it with the signed checkpoints, check the database's
    own refusal of changes; report the first row that does not fit and every other problem.

    Detects an edited row even with every later hash recomputed (the HMAC needs the key), a
    removed or inserted row (sequence gap or broken link), a truncated tail (against the head
    row and against the last checkpoint, which lives outside the database), and a dropped trigger.
    """
    key = trail_key()
    found, unreadable = _checkpoints_in(checkpoint_dir or settings.TRAIL_CHECKPOINT_DIR)
    problems = [f"checkpoint {name} cannot be read" for name in unreadable]
    signed: dict[int, Checkpoint] = {}
    for checkpoint in found:
        if checkpoint.signed_by(key):
            signed[checkpoint.seq] = checkpoint
        else:
            name = checkpoint.path.name if checkpoint.path else checkpoint.seq
            problems.append(f"checkpoint {name} is not signed with the trail key")
    protections = tuple(trail_protections())
    missing = sorted(set(PROTECTION_TRIGGERS) - set(protections))
    if missing:
        problems.append(f"the database no longer refuses changes: {', '.join(missing)} dropped")
    chain = _chain_check(batch_size, signed)
    return TrailCheck(
        chain.checked,
        chain.first_broken_seq,
        chain.reason,
        unkeyed=chain.unkeyed,
        protections=protections,
        checkpoints_checked=len(signed),
        problems=tuple(problems),
    )
