"""The write-endpoint rate limit, and the client address it counts by."""

from __future__ import annotations

import logging
import socket

import pytest
from django.test import RequestFactory
from pytest_django.fixtures import Settings

from relational.http import client_ip

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.harness.fixture_urls")]

# tests.harness.fixture_urls.limited_form allows 3 POSTs a minute.
URL = "/limited/"


def test_it_answers_429_with_retry_after_once_the_limit_is_passed(anonymous) -> None:
    for _ in range(3):
        assert anonymous.post(URL).content == b"saved"
    response = anonymous.post(URL)
    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 60
    # The 429 page says how long to wait (templates/429.html gets retry_after).
    assert f"{retry_after} second" in response.content.decode()


def test_it_counts_only_posts(anonymous) -> None:
    for _ in range(10):
        assert anonymous.get(URL).status_code == 200
    for _ in range(3):
        assert anonymous.post(URL).status_code == 200
    assert anonymous.post(URL).status_code == 429
    assert anonymous.get(URL).status_code == 200  # reading the form is never limited


def test_it_counts_each_signed_in_person_separately(client_for, user, outsider) -> None:
    first, second = client_for(user), client_for(outsider)
    for _ in range(3):
        assert first.post(URL).status_code == 200
    assert first.post(URL).status_code == 429
    assert second.post(URL).status_code == 200


def test_it_counts_each_address_behind_a_trusted_proxy_separately(
    anonymous, settings: Settings
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(3):
        assert anonymous.post(URL, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 200
    assert anonymous.post(URL, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    assert anonymous.post(URL, HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 200


def test_it_does_not_fail_on_an_address_that_is_not_an_ip(anonymous, settings: Settings) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    assert anonymous.post(URL, HTTP_X_FORWARDED_FOR="not-an-address").status_code == 200


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_it_lets_people_through_and_warns_when_redis_is_down(
    anonymous, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.2,
                "SOCKET_TIMEOUT": 0.2,
            },
        }
    }
    with caplog.at_level(logging.WARNING, logger="relational.ratelimit"):
        responses = [anonymous.post(URL) for _ in range(5)]
    assert [r.status_code for r in responses] == [200] * 5
    # The view's own limit; the budget of every write warns too (test_write_rate_limits.py).
    warnings = [
        r
        for r in caplog.records
        if r.name == "relational.ratelimit" and "limited_form" in r.getMessage()
    ]
    assert len(warnings) == 5
    assert "cache is unavailable" in warnings[0].getMessage()


# --- client_ip ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        # Reached directly: X-Forwarded-For is whatever the caller typed, so it is ignored.
        (0, "", "192.0.2.10"),
        (0, "203.0.113.7", "192.0.2.10"),
        # One proxy: it appended the address it saw; anything before that came from the caller.
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),
        # Two proxies: the outer one's entry is second from the end.
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.5", "203.0.113.7"),
        (2, "203.0.113.7,10.0.0.5", "203.0.113.7"),
        # Fewer hops than proxies (a request that bypassed the outer proxy): the socket's address.
        (2, "203.0.113.7", "192.0.2.10"),
        (1, "", "192.0.2.10"),
    ],
)
def test_client_ip_trusts_exactly_the_configured_proxies(
    settings: Settings, proxies: int, forwarded_for: str, expected: str
) -> None:
    settings.TRUSTED_PROXY_COUNT = proxies
    extra = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {}
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.10", **extra)
    assert client_ip(request) == expected
