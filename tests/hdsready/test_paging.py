"""Keyset pages of the audit trail: every row once, in order, whichever way one walks, and the
same number of queries on page 1 as deep in a long trail (no COUNT)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hdsready.models import TrailEvent
from hdsready.paging import keyset_page
from hdsready.trail import trail_record

pytestmark = pytest.mark.django_db


def _walk_older(rows, size):
    seen, cursor = [], None
    while True:
        page = keyset_page(rows, key="seq", before=cursor, after=None, size=size)
        seen += [row.seq for row in page.rows]
        if page.older is None:
            return seen, page
        cursor = str(page.older)


# Examples share the test's organisation: each counts what is already there.
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(count=st.integers(min_value=0, max_value=23), size=st.integers(min_value=1, max_value=7))
def test_walking_older_then_newer_shows_every_row_once(organisation, officer, count, size):
    base = TrailEvent.objects.filter(organisation=organisation, kind="test.page")
    present = base.count()
    for i in range(count):
        trail_record(kind="test.page", actor=officer, organisation=organisation, data={"i": i})
    rows = base.all()
    everyone = list(rows.order_by("-seq").values_list("seq", flat=True))
    seen, last = _walk_older(rows, size)
    assert seen == everyone
    assert len(everyone) == present + count
    # Back from the last page to the first, newer pages only.
    back: list[int] = []
    page = last
    while page.newer is not None:
        page = keyset_page(rows, key="seq", before=None, after=str(page.newer), size=size)
        back = [row.seq for row in page.rows] + back
    assert back + [row.seq for row in last.rows] == everyone


def test_a_deep_page_costs_what_the_first_one_does(organisation, officer):
    for i in range(120):
        trail_record(kind="test.deep", actor=officer, organisation=organisation, data={"i": i})
    rows = TrailEvent.objects.filter(kind="test.deep")
    with CaptureQueriesContext(connection) as first:
        page = keyset_page(rows, key="seq", before=None, after=None, size=10)
    deep_cursor = str(list(rows.order_by("seq").values_list("seq", flat=True))[15])
    with CaptureQueriesContext(connection) as deep:
        keyset_page(rows, key="seq", before=deep_cursor, after=None, size=10)
    assert len(page.rows) == 10
    assert len(first.captured_queries) == 1
    assert len(deep.captured_queries) == 2  # the page, and whether a newer one exists
    assert not any(
        "COUNT(" in q["sql"].upper() for q in first.captured_queries + deep.captured_queries
    )
