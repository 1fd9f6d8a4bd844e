"""Gatherings pages: list, arrange, detail, answer, change, cancel, notes, and calendars."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from places import calendar, gatherings
from places.access import get_place_for_member, get_place_for_user
from places.forms import datetime_field
from places.models import Answer, Gathering, GatheringKind, Place
from places.permissions import (
    can_answer_gathering,
    can_arrange_gathering,
    can_change_gathering,
    can_flag,
    can_have_calendar_address,
    can_record_notes,
)
from relational.http import AuthenticatedHttpRequest, HtmxHttpRequest
from relational.models import User
from relational.ratelimit import rate_limited

PAGE_SIZE = 25


# --- Forms ---------------------------------------------------------------------------------------


class GatheringForm(forms.Form):
    kind = forms.ChoiceField(
        label="What kind of gathering is it?",
        choices=GatheringKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of gathering it is."},
    )
    title = forms.CharField(
        label="Title",
        max_length=120,
        help_text="Short and plain, for example ‘Tea at the Old Library’.",
        error_messages={"required": "Enter a title."},
    )
    purpose = forms.CharField(
        label="What is it for?",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One or two sentences: why meet, and who would be good to have there.",
        error_messages={"required": "Say what the gathering is for."},
    )
    starts_at = datetime_field("Starts", "UK time, for example 14 March 2027 at 6pm.")
    ends_at = datetime_field("Ends", "UK time. It must end after it starts.")
    location = forms.CharField(
        label="Where to meet (optional if it is online)",
        max_length=300,
        required=False,
        help_text="An address or a place people will recognise.",
    )
    online_url = forms.URLField(
        label="Online link (optional if you meet in person)",
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text="The link people use to join, starting https://",
        error_messages={"invalid": "Enter the online link as a full web address."},
    )
    agenda = forms.CharField(
        label="Agenda (optional)",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What you will talk about, one item a line.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", "The end must be after the start.")
        nowhere = not (data.get("location") or "").strip() and not data.get("online_url")
        # An online link that was typed but is not a web address has its own error already.
        if nowhere and "online_url" not in self.errors:
            self.add_error("location", "Give a place to meet, an online link, or both.")
        return data


class GatheringChangeForm(GatheringForm):
    message = forms.CharField(
        label="Message to people who answered (optional)",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="If you change the time or place, everyone who answered gets an email. "
        "Add a word of explanation if you like.",
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Why is it cancelled? (optional)",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Everyone who answered gets an email with this.",
    )


class NotesForm(forms.Form):
    notes = forms.CharField(
        label="Notes",
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="What was said, what was agreed, what happens next. Everyone who can read "
        "this place can read these notes.",
        error_messages={"required": "Write some notes."},
    )
    attendees = forms.ModelMultipleChoiceField(
        label="Who was there?",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Members of the place who came.",
        error_messages={"invalid_choice": "Choose only members of this place."},
    )

    def __init__(self, *args: Any, place: Place, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["attendees"]
        field.queryset = User.objects.filter(memberships__place=place).order_by(  # type: ignore[attr-defined]
            "display_name", "id"
        )
        field.label_from_instance = lambda user: user.display_name or "A member"  # type: ignore[attr-defined]


# --- Helpers -------------------------------------------------------------------------------------


def _gathering_in(place: Place, pk: int) -> Gathering:
    """A gathering of this place by id; a foreign or unknown id is a 404."""
    gathering = Gathering.objects.select_related("organiser").filter(place=place, pk=pk).first()
    if gathering is None:
        raise Http404("No such gathering")
    gathering.place = place  # the same instance, so the membership cache applies
    return gathering


def _invalid(request: HtmxHttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """A form with errors: the same page, with what was typed, and a 400."""
    return render(request, template, context, status=400)


def _form_kwargs(gathering: Gathering) -> dict[str, Any]:
    return {
        name: getattr(gathering, name)
        for name in ("kind", "title", "purpose", "starts_at", "ends_at", "location")
        + ("online_url", "agenda")
    }


def _ics_response(content: bytes, *, filename: str | None, private: bool) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    if private:
        patch_cache_control(response, private=True, no_store=True)
    else:
        patch_cache_control(response, public=True, max_age=300)
    return response


# --- List and detail -----------------------------------------------------------------------------


@require_GET
def gathering_list(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    place, membership = get_place_for_user(request.user, slug)
    past = request.GET.get("when") == "past"
    rows = gatherings.gatherings_with_counts(place)
    rows = rows.past() if past else rows.upcoming()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page") or 1)
    return render(
        request,
        "places/gathering_list.html",
        {
            "place": place,
            "membership": membership,
            "page": page,
            "past": past,
            "can_arrange": can_arrange_gathering(request.user, place),
        },
    )


def _answer_context(request: HtmxHttpRequest, gathering: Gathering) -> dict[str, Any]:
    answers = list(gathering.answers.select_related("user").order_by("user__display_name"))
    return {
        "gathering": gathering,
        "place": gathering.place,
        "answers": answers,
        "going": [a for a in answers if a.answer == Answer.GOING],
        "maybe": [a for a in answers if a.answer == Answer.MAYBE],
        "my_answer": next((a.answer for a in answers if a.user_id == request.user.pk), None),
        "answer_choices": Answer.choices,
        "can_answer": can_answer_gathering(request.user, gathering),
    }


@require_GET
def gathering_detail(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    place, membership = get_place_for_user(request.user, slug)
    gathering = _gathering_in(place, pk)
    context = {
        "place": place,
        "membership": membership,
        **_answer_context(request, gathering),
        "attendees": list(gathering.attendees.order_by("display_name")),
        "can_change": can_change_gathering(request.user, gathering),
        "can_record_notes": can_record_notes(request.user, gathering),
        "can_flag": can_flag(request.user, place) and not gathering.is_hidden,
    }
    return render(request, "places/gathering_detail.html", context)


# --- Arranging and changing ----------------------------------------------------------------------


@login_required
@rate_limited("20/h")
@require_http_methods(["GET", "POST"])
def gathering_new(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    place, _ = get_place_for_member(request.user, slug)
    template = "places/gathering_form.html"
    if request.method != "POST":
        form = GatheringForm(initial={"kind": GatheringKind.TEA})
        return render(request, template, {"place": place, "form": form, "is_new": True})
    form = GatheringForm(request.POST)
    if not form.is_valid():
        return _invalid(request, template, {"place": place, "form": form, "is_new": True})
    try:
        gathering = gatherings.gathering_arrange(
            place=place, organiser=request.user, **form.cleaned_data
        )
    except ValidationError as error:
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
        return _invalid(request, template, {"place": place, "form": form, "is_new": True})
    messages.success(request, "Your gathering is arranged. Members can now answer.")
    return redirect(gathering)


@login_required
@rate_limited("30/h")
@require_http_methods(["GET", "POST"])
def gathering_edit(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    place, _ = get_place_for_member(request.user, slug)
    gathering = _gathering_in(place, pk)
    if not can_change_gathering(request.user, gathering):
        raise PermissionDenied("Only its organiser or a steward can change this gathering.")
    template = "places/gathering_form.html"
    context: dict[str, Any] = {"place": place, "gathering": gathering, "is_new": False}
    if request.method != "POST":
        context["form"] = GatheringChangeForm(initial=_form_kwargs(gathering))
        return render(request, template, context)
    form = GatheringChangeForm(request.POST)
    context["form"] = form
    if not form.is_valid():
        return _invalid(request, template, context)
    data = dict(form.cleaned_data)
    message = data.pop("message", "")
    try:
        updated = gatherings.gathering_update(
            gathering=gathering, by=request.user, message=message, **data
        )
    except ValidationError as error:
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
        return _invalid(request, template, context)
    except gatherings.GatheringClosed as error:
        messages.error(request, str(error))
        return redirect(gathering)
    if updated.sequence != gathering.sequence:
        messages.success(
            request, "Gathering changed. Everyone who answered has been sent an email."
        )
    else:
        messages.success(request, "Gathering changed.")
    return redirect(updated)


@login_required
@rate_limited("30/h")
@require_http_methods(["GET", "POST"])
def gathering_cancel(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    place, _ = get_place_for_member(request.user, slug)
    gathering = _gathering_in(place, pk)
    if not can_change_gathering(request.user, gathering):
        raise PermissionDenied("Only its organiser or a steward can cancel this gathering.")
    template = "places/gathering_cancel.html"
    if request.method != "POST":
        return render(
            request, template, {"place": place, "gathering": gathering, "form": CancelForm()}
        )
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _invalid(request, template, {"place": place, "gathering": gathering, "form": form})
    gatherings.gathering_cancel(
        gathering=gathering, by=request.user, reason=form.cleaned_data["reason"]
    )
    messages.success(request, "Gathering cancelled. Everyone who answered has been sent an email.")
    return redirect(gathering)


@login_required
@rate_limited("60/m")
@require_POST
def gathering_answer(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    place, _ = get_place_for_member(request.user, slug)
    gathering = _gathering_in(place, pk)
    answer = request.POST.get("answer", "")
    if answer not in Answer.values:
        return HttpResponseBadRequest("Choose going, maybe or not going.")
    if not can_answer_gathering(request.user, gathering):
        if request.htmx:
            # Swap in the current state (no buttons any more) and say why.
            context = {
                **_answer_context(request, gathering),
                "closed_message": "This gathering is no longer taking answers.",
            }
            return render(request, "places/gathering_detail.html#answer", context)
        messages.error(request, "This gathering is no longer taking answers.")
        return redirect(gathering)
    gatherings.gathering_answer(gathering=gathering, user=request.user, answer=answer)
    if request.htmx:
        context = {**_answer_context(request, gathering), "just_answered": True}
        response = render(request, "places/gathering_detail.html#answer", context)
        patch_vary_headers(response, ["HX-Request"])
        return response
    messages.success(request, f"Your answer is saved: {Answer(answer).label.lower()}.")
    return redirect(gathering)


@login_required
@rate_limited("30/h")
@require_http_methods(["GET", "POST"])
def gathering_notes(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    place, _ = get_place_for_member(request.user, slug)
    gathering = _gathering_in(place, pk)
    if not can_record_notes(request.user, gathering):
        raise PermissionDenied(
            "Notes are recorded by the organiser or a steward once the gathering is over."
        )
    template = "places/gathering_notes.html"
    if request.method != "POST":
        form = NotesForm(
            place=place,
            initial={
                "notes": gathering.notes,
                "attendees": list(gathering.attendees.values_list("pk", flat=True))
                or list(
                    gathering.answers.filter(answer=Answer.GOING).values_list("user_id", flat=True)
                ),
            },
        )
        return render(request, template, {"place": place, "gathering": gathering, "form": form})
    form = NotesForm(request.POST, place=place)
    if not form.is_valid():
        return _invalid(request, template, {"place": place, "gathering": gathering, "form": form})
    try:
        gatherings.gathering_record_notes(
            gathering=gathering,
            by=request.user,
            notes=form.cleaned_data["notes"],
            attendees=form.cleaned_data["attendees"],
        )
    except ValidationError as error:
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
        return _invalid(request, template, {"place": place, "gathering": gathering, "form": form})
    messages.success(request, "Notes saved.")
    return redirect(gathering)


# --- Calendars -----------------------------------------------------------------------------------


@require_GET
def gathering_ics(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    place, _ = get_place_for_user(request.user, slug)
    gathering = _gathering_in(place, pk)
    return _ics_response(
        calendar.gathering_ics(gathering),
        filename=f"gathering-{gathering.pk}.ics",
        private=not place.is_public,
    )


@require_GET
def calendar_feed(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The plain feed address: for public places (and members signed in on the site)."""
    place, _ = get_place_for_user(request.user, slug)
    return _ics_response(calendar.place_feed_ics(place), filename=None, private=not place.is_public)


