"""Every write is rate limited (relational.ratelimit.WriteRateLimitMiddleware): a budget for all
writes per person or address, tighter named budgets for some URLs, and Redis down lets people
through. That every write URL of the project answers 429 past its budget is checked URL by URL
in tests/test_urls_permissions.py."""

from __future__ import annotations

import logging
import socket

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from places.models import Invitation, Place
from relational.models import User
from tests.harness.urls import named_urls
from tests.relational.test_settings import production_env, run

pytestmark = pytest.mark.django_db


def _invite(client: Client, place: Place, n: int) -> int:
    url = reverse("places:invite", kwargs={"slug": place.slug})
    return client.post(url, {"email": f"guest{n}@example.org", "role": "member"}).status_code


def _read_all(client: Client) -> int:
    return client.post(reverse("notifications_read_all")).status_code


def test_every_write_counts_against_one_budget_whatever_its_url(
    settings: Settings, client_for, steward: User, place: Place
) -> None:
    settings.RATE_LIMIT_WRITES = "3/m"
    client = client_for(steward)
    assert [_read_all(client), _invite(client, place, 1), _read_all(client)] == [302, 302, 302]

    refused = client.post(reverse("preferences"), {})

    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "Too many attempts" in refused.content.decode()
    assert Invitation.objects.filter(place=place).count() == 1
    # Reading is never counted, and the page around the 429 is the product's own.
    assert client.get(reverse("places:home", kwargs={"slug": place.slug})).status_code == 200
    assert steward.display_name in refused.content.decode()


def test_each_person_and_each_address_has_a_budget_of_their_own(
    settings: Settings, client_for, member: User, outsider: User
) -> None:
    settings.RATE_LIMIT_WRITES = "2/m"
    first, second, anonymous = client_for(member), client_for(outsider), Client()
    assert [_read_all(first), _read_all(first), _read_all(first)] == [302, 302, 429]
    assert _read_all(second) == 302

    login = reverse("account_login")
    by_address = [
        anonymous.post(login, {"login": "x@example.org", "password": "wrong"}, REMOTE_ADDR=ip)
        for ip in ("192.0.2.1", "192.0.2.1", "192.0.2.1", "198.51.100.9")
    ]
    assert [r.status_code for r in by_address] == [200, 200, 429, 200]


def test_a_post_to_no_url_at_all_counts_too(settings: Settings, anonymous: Client) -> None:
    settings.RATE_LIMIT_WRITES = "1/m"
    assert anonymous.post("/no-such-page/").status_code == 404
    assert anonymous.post("/no-such-page/").status_code == 429


def test_a_named_url_has_its_own_tighter_budget(
    settings: Settings, client_for, steward: User, place: Place
) -> None:
    settings.RATE_LIMITS_BY_URL = {**settings.RATE_LIMITS_BY_URL, "places:invite": "2/h"}
    client = client_for(steward)
    assert [_invite(client, place, n) for n in range(3)] == [302, 302, 429]
    assert _read_all(client) == 302  # other writes go on
    assert Invitation.objects.filter(place=place).count() == 2


def test_sign_up_password_reset_and_invitations_have_tighter_budgets_than_the_rest() -> None:
    def per_hour(rate: str) -> float:
        count, period = rate.split("/")
        seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[-1]] * int(period[:-1] or 1)
        return int(count) * 3600 / seconds

    limits = django_settings.RATE_LIMITS_BY_URL
    everything = per_hour(django_settings.RATE_LIMIT_WRITES)
    for name in ("account_login", "account_signup", "account_reset_password", "places:invite"):
        assert per_hour(limits[name]) < everything, name


def test_every_named_budget_is_for_a_url_that_exists() -> None:
    names = {entry.name for entry in named_urls()}
    unknown = sorted(set(django_settings.RATE_LIMITS_BY_URL) - names)
    assert not unknown, f"RATE_LIMITS_BY_URL names URLs that do not exist: {unknown}"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_redis_down_lets_every_write_through_and_says_so(
    settings: Settings, client_for, member: User, caplog: pytest.LogCaptureFixture
) -> None:
    settings.RATE_LIMIT_WRITES = "1/m"
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
    client = client_for(member)
    with caplog.at_level(logging.WARNING, logger="relational.ratelimit"):
        statuses = [_read_all(client) for _ in range(3)]
    assert statuses == [302] * 3
    assert any("writes not checked" in r.getMessage() for r in caplog.records)


def test_a_rate_that_cannot_be_read_stops_the_start() -> None:
    result = run(["manage.py", "check"], production_env(RATE_LIMIT_WRITES="lots"))
    assert result.returncode != 0
    assert "RATE_LIMIT_WRITES must be a rate such as 60/m or 500/h, not 'lots'" in result.stderr
