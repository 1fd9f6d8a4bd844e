"""Permission-table rules for people's data (merged into
``tests.harness.permissions_table.URL_RULES``).

* "Your data" (``data``) and "Delete your account" (``account_delete``): any signed-in person,
  each only about themselves. An empty POST to delete the account is refused by its form (400),
  so the harness never erases the cast.
* A download link (``data_download``): signed in, and only the person it was made for; the link
  is built for the acting person's own ready download (signed out: someone's, so the login
  redirect shows). Someone else's link is a 404 (``tests/places/test_data_rights.py``).
* Recording withdrawn consent (``places:consent_withdraw``): the place's stewards (a member of
  a members-only place gets 403, outsiders 404). An empty POST is refused by its form.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from places import rights
from places.models import ConsentWithdrawal, DataExport, DataExportStatus, Membership
from tests.harness.permissions import Cast, Rule


def ready_export(person: Any) -> DataExport:
    """A ready download of ``person``'s data, its file in the private storage."""
    export = DataExport.objects.create(
        user=person,
        status=DataExportStatus.READY,
        ready_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=7),
    )
    export.file_name = rights.private_storage().save(
        rights.export_file_name(export), ContentFile(b'{"format": "relational-data-export"}')
    )
    export.size = 36
    export.save(update_fields=["file_name", "size"])
    return export


def _own_download(cast: Cast) -> dict[str, Any]:
    export = ready_export(cast.actor or cast.fixture("user"))
    return {"token": rights.export_token(export)}


def _private_member(cast: Cast) -> dict[str, Any]:
    place = cast.fixture("private_place")
    membership = Membership.objects.get(place=place, user=cast.fixture("member"))
    return {"slug": place.slug, "membership_id": membership.pk}


RULES: dict[str, Rule] = {
    "data": Rule(read="signed_in", write="signed_in"),
    "data_download": Rule(
        read="signed_in",
        kwargs=_own_download,
        note="only the person the download was made for; anyone else gets 404",
    ),
    "account_delete": Rule(read="signed_in", write="signed_in"),
    "places:consent_withdraw": Rule(read="steward", write="steward", kwargs=_private_member),
}


#: Rows for the admin URLs of the new models (see ADMIN_ROW_MAKERS).
ADMIN_ROWS: dict[str, Any] = {
    "places.dataexport": lambda cast: ready_export(cast.fixture("member")),
    "places.consentwithdrawal": lambda cast: ConsentWithdrawal.objects.create(
        place=cast.fixture("place"),
        subject_user_id=cast.fixture("member").pk,
        by=cast.fixture("steward"),
        reason="Asked in person",
    ),
}
