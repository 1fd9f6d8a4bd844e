"""Writing to the activity spine (see DESIGN.md): one row per meaningful change in a place."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models

from relational.models import User

from .models import Activity, Membership, Place, Visibility


def activity_record(
    *,
    place: Place,
    actor: User | None,
    kind: str,
    verb: str,
    summary: str,
    url: str = "",
    target: models.Model | None = None,
    visibility: str = Visibility.PUBLIC,
    scope: str = "",
    perspectives: list[str] | None = None,
) -> Activity:
    """Record that something happened. Call it inside the transaction that made the change.

    The actor's perspectives in the place are copied on the row (unless given), so the timeline
    can be filtered by perspective without joining memberships.
    """
    if perspectives is None and actor is not None:
        perspectives = (
            Membership.objects.filter(place=place, user=actor)
            .values_list("perspectives", flat=True)
            .first()
        ) or []
    return Activity.objects.create(
        place=place,
        actor=actor,
        kind=kind,
        verb=verb,
        summary=summary[:300],
        url=url,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=target.pk if target is not None else None,
        visibility=visibility,
        scope=scope,
        perspectives=perspectives or [],
    )
