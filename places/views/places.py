"""Starting and describing a place, and its power map."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from places import services
from places.access import get_place_for_steward, get_place_for_user
from places.forms import PlaceCreateForm, PlaceForm
from places.models import Place
from relational.http import AuthenticatedHttpRequest


def render_form(
    request: HttpRequest, template: str, context: dict[str, Any], *, form: Any
) -> HttpResponse:
    """Render a form page; a form that failed validation is a 400, so bad input is a 4xx."""
    status = 400 if form.is_bound and form.errors else 200
    return render(request, template, {**context, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def place_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PlaceCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            place = services.place_create(
                creator=request.user,
                name=data["name"],
                summary=data["summary"],
                description=data["description"],
                missions=data["missions"],
                visibility=data["visibility"],
                join_policy=data["join_policy"],
                house_rules=data["house_rules"],
                perspectives=data["perspectives"],
                stewards_use_two_factor=data["stewards_use_two_factor"],
            )
        except services.ServiceError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, f"You have started {place.name}. You are its first steward.")
            return redirect(place)
    return render_form(request, "places/place_form.html", {"creating": True}, form=form)


def _initial(place: Place) -> dict[str, Any]:
    return {
        "name": place.name,
        "summary": place.summary,
        "description": place.description,
        "missions": "\n".join(m.text for m in place.missions.all()),
        "visibility": place.visibility,
        "join_policy": place.join_policy,
        "house_rules": place.house_rules,
        "stewards_use_two_factor": place.stewards_use_two_factor,
    }


@login_required
@require_http_methods(["GET", "POST"])
def place_edit(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    place, _membership = get_place_for_steward(request.user, slug)
    if request.method == "POST":
        form = PlaceForm(request.POST, initial=_initial(place))
        if form.is_valid():
            data = form.cleaned_data
            services.place_update(place=place, actor=request.user, **data)
            messages.success(request, "Your changes to the place are saved.")
            return redirect(place)
    else:
        form = PlaceForm(initial=_initial(place))
    return render_form(
        request, "places/place_form.html", {"creating": False, "place": place}, form=form
    )


@require_GET
def power_map(request: HttpRequest, slug: str) -> HttpResponse:
    place, membership = get_place_for_user(request.user, slug)
    return render(
        request,
        "places/power_map.html",
        {"place": place, "membership": membership, "map": services.power_map(place)},
    )
