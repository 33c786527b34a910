from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from sovereignty.models import LawExposure, RemoteAccess, StorageLocation
from sovereignty.selectors import sovereignty_facts

pytestmark = pytest.mark.django_db


def test_the_demo_register_is_seeded_once_and_conforms_to_exi_28() -> None:
    call_command("catalog_sync", stdout=io.StringIO())
    for command in ("seed_demo", "seed_demo_scope", "seed_demo_sovereignty"):
        call_command(command, force=True, stdout=io.StringIO())
    out = io.StringIO()
    call_command("seed_demo_sovereignty", force=True, stdout=out)
    assert "already there" in out.getvalue()
    assert StorageLocation.objects.count() == 2
    assert RemoteAccess.objects.count() == 1
    assert LawExposure.objects.count() == 1
    location = StorageLocation.objects.select_related("organisation").get(site__startswith="Lille")
    facts = sovereignty_facts(organisation=location.organisation)
    assert facts.all_storage_in_eea
    assert [(a.country, a.flagged) for a in facts.remote_accesses] == [("MA", False)]
