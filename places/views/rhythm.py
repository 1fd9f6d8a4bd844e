"""The rhythm pages: notifications (and the header badge), email preferences, one-click
unsubscribe, the mention autocomplete, and a place's undelivered email for its stewards."""

from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from places import digests, mentions, notifications, unsubscribe
from places.access import get_place_for_member, get_place_for_steward
from places.models import Frequency, Invitation, Notification, OutboxMessage, Place
from places.outbox import retry_failed
from places.templatetags.rhythm import badge_context
from places.views.places import render_form
from relational.http import AuthenticatedHttpRequest, HtmxHttpRequest, query_text
from relational.models import User

PAGE_SIZE = 25
#: htmx event: anything listening (the header badge) refreshes when notifications change.
CHANGED_EVENT = "notifications-changed"


# --- Notifications ------------------------------------------------------------------------------


def _own_notification(request: AuthenticatedHttpRequest, pk: int) -> Notification:
    """The person's own notification; anyone else's is a 404."""
    notification = Notification.objects.filter(pk=pk, recipient=request.user).first()
    if notification is None:
        raise Http404("No such notification")
    return notification


@login_required
@require_GET
def notification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows = Notification.objects.for_user(request.user).select_related("place")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "places/notifications.html",
        {"page": page, "unread": notifications.unread_count(request.user)},
    )


