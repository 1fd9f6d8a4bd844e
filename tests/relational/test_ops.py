"""Operations: the Compose file and image, /healthz, the 503 page, .ci/run and the CI skip rule.

These machines have no Docker engine, so the Compose file is checked against the Compose
Specification's JSON schema plus the promises the schema cannot express, and the Dockerfile is
read for what matters. Everything else here runs for real: a broker on a closed port, a broker
that accepts connections and never answers, and a Django process whose PostgreSQL is not there.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.test import Client, override_settings
from django.urls import path

from relational import views
from relational.embedded import free_port

BASE_DIR = Path(__file__).resolve().parents[2]
APP_SERVICES = ("web", "worker", "beat")
SERVICES = ("postgres", "redis", *APP_SERVICES)


# --- docker-compose.yml -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())


def command_words(service: dict[str, Any]) -> list[str]:
    command = service.get("command", [])
    return shlex.split(command) if isinstance(command, str) else list(command)


def test_compose_file_is_valid_against_the_compose_specification(compose: dict[str, Any]) -> None:
    schema = json.loads((BASE_DIR / "tests/standards/compose-spec.json").read_text())
    # The schema's "$schema" URL is not one jsonschema knows by itself; it is draft-07.
    validator = jsonschema.Draft7Validator(schema)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(compose)]
    assert errors == []


def test_the_schema_check_would_catch_a_broken_compose_file(compose: dict[str, Any]) -> None:
    schema = json.loads((BASE_DIR / "tests/standards/compose-spec.json").read_text())
    broken = json.loads(json.dumps(compose))
    broken["services"]["web"]["healthcheck"]["interval"] = 10  # must be a duration string
    broken["services"]["web"]["depends_on"]["postgres"]["condition"] = "service_ready"
    assert len(list(jsonschema.Draft7Validator(schema).iter_errors(broken))) == 2


def test_compose_runs_the_five_services_each_with_a_health_check(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(SERVICES) <= set(services)
    for name in SERVICES:
        healthcheck = services[name].get("healthcheck", {})
        assert healthcheck.get("test"), f"{name} has no health check"
        assert not healthcheck.get("disable"), f"{name} disables its health check"
    assert services["postgres"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert services["redis"]["healthcheck"]["test"][-2:] == ["redis-cli", "ping"]
    assert "http://127.0.0.1:8000/healthz" in " ".join(services["web"]["healthcheck"]["test"])


def test_the_database_keeps_its_data_in_a_named_volume(compose: dict[str, Any]) -> None:
    volumes = compose["services"]["postgres"]["volumes"]
    named = [v.split(":")[0] for v in volumes if isinstance(v, str)]
    assert "pgdata:/var/lib/postgresql/data" in volumes
    assert set(named) <= set(compose["volumes"])


def test_web_worker_and_beat_share_one_image_and_wait_for_healthy_services(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    images = {(services[name]["image"], services[name]["build"]) for name in APP_SERVICES}
    assert len(images) == 1
    for name in APP_SERVICES:
        depends_on = services[name]["depends_on"]
        assert depends_on["postgres"]["condition"] == "service_healthy"
        assert depends_on["redis"]["condition"] == "service_healthy"
        # Migrations have run before any app process starts.
        assert depends_on["migrate"]["condition"] == "service_completed_successfully"
    migrate = services["migrate"]
    assert command_words(migrate) == ["python", "manage.py", "migrate", "--no-input"]
    assert migrate["image"] == services["web"]["image"]
    assert migrate["restart"] == "no"  # a one-off: restarting it after success would loop


def test_web_is_gunicorn_with_two_sync_workers_and_no_control_socket(
    compose: dict[str, Any],
) -> None:
    words = command_words(compose["services"]["web"])
    assert words[:2] == ["gunicorn", "relational.wsgi"]
    assert "--workers=2" in words
    assert "--worker-class=sync" in words
    assert "--bind=0.0.0.0:8000" in words
    assert "--no-control-socket" in words
    # ...and the gunicorn pinned in constraints.txt knows that flag.
    helptext = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "--no-control-socket" in helptext
    assert command_words(compose["services"]["worker"])[:4] == [
        "celery",
        "-A",
        "relational",
        "worker",
    ]
    assert command_words(compose["services"]["beat"])[:4] == ["celery", "-A", "relational", "beat"]


def test_compose_runs_in_production_mode_and_demands_a_secret_key(compose: dict[str, Any]) -> None:
    for name in ("migrate", *APP_SERVICES):
        env = compose["services"][name]["environment"]
        assert env["DEBUG"] == "false"
        assert env["HTTPS_OFF"] == "true"  # plain HTTP on localhost; see the comment beside it
        assert re.fullmatch(r"\$\{SECRET_KEY:\?.+\}", env["SECRET_KEY"]), (
            "SECRET_KEY must be required"
        )
        assert (
            env["DATABASE_URL"].startswith("postgres://")
            and "@postgres:5432/" in env["DATABASE_URL"]
        )
        assert env["REDIS_URL"].startswith("redis://redis:6379/")
        assert "127.0.0.1" in env["ALLOWED_HOSTS"]  # the web health check asks for 127.0.0.1
    text = (BASE_DIR / "docker-compose.yml").read_text()
    assert re.search(r"#.*plain HTTP on localhost", text), "HTTPS_OFF needs its reason beside it"
    # The app is published on the loopback interface only.
    assert compose["services"]["web"]["ports"] == ["127.0.0.1:8000:8000"]


# --- Dockerfile ---------------------------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined and comments dropped."""
    lines = [
        line
        for line in (BASE_DIR / "Dockerfile").read_text().splitlines()
        if not line.lstrip().startswith("#")
    ]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    instructions = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, rest = line.strip().partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
    return instructions


