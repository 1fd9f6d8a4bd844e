"""People in a place: the directory, member pages, joining and leaving, invitations,
join requests, roles, and each member's declared interests and power."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from places import permissions, services
from places.access import (
    get_membership_in_place,
    get_place_for_member,
    get_place_for_steward,
    get_place_for_user,
)
from places.forms import (
    InterestForm,
    InvitationForm,
    JoinForm,
    JoinRequestDecisionForm,
    PerspectivesForm,
    PowerForm,
    RemoveMemberForm,
    RoleForm,
)
from places.models import (
    Interest,
    Invitation,
    InvitationState,
    JoinPolicy,
    JoinRequest,
    Perspective,
    Power,
)
from places.views.places import render_form
from relational.http import AuthenticatedHttpRequest, HtmxHttpRequest

DIRECTORY_PAGE_SIZE = 25


# --- Directory and member pages ----------------------------------------------------------------


@require_GET
def directory(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    place, membership = get_place_for_user(request.user, slug)
    # An unknown perspective in the query string shows everyone rather than failing.
    perspective = request.GET.get("perspective", "")
    if perspective not in Perspective.values:
        perspective = ""
    members = services.directory_members(place, perspective=perspective)
    page = Paginator(members, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "place": place,
        "membership": membership,
        "page": page,
        "perspective": perspective,
        "perspectives": Perspective.choices,
    }
    template = "places/directory.html#results" if request.htmx else "places/directory.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
def member(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    place, viewer = get_place_for_user(request.user, slug)
    person = get_membership_in_place(place, membership_id)
    interests = list(
        Interest.objects.filter(place=place, user=person.user).order_by("-declared_at", "-id")
    )
    powers = list(Power.objects.filter(place=place, user=person.user))
    is_self = viewer is not None and viewer.pk == person.pk
    return render(
        request,
        "places/member.html",
        {
            "place": place,
            "membership": viewer,
            "person": person,
            "is_self": is_self,
            "current_interests": [i for i in interests if i.is_current],
            "withdrawn_interests": [i for i in interests if not i.is_current],
            "current_powers": [p for p in powers if p.is_current],
            "withdrawn_powers": [p for p in powers if not p.is_current],
            "may_change_role": permissions.can_change_role(request.user, person),
            "may_remove": permissions.can_remove_member(request.user, person),
            "role_form": RoleForm(initial={"role": person.role}, auto_id="role_%s"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_role(request: AuthenticatedHttpRequest, slug: str, membership_id: int) -> HttpResponse:
    place, _ = get_place_for_steward(request.user, slug)
    person = get_membership_in_place(place, membership_id)
    form = RoleForm(
        request.POST if request.method == "POST" else None, initial={"role": person.role}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_set_role(
                membership=person, steward=request.user, role=form.cleaned_data["role"]
            )
        except services.ServiceError as error:
            form.add_error(None, error.message)
        else:
            role = person.get_role_display().lower()
            messages.success(request, f"{person.user} is now a {role}.")
            return redirect("places:member", slug=place.slug, membership_id=person.pk)
    return render_form(
        request, "places/member_role.html", {"place": place, "person": person}, form=form
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_remove(request: AuthenticatedHttpRequest, slug: str, membership_id: int) -> HttpResponse:
    place, _ = get_place_for_steward(request.user, slug)
    person = get_membership_in_place(place, membership_id)
    if person.user_id == request.user.pk:
        messages.info(request, "To remove yourself from the place, leave it instead.")
        return redirect("places:leave", slug=place.slug)
    form = RemoveMemberForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.membership_remove(
            membership=person, steward=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(request, f"{person.user} is no longer a member. We have told them.")
        return redirect("places:directory", slug=place.slug)
    return render_form(
        request, "places/member_remove.html", {"place": place, "person": person}, form=form
    )


# --- Joining and leaving -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def join(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    place, membership = get_place_for_user(request.user, slug)
    if membership is not None:
        messages.info(request, f"You are already a member of {place.name}.")
        return redirect(place)
    pending = JoinRequest.objects.pending().filter(place=place, user=request.user).first()
    may_join = permissions.can_join_directly(request.user, place)
    may_request = permissions.can_request_to_join(request.user, place)
    if request.method == "POST" and not (may_join or (may_request and pending is None)):
        raise PermissionDenied("This place does not take new members this way.")
    form = JoinForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if may_join:
                services.membership_join(
                    place=place, user=request.user, perspectives=data["perspectives"]
                )
                messages.success(request, f"Welcome to {place.name}.")
            else:
                services.join_request_create(
                    place=place,
                    user=request.user,
                    perspectives=data["perspectives"],
                    message=data["message"],
                )
                messages.success(
                    request,
                    "We have sent your request to the stewards. We will email you "
                    "when they answer.",
                )
        except services.ServiceError as error:
            form.add_error(error.field, error.message)
        else:
            return redirect(place)
    return render_form(
        request,
        "places/join.html",
        {
            "place": place,
            "pending": pending,
            "may_join": may_join,
            "may_request": may_request,
            "by_invitation": place.join_policy == JoinPolicy.INVITATION or not place.is_public,
        },
        form=form,
    )


@login_required
@require_http_methods(["GET", "POST"])
def leave(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    place, membership = get_place_for_member(request.user, slug)
    error = ""
    if request.method == "POST":
        try:
            services.membership_leave(membership=membership)
        except services.ServiceError as refusal:
            error = refusal.message
        else:
            messages.success(request, f"You have left {place.name}.")
            # A members-only place is gone from view once you leave it.
            return redirect(place if place.is_public else "home")
    return render(
        request,
        "places/leave.html",
        {"place": place, "membership": membership, "error": error},
        status=409 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_perspectives(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    place, membership = get_place_for_member(request.user, slug)
    form = PerspectivesForm(
        request.POST if request.method == "POST" else None,
        initial={"perspectives": membership.perspectives},
    )
    if request.method == "POST" and form.is_valid():
        services.membership_set_perspectives(
            membership=membership, perspectives=form.cleaned_data["perspectives"]
        )
        messages.success(request, "Your perspectives are saved.")
        return redirect("places:member", slug=place.slug, membership_id=membership.pk)
    return render_form(
        request,
        "places/my_perspectives.html",
        {"place": place, "membership": membership},
        form=form,
    )


# --- Join requests -------------------------------------------------------------------------


@login_required
@require_GET
def join_requests(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    place, membership = get_place_for_steward(request.user, slug)
    requests_ = JoinRequest.objects.filter(place=place).select_related("user", "decided_by")
    return render(
        request,
        "places/join_requests.html",
        {
            "place": place,
            "membership": membership,
            "pending": [r for r in requests_ if r.status == "pending"],
            "answered": sorted(
                (r for r in requests_ if r.status != "pending"),
                key=lambda r: r.decided_at or r.created_at,
                reverse=True,
            )[:25],
            "form": JoinRequestDecisionForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def join_request_decide(
    request: AuthenticatedHttpRequest, slug: str, request_id: int
) -> HttpResponse:
    place, _ = get_place_for_steward(request.user, slug)
    join_request = (
        JoinRequest.objects.select_related("user").filter(place=place, pk=request_id).first()
    )
    if join_request is None:
        raise Http404("No such request")
    form = JoinRequestDecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.join_request_decide(
                join_request=join_request,
                steward=request.user,
                approve=approve,
                reason=form.cleaned_data["reason"],
            )
        except services.ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                f"{join_request.user} is now a member. We have emailed them."
                if approve
                else f"You declined {join_request.user}’s request. We have emailed them.",
            )
            return redirect("places:requests", slug=place.slug)
    return render_form(
        request,
        "places/join_request_decide.html",
        {"place": place, "join_request": join_request},
        form=form,
    )


# --- Invitations -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def invite(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    place, membership = get_place_for_steward(request.user, slug)
    form = InvitationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation = services.invitation_create(
                place=place,
                inviter=request.user,
                email=data["email"],
                message=data["message"],
                role=data["role"],
            )
        except services.ServiceError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, f"We are sending an invitation to {invitation.email}.")
            return redirect("places:invite", slug=place.slug)
    invitations = list(
        Invitation.objects.filter(place=place).select_related("invited_by", "accepted_by")[:50]
    )
    return render_form(
        request,
        "places/invite.html",
        {
            "place": place,
            "membership": membership,
            "invitations": invitations,
            "whole_system": services.whole_system(place),
        },
        form=form,
    )


@login_required
@require_POST
def invitation_manage(
    request: AuthenticatedHttpRequest, slug: str, invitation_id: int
) -> HttpResponse:
    """Send an invitation again (a fresh link) or withdraw it."""
    place, _ = get_place_for_steward(request.user, slug)
    invitation = Invitation.objects.filter(place=place, pk=invitation_id).first()
    if invitation is None:
        raise Http404("No such invitation")
    action = request.POST.get("action")
    try:
        if action == "resend":
            services.invitation_resend(invitation=invitation, steward=request.user)
            messages.success(request, f"We are sending a new link to {invitation.email}.")
        elif action == "revoke":
            services.invitation_revoke(invitation=invitation, steward=request.user)
            messages.success(request, f"The invitation to {invitation.email} is withdrawn.")
        else:
            return HttpResponse("Choose to send the invitation again or withdraw it.", status=400)
    except services.ServiceError as error:
        messages.error(request, error.message)
    return redirect("places:invite", slug=place.slug)


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The page an invitation link opens. Bad links get a page that says why, never a 500."""
    try:
        found = services.invitation_from_token(token)
    except services.InvitationNotFound:
        return render(request, "places/invitation_invalid.html", {}, status=404)
    state = found.state
    if state != InvitationState.PENDING:
        already_member = request.user.is_authenticated and permissions.is_member(
            request.user, found.place
        )
        return render(
            request,
            "places/invitation_unusable.html",
            {"invitation": found, "state": state, "already_member": already_member},
            status=410,
        )
    if not request.user.is_authenticated:
        if request.method == "POST":
            return redirect_to_login(request.get_full_path())
        return render(
            request,
            "places/invitation.html",
            {"invitation": found, "place": found.place, "form": None},
        )
    if permissions.is_member(request.user, found.place):
        messages.info(request, f"You are already a member of {found.place.name}.")
        return redirect(found.place)
    form = PerspectivesForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_accept(
                invitation=found,
                user=request.user,  # type: ignore[arg-type]
                perspectives=form.cleaned_data["perspectives"],
            )
        except services.ServiceError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, f"Welcome to {found.place.name}.")
            return redirect(found.place)
    return render_form(
        request,
        "places/invitation.html",
        {"invitation": found, "place": found.place},
        form=form,
    )


