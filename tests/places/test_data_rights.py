"""People's data: downloading a copy of everything, the system check that no app forgets a
person's data, and the private file storage's configuration."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import signing
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from places import rights
from places.checks import check_data_handlers, models_to_check, refers_to_user
from places.models import DataExport, DataExportStatus, Membership, OutboxMessage, Place
from places.registry import Registry, registry
from places.services import ServiceError
from relational.models import User
from tests.harness.mail import Outbox
from tests.places.rights_url_rules import ready_export

BASE_DIR = Path(__file__).resolve().parents[2]


def _signed_in(person: User) -> Client:
    client = Client()
    client.force_login(person)
    return client


# --- Asking for a download ----------------------------------------------------------------------


@pytest.mark.django_db
def test_asking_for_a_download_writes_one_request_and_says_so(member: User) -> None:
    client = _signed_in(member)
    page = client.get(reverse("data"))
    assert page.status_code == 200
    assert "Prepare a download" in page.content.decode()

    response = client.post(reverse("data"), follow=True)
    assert "We are preparing your data" in response.content.decode()
    assert DataExport.objects.filter(user=member, status=DataExportStatus.REQUESTED).count() == 1
    assert "We are preparing your download" in client.get(reverse("data")).content.decode()

    again = client.post(reverse("data"), follow=True)
    assert "already being prepared" in again.content.decode()
    assert DataExport.objects.filter(user=member).count() == 1


@pytest.mark.django_db
def test_asking_for_downloads_is_rate_limited(member: User) -> None:
    client = _signed_in(member)
    statuses = []
    for _ in range(6):
        DataExport.objects.filter(user=member).update(status=DataExportStatus.EXPIRED)
        statuses.append(client.post(reverse("data")).status_code)
    assert statuses[:5] == [302] * 5
    assert statuses[5] == 429


@pytest.mark.django_db
def test_a_build_writes_the_file_and_one_email_and_a_second_build_does_nothing(
    member: User, place: Place, outbox: Outbox
) -> None:
    export = rights.export_request(member)
    assert rights.export_build(export.pk) is True
    assert rights.export_build(export.pk) is False

    export.refresh_from_db()
    assert export.status == DataExportStatus.READY
    assert export.expires_at is not None
    assert export.expires_at - export.ready_at == timedelta(days=7)  # type: ignore[operator]
    with rights.private_storage().open(export.file_name) as handle:
        document = json.loads(handle.read())
    assert document["format"] == "relational-data-export"
    data = document["data"]
    assert data["places.account"]["email"] == member.email
    assert data["places.people"]["memberships"][0]["place"] == place.slug
    assert {"learning", "governance", "governance.funds", "places.gatherings"} <= set(data)
    assert export.size == len(json.dumps(document, indent=2, ensure_ascii=False).encode())

    emails = outbox.messages(to=member.email, subject="Your data")
    assert len(emails) == 1
    assert emails[0].key == f"data-export:{export.pk}"
    assert outbox.links(emails[0], "/settings/data/download/")
    assert "signed in" in emails[0].body


@pytest.mark.django_db
def test_the_link_downloads_the_file_only_for_its_person_while_it_lasts(
    member: User, resident: User
) -> None:
    export = ready_export(member)
    url = reverse("data_download", kwargs={"token": rights.export_token(export)})

    response = _signed_in(member).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    assert {"private", "no-store"} <= set(response["Cache-Control"].replace(" ", "").split(","))
    assert b"relational-data-export" in b"".join(response.streaming_content)  # type: ignore[attr-defined]

    # Someone else, signed in, holding the link: nothing there for them.
    other = _signed_in(resident).get(url)
    assert other.status_code == 404
    assert "This download link does not work" in other.content.decode()
    # Signed out: sent to sign in first.
    assert Client().get(url)["Location"].startswith(reverse("account_login"))
    # A forged or altered token.
    forged = signing.dumps({"export": export.pk, "user": member.pk}, salt="another-salt")
    assert _signed_in(member).get(reverse("data_download", args=[forged])).status_code == 404
    # Expired: the row says so even before the nightly purge deletes the file.
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now())
    assert _signed_in(member).get(url).status_code == 404


@pytest.mark.django_db
def test_the_page_lists_ready_downloads_with_their_link(member: User) -> None:
    export = ready_export(member)
    page = _signed_in(member).get(reverse("data")).content.decode()
    assert reverse("data_download", kwargs={"token": rights.export_token(export)}) in page
    assert "Ready until" in page


@pytest.mark.django_db
def test_a_second_request_at_the_same_moment_is_refused_by_the_database(member: User) -> None:
    DataExport.objects.create(user=member)
    with pytest.raises(ServiceError):
        rights.export_request(member)


# --- The check that no app forgets a person's data ----------------------------------------------


@pytest.mark.django_db
def test_every_model_that_refers_to_a_person_has_a_handler() -> None:
    assert check_data_handlers() == []
    # It looks at the models that matter, the history tables included.
    labels = {m._meta.label for m in models_to_check() if refers_to_user(m)}
    assert {"learning.Entry", "governance.InputEvent", "governance.Rewrite", "places.Membership",
            "account.EmailAddress", "governance.Idea"} <= labels  # fmt: skip


def test_the_check_fails_for_a_model_no_handler_accounts_for() -> None:
    without_learning = Registry()
    without_learning.data_handlers = {
        key: handler for key, handler in registry.data_handlers.items() if key != "learning"
    }
    errors = check_data_handlers(reg=without_learning)
    assert errors and {e.id for e in errors} == {"places.E010"}
    assert any("learning.Entry refers to a person (hidden_by, author)" in e.msg for e in errors)


def test_a_handler_without_an_erase_does_not_account_for_its_models() -> None:
    reg = Registry()
    reg.register_data_handler("only.export", export=lambda user: {}, models=["places.Membership"])
    errors = check_data_handlers(candidates=[Membership], reg=reg)
    assert [e.id for e in errors] == ["places.E010"]
    reg.register_data_handler(
        "both", export=lambda user: {}, erase=lambda user: None, models=["places.Membership"]
    )
    assert check_data_handlers(candidates=[Membership], reg=reg) == []


def test_a_new_model_with_a_user_column_is_caught() -> None:
    """A model as a new app would write it: a plain foreign key, and a bare ``…_user_id``."""

    class Scrapbook(models.Model):  # noqa: DJ008
        owner = models.ForeignKey("relational.User", on_delete=models.CASCADE)

        class Meta:
            app_label = "places"
            managed = True

    class Tally(models.Model):  # noqa: DJ008
        counted_user_id = models.BigIntegerField()

        class Meta:
            app_label = "places"

    try:
        assert refers_to_user(Scrapbook) == ["owner"]
        assert refers_to_user(Tally) == ["counted_user_id"]
        errors = check_data_handlers(candidates=[Scrapbook, Tally])
        assert [e.obj for e in errors[:2]] == [Scrapbook, Tally]
    finally:
        from django.apps import apps

        for name in ("scrapbook", "tally"):
            apps.all_models["places"].pop(name, None)
        apps.clear_cache()


def test_a_handler_naming_a_model_that_does_not_exist_is_an_error() -> None:
    reg = Registry()
    reg.register_data_handler("typo", export=dict, erase=print, models=["places.Membrship"])
    assert [e.id for e in check_data_handlers(candidates=[], reg=reg)] == ["places.E011"]


# --- The private storage ------------------------------------------------------------------------


def _private_storage_in_a_fresh_process(env: dict[str, str]) -> dict[str, Any]:
    script = (
        "import django, json; django.setup()\n"
        "from django.core.files.storage import storages\n"
        "s = storages['private']\n"
        "print(json.dumps({'class': type(s).__module__ + '.' + type(s).__name__,"
        " 'location': getattr(s, 'location', None), 'bucket': getattr(s, 'bucket_name', None),"
        " 'endpoint': getattr(s, 'endpoint_url', None), 'acl': getattr(s, 'default_acl', None),"
        " 'region': getattr(s, 'region_name', None)}))\n"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith("PRIVATE_STORAGE")}
    base.update(DJANGO_SETTINGS_MODULE="relational.settings", DEBUG="true", **env)
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=BASE_DIR, env=base, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_private_files_are_on_disk_by_default_and_on_s3_when_configured(tmp_path: Path) -> None:
    disk = _private_storage_in_a_fresh_process({"RELATIONAL_VAR_DIR": str(tmp_path)})
    assert disk["class"] == "django.core.files.storage.filesystem.FileSystemStorage"
    assert disk["location"] == str(tmp_path / "private")

    s3 = _private_storage_in_a_fresh_process(
        {
            "PRIVATE_STORAGE_S3_BUCKET": "relational-private-files",
            "PRIVATE_STORAGE_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
            "PRIVATE_STORAGE_S3_REGION": "eu-west-2",
            "PRIVATE_STORAGE_S3_ACCESS_KEY_ID": "id",
            "PRIVATE_STORAGE_S3_SECRET_ACCESS_KEY": "secret",
        }
    )
    assert s3["class"] == "storages.backends.s3.S3Storage"
    assert s3["bucket"] == "relational-private-files"
    assert s3["endpoint"] == "http://127.0.0.1:9000"
    assert s3["region"] == "eu-west-2"
    assert s3["acl"] == "private"


@pytest.mark.django_db
def test_outbox_rows_for_a_download_are_account_mail(member: User) -> None:
    export = rights.export_request(member)
    rights.export_build(export.pk)
    row = OutboxMessage.objects.get(key=f"data-export:{export.pk}")
    assert row.recipient == member and row.place is None and row.kind == ""
