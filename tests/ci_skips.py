"""Under ``CI=true`` a skipped test fails the run.

A test that skips because Chromium, PostgreSQL or Redis is missing proves nothing; on a laptop
that is a convenience, in CI it would hide a broken machine behind a green run. So in CI:

* a test skipped while running (``pytest.skip``, ``skipif``, a fixture that skips) is reported
  as failed, with the reason it gave;
* a whole module skipped at collection (``pytest.importorskip``, ``allow_module_level``) makes
  the run's exit status "tests failed", listed at the end.

Expected failures (``xfail``) are left alone: they are a decision written in the test, not a
missing service. The hooks are imported into ``tests/conftest.py``.
"""

from __future__ import annotations

import os
from collections.abc import Generator

import pytest

_collection_skips: list[str] = []


def ci_is_on() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


def _reason(longrepr: object) -> str:
    # A skip's longrepr is (path, line, "Skipped: why").
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if ci_is_on() and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = (
            f"CI=true: a skipped test counts as a failure ({_reason(report.longrepr)}). "
            "Install or start what it needs; see .ci/run."
        )
    return report


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if ci_is_on() and report.skipped:
        _collection_skips.append(f"{report.nodeid}: {_reason(report.longrepr)}")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if ci_is_on() and _collection_skips:
        terminalreporter.section("skipped at collection (CI=true: counts as a failure)", red=True)
        for line in _collection_skips:
            terminalreporter.line(line)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if ci_is_on() and _collection_skips and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
