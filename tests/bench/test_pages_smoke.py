"""The page benchmark's harness runs end to end, so it never rots: ``bench/pages.py --smoke``.

It seeds the demo data into the test database (committed, so the benchmark's own gunicorn
sees it), then runs the whole harness as ``make bench-pages`` does, with a second a page: the
references and all eight pages, anonymous and signed in, through wrk. It checks what does not
depend on the machine — every page answered, no errors, at most 15 queries a page — and never a
timing. Without wrk it skips, saying so (``.ci/run`` installs it; under CI=true a skip fails).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from places.demo import seed_demo

BASE_DIR = Path(__file__).resolve().parents[2]
PAGES = {
    "timeline", "directory", "cycle", "library", "decision_log", "decision_inputs",
    "fund_ideas", "api_decisions",
}  # fmt: skip


def database_url() -> str:
    """The URL of the test database pytest-django made (not the one DATABASE_URL names)."""
    s = connection.settings_dict
    user = quote(s["USER"] or "", safe="")
    password = f":{quote(s['PASSWORD'], safe='')}" if s["PASSWORD"] else ""
    credentials = f"{user}{password}@" if user else ""
    return f"postgres://{credentials}{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"


def test_the_page_benchmark_runs_with_no_errors_and_few_queries(
    transactional_db: None, tmp_path: Path
) -> None:
    if shutil.which("wrk") is None:
        pytest.skip("wrk is not installed (apt-get install -y wrk; .ci/run installs it)")
    seed_demo()
    output = tmp_path / "pages.json"
    env = dict(
        os.environ,
        DATABASE_URL=database_url(),
        RELATIONAL_VAR_DIR=str(tmp_path / "var"),  # collected static files go here
    )
    env.pop("SECRET_KEY", None)
    run = subprocess.run(
        [sys.executable, "bench/pages.py", "--smoke", "--output", str(output)],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert output.is_file(), f"no results (exit {run.returncode}):\n{run.stdout}\n{run.stderr}"
    report = json.loads(output.read_text())
    missed = [t for t in report["targets"] if not t["met"]]
    assert run.returncode == 0 and report["passed"], f"missed: {missed}\n{run.stdout[-3000:]}"

    assert report["mode"] == "smoke"
    assert report["dataset"]["rows"]["places"] >= 1
    for who in ("anonymous", "signed_in"):
        for name in ("text", "table"):
            reference = report["references"][who][name]
            assert reference["runs"][0]["requests"] > 0
            assert reference["runs"][0]["errors"] == 0
    ran = {(p["page"], p["who"]) for p in report["pages"]}
    assert ran == {(page, who) for page in PAGES for who in ("anonymous", "signed_in")}
    for page in report["pages"]:
        where = f"{page['label']} ({page['who']})"
        assert page["requests"] > 0, where
        assert page["errors"] == 0, (where, page["error_detail"])
        # Every answer carried its query count, and none took more than 15.
        assert page["queries_counted"] == page["requests"], where
        assert 1 <= page["queries_max"] <= 15, (where, page["queries_max"])
        assert page["ratio_text"] > 0 and page["ratio_table"] > 0, where
        # Judged against its reference measured right after it.
        after = page["next_reference"]
        assert after["name"] == ("text" if page["who"] == "anonymous" else "table"), where
        assert after["rps"] > 0 and after["errors"] == 0, where
        judged = page[f"ratio_{after['name']}"]
        assert judged == round(page["rps"] / after["rps"], 3), where
    library = next(p for p in report["pages"] if (p["page"], p["who"]) == ("library", "anonymous"))
    assert library["urls"] == 1000  # 1,000 different searches
    signed_in = [p for p in report["pages"] if p["who"] == "signed_in"]
    assert all(p["members"] == report["members_signed_in"] for p in signed_in)
    # The printed table: a header, then the four reference runs and the sixteen pages.
    assert output.with_suffix(".md").read_text().count("\n| ") == 1 + 4 + 16
