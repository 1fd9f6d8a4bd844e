"""Pages counted and read in one query (relational/paging.py)."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator
from pytest_django.fixtures import DjangoAssertNumQueries

from places.models import Place
from relational.paging import one_query_page
from tests.factories import UserFactory


@pytest.fixture
def people(db: None) -> None:
    UserFactory.create_batch(7)


@pytest.mark.parametrize("asked", [1, "2", 3, "3"])
def test_a_page_that_exists_takes_one_query_and_matches_django_s_paginator(
    people: None, asked: object, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    from relational.models import User

    rows = User.objects.order_by("id")
    with django_assert_num_queries(1):
        page = one_query_page(rows, asked, 3)
        got = [u.pk for u in page.object_list]
    expected = Paginator(rows, 3).get_page(asked)
    assert got == [u.pk for u in expected.object_list]
    assert (page.number, page.paginator.count, page.paginator.num_pages) == (
        expected.number,
        7,
        3,
    )


@pytest.mark.parametrize("asked", [9, "0", "-2", "abc", None, ""])
def test_a_page_past_the_end_or_not_a_number_gets_what_django_s_paginator_gives(
    people: None, asked: object
) -> None:
    from relational.models import User

    rows = User.objects.order_by("id")
    page = one_query_page(rows, asked, 3)
    expected = Paginator(rows, 3).get_page(asked)
    assert page.number == expected.number
    assert [u.pk for u in page.object_list] == [u.pk for u in expected.object_list]


def test_an_empty_list_is_one_empty_page(db: None) -> None:
    page = one_query_page(Place.objects.none().order_by("id"), 1, 25)
    assert (page.number, page.paginator.count, list(page.object_list)) == (1, 0, [])
