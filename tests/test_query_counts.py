"""The query-count helper catches an N+1 page and passes a prefetched one."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory
from tests.harness.queries import assert_constant_queries

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.harness.fixture_urls")]


def make_people(n: int) -> None:
    UserFactory.create_batch(n)


def test_it_fails_a_page_that_queries_once_per_row(anonymous) -> None:
    with pytest.raises(AssertionError) as failure:
        assert_constant_queries(anonymous, "/people/n-plus-one/", make_people)
    message = str(failure.value)
    # Both counts, and the repeated query in the SQL diff.
    assert "with 5 rows but" in message
    assert "account_emailaddress" in message
    assert "5 → 50 × SELECT COUNT(*)" in message
    assert "+SELECT COUNT(*)" in message


def test_it_passes_a_page_that_prefetches(anonymous) -> None:
    count = assert_constant_queries(anonymous, "/people/prefetched/", make_people)
    assert count == 2  # the people, then all their addresses at once
