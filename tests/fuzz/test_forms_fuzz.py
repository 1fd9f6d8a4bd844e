"""Malformed POSTs to every form of the project, as someone allowed to use it: never a 500.

The URLs and who may write to each come from the URL permission table
(:mod:`tests.harness.permissions_table`), so a new form is fuzzed as soon as it has a rule.
The field names are read from the form's own page (a GET as the same person), and hypothesis
fills some of them with empty, huge, unicode, NUL-byte, numeric, date-like and forged-id values.
The Django admin is left out (staff only, and Django's own forms).
"""

from __future__ import annotations

import pytest
from hypothesis import given

from tests.harness.permissions import csrf_client
from tests.harness.permissions_table import CSRF_EXEMPT_URL_NAMES
from tests.harness.urls import UrlEntry

from .cast import FORMS, prepare
from .strategies import FUZZ, field_names_in, form_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("entry", FORMS, ids=[e.name for e in FORMS])
def test_malformed_posts_never_cause_a_server_error(
    entry: UrlEntry, request: pytest.FixtureRequest
) -> None:
    prepared = prepare(entry, request)
    if prepared is None:
        return
    url, rule, cast = prepared
    client, token = csrf_client(cast.actor)
    page = client.get(url, rule.query(cast) if rule.query else {})
    names = (
        field_names_in(page.content.decode("utf-8", "replace")) if page.status_code == 200 else []
    )
    names += list(rule.post_data(cast)) if rule.post_data else []

    @FUZZ
    @given(data=form_data(sorted(set(names))))
    def post_malformed(data: dict[str, list[str]]) -> None:
        body = {**data, "csrfmiddlewaretoken": token}
        if entry.name in CSRF_EXEMPT_URL_NAMES:
            body.pop("csrfmiddlewaretoken")
        response = client.post(url, body)
        assert response.status_code < 500, (
            f"{entry.name} as {cast.role.name if cast.role else '?'}: {response.status_code} "
            f"for {data!r} ({getattr(response, 'exc_info', None)!r})"
        )

    post_malformed()
