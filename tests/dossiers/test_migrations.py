"""The dossier models moved from the audits app to this one (issue #11) without losing a row: a
database at audits 0002 that holds dossiers migrates forward and reads them with the new models,
its content types follow the models, and the trail rows written before still belong to them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from dossiers.models import Dossier, DossierStatus, RenderUnit, UnitStatus
from hdsready.models import Role
from hdsready.selectors import trail_events_for_object
from hdsready.trail import trail_record, trail_verify
from tests.factories import OrganisationFactory, make_member

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_THE_MOVE = [("audits", "0002_dossiers")]


def migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    ContentType.objects.clear_cache()
    return executor


@pytest.fixture
def before_the_move() -> Iterator[MigrationExecutor]:
    """The schema as main left it (dossiers in audits); the latest schema again afterwards."""
    executor = migrate(BEFORE_THE_MOVE)
    try:
        yield executor
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_a_dossier_written_before_the_move_is_read_after_it(
    before_the_move: MigrationExecutor,
) -> None:
    old = before_the_move.loader.project_state(BEFORE_THE_MOVE).apps
    organisation = OrganisationFactory(name="Avant", slug="avant")
    manager = make_member(organisation, Role.MANAGER, email="manager@avant.test")
    unit = old.get_model("audits", "RenderUnit").objects.create(
        content_hash="a" * 64,
        template="pdf/section_soa.html",
        context={"rows": [1, 2]},
        language="fr",
        status="ready",
        page_count=4,
        file="dossiers/units/aa/unit.pdf",
    )
    dossier = old.get_model("audits", "Dossier").objects.create(
        organisation_id=organisation.pk,
        kind="soa",
        language="fr",
        title="Déclaration d'applicabilité",
        content_hash="b" * 64,
        status="ready",
        file="dossiers/avant/1.pdf",
        sha256="c" * 64,
        size=1234,
        page_count=6,
        requested_by_id=manager.pk,
    )
    old.get_model("audits", "DossierUnit").objects.create(dossier=dossier, unit=unit, position=0)
    # The trail names the object by its model label at the time: "audits.dossier".
    event = trail_record(
        kind="dossier.requested", actor=manager, organisation=organisation, target=dossier
    )
    assert event.object_type == "audits.dossier"
    content_type = ContentType.objects.get(app_label="audits", model="dossier")

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    moved = Dossier.objects.select_related("requested_by").get(pk=dossier.pk)
    assert (moved.kind, moved.status, moved.title, moved.sha256, moved.size) == (
        "soa",
        DossierStatus.READY,
        "Déclaration d'applicabilité",
        "c" * 64,
        1234,
    )
    assert (moved.organisation_id, moved.requested_by, moved.file.name) == (
        organisation.pk,
        manager,
        "dossiers/avant/1.pdf",
    )
    part = moved.parts.select_related("unit").get()
    assert (part.position, part.unit.pk, part.unit.status, part.unit.context) == (
        0,
        unit.pk,
        UnitStatus.READY,
        {"rows": [1, 2]},
    )
    assert list(moved.units.all()) == [RenderUnit.objects.get(pk=unit.pk)]
    # New rows continue the ids of the old table.
    newer = Dossier.objects.create(
        organisation=organisation,
        kind="soa",
        title="Again",
        content_hash="d" * 64,
        requested_by=manager,
    )
    assert newer.pk > moved.pk
    # The content type (and the permissions attached to it) followed the model.
    assert ContentType.objects.get_for_model(Dossier).pk == content_type.pk
    assert not ContentType.objects.filter(app_label="audits", model="dossier").exists()
    # The trail row written before still belongs to the dossier, and the chain is intact.
    assert list(trail_events_for_object(organisation=organisation, target=moved)) == [event]
    assert trail_verify().ok
