import hashlib
import json
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from hdsready.models import TrailEvent, TrailHead
from hdsready.request_context import client_ip
from hdsready.trail import (
    GENESIS_HASH,
    PROTECTION_TRIGGERS,
    _digest_of,
    trail_checkpoint_write,
    trail_key,
    trail_record,
    trail_verify,
)

pytestmark = pytest.mark.django_db


@contextmanager
def behind_the_apps_back():
    """A database superuser's session with the triggers switched off while it works."""
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        try:
            yield cursor
        finally:
            cursor.execute("SET session_replication_role = origin")


def rewrite_from(event_pk: int, data: dict, *, key: bytes | None) -> None:
    """Edit one row's data, then recompute its hash and every later one (and the head) with
    `key` (None: plain SHA-256), as an attacker who can write to the database would."""
    with behind_the_apps_back() as cursor:
        cursor.execute(
            "UPDATE hdsready_trailevent SET data = %s WHERE id = %s", [json.dumps(data), event_pk]
        )
        start = TrailEvent.objects.get(pk=event_pk).seq
        prev = TrailEvent.objects.get(seq=start - 1).hash if start > 1 else GENESIS_HASH
        for event in TrailEvent.objects.filter(seq__gte=start).order_by("seq"):
            event.prev_hash = prev
            digest = _digest_of(event, key)
            cursor.execute(
                "UPDATE hdsready_trailevent SET prev_hash = %s, hash = %s WHERE id = %s",
                [prev, digest, event.pk],
            )
            prev = digest
        cursor.execute("UPDATE hdsready_trailhead SET last_hash = %s WHERE id = 1", [prev])


def _record_three(actor, organisation):
    return [
        trail_record(kind=f"test.event{i}", actor=actor, organisation=organisation, data={"i": i})
        for i in range(3)
    ]


def test_events_chain_to_each_other(officer, organisation):
    before = TrailEvent.objects.count()
    events = _record_three(officer, organisation)
    assert TrailEvent.objects.count() == before + 3
    assert events[1].prev_hash == events[0].hash
    assert events[2].prev_hash == events[1].hash
    assert TrailEvent.objects.earliest("seq").prev_hash == GENESIS_HASH
    head = TrailHead.objects.get()
    assert (head.last_seq, head.last_hash) == (events[2].seq, events[2].hash)
    assert trail_verify().ok


def test_event_records_actor_object_data_and_ip(officer, organisation):
    token = client_ip.set("203.0.113.9")
    try:
        event = trail_record(
            kind="test.ip",
            actor=officer,
            organisation=organisation,
            target=organisation,
            data={"when": organisation.created_at},
        )
    finally:
        client_ip.reset(token)
    event.refresh_from_db()
    assert event.ip == "203.0.113.9"
    assert event.actor_label == officer.email
    assert event.object_type == "hdsready.organisation"
    assert event.object_id == str(organisation.pk)
    assert isinstance(event.data["when"], str)  # normalised to what the hash covers
    assert trail_verify().ok


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE hdsready_trailevent SET kind = 'forged' WHERE id = %s",
        "DELETE FROM hdsready_trailevent WHERE id = %s",
    ],
)
def test_the_database_refuses_to_change_a_row(officer, organisation, statement):
    event = trail_record(kind="test.x", actor=officer, organisation=organisation)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, [event.pk])
    event.refresh_from_db()
    assert event.kind == "test.x"
    assert trail_verify().ok


def test_rows_are_keyed(officer, organisation, settings):
    event = trail_record(kind="test.x", actor=officer, organisation=organisation)
    assert event.key_id
    assert _digest_of(event, trail_key()) == event.hash
    assert _digest_of(event, None) != event.hash
    settings.TRAIL_KEY = "another key"
    result = trail_verify()
    assert not result.ok
    assert "another key" in result.reason


@pytest.mark.parametrize("key", [None, b"a guessed key"], ids=["sha256", "wrong-key"])
def test_a_row_rewritten_with_every_later_hash_recomputed_is_detected(officer, organisation, key):
    events = _record_three(officer, organisation)
    rewrite_from(events[1].pk, {"i": 99}, key=key)
    result = trail_verify()
    assert not result.ok
    assert result.first_broken_seq == events[1].seq


def test_even_with_the_key_a_rewrite_shows_against_the_last_checkpoint(officer, organisation):
    events = _record_three(officer, organisation)
    trail_checkpoint_write(now=datetime(2026, 12, 1, tzinfo=UTC))
    rewrite_from(events[1].pk, {"i": 99}, key=trail_key())
    result = trail_verify()
    assert result.first_broken_seq == events[2].seq
    assert "checkpoint" in result.reason


