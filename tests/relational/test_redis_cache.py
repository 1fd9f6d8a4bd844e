"""The cache backend fails open on ``add`` too, so signing in works while Redis is away.

allauth's rate limits take a lock with ``cache.add`` before counting a sign-in; django-redis
answers ``add`` with "not added" when Redis cannot be reached, and every sign-in was refused
with 429 until Redis came back (found by the Redis fault drill, bench/drills).
"""

from __future__ import annotations

import socket

import pytest
from django.core.cache import caches
from pytest_django.fixtures import Settings

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def redis_away(settings: Settings) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "relational.redis_cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.2,
                "SOCKET_TIMEOUT": 0.2,
            },
        }
    }


def test_add_answers_done_when_redis_cannot_be_reached(redis_away: None) -> None:
    cache = caches["default"]
    assert cache.add("lock", True, timeout=10) is True
    assert cache.get("lock") is None  # nothing was stored, and reading says so


def test_add_still_refuses_a_key_that_is_there(settings: Settings, private_redis) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "relational.redis_cache.RedisCache",
            "LOCATION": private_redis.url,
            "OPTIONS": {"IGNORE_EXCEPTIONS": True},
        }
    }
    cache = caches["default"]
    assert cache.add("lock", True, timeout=10) is True
    assert cache.add("lock", True, timeout=10) is False


def test_signing_in_works_while_redis_is_away(redis_away: None, client) -> None:
    person = UserFactory()
    response = client.post("/accounts/login/", {"login": person.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    assert "_auth_user_id" in client.session