# --- Interests and power ---------------------------------------------------------------------


def _my_page(slug: str, membership_id: int) -> str:
    return reverse("places:member", kwargs={"slug": slug, "membership_id": membership_id})


@login_required
@require_http_methods(["GET", "POST"])
def interest_declare(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    place, membership = get_place_for_member(request.user, slug)
    form = InterestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.interest_declare(place=place, user=request.user, **form.cleaned_data)
        messages.success(request, "Your interest is declared.")
        return redirect(_my_page(place.slug, membership.pk))
    return render_form(
        request,
        "places/declaration_form.html",
        {"place": place, "membership": membership, "what": "interest"},
        form=form,
    )


@login_required
@require_http_methods(["GET", "POST"])
def interest_withdraw(
    request: AuthenticatedHttpRequest, slug: str, interest_id: int
) -> HttpResponse:
    place, membership = get_place_for_member(request.user, slug)
    # Someone else's interest, or one in another place, is a 404: there is nothing of yours here.
    interest = Interest.objects.filter(place=place, user=request.user, pk=interest_id).first()
    if interest is None:
        raise Http404("No such interest")
    if request.method == "POST":
        services.interest_withdraw(interest=interest, user=request.user)
        messages.success(request, "Your interest is marked as withdrawn. It stays on record.")
        return redirect(_my_page(place.slug, membership.pk))
    return render(
        request,
        "places/declaration_withdraw.html",
        {"place": place, "membership": membership, "item": interest, "what": "interest"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def power_declare(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    place, membership = get_place_for_member(request.user, slug)
    form = PowerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.power_declare(place=place, user=request.user, **form.cleaned_data)
        except services.ServiceError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, "It is on the power map.")
            return redirect("places:power_map", slug=place.slug)
    return render_form(
        request,
        "places/declaration_form.html",
        {"place": place, "membership": membership, "what": "power"},
        form=form,
    )


@login_required
@require_http_methods(["GET", "POST"])
def power_withdraw(request: AuthenticatedHttpRequest, slug: str, power_id: int) -> HttpResponse:
    place, membership = get_place_for_member(request.user, slug)
    power = Power.objects.filter(place=place, user=request.user, pk=power_id).first()
    if power is None:
        raise Http404("Nothing of yours here")
    if request.method == "POST":
        services.power_withdraw(power=power, user=request.user)
        messages.success(request, "Marked as no longer held. It stays on record.")
        return redirect(_my_page(place.slug, membership.pk))
    return render(
        request,
        "places/declaration_withdraw.html",
        {"place": place, "membership": membership, "item": power, "what": "power"},
    )
