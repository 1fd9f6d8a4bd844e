"""Slow parts for the rhythm's real-worker tests, so a SIGKILL can land mid-batch:

* ``SlowFileBackend``: the file mailer, ``TEST_MAIL_DELAY`` seconds per message;
* a ``task_prerun`` hook (this module is in the test settings' ``CELERY_IMPORTS``) that makes
  each ``build_digests`` task take ``TEST_BUILD_DELAY`` seconds longer.
"""

from __future__ import annotations

import os
import time
from typing import Any

from celery.signals import task_prerun
from django.core.mail.backends.filebased import EmailBackend


class SlowFileBackend(EmailBackend):
    def send_messages(self, email_messages: Any) -> int:
        time.sleep(float(os.environ.get("TEST_MAIL_DELAY", "0")))
        return super().send_messages(email_messages) or 0


@task_prerun.connect
def _slow_build(sender: Any = None, **kwargs: Any) -> None:
    if getattr(sender, "name", "") == "places.tasks.build_digests":
        time.sleep(float(os.environ.get("TEST_BUILD_DELAY", "0")))
