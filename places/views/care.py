"""Care for the space: house rules, flagging a contribution, the stewards' queue, hiding."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from places import flags
from places.access import get_place_for_member, get_place_for_steward, get_place_for_user
from places.models import DEFAULT_HOUSE_RULES, Flag, FlagStatus, Hiding, Place
from places.permissions import can_edit_house_rules
from places.registry import FlaggableKind, NotRegistered, registry
from relational.http import AuthenticatedHttpRequest, HtmxHttpRequest
from relational.ratelimit import rate_limited


class HouseRulesForm(forms.Form):
    house_rules = forms.CharField(
        label="House rules",
        max_length=20_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text="Write them as a numbered list, one rule an item: members choose one when "
        "they flag something. You can use Markdown. Leave it empty to use the platform's rules.",
    )


class FlagForm(forms.Form):
    house_rule = forms.ChoiceField(
        label="Which house rule does it break?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the house rule it breaks."},
    )
    reason = forms.CharField(
        label="What is the problem?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Only the stewards of this place see what you write here.",
        error_messages={"required": "Say what the problem is."},
    )

    def __init__(self, *args: Any, rules: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["house_rule"].choices = [(rule, rule) for rule in rules]  # type: ignore[attr-defined]


class HideForm(forms.Form):
    reason = forms.CharField(
        label="Why are you hiding it?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown in its place as ‘Hidden by a steward because …’, and emailed to the "
        "person who wrote it. Point to the house rule.",
        error_messages={"required": "Give the reason everyone will see."},
    )


class DismissForm(forms.Form):
    note = forms.CharField(
        label="Note for the other stewards (optional)",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class UnhideForm(forms.Form):
    reason = forms.CharField(
        label="Why show it again? (optional)",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# --- House rules -------------------------------------------------------------------------------


@require_GET
def house_rules(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    place, membership = get_place_for_user(request.user, slug)
    return render(
        request,
        "places/house_rules.html",
        {
            "place": place,
            "membership": membership,
            "rules_text": flags.house_rules_text(place),
            "is_default": not place.house_rules.strip()
            or place.house_rules.strip() == DEFAULT_HOUSE_RULES.strip(),
            "can_edit": can_edit_house_rules(request.user, place),
        },
    )


@login_required
@rate_limited("30/h")
@require_http_methods(["GET", "POST"])
def house_rules_edit(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    place, _ = get_place_for_steward(request.user, slug)
    template = "places/house_rules_form.html"
    if request.method != "POST":
        form = HouseRulesForm(initial={"house_rules": flags.house_rules_text(place)})
        return render(request, template, {"place": place, "form": form})
    form = HouseRulesForm(request.POST)
    if not form.is_valid():
        return render(request, template, {"place": place, "form": form}, status=400)
    flags.house_rules_update(place=place, by=request.user, text=form.cleaned_data["house_rules"])
    messages.success(request, "House rules saved.")
    return redirect("places:house_rules", slug=slug)


# --- Flagging ----------------------------------------------------------------------------------


def _content(place: Place, kind_key: str, object_id: int) -> tuple[FlaggableKind, Any]:
    """A registered kind and one contribution of it in this place; anything else is a 404."""
    try:
        kind = registry.flaggable(kind_key)
    except NotRegistered:
        raise Http404("Nothing of that kind can be flagged") from None
    obj = kind.get(place, object_id)
    if obj is None:
        raise Http404("No such contribution")
    return kind, obj


@login_required
@rate_limited("20/h")
@require_http_methods(["GET", "POST"])
def flag_new(
    request: AuthenticatedHttpRequest, slug: str, kind: str, object_id: int
) -> HttpResponse:
    place, _ = get_place_for_member(request.user, slug)
    flaggable, obj = _content(place, kind, object_id)
    rules = flags.house_rule_choices(place)
    context: dict[str, Any] = {
        "place": place,
        "flaggable": flaggable,
        "obj": obj,
        "excerpt": flaggable.excerpt(obj),
        "content_url": flaggable.url(obj),
    }
    if flaggable.is_hidden(obj):
        messages.info(request, "A steward has already hidden this.")
        return redirect(flaggable.url(obj))
    if request.method != "POST":
        context["form"] = FlagForm(rules=rules)
        return render(request, "places/flag_form.html", context)
    form = FlagForm(request.POST, rules=rules)
    context["form"] = form
    if not form.is_valid():
        return render(request, "places/flag_form.html", context, status=400)
    _, created = flags.flag_raise(
        kind=flaggable,
        obj=obj,
        by=request.user,
        reason=form.cleaned_data["reason"],
        house_rule=form.cleaned_data["house_rule"],
    )
    messages.success(
        request,
        "Thank you. The stewards of this place will look at it."
        if created
        else "You have already flagged this; the stewards will look at it.",
    )
    return redirect(flaggable.url(obj))


# --- The stewards' queue --------------------------------------------------------------------------


@login_required
@require_GET
def flag_queue(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    place, _ = get_place_for_steward(request.user, slug)
    open_flags = list(Flag.objects.open().for_place(place).select_related("flagged_by")[:200])
    recent = list(
        Flag.objects.for_place(place)
        .exclude(status=FlagStatus.OPEN)
        .select_related("flagged_by", "resolved_by")[:20]
    )
    history = list(Hiding.objects.filter(place=place).select_related("by")[:50])
    hidden = []
    for kind in registry.flaggables():
        rows = kind.model._default_manager.filter(
            **{kind.place_lookup: place}, **kind.hidden_filter
        )[:100]
        hidden += [
            {
                "kind": kind,
                "obj": obj,
                "excerpt": kind.excerpt(obj),
                "url": kind.url(obj),
                "reason": getattr(obj, "hidden_reason", ""),
            }
            for obj in rows
        ]
    for flag in [*open_flags, *recent]:
        flag.kind_label = _kind_label(flag.kind)  # type: ignore[attr-defined]
    return render(
        request,
        "places/flag_queue.html",
        {
            "place": place,
            "open_flags": open_flags,
            "recent": recent,
            "hidden": hidden,
            "history": history,
        },
    )


def _kind_label(key: str) -> str:
    try:
        return registry.flaggable(key).label
    except NotRegistered:
        return key


def _flag_in(place: Place, pk: int) -> Flag:
    flag = (
        Flag.objects.select_related("flagged_by", "resolved_by").filter(place=place, pk=pk).first()
    )
    if flag is None:
        raise Http404("No such flag")
    return flag


def _flag_context(place: Place, flag: Flag) -> dict[str, Any]:
    try:
        kind = registry.flaggable(flag.kind)
    except NotRegistered:
        kind = None
    obj = kind.get(place, flag.object_id) if kind else None
    return {
        "place": place,
        "flag": flag,
        "flaggable": kind,
        "obj": obj,
        "current_excerpt": kind.excerpt(obj) if kind and obj else "",
        "content_url": kind.url(obj) if kind and obj else "",
        "is_hidden": bool(kind and obj and kind.is_hidden(obj)),
        "others": Flag.objects.for_place(place)
        .for_content(flag.kind, flag.object_id)
        .exclude(pk=flag.pk)
        .select_related("flagged_by"),
    }


@login_required
@require_GET
def flag_detail(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    place, _ = get_place_for_steward(request.user, slug)
    flag = _flag_in(place, pk)
    context = {**_flag_context(place, flag), "hide_form": HideForm(), "dismiss_form": DismissForm()}
    return render(request, "places/flag_detail.html", context)


@login_required
@rate_limited("60/h")
@require_POST
def flag_hide(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    place, _ = get_place_for_steward(request.user, slug)
    flag = _flag_in(place, pk)
    context = _flag_context(place, flag)
    form = HideForm(request.POST)
    if context["obj"] is None:
        raise Http404("The contribution no longer exists")
    if context["is_hidden"]:
        messages.info(request, "It is already hidden.")
        return redirect("places:flags", slug=slug)
    if not form.is_valid():
        context.update(hide_form=form, dismiss_form=DismissForm())
        return render(request, "places/flag_detail.html", context, status=400)
    flags.content_hide(
        kind=context["flaggable"],
        obj=context["obj"],
        by=request.user,
        reason=form.cleaned_data["reason"],
        flag=flag,
    )
    messages.success(request, "Hidden. Its author has been sent an email with your reason.")
    return redirect("places:flags", slug=slug)


@login_required
@rate_limited("60/h")
@require_POST
def flag_dismiss(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    place, _ = get_place_for_steward(request.user, slug)
    flag = _flag_in(place, pk)
    form = DismissForm(request.POST)
    if not form.is_valid():
        context = {**_flag_context(place, flag), "hide_form": HideForm(), "dismiss_form": form}
        return render(request, "places/flag_detail.html", context, status=400)
    flags.flag_dismiss(flag=flag, by=request.user, note=form.cleaned_data["note"])
    messages.success(request, "Flag closed. The contribution stays as it is.")
    return redirect("places:flags", slug=slug)


@login_required
@rate_limited("60/h")
@require_http_methods(["GET", "POST"])
def content_unhide(
    request: AuthenticatedHttpRequest, slug: str, kind: str, object_id: int
) -> HttpResponse:
    place, _ = get_place_for_steward(request.user, slug)
    flaggable, obj = _content(place, kind, object_id)
    context: dict[str, Any] = {
        "place": place,
        "flaggable": flaggable,
        "obj": obj,
        "excerpt": flaggable.excerpt(obj),
        "content_url": flaggable.url(obj),
    }
    if not flaggable.is_hidden(obj):
        messages.info(request, "It is not hidden.")
        return redirect("places:flags", slug=slug)
    if request.method != "POST":
        context["form"] = UnhideForm()
        return render(request, "places/flag_unhide.html", context)
    form = UnhideForm(request.POST)
    if not form.is_valid():
        context["form"] = form
        return render(request, "places/flag_unhide.html", context, status=400)
    flags.content_unhide(
        kind=flaggable, obj=obj, by=request.user, reason=form.cleaned_data["reason"]
    )
    messages.success(request, "Shown again. Its author has been told.")
    return redirect("places:flags", slug=slug)
