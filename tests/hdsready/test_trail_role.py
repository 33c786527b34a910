"""The application's own PostgreSQL role cannot rewrite the trail, whatever the code asks."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from hdsready.models import Organisation, User
from hdsready.trail import trail_record

pytestmark = pytest.mark.django_db(transaction=True)

ROLE = "hdsready_test_app"


@pytest.fixture
def app_role() -> Iterator[psycopg.Connection]:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP ROLE IF EXISTS {ROLE}")
        cursor.execute(f"CREATE ROLE {ROLE} LOGIN")
    call_command("db_grant_app_role", role=ROLE)
    database = connection.settings_dict
    as_app = psycopg.connect(
        host=database["HOST"] or "127.0.0.1",
        port=database["PORT"] or 5432,
        dbname=database["NAME"],
        user=ROLE,
        autocommit=True,
    )
    yield as_app
    as_app.close()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {ROLE}")
        cursor.execute(f"DROP ROLE {ROLE}")


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE hdsready_trailevent SET kind = 'forged'",
        "DELETE FROM hdsready_trailevent",
        "TRUNCATE hdsready_trailevent CASCADE",
    ],
)
def test_the_app_role_cannot_rewrite_the_trail(
    app_role: psycopg.Connection, officer: User, organisation: Organisation, statement: str
) -> None:
    trail_record(kind="test.x", actor=officer, organisation=organisation)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        app_role.execute(statement)
    row = app_role.execute("SELECT count(*) FROM hdsready_trailevent").fetchone()
    assert row is not None
    assert row[0] >= 1


def test_the_app_role_works_on_everything_else(
    app_role: psycopg.Connection, organisation: Organisation
) -> None:
    app_role.execute(
        "UPDATE hdsready_organisation SET name = %s WHERE id = %s", ["Renamed", organisation.pk]
    )
    organisation.refresh_from_db()
    assert organisation.name == "Renamed"
