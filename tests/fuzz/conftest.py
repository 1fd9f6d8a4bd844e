"""Rate limits are off while fuzzing: each test posts dozens of examples as one person within a
minute, and a 429 (which passes "never a 500") would hide the view from every later example.
The limits themselves are tested in tests/relational/test_write_rate_limits.py and, for every
write URL, in tests/test_urls_permissions.py."""

from __future__ import annotations

import pytest
from pytest_django.fixtures import Settings


@pytest.fixture(autouse=True)
def _no_rate_limits(settings: Settings) -> None:
    settings.RATELIMIT_ENABLE = False
