"""Settings for the rhythm's real-worker tests: the project's own, with a slow delivery mailer
(``TEST_MAIL_DELAY`` seconds per message). Workers use it through DJANGO_SETTINGS_MODULE."""

from __future__ import annotations

from relational.settings import *  # noqa: F403
from relational.settings import MAIL_DIR, MAILERS

MAILERS = {
    **MAILERS,
    "delivery": {
        "BACKEND": "tests.places.slow_mail.SlowFileBackend",
        "OPTIONS": {"file_path": str(MAIL_DIR)},
    },
}

CELERY_IMPORTS = ["tests.places.slow_mail"]
