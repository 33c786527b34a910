import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from hdsready.models import TrailEvent, TrailHead
from hdsready.request_context import client_ip
from hdsready.trail import GENESIS_HASH, trail_record, trail_verify

pytestmark = pytest.mark.django_db


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


def test_verify_detects_a_row_edited_behind_the_apps_back(officer, organisation):
    events = _record_three(officer, organisation)
    with connection.cursor() as cursor:
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
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM hdsready_trailevent WHERE id = %s", [events[1].pk])
    result = trail_verify()
    assert result.first_broken_seq == events[1].seq
    assert "missing" in result.reason


def test_verify_detects_a_truncated_tail(officer, organisation):
    events = _record_three(officer, organisation)
    with connection.cursor() as cursor:
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