def test_the_image_is_python_312_installed_with_constraints_and_runs_as_a_plain_user() -> None:
    instructions = dockerfile_instructions()
    froms = [args for keyword, args in instructions if keyword == "FROM"]
    assert froms == ["python:3.12-slim"]
    runs = [args for keyword, args in instructions if keyword == "RUN"]
    assert any("pip install -c constraints.txt ." in run for run in runs)
    assert any("manage.py collectstatic --no-input" in run for run in runs)
    users = [args for keyword, args in instructions if keyword == "USER"]
    assert users and users[-1] not in {"root", "0"}
    assert (BASE_DIR / "constraints.txt").read_text().count("==") > 10


def test_the_build_context_leaves_out_secrets_and_local_state() -> None:
    ignored = set((BASE_DIR / ".dockerignore").read_text().split())
    assert {".env", ".git", ".venv", "var"} <= ignored
    # ...but keeps what `pip install .` and the image need.
    assert not {"pyproject.toml", "constraints.txt", "templates", "static", "README.md"} & ignored


def test_collectstatic_works_as_in_the_image_build_without_database_or_redis(
    tmp_path: Path,
) -> None:
    # The same placeholders as the Dockerfile: nothing listens on port 1.
    env = {
        "PATH": os.environ["PATH"],
        "DEBUG": "false",
        "SECRET_KEY": "build-time-placeholder-never-used-to-sign-anything",
        "DATABASE_URL": "postgres://build@127.0.0.1:1/build",
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "RELATIONAL_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "staticfiles" / "staticfiles.json").read_text())
    assert "css/relational.css" in manifest["paths"]


#: A liveness bound, far above what any of these take on a loaded machine (about 1 s): the
#: checks below prove a dead service cannot hang the health check, not how fast it answers.
NO_HANG_SECONDS = 10.0


# --- /healthz -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_says_ok_when_database_and_broker_answer(anonymous: Client) -> None:
    response = anonymous.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_reports_a_broker_on_a_closed_port_quickly_and_stays_200(
    anonymous: Client,
) -> None:
    with override_settings(CELERY_BROKER_URL=f"redis://127.0.0.1:{free_port()}/0"):
        started = time.monotonic()
        response = anonymous.get("/healthz")
        elapsed = time.monotonic() - started
    assert response.status_code == 200  # the site still serves pages; email waits in the outbox
    assert response.json() == {"status": "degraded", "database": "ok", "broker": "down"}
    # Liveness, not speed (speed belongs in bench/): a refused connection must not be retried
    # in a loop, which would take kombu's default of many seconds.
    assert elapsed < NO_HANG_SECONDS


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts TCP connections (into the backlog) and never says a word."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


def test_the_broker_check_gives_up_on_a_hung_broker_within_two_seconds(silent_port: int) -> None:
    with override_settings(CELERY_BROKER_URL=f"redis://127.0.0.1:{silent_port}/0"):
        started = time.monotonic()
        answered = views._broker_ok()
        elapsed = time.monotonic() - started
    assert answered is False
    assert elapsed < NO_HANG_SECONDS  # one bounded socket timeout, not a hang


@pytest.mark.django_db
def test_healthz_is_not_redirected_to_https(anonymous: Client) -> None:
    # In production the HTTPS redirect is on, but a container health check asks over plain HTTP.
    with override_settings(SECURE_SSL_REDIRECT=True):
        assert anonymous.get("/").status_code == 301
        assert anonymous.get("/healthz").status_code == 200


# --- A friendly 503 while PostgreSQL is away ----------------------------------------------------


def database_refused(request: HttpRequest) -> HttpResponse:
    raise OperationalError('connection to server at "127.0.0.1", port 1 failed: refused')


def database_closed(request: HttpRequest) -> HttpResponse:
    raise InterfaceError("connection already closed")


def something_else_broke(request: HttpRequest) -> HttpResponse:
    raise ValueError("not a database problem")


def page_reading_the_user(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


urlpatterns = [
    path("refused", database_refused),
    path("closed", database_closed),
    path("other", something_else_broke),
    path("page", page_reading_the_user),
]


@pytest.mark.django_db
@pytest.mark.urls(__name__)
@pytest.mark.parametrize("url", ["/refused", "/closed"])
def test_a_database_connection_error_gives_a_friendly_503(
    url: str, anonymous: Client, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(0):  # the page itself reads nothing from the database
        response = anonymous.get(url)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert "Sorry, Relational is not available right now" in body
    assert "Please try again in a few seconds" in body
    assert "go back and send it again" in body  # 503.html itself, not the fallback
    assert "Traceback" not in body and "127.0.0.1" not in body


@pytest.mark.urls(__name__)
def test_other_errors_are_not_dressed_up_as_a_database_outage(anonymous: Client) -> None:
    with pytest.raises(ValueError, match="not a database problem"):
        anonymous.get("/other")


@pytest.mark.urls(__name__)
def test_the_503_page_survives_a_missing_template(anonymous: Client, settings: Any) -> None:
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [], "APP_DIRS": False}]
    response = anonymous.get("/refused")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    body = response.content.decode()
    assert "Please try again in a few seconds" in body
    assert "go back and send it again" not in body  # the built-in fallback page


# The honest version: a separate Django process whose DATABASE_URL points at a closed port.
DOWN_SCRIPT = textwrap.dedent(
    """
    import json, time
    import django
    django.setup()
    from django.test.utils import setup_test_environment
    setup_test_environment()
    from django.test import Client

    results = {}
    client = Client(raise_request_exception=False)  # a 500 is an answer here, not a crash
    started = time.monotonic()
    response = client.get("/healthz")
    results["healthz"] = [response.status_code, response.json(), time.monotonic() - started]
    # A returning visitor: their session lives in the database, so the page needs it.
    client.cookies["sessionid"] = "k" * 32
    for url in ["/", "/admin/"]:
        response = client.get(url)
        results[url] = [response.status_code, response.get("Retry-After"),
                        response.content.decode()]
    print(json.dumps(results))
    """
)


@pytest.fixture(scope="module")
def database_down() -> dict[str, Any]:
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{free_port()}/relational_nowhere",
        "DEBUG": "true",
        "DJANGO_SETTINGS_MODULE": "relational.settings",
        "PYTHONPATH": str(BASE_DIR),
    }
    result = subprocess.run(
        [sys.executable, "-c", DOWN_SCRIPT],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_healthz_is_503_when_postgresql_is_unreachable(database_down: dict[str, Any]) -> None:
    status, body, elapsed = database_down["healthz"]
    assert status == 503
    assert body["database"] == "down"
    assert body["status"] == "down"
    assert body["broker"] == "ok"
    assert elapsed < NO_HANG_SECONDS  # DB_CONNECT_TIMEOUT bounds it; no retry loop


@pytest.mark.parametrize("url", ["/", "/admin/"])
def test_pages_needing_postgresql_say_sorry_with_a_503_when_it_is_unreachable(
    url: str, database_down: dict[str, Any]
) -> None:
    status, retry_after, body = database_down[url]
    assert status == 503
    assert retry_after == "5"
    assert "go back and send it again" in body  # 503.html rendered with PostgreSQL away
    assert "OperationalError" not in body  # not Django's debug page, even with DEBUG on


# --- .ci/run and the CI skip rule ----------------------------------------------------------------


def test_ci_script_is_strict_bash_that_ends_in_make_test() -> None:
    script = BASE_DIR / ".ci/run"
    assert os.access(script, os.X_OK)
    text = script.read_text()
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in text
    assert re.search(r"^make test\b", text, re.MULTILINE)
    assert (BASE_DIR / ".python-version").read_text().strip() == "3.12"  # what pyenv picks
    subprocess.run(["bash", "-n", str(script)], check=True)


SKIPPING_TESTS = textwrap.dedent(
    """
    import pytest

    def test_passes():
        pass

    def test_needs_chromium():
        pytest.skip("no chromium here")

    @pytest.mark.xfail(reason="known", strict=True)
    def test_known_failure():
        assert False
    """
)


def run_pytest_with_ci_rule(tmp_path: Path, ci: str | None, files: dict[str, str]) -> Any:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    env = {k: v for k, v in os.environ.items() if k not in {"CI", "DJANGO_SETTINGS_MODULE"}}
    env["PYTHONPATH"] = str(BASE_DIR)
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [
            sys.executable, "-m", "pytest", "-p", "tests.ci_skips",
            "-p", "no:django", "-p", "no:cacheprovider", "-rA", str(tmp_path),
        ],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_under_ci_a_skipped_test_fails_the_run(tmp_path: Path) -> None:
    result = run_pytest_with_ci_rule(tmp_path, "true", {"test_sample.py": SKIPPING_TESTS})
    assert result.returncode == 1, result.stdout
    assert "1 failed, 1 passed, 1 xfailed" in result.stdout
    assert (
        "CI=true: a skipped test counts as a failure (Skipped: no chromium here)" in result.stdout
    )


def test_under_ci_a_module_skipped_at_collection_fails_the_run(tmp_path: Path) -> None:
    module_skip = "import pytest\npytest.importorskip('no_such_module_here')\n"
    files = {"test_sample.py": "def test_passes():\n    pass\n", "test_gone.py": module_skip}
    result = run_pytest_with_ci_rule(tmp_path, "true", files)
    assert result.returncode == 1, result.stdout
    assert "skipped at collection (CI=true: counts as a failure)" in result.stdout
    assert "test_gone.py" in result.stdout


@pytest.mark.parametrize("ci", [None, "false"])
def test_outside_ci_a_skip_stays_a_skip(tmp_path: Path, ci: str | None) -> None:
    result = run_pytest_with_ci_rule(tmp_path, ci, {"test_sample.py": SKIPPING_TESTS})
    assert result.returncode == 0, result.stdout
    assert "1 passed, 1 skipped, 1 xfailed" in result.stdout