@login_required
@require_GET
def notification_open(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Follow a notification's link: it is marked read on the way."""
    notification = _own_notification(request, pk)
    notifications.notifications_mark_read(user=request.user, ids=[notification.pk])
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect("notifications")
    return redirect(target)


def _after_change(request: HtmxHttpRequest, message: str, template: str, context: dict) -> Any:
    """htmx: the changed fragment, and an event for the badge. Otherwise back to the list."""
    if request.htmx:
        response = render(request, template, context)
        response["HX-Trigger"] = CHANGED_EVENT
        return response
    messages.success(request, message)
    return redirect("notifications")


@login_required
@require_POST
def notification_read(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    notification = _own_notification(request, pk)
    notifications.notifications_mark_read(user=request.user, ids=[notification.pk])
    notification.refresh_from_db()
    return _after_change(
        request,
        "Marked as read.",
        "places/notifications.html#item",
        {
            "notification": notification,
            "announce": "Marked as read.",
            "unread": notifications.unread_count(request.user),
            "focus": True,
        },
    )


@login_required
@require_POST
def notifications_read_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    count = notifications.notifications_mark_read(user=request.user)
    said = "Nothing was unread." if not count else f"Marked {count} as read."
    if request.htmx:
        rows = Notification.objects.for_user(request.user).select_related("place")
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        return _after_change(
            request,
            said,
            "places/notifications.html#list",
            {"page": page, "unread": 0, "announce": said},
        )
    messages.success(request, said)
    return redirect("notifications")


@never_cache
@require_GET
def notifications_badge(request: HtmxHttpRequest) -> HttpResponse:
    """The header's unread count, refreshed by htmx. Signed out: 286 tells htmx to stop polling."""
    if not request.user.is_authenticated:
        return HttpResponse(status=286)
    response = render(request, "places/notifications_badge.html", badge_context(request.user))
    patch_vary_headers(response, ["Cookie"])
    return response


# --- Preferences -------------------------------------------------------------------------------

TIME_ZONES = sorted(available_timezones() - {"localtime", "Factory"})


class PreferencesForm(forms.Form):
    """Digest frequency per place, which notifications also come by email, the time zone."""

    time_zone = forms.ChoiceField(
        label="Your time zone",
        help_text="Digests arrive at 8am in this time zone, and times in emails are shown in it.",
        choices=[(tz, tz.replace("_", " ")) for tz in TIME_ZONES],
        error_messages={
            "required": "Choose your time zone.",
            "invalid_choice": "Choose a time zone from the list.",
        },
    )
    email_kinds = forms.MultipleChoiceField(
        label="Which of these should also come by email?",
        help_text="You always see them in your notifications here.",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose from the list."},
    )

    def __init__(self, *args: Any, places: list[Place], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.places = places
        self.fields["email_kinds"].choices = [  # type: ignore[attr-defined]
            (kind.key, kind.label)
            for kind in notifications.KINDS.values()
            if not kind.emailed_anyway
        ]
        for place in places:
            self.fields[f"digest_{place.pk}"] = forms.ChoiceField(
                label=place.name,
                help_text="How often to get its digest.",
                choices=Frequency.choices,
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Choose how often to get the digest of {place.name}.",
                    "invalid_choice": f"Choose how often to get the digest of {place.name}.",
                },
            )

    def digest_fields(self) -> list[forms.BoundField]:
        return [self[f"digest_{place.pk}"] for place in self.places]


def _places_of(user: Any) -> list[Place]:
    return list(Place.objects.filter(memberships__user=user).order_by("name", "id"))


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    places = _places_of(request.user)
    frequencies = digests.digest_frequencies(request.user, places)
    initial: dict[str, Any] = {
        "time_zone": request.user.time_zone or digests.DEFAULT_TIME_ZONE,
        "email_kinds": [k for k, on in notifications.email_choices(request.user).items() if on],
        **{f"digest_{place.pk}": frequencies[place.pk] for place in places},
    }
    form = PreferencesForm(
        request.POST if request.method == "POST" else None, places=places, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            request.user.time_zone = data["time_zone"]
            request.user.save(update_fields=["time_zone"])
            for place in places:
                digests.digest_preference_set(
                    user=request.user, place=place, frequency=data[f"digest_{place.pk}"]
                )
            notifications.notification_email_set(
                user=request.user,
                choices={
                    key: key in data["email_kinds"]
                    for key, _ in form.fields["email_kinds"].choices  # type: ignore[attr-defined]
                },
            )
        messages.success(request, "Your email choices are saved.")
        return redirect("preferences")
    always = [kind for kind in notifications.KINDS.values() if kind.emailed_anyway]
    return render_form(
        request, "places/preferences.html", {"places": places, "always_emailed": always}, form=form
    )


# --- One-click unsubscribe (RFC 8058) -----------------------------------------------------------


@csrf_exempt  # the one write without a CSRF token: the signed link authorises it (RFC 8058)
@require_http_methods(["GET", "POST"])
def unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    """GET: say what the link stops, with one button. POST (the button, or a mail client's
    ``List-Unsubscribe=One-Click``): stop it and confirm. No login needed."""
    try:
        wanted = unsubscribe.read(token)
    except unsubscribe.BadLink:
        return render(request, "places/unsubscribe_invalid.html", status=404)
    if request.method == "POST":
        wanted.apply()
        return render(request, "places/unsubscribe_done.html", {"wanted": wanted})
    return render(request, "places/unsubscribe.html", {"wanted": wanted, "token": token})


# --- Mentions ------------------------------------------------------------------------------------


@login_required
@require_GET
def mention_candidates(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Members whose names match ``?q=``, for the mention autocomplete (members only)."""
    place, _ = get_place_for_member(request.user, slug)
    found = mentions.candidates(place, query_text(request.GET, "q", 80))
    response = JsonResponse({"members": found})
    response["Cache-Control"] = "private, no-store"
    return response


# --- A place's undelivered email (stewards) ---------------------------------------------------


def _failed_rows(place: Place) -> list[OutboxMessage]:
    """The place's undelivered email, each naming who it was for without showing members'
    addresses: a person with an account is named; an address is shown only when a steward
    typed it themselves (an invitation to this place)."""
    rows = list(
        OutboxMessage.objects.failed()
        .for_place(place)
        .select_related("recipient")
        .order_by("-failed_at", "-id")[:100]
    )
    addresses = {a.lower() for r in rows if r.recipient_id is None for a in r.to}
    names = dict(User.objects.filter(email__in=addresses).values_list("email", "display_name"))
    invited = set(
        Invitation.objects.filter(place=place, email__in=addresses).values_list("email", flat=True)
    )
    for row in rows:
        if row.recipient is not None:
            shown = [row.recipient.display_name]
        else:
            shown = [
                names.get(a.lower()) or (a if a.lower() in invited else "someone outside the place")
                for a in row.to
            ]
        row.shown_recipient = ", ".join(shown)  # type: ignore[attr-defined]
    return rows


@login_required
@require_GET
def failed_mail(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    place, membership = get_place_for_steward(request.user, slug)
    return render(
        request,
        "places/failed_mail.html",
        {"place": place, "membership": membership, "rows": _failed_rows(place)},
    )


@login_required
@require_POST
def failed_mail_retry(
    request: AuthenticatedHttpRequest, slug: str, message_id: int
) -> HttpResponse:
    place, _ = get_place_for_steward(request.user, slug)
    row = OutboxMessage.objects.failed().for_place(place).filter(pk=message_id).first()
    if row is None:
        raise Http404("No such email")
    retry_failed(row)
    messages.success(request, f"We will try again to send “{row.subject}”.")
    return redirect(reverse("places:failed_mail", kwargs={"slug": place.slug}))
