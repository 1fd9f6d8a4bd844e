"""A round's result is computed exactly once, even when the closing runs twice at the same moment:
two threads with their own database connections, and two real Celery workers on a Redis of
the test's own."""

from __future__ import annotations

import re
import threading
import time
from decimal import Decimal

import pytest
from django.db import connections
from django.utils import timezone

from governance import funds
from governance.fund_models import Award, Round, RoundResult, RoundState
from governance.fund_tasks import close_fund_round
from governance.models import Decision, Method
from places.models import Activity
from tests.governance.fund_cast import (
    fix_electorate,
    give_points,
    make_fund,
    make_idea,
    make_round,
)
from tests.workers import wait_for

DONE = re.compile(r"close_fund_round\[[^\]]+\] succeeded in [0-9.]+s: (True|False)")


def _due_round(place, steward, member, resident, allocator):
    """A round whose points closed an hour ago, with three ideas and points on two."""
    fund = make_fund(place, steward, pot=Decimal("2000.00"))
    round_ = make_round(fund, RoundState.COUNTING, pot=Decimal("2000.00"))
    a = make_idea(round_, member, title="Lunch club", amount="1200")
    b = make_idea(round_, resident, title="Bus buddies", amount="700")
    make_idea(round_, steward, title="Seed swap", amount="100")
    fix_electorate(round_, [allocator])
    give_points(round_, allocator, {a: 60, b: 40})
    return round_


def _assert_closed_once(round_: Round) -> None:
    assert RoundResult.objects.filter(round=round_).count() == 1
    assert Decision.objects.filter(method=Method.ALLOCATION, place=round_.fund.place).count() == 1
    assert sorted(Award.objects.filter(round=round_).values_list("idea__title", flat=True)) == [
        "Bus buddies",
        "Lunch club",
    ]
    assert Activity.objects.filter(kind="fund", verb="awarded").count() == 1
    round_.refresh_from_db()
    assert round_.closed_at is not None


def _run_twice_at_once(target) -> list[object]:
    start = threading.Barrier(2)
    results: list[object] = []
    failures: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            results.append(target())
        except BaseException as error:  # noqa: BLE001 - reported by the test
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not failures, failures
    return results


@pytest.mark.django_db(transaction=True)
def test_two_closes_at_the_same_moment_compute_the_result_once(
    place, steward, member, resident, allocator, monkeypatch
) -> None:
    round_ = _due_round(place, steward, member, resident, allocator)
    ranking = funds.rank_ideas

    def slow_ranking(*args, **kwargs):
        time.sleep(0.5)  # the first holds the round's lock while the second arrives
        return ranking(*args, **kwargs)

    monkeypatch.setattr(funds, "rank_ideas", slow_ranking)
    results = _run_twice_at_once(lambda: funds.round_close(round_id=round_.pk))
    assert sum(1 for r in results if r is not None) == 1
    _assert_closed_once(round_)


@pytest.mark.django_db(transaction=True)
def test_even_without_the_row_lock_the_database_refuses_a_second_result(
    place, steward, member, resident, allocator, monkeypatch
) -> None:
    """Defence in depth: if the lock were skipped, both runs would compute, but the second
    cannot write its awards or its result, and everything it wrote is rolled back."""
    round_ = _due_round(place, steward, member, resident, allocator)
    monkeypatch.setattr("django.db.models.QuerySet.select_for_update", lambda self, **kw: self)
    ranking = funds.rank_ideas

    def slow_ranking(*args, **kwargs):
        time.sleep(0.3)
        return ranking(*args, **kwargs)

    monkeypatch.setattr(funds, "rank_ideas", slow_ranking)
    results = _run_twice_at_once(lambda: funds.round_close(round_id=round_.pk))
    assert sum(1 for r in results if r is not None) == 1
    _assert_closed_once(round_)


def test_closing_again_later_changes_nothing(place, steward, member, resident, allocator) -> None:
    round_ = _due_round(place, steward, member, resident, allocator)
    first = funds.round_close(round_id=round_.pk)
    assert first is not None
    assert funds.round_close(round_id=round_.pk) is None
    _assert_closed_once(round_)


def test_a_round_is_not_closed_before_its_points_close(place, steward, allocator) -> None:
    fund = make_fund(place, steward)
    round_ = make_round(fund, RoundState.ALLOCATING)
    assert funds.round_close(round_id=round_.pk) is None
    assert not RoundResult.objects.exists()
    round_.refresh_from_db()
    assert round_.closed_at is None


@pytest.mark.worker
def test_two_workers_running_the_closing_task_at_once_publish_one_result(
    celery_worker, place, steward, member, resident, allocator
) -> None:
    round_ = _due_round(place, steward, member, resident, allocator)
    first, second = celery_worker(), celery_worker()
    # Both tasks are queued at the same moment; each idle worker takes one.
    close_fund_round.apply_async(args=(round_.pk,))
    close_fund_round.apply_async(args=(round_.pk,))

    def outcomes() -> list[str]:
        logs = first.output() + second.output()
        return DONE.findall(logs)

    def both_done() -> bool:
        """both workers report the closing task finished"""
        return len(outcomes()) >= 2

    wait_for(both_done, timeout=60)
    # One computed the result, the other found it done; each worker ran one of them.
    assert sorted(outcomes()) == ["False", "True"]
    assert len(DONE.findall(first.output())) == 1 and len(DONE.findall(second.output())) == 1
    _assert_closed_once(round_)


def test_beat_fixes_electorates_and_queues_closes(
    place, steward, member, resident, allocator, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    from governance import fund_tasks

    fund = make_fund(place, steward)
    opening = make_round(fund, RoundState.ALLOCATING)
    due = _due_round(place, steward, member, resident, allocator)
    queued: list[int] = []
    monkeypatch.setattr(
        fund_tasks.close_fund_round, "apply_async", lambda args, **kw: queued.append(args[0])
    )
    with django_capture_on_commit_callbacks(execute=True):
        outcome = fund_tasks.advance_fund_rounds()
    assert outcome == {"electorates_fixed": 1, "closes_queued": 1}
    assert queued == [due.pk]
    opening.refresh_from_db()
    assert opening.electorate_fixed_at is not None
    assert opening.allocators.count() == place.memberships.count()
    # A second run fixes nothing again, and queues the still-open close again (harmless).
    with django_capture_on_commit_callbacks(execute=True):
        assert fund_tasks.advance_fund_rounds()["electorates_fixed"] == 0
    assert timezone.now() > due.allocation_closes_at
