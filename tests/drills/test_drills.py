"""The fault drills, short: each breaks a part of its own stack while mail is due, and checks
that everything recovers and nothing is lost or doubled (bench/drills; ``make drills`` runs
the full versions and measures). No timing limits here: the full version measures those.

Each drill starts its own PostgreSQL, Redis, mail server, app servers, workers and beat from a
template database built once for this module; none touches the machine's services.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench.drills.scenarios import DRILLS, SHORT, Report, Template, template_in

pytestmark = pytest.mark.worker


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Template]:
    # The stacks' logs stay in pytest's temporary directory (the last few runs are kept).
    with template_in(tmp_path_factory.mktemp("drills")) as built:
        yield built


def run(name: str, template: Template) -> Report:
    report = DRILLS[name](template, SHORT)
    assert report.passed, "\n".join(report.failures())
    return report


def messages(report: Report, phase: str) -> dict[str, int]:
    return next(p for p in report.phases if p["phase"] == phase)["messages"]["total"]


def test_redis_stopped_under_load(template: Template) -> None:
    report = run("redis-outage", template)
    assert report.requests["errors"] == 0
    sent = messages(report, "redis-outage")
    assert sent["due"] == sent["sent"] > 0
    assert sent["sent_twice"] == sent["doubled"] == 0


def test_postgres_stopped_under_load(template: Template) -> None:
    report = run("postgres-outage", template)
    assert report.requests["friendly_503"] > 0  # it really was away
    assert report.requests["errors"] == report.requests["friendly_503"]
    assert report.requests["unfriendly"] == 0
    assert report.writes["missing"] == 0


def test_worker_killed_mid_digest(template: Template) -> None:
    report = run("worker-kill", template)
    (phase,) = report.phases
    assert [kill["killed"] for kill in phase["kills"]] == [True, True]
    sent = messages(report, "worker-kill")
    assert sent["due"] == sent["sent"] > 0
    assert sent["doubled"] == 0


def test_two_app_servers_and_two_workers(template: Template) -> None:
    report = run("two-servers", template)
    caches = [p for p in report.phases if p["phase"].startswith("cache-check")]
    assert len(caches) == 4
    assert all(p["pages_checked"] > 0 and p["stale"] == 0 for p in caches)
