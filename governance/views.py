"""Decision pages: the log, a decision, its input and responses, history and follow-through.

Thin views: find the decision for the person (404 when they may not know it exists), check
who they are (403), call a service, render. A request that conflicts with the decision's
state (an edit to a rescinded decision, marking it decided with unanswered input, a stale
edit) answers 409 with a page saying why; bad input answers 400 with the form, keeping what
was typed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from places.access import get_place_for_member, get_place_for_steward, get_place_for_user
from places.parts import fetch_parts, fragment_part
from relational.http import AuthenticatedHttpRequest, HtmxHttpRequest
from relational.ratelimit import rate_limited

from . import exports, permissions, reads, services
from .access import get_decision_for_user, get_input, refuse
from .forms import (
    CentreViewForm,
    ConfirmForm,
    DecideForm,
    DecisionForm,
    DissentForm,
    EvidenceForm,
    HandOverForm,
    InputForm,
    InterestsForm,
    MilestoneForm,
    OpenForm,
    ProgressForm,
    RedactForm,
    RescindForm,
    ResponseForm,
    ResponsibleForm,
    ReviewForm,
    option_formset,
)
from .history import decision_history
from .models import Decision, Evidence, Implementation, Method, Milestone, Rewrite, Status

RESULTS_TARGET = "decision-results"


# --- Helpers ------------------------------------------------------------------------------------


def _form_page(
    request: HttpRequest, template: str, context: dict[str, Any], *, form: Any, status: int = 0
) -> HttpResponse:
    """A form page; a form that failed validation is a 400 (bad input is a 4xx)."""
    status = status or (400 if form.is_bound and form.errors else 200)
    return render(request, template, {**context, "form": form}, status=status)


def _add_error(form: Any, error: services.GovernanceError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def _conflict(request: HttpRequest, decision: Decision, message: str) -> HttpResponse:
    """The decision's state does not allow this: say so, with a way back (409)."""
    return render(
        request,
        "governance/conflict.html",
        {"place": decision.place, "decision": decision, "message": message},
        status=409,
    )


def _state_message(decision: Decision, what: str) -> str:
    if decision.status == Status.RESCINDED:
        return f"This decision was rescinded, so it can no longer be {what}."
    if decision.status == Status.REVISED:
        return f"This decision was revised, so it can no longer be {what}. See its newer version."
    if decision.recorded_by_platform:
        return "The platform recorded this decision from a fund round; nobody can change it."
    return f"A decision that is “{decision.get_status_display().lower()}” cannot be {what}."


def _shaper(request: HttpRequest, slug: str, pk: int) -> tuple[Any, Decision]:
    """The decision, for the people who shape it (owner or steward): 404 / 403 otherwise."""
    place, _, decision = get_decision_for_user(request.user, slug, pk)
    refuse(
        permissions.may_shape(request.user, decision)
        or (decision.recorded_by_platform and permissions.is_steward(request.user, place)),
        "Only the decision's owner and the place's stewards can do that.",
    )
    return place, decision


# --- The decision log ---------------------------------------------------------------------------


def _log_context(request: HtmxHttpRequest, place: Any) -> dict[str, Any]:
    filters = reads.LogFilters.from_query(request.GET)
    page_number = request.GET.get("page") or 1
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "filters": filters,
        # Read only if the results are rendered: not when they are kept (place_fragment).
        "page": SimpleLazyObject(lambda: reads.log_page(request.user, place, filters, page_number)),
        "page_number": str(page_number),
        "reader": reads.log_reader(request.user, place),
        "filter_query": query.urlencode(),
        "status_choices": [(s.value, s.label) for s in Status if s != Status.DRAFT]
        + (
            [(Status.DRAFT.value, Status.DRAFT.label)]
            if permissions.is_steward(request.user, place)
            else []
        ),
        "method_choices": Method.choices,
    }


