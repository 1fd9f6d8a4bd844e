"""Settings as production meets them: `check --deploy` is clean, and bad values stop the start.

Each case runs in a fresh process, because settings are read once, at import, from the
environment.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]

# Variables that change what settings do; each test sets the ones it means.
SETTINGS_VARIABLES = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "HTTPS_OFF",
    "CSRF_TRUSTED_ORIGINS",
    "TRUSTED_PROXY_COUNT",
    "SITE_URL",
    "DJANGO_SETTINGS_MODULE",
}


def production_env(**overrides: str | None) -> dict[str, str]:
    """This machine's DATABASE_URL and REDIS_URL, production values for the rest."""
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),  # 67 characters, as random as a real one
        ALLOWED_HOSTS="relational.example.org",
        DJANGO_SETTINGS_MODULE="relational.settings",
        PYTHONPATH=str(BASE_DIR),
    )
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_finds_no_issues_with_production_settings() -> None:
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env())
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr


SHOW_HTTPS = textwrap.dedent(
    """
    import json
    from django.conf import settings
    print(json.dumps({name: getattr(settings, name) for name in [
        "DEBUG", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
    ]}))
    """
)


@pytest.mark.parametrize(
    ("overrides", "https_on"),
    [
        ({}, True),  # production: on unless told otherwise
        ({"HTTPS_OFF": "true"}, False),  # plain HTTP on localhost (docker compose, benchmarks)
        ({"HTTPS_OFF": "false"}, True),
        ({"DEBUG": "true"}, False),  # development server
    ],
)
def test_https_switches_follow_debug_and_https_off(
    overrides: dict[str, str], https_on: bool
) -> None:
    result = run(["-c", SHOW_HTTPS], production_env(**overrides))
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values.pop("SECURE_HSTS_SECONDS") == (31536000 if https_on else 0)
    assert values.pop("DEBUG") is (overrides.get("DEBUG") == "true")
    assert values == dict.fromkeys(values, https_on)


def test_check_deploy_warns_when_https_is_turned_off() -> None:
    # HTTPS_OFF is for localhost only; check --deploy must still say what it gives up.
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        production_env(HTTPS_OFF="true"),
    )
    assert result.returncode != 0
    for issue in ["security.W004", "security.W008", "security.W012", "security.W016"]:
        assert issue in result.stderr


@pytest.mark.parametrize("debug", [None, "false", "off", "0"])
def test_settings_refuse_to_load_without_a_secret_key_when_debug_is_off(debug: str | None) -> None:
    result = run(["manage.py", "check"], production_env(DEBUG=debug, SECRET_KEY=None))
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is required when DEBUG is off" in result.stderr


def test_an_empty_secret_key_counts_as_missing() -> None:
    result = run(["manage.py", "check"], production_env(SECRET_KEY=""))
    assert result.returncode != 0
    assert "SECRET_KEY is required when DEBUG is off" in result.stderr


@pytest.mark.parametrize(("name", "value"), [("DEBUG", "maybe"), ("HTTPS_OFF", "yes please")])
def test_a_bad_boolean_stops_the_start_and_names_the_variable(name: str, value: str) -> None:
    result = run(["manage.py", "check"], production_env(**{name: value}))
    assert result.returncode != 0
    assert f"ImproperlyConfigured: {name} must be true or false, not {value!r}" in result.stderr


def test_a_bad_number_stops_the_start_and_names_the_variable() -> None:
    result = run(["manage.py", "check"], production_env(TRUSTED_PROXY_COUNT="one"))
    assert result.returncode != 0
    assert "TRUSTED_PROXY_COUNT must be a whole number, not 'one'" in result.stderr
