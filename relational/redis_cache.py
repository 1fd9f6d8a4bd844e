"""The cache backend: django-redis, with ``add`` failing open like every other call.

With ``IGNORE_EXCEPTIONS`` django-redis answers a read as a miss and a write as done while Redis
is away, but ``add`` answers ``None``: "not added". allauth's rate limits take a short lock with
``add`` before counting, so while Redis was down every sign-in, sign-up and password reset was
refused with 429 (the Redis fault drill, ``bench/drills``, found it). Here ``add`` answers
``True`` when Redis cannot be reached: no one else can hold the key either, and rate limits go
on without Redis, as the rest of the site does. The failure is logged as the others are.
"""

from __future__ import annotations

from typing import Any

from django_redis.cache import RedisCache as DjangoRedisCache
from django_redis.exceptions import ConnectionInterrupted


class RedisCache(DjangoRedisCache):
    def add(self, *args: Any, **kwargs: Any) -> bool:
        try:
            return bool(self.client.add(*args, **kwargs))
        except ConnectionInterrupted as error:
            if not self._ignore_exceptions:
                raise error.__cause__ from None  # type: ignore[misc]
            if self._log_ignored_exceptions and self.logger is not None:
                self.logger.warning("Redis unavailable: cache add() answered as done (fail open)")
            return True
