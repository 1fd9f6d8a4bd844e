"""Prove a page's query count does not grow with the number of rows it shows."""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

_NUMBERS = re.compile(r"\b\d+\b")
_MAX_DIFF_LINES = 60


def _render(client: Client, url: str, data: dict[str, Any] | None) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, data or {})
    assert response.status_code == 200, f"GET {url} answered {response.status_code}"
    return len(captured), [q["sql"] for q in captured.captured_queries]


def assert_constant_queries(
    client: Client,
    url: str,
    make_rows: Callable[[int], None],
    small: int = 5,
    large: int = 50,
    data: dict[str, Any] | None = None,
) -> int:
    """Render ``url`` with ``small`` rows and again with ``large`` rows; the counts must match.

    ``make_rows(n)`` adds ``n`` more rows (it is called with ``small``, then with
    ``large - small``). The page is rendered once first, unmeasured, so one-off work (session
    load, caches warming) does not count. On failure the message gives both counts and a diff of
    the SQL, numbers blanked so the same query for a different row reads as the same line.
    Returns the query count.
    """
    make_rows(small)
    client.get(url, data or {})  # warm up
    count_small, sql_small = _render(client, url, data)
    make_rows(large - small)
    count_large, sql_large = _render(client, url, data)
    if count_small != count_large:
        small_shapes = [_NUMBERS.sub("N", q) for q in sql_small]
        large_shapes = [_NUMBERS.sub("N", q) for q in sql_large]
        before, after = Counter(small_shapes), Counter(large_shapes)
        grew = [
            f"  {before[q]} → {after[q]} × {q}" for q, n in after.most_common() if n != before[q]
        ]
        diff = difflib.unified_diff(
            small_shapes,
            large_shapes,
            f"{small} rows: {count_small} queries",
            f"{large} rows: {count_large} queries",
            lineterm="",
            n=1,
        )
        raise AssertionError(
            f"GET {url} ran {count_small} queries with {small} rows but {count_large} with "
            f"{large}: something is loaded once per row.\nQueries whose count changed:\n"
            + "\n".join(grew)
            + "\nSQL diff (numbers shown as N):\n"
            + "\n".join(list(diff)[:_MAX_DIFF_LINES])
        )
    return count_small
