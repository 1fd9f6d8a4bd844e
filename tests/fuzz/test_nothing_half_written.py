"""A refused submit of a create form writes nothing: not the row, not its history, activity,
notifications or outbox mail.

For a few representative create forms, hypothesis posts malformed bodies (as in
``test_forms_fuzz``) and, whenever the answer is a 4xx, the number of rows in every table of the
project's apps must be what it was before the request.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db.models import Model
from hypothesis import given

from tests.harness.permissions import csrf_client
from tests.harness.urls import named_urls

from .cast import prepare
from .strategies import FUZZ_DEEP, field_names_in, form_data

pytestmark = pytest.mark.django_db

#: The create forms checked: a place, a gathering, a learning entry, input on a decision and an
#: idea for the community fund.
CREATE_FORMS = [
    "places:create",
    "places:gathering_new",
    "learning:entry_new",
    "governance:input_new",
    "funds:idea_create",
]
_APPS = ("relational", "places", "learning", "governance", "account", "mfa")
ENTRIES = {e.name: e for e in named_urls() if e.name in CREATE_FORMS}


def _models() -> list[type[Model]]:
    return [
        m
        for m in apps.get_models()
        if m._meta.app_label in _APPS and m._meta.managed and not m._meta.proxy
    ]


def row_counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in _models()}


def test_every_create_form_checked_still_exists() -> None:
    assert set(ENTRIES) == set(CREATE_FORMS)


@pytest.mark.parametrize("name", CREATE_FORMS)
def test_a_refused_submit_leaves_every_table_as_it_was(
    name: str, request: pytest.FixtureRequest
) -> None:
    prepared = prepare(ENTRIES[name], request)
    assert prepared is not None, f"{name}: the permission table cannot build its URL"
    url, _rule, cast = prepared
    client, token = csrf_client(cast.actor)
    page = client.get(url)
    assert page.status_code == 200, f"{name}: the form itself answered {page.status_code}"
    names = field_names_in(page.content.decode())
    assert names, f"{name}: no fields found on the form"
    refused = 0

    @FUZZ_DEEP
    @given(data=form_data(names))
    def post_malformed(data: dict[str, list[str]]) -> None:
        nonlocal refused
        before = row_counts()
        response = client.post(url, {**data, "csrfmiddlewaretoken": token})
        assert response.status_code < 500, f"{name}: {response.status_code} for {data!r}"
        if 400 <= response.status_code < 500:
            refused += 1
            after = row_counts()
            changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
            assert not changed, f"{name} refused {data!r} but wrote rows: {changed}"

    post_malformed()
    assert refused, f"{name}: no malformed submit was refused, so nothing was checked"
