"""Regressions found by the fuzz tests (tests/fuzz): each was a 500, now a clear 4xx."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from governance.models import Status

from .cast import kwargs_for, make_decision


@pytest.mark.parametrize(
    ("progress", "message"),
    [("101", "Progress cannot be above 100%."), ("-1", "Progress cannot be below 0%.")],
)
def test_progress_out_of_range_is_refused_with_a_message_not_a_server_error(
    progress: str, message: str, place: Any, steward: Any, client_for: Any
) -> None:
    decision = make_decision(place, steward, status=Status.DECIDED)
    page = reverse("governance:implementation", kwargs=kwargs_for(decision))

    response = client_for(steward).post(
        page, {"status": "in_progress", "progress": progress, "text": "Going well"}
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    decision.implementation.refresh_from_db()
    assert decision.implementation.progress != int(progress)


@pytest.mark.parametrize("typed", ["1E26", "1e30", "-1E40"])
def test_an_absurdly_large_or_small_amount_gets_a_message_not_a_server_error(typed: str) -> None:
    from governance.funds import FundError, parse_money

    with pytest.raises(FundError):
        parse_money(typed, field="pot", what="the pot")
