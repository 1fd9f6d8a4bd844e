"""A download of a person's data, built and emailed by a real Celery worker, once."""

from __future__ import annotations

import email
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from places.models import DataExport, DataExportStatus, OutboxMessage
from places.tasks import build_data_export, sweep_data_exports
from tests.factories import UserFactory
from tests.harness.mail import URL_RE
from tests.workers import wait_for


@pytest.mark.worker
def test_a_worker_builds_the_download_and_emails_its_link_once(
    celery_worker, private_redis, settings: Settings, tmp_path: Path
) -> None:
    private = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(private)},
        },
    }
    worker = celery_worker(env={"PRIVATE_STORAGE_DIR": str(private)})
    person = UserFactory(display_name="Wren Worker", email="wren.worker@example.org")
    client = Client()
    client.force_login(person)

    assert client.post(reverse("data")).status_code == 302
    export = DataExport.objects.get(user=person)

    def emailed() -> bool:
        """the worker builds the file and sends the email"""
        return OutboxMessage.objects.filter(
            key=f"data-export:{export.pk}", sent_at__isnull=False
        ).exists()

    wait_for(emailed, timeout=60)
    export.refresh_from_db()
    assert export.status == DataExportStatus.READY
    built = (private / export.file_name).read_bytes()
    assert b'"email": "wren.worker@example.org"' in built
    [mail] = worker.mails()
    message = email.message_from_string(mail.read_text().split("\n" + "-" * 79)[0])
    assert message["Subject"] == "Your data from Relational is ready to download"
    assert message["To"] == "wren.worker@example.org"
    body = message.get_payload(decode=True).decode()
    link = next(url for url in URL_RE.findall(body) if "/settings/data/download/" in url)

    # The link in the email downloads the file, for this person.
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get(f"/{path}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == built  # type: ignore[attr-defined]

    # The same task again, and the sweeper: nothing is built or sent twice.
    build_data_export.delay(export.pk)
    sweep_data_exports.delay()
    wait_for(
        lambda: worker.output().count("succeeded") >= 4,  # build, send, build again, sweep
        timeout=30,
    )
    assert "places.tasks.build_data_export" in worker.output()
    assert OutboxMessage.objects.filter(key__startswith="data-export:").count() == 1
    assert len(worker.mails()) == 1
    assert (private / export.file_name).read_bytes() == built
