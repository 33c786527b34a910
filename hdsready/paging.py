"""Pages of long lists whose cost is bounded by one page, not by the list.

The audit trail reaches millions of rows: keyset pages (`?before=`/`?after=` a sequence number)
read one page and one more row, never a COUNT. Lists of a few thousand rows (evidence, an
audit's findings, a requirement's versions) use Django's paginator with its count, which stays
cheap at that size (numbered_page).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

from hdsready.http import query_pk


@dataclass(frozen=True)
class KeysetPage:
    """One page, newest first; `newer`/`older` are the cursors of the pages beside it."""

    rows: Sequence[Any]
    newer: int | None
    older: int | None

    @property
    def has_other_pages(self) -> bool:
        return self.newer is not None or self.older is not None


def keyset_page(
    rows: QuerySet[Any], *, key: str, before: str | None, after: str | None, size: int
) -> KeysetPage:
    """The page of `rows` (any order given is replaced by `key`, descending) just before the
    cursor `before`, just after `after`, or the newest. Reads size + 1 rows and, going back, one
    EXISTS: the cost does not depend on how many rows there are."""
    older_than, newer_than = query_pk(before), query_pk(after)
    if newer_than is not None:
        window = list(rows.filter(**{f"{key}__gt": newer_than}).order_by(key)[: size + 1])
        more_newer = len(window) > size
        page = list(reversed(window[:size]))
        more_older = bool(page) and rows.filter(**{f"{key}__lt": _key(page[-1], key)}).exists()
    else:
        shown = rows if older_than is None else rows.filter(**{f"{key}__lt": older_than})
        window = list(shown.order_by(f"-{key}")[: size + 1])
        more_older = len(window) > size
        page = window[:size]
        more_newer = (
            older_than is not None
            and bool(page)
            and rows.filter(**{f"{key}__gt": _key(page[0], key)}).exists()
        )
    return KeysetPage(
        rows=page,
        newer=_key(page[0], key) if page and more_newer else None,
        older=_key(page[-1], key) if page and more_older else None,
    )


def _key(row: Any, key: str) -> int:
    return int(getattr(row, key))


@dataclass(frozen=True)
class NumberedPage:
    """A page of a list and what its pager links need: the query parameter that chooses the
    page, and the request's other parameters (filters, another list's page), kept."""

    page: Page[Any]
    param: str
    query: str

    @property
    def rows(self) -> Sequence[Any]:
        return list(self.page.object_list)


def numbered_page(
    rows: QuerySet[Any] | Sequence[Any], *, request: HttpRequest, size: int, param: str = "page"
) -> NumberedPage:
    """The page of `rows` the request asks for in `param` (the first for anything that is not
    a page number, the last past the end)."""
    query = request.GET.copy()
    page = Paginator(rows, size).get_page(query.pop(param, [None])[-1])
    return NumberedPage(page=page, param=param, query=query.urlencode())