@require_GET
def calendar_feed_private(request: HtmxHttpRequest, slug: str, token: str) -> HttpResponse:
    """A member's secret feed address: no sign-in (calendar apps have none), 404 once revoked."""
    place = calendar.calendar_token_resolve(slug=slug, token=token)
    if place is None:
        raise Http404("No such calendar")
    return _ics_response(calendar.place_feed_ics(place), filename=None, private=True)


@require_GET
def calendar_page(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """How to subscribe: the public address, or the member's own secret one."""
    place, membership = get_place_for_user(request.user, slug)
    token = None
    if can_have_calendar_address(request.user, place):
        token = calendar.calendar_token_for(place=place, user=request.user)
    public_url = request.build_absolute_uri(reverse("places:calendar_feed", kwargs={"slug": slug}))
    private_url = (
        request.build_absolute_uri(
            reverse("places:calendar_feed_private", kwargs={"slug": slug, "token": token.token})
        )
        if token
        else ""
    )
    response = render(
        request,
        "places/gathering_calendar.html",
        {
            "place": place,
            "membership": membership,
            "token": token,
            "public_url": public_url,
            "private_url": private_url,
            "can_have_address": can_have_calendar_address(request.user, place),
        },
    )
    if token:
        patch_cache_control(response, private=True, no_store=True)
    return response


@login_required
@rate_limited("10/h")
@require_POST
def calendar_token_renew(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    place, _ = get_place_for_member(request.user, slug)
    had_one = calendar.calendar_token_for(place=place, user=request.user) is not None
    calendar.calendar_token_renew(place=place, user=request.user)
    messages.success(
        request,
        "You have a new calendar address. The old one no longer works."
        if had_one
        else "Your calendar address is ready. Keep it to yourself.",
    )
    return redirect("places:calendar", slug=slug)


@login_required
@rate_limited("10/h")
@require_POST
def calendar_token_revoke(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    place, _ = get_place_for_member(request.user, slug)
    if calendar.calendar_token_revoke(place=place, user=request.user):
        messages.success(request, "Your calendar address no longer works.")
    return redirect("places:calendar", slug=slug)
