"""Existing databases get the corrected catalog wording at migrate time (scopes 0005), and the
`catalog_sync` command does the same: rows are updated in place, never replaced."""

from __future__ import annotations

import importlib
from io import StringIO

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command

from scopes.catalog import hds_v2
from scopes.models import ReadinessEntry, ReadinessStatus, Requirement

pytestmark = pytest.mark.django_db

OLD_EXI_14 = (
    "Si un sous-traitant certifié assure tout ou partie de l'hébergement, l'hébergeur dispose "
    "d'une procédure pour faire face à la suspension ou au retrait du certificat de ce "
    "sous-traitant."
)


def builtin(ref_id: str) -> Requirement:
    return Requirement.objects.get(framework__organisation__isnull=True, ref_id=ref_id)


def _as_before_the_fix(organisation) -> tuple[Requirement, ReadinessEntry]:
    exi14 = builtin("EXI 14")
    Requirement.objects.filter(pk=exi14.pk).update(description_fr=OLD_EXI_14)
    Requirement.objects.filter(pk=builtin("EXI 23").pk).update(
        description_en="Who may access it, under which rules and with what traceability."
    )
    entry = ReadinessEntry.objects.create(
        organisation=organisation, requirement=exi14, status=ReadinessStatus.PARTIAL
    )
    return exi14, entry


def _assert_current_wording(exi14: Requirement, entry: ReadinessEntry) -> None:
    nodes = {node.ref_id: node for node in hds_v2.NODES}
    refreshed = builtin("EXI 14")
    assert refreshed.pk == exi14.pk
    assert refreshed.description_fr == nodes["EXI 14"].summary_fr
    assert "perde sa certification" in refreshed.description_fr
    assert builtin("EXI 23").description_en == nodes["EXI 23"].summary_en
    entry.refresh_from_db()
    assert entry.requirement_id == exi14.pk


def test_the_migration_brings_existing_rows_to_the_new_wording(organisation):
    exi14, entry = _as_before_the_fix(organisation)
    migration = importlib.import_module("scopes.migrations.0005_catalog_wording")
    (step,) = migration.Migration.operations
    step.code(django_apps, None)
    _assert_current_wording(exi14, entry)


def test_catalog_sync_does_the_same(organisation):
    exi14, entry = _as_before_the_fix(organisation)
    call_command("catalog_sync", stdout=StringIO())
    _assert_current_wording(exi14, entry)


def test_a_migrated_database_holds_the_catalog_as_written():
    """The test database is built by the migrations: every HDS node reads as in hds_v2."""
    rows = {
        row.ref_id: row
        for row in Requirement.objects.filter(
            framework__organisation__isnull=True, framework__code="hds"
        )
    }
    assert set(rows) == {node.ref_id for node in hds_v2.NODES}
    for node in hds_v2.NODES:
        row = rows[node.ref_id]
        assert (row.name_fr, row.name_en) == (node.name_fr, node.name_en), node.ref_id
        assert (row.description_fr, row.description_en) == (
            node.summary_fr,
            node.summary_en,
        ), node.ref_id