@require_GET
def log(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    place, membership = get_place_for_user(request.user, slug)
    context = {"place": place, "membership": membership, **_log_context(request, place)}
    status = 400 if context["filters"].errors else 200
    if (
        request.htmx
        and request.htmx.target == RESULTS_TARGET
        and not request.htmx.history_restore_request
    ):
        response = render(request, "governance/log.html#results", context, status=status)
    else:
        context.update(
            may_create=permissions.can_create_decision(request.user, place),
            may_have_feed_address=permissions.can_have_feed_address(request.user, place),
            feed_url=request.build_absolute_uri(reverse("governance:feed", kwargs={"slug": slug})),
        )
        response = render(request, "governance/log.html", context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _atom(place: Any, feed_url: str, *, private: bool) -> HttpResponse:
    response = HttpResponse(
        exports.decisions_atom(place, feed_url=feed_url),
        content_type="application/atom+xml; charset=utf-8",
    )
    if private:
        patch_cache_control(response, private=True, no_store=True)
    return response


@require_GET
def feed(request: HttpRequest, slug: str) -> HttpResponse:
    """The plain feed address: for public places (and members signed in on the site)."""
    place, _ = get_place_for_user(request.user, slug)
    return _atom(place, request.build_absolute_uri(), private=not place.is_public)


@require_GET
def feed_private(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """A member's secret feed address: no sign-in (feed readers have none), 404 once revoked."""
    place = services.feed_token_resolve(slug=slug, token=token)
    if place is None:
        raise Http404("No such feed")
    return _atom(place, request.build_absolute_uri(), private=True)


@require_GET
def feed_page(request: HttpRequest, slug: str) -> HttpResponse:
    place, membership = get_place_for_user(request.user, slug)
    token = None
    if permissions.can_have_feed_address(request.user, place):
        token = services.feed_token_for(place=place, user=request.user)
    private_url = (
        request.build_absolute_uri(
            reverse("governance:feed_private", kwargs={"slug": slug, "token": token.token})
        )
        if token
        else ""
    )
    response = render(
        request,
        "governance/feed.html",
        {
            "place": place,
            "membership": membership,
            "token": token,
            "public_url": request.build_absolute_uri(
                reverse("governance:feed", kwargs={"slug": slug})
            ),
            "private_url": private_url,
            "may_have_address": permissions.can_have_feed_address(request.user, place),
        },
    )
    if token:
        patch_cache_control(response, private=True, no_store=True)
    return response


@login_required
@rate_limited("10/h")
@require_POST
def feed_renew(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    place, _ = get_place_for_member(request.user, slug)
    had_one = services.feed_token_for(place=place, user=request.user) is not None
    services.feed_token_renew(place=place, user=request.user)
    messages.success(
        request,
        "You have a new feed address. The old one no longer works."
        if had_one
        else "Your feed address is ready. Keep it to yourself.",
    )
    return redirect("governance:feed_page", slug=slug)


@login_required
@rate_limited("10/h")
@require_POST
def feed_revoke(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    place, _ = get_place_for_member(request.user, slug)
    if services.feed_token_revoke(place=place, user=request.user):
        messages.success(request, "Your feed address no longer works.")
    return redirect("governance:feed_page", slug=slug)


@require_GET
def csv_download(request: HttpRequest, slug: str) -> HttpResponse:
    place, _ = get_place_for_user(request.user, slug)
    response = HttpResponse(exports.decisions_csv(place), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{place.slug}-decisions.csv"'
    if not place.is_public:
        patch_cache_control(response, private=True, no_store=True)
    return response


# --- Drafting and editing -----------------------------------------------------------------------


def _decision_form_page(
    request: HttpRequest,
    place: Any,
    decision: Decision | None,
    form: Any,
    options: Any,
    *,
    status: int = 0,
    current: Decision | None = None,
) -> HttpResponse:
    bound_errors = form.is_bound and (form.errors or options.errors or options.non_form_errors())
    return render(
        request,
        "governance/decision_form.html",
        {
            "place": place,
            "decision": decision,
            "form": form,
            "options": options,
            "is_new": decision is None,
            "current": current,
        },
        status=status or (400 if bound_errors else 200),
    )


def _options_data(options: Any) -> list[dict[str, Any]]:
    return [f.cleaned_data for f in options.forms if f.cleaned_data]


@login_required
@require_http_methods(["GET", "POST"])
def create(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    place, _ = get_place_for_steward(request.user, slug)
    data = request.POST if request.method == "POST" else None
    form = DecisionForm(data, place=place, initial={"deciders": []})
    options = option_formset(data, None)
    if request.method == "POST" and form.is_valid() and options.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k not in ("version", "deciders")}
        try:
            decision = services.decision_create(
                place=place,
                by=request.user,
                deciders=list(form.cleaned_data["deciders"]),
                options=_options_data(options),
                **fields,
            )
        except services.GovernanceError as error:
            _add_error(form, error)
            return _decision_form_page(request, place, None, form, options, status=error.status)
        messages.success(request, "Your draft is saved. Only stewards and its deciders see it.")
        return redirect(decision.get_absolute_url())
    return _decision_form_page(request, place, None, form, options)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    place, decision = _shaper(request, slug, pk)
    if not permissions.can_edit_decision(request.user, decision):
        return _conflict(
            request,
            decision,
            _state_message(decision, "edited")
            + (" Start a revision to change it." if decision.is_in_force else ""),
        )
    initial = {
        "version": decision.version,
        "title": decision.title,
        "question": decision.question,
        "method": decision.method,
        "deciders": list(decision.deciders.values_list("user_id", flat=True)),
        "body_name": decision.body_name,
        "mandate": decision.mandate,
        "place_view": decision.place_view,
        "input_closes_on": decision.input_closes_on,
        "review_by": decision.review_by,
    }
    data = request.POST if request.method == "POST" else None
    form = DecisionForm(data, place=place, initial=initial)
    options = option_formset(data, decision)
    if request.method == "POST" and form.is_valid() and options.is_valid():
        data_ = form.cleaned_data
        if data_.get("version") is None:
            form.add_error(None, "This form is missing its version number: reload the page.")
            return _decision_form_page(request, place, decision, form, options)
        try:
            services.decision_update(
                decision=decision,
                by=request.user,
                expected_version=data_["version"],
                deciders=list(data_["deciders"]),
                options=_options_data(options),
                **{
                    k: data_[k]
                    for k in (
                        "title",
                        "question",
                        "method",
                        "body_name",
                        "mandate",
                        "place_view",
                        "input_closes_on",
                        "review_by",
                    )
                },
            )
        except services.StaleEdit as stale:
            _add_error(form, stale)
            return _decision_form_page(
                request, place, decision, form, options, status=409, current=stale.current
            )
        except services.GovernanceError as error:
            _add_error(form, error)
            return _decision_form_page(request, place, decision, form, options, status=error.status)
        messages.success(request, "Your changes are saved.")
        return redirect(decision.get_absolute_url())
    return _decision_form_page(request, place, decision, form, options)


def _simple_action(
    request: HttpRequest,
    decision: Decision,
    *,
    template: str,
    form: Any,
    allowed: bool,
    what: str,
    act: Any,
    done: str,
    extra: dict[str, Any] | None = None,
    redirect_to: str | None = None,
) -> HttpResponse:
    """A GET shows the form, a POST runs ``act(form.cleaned_data)``; the state is checked
    first (409) and service refusals come back as field errors."""
    context = {"place": decision.place, "decision": decision, **(extra or {})}
    if not allowed:
        return _conflict(request, decision, _state_message(decision, what))
    if request.method == "POST" and form.is_valid():
        try:
            result = act(form.cleaned_data)
        except services.StaleEdit as stale:
            _add_error(form, stale)
            return _form_page(
                request, template, {**context, "current": stale.current}, form=form, status=409
            )
        except services.GovernanceError as error:
            _add_error(form, error)
            return _form_page(request, template, context, form=form, status=error.status)
        messages.success(request, done)
        target = redirect_to or getattr(result, "get_absolute_url", decision.get_absolute_url)()
        return redirect(target)
    return _form_page(request, template, context, form=form)


@login_required
@require_http_methods(["GET", "POST"])
def open_for_input(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    place, decision = _shaper(request, slug, pk)
    data = request.POST if request.method == "POST" else None
    form = OpenForm(
        data, initial={"version": decision.version, "input_closes_on": decision.input_closes_on}
    )
    return _simple_action(
        request,
        decision,
        template="governance/open.html",
        form=form,
        allowed=permissions.can_open_for_input(request.user, decision),
        what="opened for input",
        act=lambda d: services.decision_open(
            decision=decision,
            by=request.user,
            input_closes_on=d["input_closes_on"],
            expected_version=d.get("version"),
        ),
        done="The decision is open for input. Members can now say what they think.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def decide(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    place, decision = _shaper(request, slug, pk)
    data = request.POST if request.method == "POST" else None
    form = DecideForm(
        data,
        initial={
            "version": decision.version,
            "decided_on": timezone.localdate(),
            "review_by": decision.review_by,
            "outcome": decision.outcome,
            "reasoning": decision.reasoning,
            "method_result": decision.method_result,
        },
    )
    blockers = services.decision_blockers(decision) if decision.is_pre_decision else None
    return _simple_action(
        request,
        decision,
        template="governance/decide.html",
        form=form,
        allowed=permissions.can_mark_decided(request.user, decision),
        what="marked decided",
        act=lambda d: services.decision_decide(
            decision=decision,
            by=request.user,
            outcome=d["outcome"],
            reasoning=d["reasoning"],
            method_result=d["method_result"],
            decided_on=d["decided_on"],
            review_by=d.get("review_by"),
            expected_version=d.get("version"),
        ),
        done="The decision is recorded as decided, with its reasons.",
        extra={"blockers": blockers},
    )


@login_required
@require_http_methods(["GET", "POST"])
def review(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    """Decided: start a review now. Under review: confirm it stands, with the next date."""
    place, decision = _shaper(request, slug, pk)
    data = request.POST if request.method == "POST" else None
    form: Any
    if decision.status == Status.DECIDED:
        form = ConfirmForm(data)
        return _simple_action(
            request,
            decision,
            template="governance/review.html",
            form=form,
            allowed=permissions.can_start_review(request.user, decision),
            what="reviewed",
            act=lambda d: (
                services.decision_review_start(decision=decision, by=request.user) or decision
            ),
            done="The review has started.",
            extra={"starting": True},
        )
    form = ReviewForm(data, initial={"version": decision.version})
    return _simple_action(
        request,
        decision,
        template="governance/review.html",
        form=form,
        allowed=permissions.can_conclude_review(request.user, decision),
        what="reviewed",
        act=lambda d: services.decision_review_conclude(
            decision=decision,
            by=request.user,
            note=d["note"],
            review_by=d.get("review_by"),
            expected_version=d.get("version"),
        ),
        done="The review is recorded: the decision stands.",
        extra={"starting": False},
    )


@login_required
@require_http_methods(["GET", "POST"])
def revise(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    place, decision = _shaper(request, slug, pk)
    data = request.POST if request.method == "POST" else None
    return _simple_action(
        request,
        decision,
        template="governance/revise.html",
        form=ConfirmForm(data),
        allowed=permissions.can_revise(request.user, decision),
        what="revised",
        act=lambda d: services.decision_revise(decision=decision, by=request.user),
        done="A new version is drafted. The decision in force stays until it is decided.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def rescind(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    place, decision = _shaper(request, slug, pk)
    data = request.POST if request.method == "POST" else None
    form = RescindForm(data, initial={"version": decision.version})
    return _simple_action(
        request,
        decision,
        template="governance/rescind.html",
        form=form,
        allowed=permissions.can_rescind(request.user, decision),
        what="rescinded",
        act=lambda d: services.decision_rescind(
            decision=decision,
            by=request.user,
            reason=d["reason"],
            expected_version=d.get("version"),
        ),
        done="The decision is rescinded. It stays on the record with your reason.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def hand_over(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    place, decision = _shaper(request, slug, pk)
    data = request.POST if request.method == "POST" else None
    form = HandOverForm(data, decision=decision)
    return _simple_action(
        request,
        decision,
        template="governance/hand_over.html",
        form=form,
        allowed=permissions.can_hand_over(request.user, decision),
        what="handed over",
        act=lambda d: services.decision_hand_over(
            decision=decision, by=request.user, to=d["owner"]
        ),
        done="The decision is handed over.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def centre_view(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    place, _, decision = get_decision_for_user(request.user, slug, pk)
    refuse(
        permissions.speaks_for_centre(request.user, decision),
        "The view from the centre is written by a member who speaks from the centre or policy "
        "perspective.",
    )
    data = request.POST if request.method == "POST" else None
    form = CentreViewForm(
        data, initial={"version": decision.version, "centre_view": decision.centre_view}
    )
    return _simple_action(
        request,
        decision,
        template="governance/centre_view.html",
        form=form,
        allowed=permissions.can_write_centre_view(request.user, decision),
        what="given a view from the centre now",
        act=lambda d: services.centre_view_write(
            decision=decision,
            by=request.user,
            text=d.get("centre_view") or "",
            expected_version=d.get("version"),
        ),
        done="The view from the centre is saved.",
    )


# --- Evidence -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def evidence_add(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    place, decision = _shaper(request, slug, pk)
    data = request.POST if request.method == "POST" else None
    form = EvidenceForm(data, place=place)
    return _simple_action(
        request,
        decision,
        template="governance/evidence_form.html",
        form=form,
        allowed=permissions.can_change_evidence(request.user, decision),
        what="given new evidence",
        act=lambda d: (
            services.evidence_add(
                decision=decision,
                by=request.user,
                cycle=form.resolved_cycle,
                entry=form.resolved_entry,
                note=d.get("note") or "",
            )
            and decision
        ),
        done="The evidence is linked.",
    )


@login_required
@require_POST
def evidence_remove(
    request: AuthenticatedHttpRequest, slug: str, pk: int, evidence_id: int
) -> HttpResponse:
    place, decision = _shaper(request, slug, pk)
    evidence = Evidence.objects.filter(decision=decision, pk=evidence_id).first()
    if evidence is None:
        raise Http404("No such evidence")
    try:
        services.evidence_remove(evidence=evidence, by=request.user)
    except services.GovernanceError as error:
        return _conflict(request, decision, error.message)
    messages.success(request, "The evidence is taken off the draft.")
    return redirect(decision.get_absolute_url())


# --- Deciders -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def interests(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    place, _, decision = get_decision_for_user(request.user, slug, pk)
    row = decision.deciders.filter(user=request.user).first()
    refuse(
        row is not None and permissions.is_decider(request.user, decision),
        "Only the decision's deciders state their interests here.",
    )
    data = request.POST if request.method == "POST" else None
    initial = {"no_interest": row.no_interest, "interests": list(row.interest_ids)} if row else {}
    form = InterestsForm(data, place=place, user=request.user, initial=initial)
    return _simple_action(
        request,
        decision,
        template="governance/interests.html",
        form=form,
        allowed=permissions.can_state_interests(request.user, decision),
        what="given new statements of interest",
        act=lambda d: (
            services.decider_state(
                decision=decision,
                by=request.user,
                interest_ids=[i.pk for i in d.get("interests") or []],
                no_interest=bool(d.get("no_interest")),
            )
            and decision
        ),
        done="Your statement of interests is recorded.",
        extra={"row": row},
    )


@login_required
@require_http_methods(["GET", "POST"])
def dissent(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    place, _, decision = get_decision_for_user(request.user, slug, pk)
    objected = decision.inputs.filter(author=request.user, stance="objection").exists()
    refuse(
        permissions.is_decider(request.user, decision)
        or (objected and permissions.is_member(request.user, place)),
        "Dissent is recorded by the deciders and by members who objected.",
    )
    existing = decision.dissents.filter(author=request.user).first()
    data = request.POST if request.method == "POST" else None
    form = DissentForm(data, initial={"text": existing.text if existing else ""})
    return _simple_action(
        request,
        decision,
        template="governance/dissent.html",
        form=form,
        allowed=permissions.can_record_dissent(request.user, decision, objected=objected),
        what="given new dissent",
        act=lambda d: (
            services.dissent_record(decision=decision, by=request.user, text=d["text"]) and decision
        ),
        done="Your dissent is on the record, in your words.",
    )


# --- Input and response -------------------------------------------------------------------------


@login_required
@rate_limited("20/m")
@require_http_methods(["GET", "POST"])
def input_new(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    place, _, decision = get_decision_for_user(request.user, slug, pk)
    refuse(permissions.is_member(request.user, place), "Only members of this place give input.")
    data = request.POST if request.method == "POST" else None
    form = InputForm(data)
    return _simple_action(
        request,
        decision,
        template="governance/input_form.html",
        form=form,
        allowed=permissions.can_give_input(request.user, decision),
        what="given input now" if decision.status != Status.DRAFT else "given input yet",
        act=lambda d: services.input_give(
            decision=decision, by=request.user, stance=d["stance"], text=d["text"]
        ),
        done="Thank you: your input is on the record. You will be told when it gets a response.",
        extra={"is_new": True},
    )


@login_required
@require_http_methods(["GET", "POST"])
def input_edit(
    request: AuthenticatedHttpRequest, slug: str, pk: int, input_id: int
) -> HttpResponse:
    place, _, decision = get_decision_for_user(request.user, slug, pk)
    item = get_input(decision, input_id)
    refuse(
        item.author_id == request.user.pk and permissions.is_member(request.user, place),
        "Only its author can change an input.",
    )
    data = request.POST if request.method == "POST" else None
    form = InputForm(data, initial={"stance": item.stance, "text": item.text})
    return _simple_action(
        request,
        decision,
        template="governance/input_form.html",
        form=form,
        allowed=permissions.can_edit_input(request.user, item),
        what="given changed input (it is closed, or the input already has its response)",
        act=lambda d: services.input_edit(
            item=item, by=request.user, stance=d["stance"], text=d["text"]
        ),
        done="Your input is changed.",
        extra={"is_new": False, "item": item},
    )


@login_required
@rate_limited("60/m")
@require_http_methods(["GET", "POST"])
def respond(request: AuthenticatedHttpRequest, slug: str, pk: int, input_id: int) -> HttpResponse:
    place, _, decision = get_decision_for_user(request.user, slug, pk)
    item = get_input(decision, input_id)
    refuse(
        permissions.is_owner(request.user, decision)
        or permissions.is_decider(request.user, decision),
        "Only the decision's owner or a decider can respond to input.",
    )
    existing = getattr(item, "response", None) if permissions.has_response(item) else None
    data = request.POST if request.method == "POST" else None
    form = ResponseForm(
        data,
        initial={"disposition": existing.disposition, "text": existing.text} if existing else None,
    )
    return _simple_action(
        request,
        decision,
        template="governance/respond.html",
        form=form,
        allowed=permissions.can_respond(request.user, decision),
        what="given new responses",
        act=lambda d: services.response_give(
            item=item, by=request.user, disposition=d["disposition"], text=d["text"]
        ),
        done="Your response is published beside the input, and its author is told.",
        extra={"item": item, "existing": existing},
        redirect_to=f"{decision.get_absolute_url()}#input-{item.pk}",
    )


# --- Reading a decision -------------------------------------------------------------------------


def _decision_actions(user: Any, decision: Decision) -> dict[str, bool]:
    return {
        "may_edit": permissions.can_edit_decision(user, decision),
        "may_open": permissions.can_open_for_input(user, decision),
        "may_decide": permissions.can_mark_decided(user, decision),
        "may_start_review": permissions.can_start_review(user, decision),
        "may_conclude_review": permissions.can_conclude_review(user, decision),
        "may_revise": permissions.can_revise(user, decision),
        "may_rescind": permissions.can_rescind(user, decision),
        "may_hand_over": permissions.can_hand_over(user, decision),
        "may_change_evidence": permissions.can_change_evidence(user, decision),
        "may_write_centre_view": permissions.can_write_centre_view(user, decision),
        "may_give_input": permissions.can_give_input(user, decision),
        "may_state_interests": permissions.can_state_interests(user, decision),
        "may_redact": permissions.can_redact(user, decision),
        "may_flag": permissions.is_member(user, decision.place),
    }


@require_GET
def decision_detail(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    place, membership, decision = get_decision_for_user(request.user, slug, pk, with_people=False)
    context = {
        "place": place,
        "membership": membership,
        "decision": decision,
        **reads.decision_page(request.user, decision),
    }
    context.update(_decision_actions(request.user, decision))
    context["my_decider_row"] = mine = next(
        (v.decider for v in context["deciders"] if v.decider.user_id == request.user.pk), None
    )
    # What the page's two kept pieces (place_fragment) show that depends on the reader.
    context["body_reader"] = (
        context["may_state_interests"],
        bool(mine and mine.has_stated),
        context["may_write_centre_view"],
        context["may_record_dissent"],
    )
    context["inputs_reader"] = (
        request.user.is_authenticated,
        context["may_give_input"],
        context["may_flag"],
        context["may_respond_to_inputs"],
        context["editable_inputs"],
    )
    fetch_parts(  # the two kept pieces, in one read of the cache
        place,
        [
            fragment_part("decision-body", decision.pk, context["body_reader"]),
            fragment_part("decision-inputs", decision.pk, context["inputs_reader"]),
        ],
    )
    return render(request, "governance/decision.html", context)


@require_GET
def history(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    place, membership, decision = get_decision_for_user(request.user, slug, pk)
    items = decision_history(decision)
    logged = list(Rewrite.objects.filter(decision=decision).order_by("created_at", "id"))
    people = reads_people({r.by_user_id for r in logged if r.by_user_id})
    rewrites = [
        {
            "kind": r.get_kind_display(),
            "created_at": r.created_at,
            "reason": r.reason,
            "by_name": people.get(r.by_user_id, "a former member") if r.by_user_id else "",
        }
        for r in logged
    ]
    return render(
        request,
        "governance/history.html",
        {
            "place": place,
            "decision": decision,
            "items": items,
            "rewrites": rewrites,
            "may_redact": permissions.can_redact(request.user, decision),
        },
    )


def reads_people(ids: set[int]) -> dict[int, str]:
    from relational.models import User

    return dict(User.objects.filter(pk__in=ids).values_list("pk", "display_name")) if ids else {}


@login_required
@require_http_methods(["GET", "POST"])
def redact(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    place, _, decision = get_decision_for_user(request.user, slug, pk)
    refuse(permissions.is_steward(request.user, place), "Only stewards can redact the record.")
    data = request.POST if request.method == "POST" else None
    form = RedactForm(data)
    from .rewrite import decision_redact

    return _simple_action(
        request,
        decision,
        template="governance/redact.html",
        form=form,
        allowed=permissions.can_redact(request.user, decision),
        what="redacted while it is a draft (edit the draft instead)",
        act=lambda d: (
            decision_redact(
                decision=decision, by=request.user, phrase=d["phrase"], reason=d["reason"]
            )
            and decision
        ),
        done="Those words are redacted everywhere in this decision's record and its history.",
        redirect_to=reverse("governance:history", kwargs={"slug": slug, "pk": pk}),
    )


# --- Following it through -----------------------------------------------------------------------


def _implementation_for(
    request: HttpRequest, slug: str, pk: int
) -> tuple[Any, Decision, Implementation]:
    place, _, decision = get_decision_for_user(request.user, slug, pk)
    if decision.decided_at is None:
        raise Http404("Not decided yet")
    implementation = (
        Implementation.objects.select_related("responsible").filter(decision=decision).first()
    )
    if implementation is None:
        implementation = Implementation(decision=decision)
    implementation.decision = decision
    return place, decision, implementation


@require_http_methods(["GET", "POST"])
def implementation(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    """The implementation record; people who may update it post progress from here."""
    place, decision, record = _implementation_for(request, slug, pk)
    may_update = permissions.can_update_implementation(
        request.user, decision, record.responsible_id
    )
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        refuse(
            permissions.can_update_implementation(
                request.user, _as_in_force(decision), record.responsible_id
            ),
            "Only the owner, the person responsible and the stewards post progress.",
        )
    data = request.POST if request.method == "POST" else None
    form = ProgressForm(data, initial={"status": record.status, "progress": record.progress})
    context = {
        "place": place,
        "decision": decision,
        "record": record,
        "milestones": list(record.milestones.all()) if record.pk else [],
        "updates": list(record.updates.select_related("author")) if record.pk else [],
        "may_update": may_update,
        "today": timezone.localdate(),
    }
    if request.method == "POST":
        if not decision.is_in_force:
            return _conflict(request, decision, _state_message(decision, "followed through now"))
        if form.is_valid():
            try:
                services.progress_post(
                    decision=decision,
                    by=request.user,
                    status=form.cleaned_data["status"],
                    progress=form.cleaned_data["progress"],
                    text=form.cleaned_data["text"],
                )
            except services.GovernanceError as error:
                _add_error(form, error)
                return _form_page(
                    request,
                    "governance/implementation.html",
                    context,
                    form=form,
                    status=error.status,
                )
            messages.success(request, "Your progress update is on the record and the timeline.")
            return redirect(record.get_absolute_url())
    return _form_page(request, "governance/implementation.html", context, form=form)


def _as_in_force(decision: Decision) -> Decision:
    """A copy of the decision as if in force: tells apart "not allowed" (403) from "not now"
    (409) for people who could update it while it was in force."""
    copy = Decision(
        pk=decision.pk, place=decision.place, owner_id=decision.owner_id, status=Status.DECIDED
    )
    return copy


@login_required
@require_http_methods(["GET", "POST"])
def implementation_responsible(
    request: AuthenticatedHttpRequest, slug: str, pk: int
) -> HttpResponse:
    place, decision, record = _implementation_for(request, slug, pk)
    refuse(
        permissions.can_update_implementation(
            request.user, _as_in_force(decision), record.responsible_id
        ),
        "Only the owner, the person responsible and the stewards change this.",
    )
    data = request.POST if request.method == "POST" else None
    form = ResponsibleForm(data, place=place, initial={"responsible": record.responsible_id})
    return _simple_action(
        request,
        decision,
        template="governance/responsible.html",
        form=form,
        allowed=decision.is_in_force,
        what="followed through now",
        act=lambda d: services.implementation_set_responsible(
            decision=decision, by=request.user, responsible=d.get("responsible")
        ),
        done="Saved.",
        extra={"record": record},
    )


@login_required
@require_http_methods(["GET", "POST"])
def milestone_new(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    place, decision, record = _implementation_for(request, slug, pk)
    refuse(
        permissions.can_update_implementation(
            request.user, _as_in_force(decision), record.responsible_id
        ),
        "Only the owner, the person responsible and the stewards add milestones.",
    )
    data = request.POST if request.method == "POST" else None
    form = MilestoneForm(data)
    return _simple_action(
        request,
        decision,
        template="governance/milestone_form.html",
        form=form,
        allowed=decision.is_in_force,
        what="followed through now",
        act=lambda d: (
            services.milestone_add(
                decision=decision, by=request.user, title=d["title"], due_on=d["due_on"]
            )
            and record
        ),
        done="The milestone is added.",
        extra={"record": record},
        redirect_to=reverse("governance:implementation", kwargs={"slug": slug, "pk": pk}),
    )


@login_required
@require_POST
def milestone_done(
    request: AuthenticatedHttpRequest, slug: str, pk: int, milestone_id: int
) -> HttpResponse:
    place, decision, record = _implementation_for(request, slug, pk)
    refuse(
        permissions.can_update_implementation(
            request.user, _as_in_force(decision), record.responsible_id
        ),
        "Only the owner, the person responsible and the stewards mark milestones done.",
    )
    milestone = Milestone.objects.filter(implementation__decision=decision, pk=milestone_id).first()
    if milestone is None:
        raise Http404("No such milestone")
    try:
        services.milestone_done(milestone=milestone, by=request.user)
    except services.GovernanceError as error:
        return _conflict(request, decision, error.message)
    messages.success(request, f"“{milestone.title}” is marked done.")
    return redirect("governance:implementation", slug=slug, pk=pk)
