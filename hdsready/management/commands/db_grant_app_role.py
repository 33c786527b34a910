"""Give the application's PostgreSQL role what it needs, and nothing that rewrites the trail."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from psycopg import sql

TRAIL_TABLE = "hdsready_trailevent"


class Command(BaseCommand):
    help = (
        "Run as the owner of the tables (after migrate): grant ROLE read and write on every table "
        "of the app except UPDATE, DELETE and TRUNCATE on the audit trail, which stays "
        "append-only even for a compromised application. Then run the app as ROLE."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--role", required=True, help="the role the application logs in as")

    def handle(self, *args: Any, role: str, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("Roles and privileges are PostgreSQL's: nothing to do on SQLite.")
        name = sql.Identifier(role)
        statements = [
            sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(name),
            sql.SQL(
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}"
            ).format(name),
            sql.SQL("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {}").format(
                name
            ),
            sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE ON {} FROM {}").format(
                sql.Identifier(TRAIL_TABLE), name
            ),
            sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE ON {} FROM PUBLIC").format(
                sql.Identifier(TRAIL_TABLE)
            ),
        ]
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone() is None:
                raise CommandError(f"No role {role!r}: create it first (CREATE ROLE ... LOGIN).")
            for statement in statements:
                cursor.execute(statement.as_string(connection.connection))
        self.stdout.write(
            self.style.SUCCESS(
                f"{role} may read and write the app's tables; on {TRAIL_TABLE} only SELECT and "
                "INSERT."
            )
        )
