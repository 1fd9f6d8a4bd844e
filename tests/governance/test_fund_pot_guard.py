"""The database's guard on money: a round's awards, and a fund's, can never exceed the pot.

Enforced by a trigger on the awards table (``governance.fund_models.AWARD_WITHIN_POT``) that
locks the round's and the fund's rows before adding up, so two awards made at the same moment
are serialised and the second sees the first. These tests go around every form and service.
"""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from django.db import IntegrityError, connections, transaction
from django.utils import timezone

from governance import services
from governance.fund_models import Award, Fund, Round, RoundState
from tests.governance.fund_cast import make_fund, make_idea, make_round


def _decision(place):
    return services.decision_record_allocation(
        place=place,
        title="A round's result",
        question="How is the money shared?",
        outcome="Shared.",
        reasoning="By the rule.",
        method_result="Test",
        deciders=[],
    )


def _award(round_, idea, amount, decision) -> Award:
    return Award.objects.create(
        round=round_,
        idea=idea,
        amount=Decimal(amount),
        recipient_name="A group",
        awarded_on=timezone.localdate(),
        rank=1,
        points=1,
        decision=decision,
    )


@pytest.fixture
def setting(place, steward, member, resident):
    fund = make_fund(place, steward, pot=Decimal("1000.00"))
    round_ = make_round(fund, RoundState.IDEAS, pot=Decimal("1000.00"))
    ideas = [
        make_idea(round_, person, title=f"Idea {n}", amount="600")
        for n, person in enumerate([steward, member, resident])
    ]
    return fund, round_, ideas, _decision(place)


def test_an_award_beyond_the_rounds_pot_is_refused_by_the_database(setting) -> None:
    fund, round_, ideas, decision = setting
    _award(round_, ideas[0], "600.00", decision)
    with pytest.raises(IntegrityError, match="would exceed its pot"), transaction.atomic():
        _award(round_, ideas[1], "400.01", decision)
    _award(round_, ideas[1], "400.00", decision)  # exactly the pot is allowed
    assert sum(a.amount for a in Award.objects.filter(round=round_)) == Decimal("1000.00")


def test_raising_an_award_beyond_the_pot_with_an_update_is_refused(setting) -> None:
    fund, round_, ideas, decision = setting
    award = _award(round_, ideas[0], "600.00", decision)
    with pytest.raises(IntegrityError), transaction.atomic():
        Award.objects.filter(pk=award.pk).update(amount=Decimal("1000.01"))
    award.refresh_from_db()
    assert award.amount == Decimal("600.00")


def test_lowering_a_pot_below_its_awards_is_refused(setting) -> None:
    fund, round_, ideas, decision = setting
    _award(round_, ideas[0], "600.00", decision)
    with pytest.raises(IntegrityError), transaction.atomic():
        Round.objects.filter(pk=round_.pk).update(pot=Decimal("599.99"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Fund.objects.filter(pk=fund.pk).update(pot=Decimal("500.00"))
    Round.objects.filter(pk=round_.pk).update(pot=Decimal("600.00"))  # down to the awards is fine
    round_.refresh_from_db()
    assert round_.pot == Decimal("600.00")


def test_two_rounds_within_their_own_pots_cannot_together_exceed_the_funds(setting) -> None:
    fund, round_, ideas, decision = setting
    second = make_round(fund, RoundState.IDEAS, pot=Decimal("1000.00"))
    other = make_idea(second, ideas[0].proposer, title="Later idea", amount="600")
    _award(round_, ideas[0], "600.00", decision)
    with pytest.raises(IntegrityError, match="awards of fund"), transaction.atomic():
        _award(second, other, "600.00", decision)
    assert Award.objects.filter(round__fund=fund).count() == 1


def test_negative_and_absurd_amounts_are_refused_by_the_database(setting) -> None:
    fund, round_, ideas, decision = setting
    for amount in ("-1.00", "0.00", "20000000.00"):
        with pytest.raises(IntegrityError), transaction.atomic():
            _award(round_, ideas[0], amount, decision)


@pytest.mark.django_db(transaction=True)
def test_two_awards_made_at_the_same_moment_cannot_break_the_pot(
    place, steward, member, resident
) -> None:
    """Two connections each add an award that fits alone but not together, at the same moment:
    one is refused, and the pot holds."""
    fund = make_fund(place, steward, pot=Decimal("1000.00"))
    round_, ideas = _round_and_ideas(fund, steward, member, resident)
    decision = _decision(place)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def add(idea) -> None:
        try:
            start.wait()
            with transaction.atomic():
                _award(round_, idea, "600.00", decision)
                time.sleep(0.3)  # hold the transaction open while the other one arrives
            outcomes.append("saved")
        except IntegrityError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=add, args=(idea,)) for idea in ideas[:2]]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["refused", "saved"]
    total = sum(a.amount for a in Award.objects.filter(round=round_))
    assert total == Decimal("600.00") <= round_.pot


def _round_and_ideas(fund, steward, member, resident):
    round_ = make_round(fund, RoundState.IDEAS, pot=Decimal("1000.00"))
    ideas = [
        make_idea(round_, person, title=f"Idea {n}", amount="600")
        for n, person in enumerate([steward, member, resident])
    ]
    return round_, ideas
