"""People's data pages: "Your data" (ask for a download, download it), "Delete your account",
and a steward recording that a member withdrew their consent. The rules are in
``places.rights``; these views only ask and show."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from places import rights
from places.access import get_membership_in_place, get_place_for_steward
from places.models import DataExport, DataExportStatus
from places.rights_forms import DELETE_PHRASE, AccountDeleteForm, ConsentWithdrawalForm
from places.services import ServiceError
from places.views.places import render_form
from relational.http import AuthenticatedHttpRequest
from relational.ratelimit import rate_limited

#: How many of a person's past downloads the page lists.
RECENT_EXPORTS = 5


@never_cache
@login_required
@rate_limited("5/h")
@require_http_methods(["GET", "POST"])
def data(request: AuthenticatedHttpRequest) -> HttpResponse:
    """GET: what a download holds, and the person's recent ones. POST: ask for a new one."""
    if request.method == "POST":
        try:
            rights.export_request(request.user)
        except ServiceError as error:
            messages.info(request, error.message)
        else:
            messages.success(
                request,
                "We are preparing your data. We will email you a link to download it, "
                "usually within a few minutes.",
            )
        return redirect("data")
    exports = list(DataExport.objects.filter(user=request.user)[:RECENT_EXPORTS])
    for export in exports:
        export.link = (  # type: ignore[attr-defined]
            reverse("data_download", kwargs={"token": rights.export_token(export)})
            if export.is_downloadable
            else ""
        )
    return render(
        request,
        "places/rights/data.html",
        {
            "exports": exports,
            "preparing": any(e.status == DataExportStatus.REQUESTED for e in exports),
            "days": settings.DATA_EXPORT_DAYS,
        },
    )


@never_cache
@login_required
@require_GET
def data_download(request: AuthenticatedHttpRequest, token: str) -> HttpResponseBase:
    """The file, for the person it was made for, while the link lasts; otherwise a page that
    says the link no longer works (404: nothing is there for this person)."""
    export = rights.export_for_download(token, request.user)
    if export is None:
        return render(
            request,
            "places/rights/download_invalid.html",
            {"days": settings.DATA_EXPORT_DAYS},
            status=404,
        )
    stamp = (export.ready_at or export.requested_at).strftime("%Y-%m-%d")
    response = FileResponse(
        rights.private_storage().open(export.file_name, "rb"),
        as_attachment=True,
        filename=f"relational-data-{stamp}.json",
        content_type="application/json",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@login_required
@rate_limited("10/h")
@require_http_methods(["GET", "POST"])
def account_delete(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Confirm with the password (or the phrase), then erase the account and sign out."""
    user = request.user
    blockers = rights.erasure_blockers(user)
    form = AccountDeleteForm(request.POST if request.method == "POST" else None, user=user)
    context = {
        "blockers": blockers,
        "refusal": rights.erasure_refusal(blockers) if blockers else "",
        "phrase": DELETE_PHRASE,
    }
    if request.method == "POST" and blockers:
        # Not now: the page says why and what to do first (no password is checked).
        return render(
            request,
            "places/rights/account_delete.html",
            {**context, "form": AccountDeleteForm(user=user)},
            status=409,
        )
    if request.method == "POST" and form.is_valid():
        try:
            rights.account_erase(user)
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            logout(request)
            messages.success(
                request,
                "Your account is deleted. Your name and email address are gone from this site; "
                "what you contributed to places’ shared records stays, as “a former member”.",
            )
            return redirect("home")
    return render_form(request, "places/rights/account_delete.html", context, form=form)


@login_required
@require_http_methods(["GET", "POST"])
def consent_withdraw(
    request: AuthenticatedHttpRequest, slug: str, membership_id: int
) -> HttpResponse:
    """A steward records that a member withdrew consent for their contributions here."""
    place, _ = get_place_for_steward(request.user, slug)
    person = get_membership_in_place(place, membership_id)
    form = ConsentWithdrawalForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            rights.consent_withdraw(
                membership=person, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ServiceError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(
                request,
                f"Done. What {person.user.display_name} wrote in {place.name} now says that "
                "they withdrew their consent for it to be shown, and this is recorded.",
            )
            return redirect("places:member", slug=place.slug, membership_id=person.pk)
    return render_form(
        request,
        "places/rights/consent_withdraw.html",
        {"place": place, "person": person},
        form=form,
    )


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    """The privacy notice, with the retention periods this site is configured with."""
    return render(request, "pages/privacy.html", {"retention": rights.retention_periods()})
