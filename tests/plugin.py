"""Project-wide pytest plugin (loaded with ``-p tests.plugin`` from pyproject.toml).

Django's test set-up swaps every mailer for the in-memory one; the platform's contract is
that mail becomes an outbox row first, so the default mailer is put back to the outbox here and
only the final hop ("delivery") stays in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import LazySettings

from tests.workers import celery_worker, private_redis  # noqa: F401 - fixtures for every test


@pytest.fixture(autouse=True)
def _mail_goes_through_the_outbox(settings: LazySettings) -> Iterator[None]:
    settings.MAILERS = {
        "default": {"BACKEND": "places.outbox.OutboxBackend"},
        "delivery": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
    }
    yield


@pytest.fixture(scope="session")
def _private_files_dir(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return tmp_path_factory.mktemp("private-files")


@pytest.fixture(autouse=True)
def _private_files_in_a_temp_dir(settings: LazySettings, _private_files_dir: Any) -> None:
    """People's data downloads (the ``private`` storage) go to a temporary folder, not var/."""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(_private_files_dir)},
        },
    }