def test_a_truncated_tail_with_its_head_rewritten_shows_against_the_checkpoint(
    officer, organisation
):
    events = _record_three(officer, organisation)
    trail_checkpoint_write(now=datetime(2026, 12, 1, tzinfo=UTC))
    with behind_the_apps_back() as cursor:
        cursor.execute("DELETE FROM hdsready_trailevent WHERE seq >= %s", [events[1].seq])
        cursor.execute(
            "UPDATE hdsready_trailhead SET last_seq = %s, last_hash = %s WHERE id = 1",
            [events[0].seq, events[0].hash],
        )
    result = trail_verify()
    assert result.first_broken_seq == events[1].seq
    assert f"up to #{events[2].seq}" in result.reason


def test_a_forged_checkpoint_is_reported(officer, organisation, settings):
    _record_three(officer, organisation)
    checkpoint = trail_checkpoint_write(now=datetime(2026, 12, 1, tzinfo=UTC))
    assert checkpoint.path is not None
    body = json.loads(checkpoint.path.read_text())
    body["seq"] += 5
    body["signature"] = hashlib.sha256(b"forged").hexdigest()
    checkpoint.path.write_text(json.dumps(body))
    (settings.TRAIL_CHECKPOINT_DIR / "trail-garbage.json").write_text("{not json")
    result = trail_verify()
    assert not result.ok
    assert any("not signed" in problem for problem in result.problems)
    assert any("cannot be read" in problem for problem in result.problems)


def test_a_dropped_trigger_is_reported(officer, organisation):
    _record_three(officer, organisation)
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER hdsready_trail_no_delete ON hdsready_trailevent")
    result = trail_verify()
    assert not result.ok
    assert result.protections == ("hdsready_trail_no_update",)
    with pytest.raises(CommandError, match="NOT PROTECTED"):
        call_command("trail_verify")


def test_command_reports_all_three(officer, organisation, capsys):
    _record_three(officer, organisation)
    trail_checkpoint_write(now=datetime(2026, 12, 1, tzinfo=UTC))
    call_command("trail_verify")
    out = capsys.readouterr().out
    assert "Audit trail intact" in out
    assert "1 signed checkpoints matched" in out
    assert all(trigger in out for trigger in PROTECTION_TRIGGERS)


def test_verify_detects_a_row_edited_behind_the_apps_back(officer, organisation):
    events = _record_three(officer, organisation)
    with behind_the_apps_back() as cursor:
        cursor.execute(
            "UPDATE hdsready_trailevent SET data = %s WHERE id = %s",
            ['{"i": 99}', events[1].pk],
        )
    result = trail_verify()
    assert not result.ok
    assert result.first_broken_seq == events[1].seq
    assert "content does not match" in result.reason
    with pytest.raises(CommandError, match=f"BROKEN at row #{events[1].seq}"):
        call_command("trail_verify")


def test_verify_detects_a_removed_row(officer, organisation):
    events = _record_three(officer, organisation)
    with behind_the_apps_back() as cursor:
        cursor.execute("DELETE FROM hdsready_trailevent WHERE id = %s", [events[1].pk])
    result = trail_verify()
    assert result.first_broken_seq == events[1].seq
    assert "missing" in result.reason


def test_verify_detects_a_truncated_tail(officer, organisation):
    events = _record_three(officer, organisation)
    with behind_the_apps_back() as cursor:
        cursor.execute("DELETE FROM hdsready_trailevent WHERE id = %s", [events[2].pk])
    result = trail_verify()
    assert result.first_broken_seq == events[2].seq


def test_command_reports_an_intact_trail(officer, organisation, capsys):
    _record_three(officer, organisation)
    call_command("trail_verify")
    assert "Audit trail intact" in capsys.readouterr().out


def test_trail_is_append_only_through_the_orm(officer, organisation):
    event = trail_record(kind="test.x", actor=officer, organisation=organisation)
    with pytest.raises(TypeError, match="append-only"):
        event.save()
    with pytest.raises(TypeError, match="append-only"):
        event.delete()
    with pytest.raises(TypeError, match="append-only"):
        TrailEvent.objects.filter(pk=event.pk).update(kind="forged")
    with pytest.raises(TypeError, match="append-only"):
        TrailEvent.objects.filter(pk=event.pk).delete()


def test_an_event_exists_only_if_its_change_commits(officer, organisation):
    before = TrailEvent.objects.count()

    class Boom(Exception):
        pass

    def change_that_fails():
        with transaction.atomic():
            trail_record(kind="test.rolled_back", actor=officer, organisation=organisation)
            raise Boom

    with pytest.raises(Boom):
        change_that_fails()
    assert TrailEvent.objects.count() == before
    assert trail_verify().ok


def test_the_nightly_task_checkpoints_only_a_sound_trail(officer, organisation, settings):
    from hdsready.tasks import trail_verify as nightly

    events = _record_three(officer, organisation)
    assert nightly() is True
    written = sorted(settings.TRAIL_CHECKPOINT_DIR.glob("trail-*.json"))
    assert len(written) == 1
    assert json.loads(written[0].read_text())["seq"] == events[2].seq
    rewrite_from(events[0].pk, {"i": 42}, key=None)
    assert nightly() is False
    assert sorted(settings.TRAIL_CHECKPOINT_DIR.glob("trail-*.json")) == written
