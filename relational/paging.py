"""Pages of a list counted and read in one query.

Django's paginator asks the database twice for a page: ``COUNT(*)`` over the whole list, then
the page's rows. A window count (``COUNT(*) OVER ()``) returns the total with every row, so the
first query is not needed whenever the page asked for exists.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window


def count_and_rows(
    rows: QuerySet[Any], page_number: Any, per_page: int
) -> tuple[int, list[Any] | None]:
    """How many rows there are and the requested page's rows, in one query; the rows are None
    when that page does not exist (the count then comes from a query of its own)."""
    number = asked_number(page_number)
    start = (number - 1) * per_page
    items: list[Any] = list(rows.annotate(total_rows=Window(Count("*")))[start : start + per_page])
    if items:
        return items[0].total_rows, items
    if number == 1:
        return 0, items
    return rows.count(), None


def one_query_page(rows: QuerySet[Any], page_number: Any, per_page: int) -> Page:
    """``Paginator(rows, per_page).get_page(page_number)``, in one query where the page exists
    (a page number past the end or not a number gets the last or the first page, as there)."""
    return known_page(rows, page_number, per_page, *count_and_rows(rows, page_number, per_page))


def known_page(
    rows: QuerySet[Any], page_number: Any, per_page: int, count: int, items: list[Any] | None
) -> Page:
    """The page asked for, when how many rows there are is known already (counted with them, or
    kept in a cache) and perhaps the page's rows too; they are read only when missing or when
    the paginator settles on another page (past the end, or not a number)."""
    paginator = Paginator(rows, per_page)
    paginator.count = count  # type: ignore[misc]
    page = paginator.get_page(page_number)
    if items is None or page.number != asked_number(page_number):
        items = list(page.object_list)
    page.object_list = items
    return page


def asked_number(page_number: Any) -> int:
    """The page number asked for, as ``count_and_rows`` reads it (1 unless a number over 0)."""
    try:
        return max(int(page_number), 1)
    except (TypeError, ValueError):
        return 1
