"""The Notification model moved from audits to the core without losing a row: on a database
that applied main's migrations (audits 0002, hdsready 0003), the rows are there afterwards."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("audits", "0002_dossiers"), ("hdsready", "0003_apitoken")]
AFTER = [("audits", "0003_notification_to_core"), ("hdsready", "0004_notification")]


@pytest.mark.django_db(transaction=True)
def test_notifications_keep_their_rows_when_they_move_to_the_core() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        user = old.get_model("hdsready", "User").objects.create(email="kept@example.org")
        organisation = old.get_model("hdsready", "Organisation").objects.create(
            name="Kept", slug="kept"
        )
        old_notification = old.get_model("audits", "Notification")
        created = old_notification.objects.create(
            user=user, organisation=organisation, text="still here", link="/x/"
        )

        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps
        moved = new.get_model("hdsready", "Notification").objects.get()
        assert (moved.pk, moved.text, moved.link, moved.user_id, moved.organisation_id) == (
            created.pk,
            "still here",
            "/x/",
            user.pk,
            organisation.pk,
        )
        assert "audits_notification" not in connection.introspection.table_names()
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
