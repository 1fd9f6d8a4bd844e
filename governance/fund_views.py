"""Pages of the community fund, mounted at ``/places/<slug>/funds/`` (namespace ``funds``).

Every URL is classified in the URL permission test (``tests/governance/fund_url_rules.py``).
Reading follows the place (a members-only place's funds are a 404 for everyone else); what a
person may do is asked of :mod:`governance.fund_rules`; every write goes through
:mod:`governance.funds`, whose refusals carry the HTTP status the page answers with.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, Sum
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.functional import SimpleLazyObject
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from places.access import get_place_for_member, get_place_for_steward, get_place_for_user
from places.models import Interest, Place
from places.parts import place_part
from places.permissions import can_flag, is_member
from relational.http import AuthenticatedHttpRequest, HtmxHttpRequest

from . import fund_rules as rules
from . import funds, threesixty
from .fund_forms import (
    AwardCycleForm,
    CommentForm,
    FundForm,
    IdeaEditForm,
    IdeaForm,
    RoundForm,
    TieForm,
)
from .fund_models import Award, Fund, Idea, IdeaVersion, Round, RoundResult, RoundState

#: How many reflections of an award's learning cycle the fund page shows.
REFLECTIONS_SHOWN = 2


# --- Finding things (a foreign or forged id is a 404) --------------------------------------------


def _fund_in(place: Place, fund_id: int) -> Fund:
    fund = Fund.objects.filter(place=place, pk=fund_id).first()
    if fund is None:
        raise Http404("No such fund")
    fund.place = place  # the same instance, so the membership cache applies
    return fund


def _round_in(fund: Fund, round_id: int) -> Round:
    round_ = Round.objects.filter(fund=fund, pk=round_id).first()
    if round_ is None:
        raise Http404("No such round")
    round_.fund = fund
    return round_


def _idea_in(fund: Fund, idea_id: int) -> Idea:
    idea = (
        Idea.objects.filter(round__fund=fund, pk=idea_id)
        .select_related("round", "proposer", "cycle")
        .first()
    )
    if idea is None:
        raise Http404("No such idea")
    idea.round.fund = fund
    return idea


def _apply_error(form: Form, error: funds.FundError) -> None:
    """Put a service's refusal on the form: on its field when it has one, else on the form."""
    if error.field and error.field in form.fields:
        form.add_error(error.field, error.message)
    else:
        form.add_error(None, error.message)


# --- Reads ----------------------------------------------------------------------------------------


def _cycle_entry_model() -> Any:
    """``learning.Entry`` found through the award's relation (governance imports no learning
    code for this)."""
    cycle_model = Award._meta.get_field("cycle").related_model
    return cycle_model._meta.get_field("entries").related_model  # type: ignore[union-attr]


def _reflections(user: Any, place: Place) -> Prefetch:
    """The latest reflections of each award's cycle that this reader may see."""
    entry = _cycle_entry_model()
    visible = Q(visibility="public")
    if is_member(user, place):
        visible |= Q(visibility="members")
    queryset = entry._default_manager.filter(visible, kind="reflection", hidden_at__isnull=True)
    return Prefetch(
        "cycle__entries",
        queryset=queryset.order_by("-created_at", "-id")[:REFLECTIONS_SHOWN],
        to_attr="fund_reflections",
    )


def fund_awards(fund: Fund, user: Any = None) -> list[Award]:
    """A fund's awards with what the page, the CSV and 360Giving show, in a fixed number of
    queries however many there are."""
    rows = _award_rows(fund, user)
    _share(rows, fund)
    return rows


def _award_rows(fund: Fund, user: Any) -> list[Award]:
    """The awards as read, before :func:`_share` gives them the fund (so a kept copy holds no
    place, and no reader's membership)."""
    return list(
        Award.objects.for_fund(fund)
        .select_related("round", "idea", "decision", "cycle")
        .prefetch_related(_reflections(user, fund.place))
        .order_by("round__number", "rank", "id")
    )


def _share(awards: list[Award], fund: Fund) -> None:
    """Give the awards this fund and its place (no query for their addresses, and the place's
    membership cache for the permission checks), whether just read or kept."""
    for award in awards:
        award.round.fund = fund
        award.idea.round = award.round
        award.decision.place = fund.place
        if award.cycle is not None:
            award.cycle.place = fund.place


class PotChart:
    """The pot as awarded and remaining: numbers for an SVG bar, its words, and its table."""

    WIDTH = 600
    HEIGHT = 56

    def __init__(self, pot: Decimal, awarded: Decimal) -> None:
        self.pot = pot
        self.awarded = awarded
        self.remaining = max(pot - awarded, Decimal("0"))
        share = (awarded / pot) if pot else Decimal("0")
        self.awarded_percent = int((share * 100).quantize(Decimal("1")))
        self.remaining_percent = 100 - self.awarded_percent
        self.awarded_width = int((share * self.WIDTH).quantize(Decimal("1")))
        self.remaining_width = self.WIDTH - self.awarded_width


#: An award as every request of the fund page needs it, for who may link its cycle and for the
#: sums: (id, round id, amount, the awarded idea's proposer id).
AwardFacts = tuple[int, int, Decimal, int | None]


def _fund_facts(place: Place, fund_id: int) -> tuple[Fund, list[Round], list[AwardFacts]]:
    """The fund, its rounds (newest first) and its awards' facts: what the fund page asks on
    every request to know what this reader is offered, kept while the place is unchanged
    (places.parts). Small (no related rows), so cheap to read; the ideas and the awards
    themselves are read only when the page's kept rendering does not fit the reader."""

    def read() -> tuple[Fund, list[Round], list[AwardFacts]]:
        fund = Fund.objects.filter(place=place, pk=fund_id).first()
        if fund is None:
            raise Http404("No such fund")  # nothing is kept
        rounds = list(Round.objects.filter(fund_id=fund.pk).order_by("-number"))
        awards: list[AwardFacts] = list(
            Award.objects.for_fund(fund)
            .order_by("id")
            .values_list("pk", "round_id", "amount", "idea__proposer_id")
        )
        return fund, rounds, awards

    # Kept as read: before a place, a membership or a round's state is cached on them.
    fund, rounds, awards = place_part(place, f"fund-facts:{fund_id}", read)
    fund.place = place  # the same instance, so the membership cache applies
    for round_ in rounds:
        round_.fund = fund
    return fund, rounds, awards


def _fund_page(
    request: HtmxHttpRequest,
    place: Place,
    fund: Fund,
    rounds: list[Round],
    award_facts: list[AwardFacts],
) -> dict[str, Any]:
    """The fund page's context. What it offers this reader comes from the small facts; the
    rounds' ideas and results and the awards are read (from their kept parts, or the database)
    only if the page's kept rendering does not fit the reader (``fund_reader``)."""
    user = request.user
    member = is_member(user, place)
    offers = {r.pk: (rules.can_propose_idea(user, r), rules.can_allocate(user, r)) for r in rounds}
    may_add_round = rules.can_add_round(user, fund)
    may_link = rules.linkable_awards(user, place, [(pk, by) for pk, _, _, by in award_facts])
    awarded_in: dict[int, Decimal] = defaultdict(Decimal)
    for _, round_id, amount, _ in award_facts:
        awarded_in[round_id] += amount

    def results_and_ideas() -> tuple[dict[int, RoundResult], list[Idea]]:
        results = {
            r.round_id: r
            for r in RoundResult.objects.filter(round__fund_id=fund.pk).select_related("decision")
        }
        ideas: list[Idea] = list(
            Idea.objects.filter(round__fund_id=fund.pk)
            .select_related("proposer")
            .prefetch_related("missions")
            .annotate(
                comment_count=Count("comments", filter=Q(comments__hidden_at__isnull=True),
                                    distinct=True),
                codesigner_count=Count("codesigners", distinct=True),
            )
            .order_by("created_at", "id")
        )  # fmt: skip
        return results, ideas

    def sections() -> list[dict[str, Any]]:
        # The same for everyone: kept while the place is unchanged (places.parts; every round,
        # idea, comment, co-designer, point and result moves its place's version).
        results, ideas = place_part(place, f"fund-results-ideas:{fund.pk}", results_and_ideas)
        by_round: dict[int, list[Idea]] = defaultdict(list)
        rounds_by_id = {r.pk: r for r in rounds}
        for idea in ideas:
            idea.round = rounds_by_id[idea.round_id]
            by_round[idea.round_id].append(idea)
        built = []
        for round_ in rounds:
            result = results.get(round_.pk) if round_.closed_at else None
            round_ideas = by_round.get(round_.pk, [])
            if result is not None:
                ranked = {row["idea"]: row for row in result.ranking}
                for ranked_idea in round_ideas:
                    ranked_idea.result_row = ranked.get(ranked_idea.pk)  # type: ignore[attr-defined]
                round_ideas.sort(
                    key=lambda i: (i.result_row["rank"] if i.result_row else 10**6, i.pk)  # type: ignore[attr-defined]
                )
                if result.decision is not None:
                    result.decision.place = place
            built.append(
                {
                    "round": round_,
                    "state": round_.current_state,
                    "ideas": round_ideas,
                    "result": result,
                    "may_propose": offers[round_.pk][0],
                    "may_allocate": offers[round_.pk][1],
                    "round_awarded": awarded_in.get(round_.pk, Decimal("0")),
                }
            )
        return built

    def awards() -> list[Award]:
        # Kept for each kind of reader: the reflections shown are the public ones, or a member's.
        kind = "member" if member else "public"
        rows = place_part(place, f"fund-awards:{fund.pk}:{kind}", lambda: _award_rows(fund, user))
        _share(rows, fund)
        return rows

    open_for_points = any(
        r.current_state in (RoundState.ALLOCATING, RoundState.COUNTING, RoundState.CLOSED)
        for r in rounds
    )
    return {
        "place": place,
        "fund": fund,
        "sections": SimpleLazyObject(sections),
        "awards": SimpleLazyObject(awards),
        "chart": PotChart(fund.pot, sum(awarded_in.values(), Decimal("0"))),
        "rule": funds.ALLOCATION_RULE,
        "rule_first": not open_for_points,
        "funder_org_id": SimpleLazyObject(lambda: threesixty.funder_org_id(fund)),
        "may_add_round": may_add_round,
        "may_link": may_link,
        # All the page's kept piece (place_fragment) shows that depends on the reader.
        "fund_reader": (member, may_add_round, sorted(offers.items()), sorted(may_link)),
    }


# --- Funds ----------------------------------------------------------------------------------------


@require_GET
def fund_list(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    place, _membership = get_place_for_user(request.user, slug)
    fund_rows = list(
        Fund.objects.for_place(place)
        .annotate(round_count=Count("rounds", distinct=True))
        .order_by("-created_at", "-id")
    )
    awarded = dict(
        Award.objects.filter(round__fund__in=fund_rows)
        .values_list("round__fund")
        .annotate(total=Sum("amount"))
        .values_list("round__fund", "total")
    )
    for fund in fund_rows:
        fund.place = place
        fund.awarded = awarded.get(fund.pk) or Decimal("0")  # type: ignore[attr-defined]
    return render(
        request,
        "governance/fund_list.html",
        {
            "place": place,
            "funds": fund_rows,
            "may_create": rules.can_create_fund(request.user, place),
        },
    )


def _default_round_dates() -> dict[str, Any]:
    now = timezone.localtime().replace(second=0, microsecond=0)
    start = now.replace(minute=0) + timedelta(hours=1)
    return {
        "ideas_open_at": start,
        "ideas_close_at": start + timedelta(days=21),
        "allocation_opens_at": start + timedelta(days=21),
        "allocation_closes_at": start + timedelta(days=28),
        "points_per_member": 100,
    }


@login_required
@require_http_methods(["GET", "POST"])
def fund_create(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    place, _membership = get_place_for_steward(request.user, slug)
    form = FundForm(request.POST or None, initial=_default_round_dates())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            fund = funds.fund_create(
                place=place,
                by=request.user,
                name=data["name"],
                purpose=data["purpose"],
                pot=data["pot"],
                funder_name=data["funder_name"],
                funder_org_id=data["funder_org_id"],
                first_round=form.plan(default_pot=data["pot"]),
            )
        except funds.FundError as error:
            _apply_error(form, error)
            return render(request, "governance/fund_form.html",
                          {"place": place, "form": form}, status=error.status)  # fmt: skip
        fund.place = place
        messages.success(request, f"The fund “{fund.name}” is open.")
        return redirect(fund.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "governance/fund_form.html", {"place": place, "form": form},
                  status=status)  # fmt: skip


@require_GET
def fund_detail(request: HtmxHttpRequest, slug: str, fund_id: int) -> HttpResponse:
    place, _membership = get_place_for_user(request.user, slug)
    fund, rounds, award_facts = _fund_facts(place, fund_id)
    context = _fund_page(request, place, fund, rounds, award_facts)
    response = render(request, "governance/fund.html", context)
    if not place.is_public:
        patch_cache_control(response, private=True)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def round_create(request: AuthenticatedHttpRequest, slug: str, fund_id: int) -> HttpResponse:
    place, _membership = get_place_for_steward(request.user, slug)
    fund = _fund_in(place, fund_id)
    available = funds.fund_available(fund)
    form = RoundForm(request.POST or None, available=available, initial=_default_round_dates())
    context = {"place": place, "fund": fund, "form": form, "available": available}
    if request.method == "POST" and form.is_valid():
        try:
            round_ = funds.round_create(fund=fund, by=request.user, plan=form.plan(available))
        except funds.FundError as error:
            _apply_error(form, error)
            return render(request, "governance/round_form.html", context, status=error.status)
        round_.fund = fund
        messages.success(request, f"{round_.title} is added.")
        return redirect(round_.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "governance/round_form.html", context, status=status)


# --- Ideas ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def idea_create(
    request: AuthenticatedHttpRequest, slug: str, fund_id: int, round_id: int
) -> HttpResponse:
    place, _membership = get_place_for_member(request.user, slug)
    fund = _fund_in(place, fund_id)
    round_ = _round_in(fund, round_id)
    form = IdeaForm(request.POST or None, round_=round_, place=place)
    context = {"place": place, "fund": fund, "round": round_, "form": form, "is_new": True}
    if not rules.can_propose_idea(request.user, round_):
        # Say why, and keep anything that was typed on the page.
        form.is_valid()
        try:
            funds._require_state(round_, [RoundState.IDEAS], "propose an idea", None)
        except funds.FundError as error:
            form.add_error(None, error.message)
        return render(request, "governance/idea_form.html", {**context, "closed": True},
                      status=409)  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            idea = funds.idea_propose(round_=round_, by=request.user,
                                      data=form.fields_for_service())  # fmt: skip
        except funds.FundError as error:
            _apply_error(form, error)
            return render(request, "governance/idea_form.html", context, status=error.status)
        idea.round.fund = fund
        messages.success(request, f"Your idea “{idea.title}” is proposed.")
        return redirect(idea.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "governance/idea_form.html", context, status=status)


def _idea_context(request: HtmxHttpRequest, place: Place, fund: Fund, idea: Idea) -> dict[str, Any]:
    user = request.user
    round_ = idea.round
    codesigners = list(idea.codesigners.select_related("user"))
    codesigner_ids = {c.user_id for c in codesigners}
    ties = list(idea.ties.select_related("user", "interest"))
    comments = list(idea.comments.select_related("author"))
    award = Award.objects.filter(idea=idea).select_related("decision", "cycle").first()
    if award is not None:
        award.decision.place = place
        award.round = round_
        award.idea = idea
    result_row = None
    if round_.closed_at is not None:
        result = getattr(round_, "result", None)
        if result is not None:
            result_row = next((r for r in result.ranking if r["idea"] == idea.pk), None)
            if result.decision is not None:
                result.decision.place = place
    my_interests = (
        list(Interest.objects.current().filter(place=place, user=user))
        if is_member(user, place)
        else []
    )
    tied_interest_ids = {t.interest_id for t in ties if t.interest_id}
    may_tie = rules.can_tie_interest(user, idea)
    tie_form = None
    if may_tie and my_interests:
        tie_form = TieForm(user=user, place=place)
        untied = Interest.objects.current().filter(place=place, user=user)
        field: Any = tie_form.fields["interest"]
        field.queryset = untied.exclude(pk__in=tied_interest_ids)
    return {
        "place": place,
        "fund": fund,
        "round": round_,
        "idea": idea,
        "state": round_.current_state,
        "missions": list(idea.missions.all()),
        "codesigners": codesigners,
        "ties": ties,
        "comments": comments,
        "award": award,
        "result_row": result_row,
        "version_count": idea.version,
        "may_revise": rules.can_revise_idea(user, idea),
        "may_join": rules.can_join_idea(user, idea, codesigner_ids=codesigner_ids),
        "may_comment": rules.can_comment_on_idea(user, idea),
        "may_tie": may_tie,
        "may_flag": can_flag(user, place),
        "has_interests": bool(my_interests),
        "all_tied": bool(my_interests)
        and tie_form is not None
        and not tie_form.fields["interest"].queryset.exists(),  # type: ignore[attr-defined]
        "tie_form": tie_form,
        "comment_form": CommentForm() if rules.can_comment_on_idea(user, idea) else None,
        "why_not_points": rules.why_not_points_on(user, idea)
        if round_.current_state in (RoundState.BETWEEN, RoundState.ALLOCATING, RoundState.IDEAS)
        and is_member(user, place)
        else "",
    }


@require_GET
def idea_detail(request: HtmxHttpRequest, slug: str, fund_id: int, idea_id: int) -> HttpResponse:
    place, _membership = get_place_for_user(request.user, slug)
    fund = _fund_in(place, fund_id)
    idea = _idea_in(fund, idea_id)
    response = render(request, "governance/idea.html", _idea_context(request, place, fund, idea))
    if not place.is_public:
        patch_cache_control(response, private=True)
    return response


def _idea_form_initial(idea: Idea) -> dict[str, Any]:
    return {
        "title": idea.title,
        "description": idea.description,
        "missions": list(idea.missions.all()),
        "amount": f"{idea.amount:f}",
        "who": idea.who,
        "organisation_name": idea.organisation_name,
        "organisation_org_id": idea.organisation_org_id,
        "learning": idea.learning,
        "cycle": idea.cycle_id,
        "version": idea.version,
    }


@login_required
@require_http_methods(["GET", "POST"])
def idea_edit(
    request: AuthenticatedHttpRequest, slug: str, fund_id: int, idea_id: int
) -> HttpResponse:
    place, _membership = get_place_for_member(request.user, slug)
    fund = _fund_in(place, fund_id)
    idea = _idea_in(fund, idea_id)
    if not rules.is_proposer(request.user, idea):
        raise PermissionDenied("Only the person who proposed this idea can revise it.")
    form = IdeaEditForm(
        request.POST or None, round_=idea.round, place=place, initial=_idea_form_initial(idea)
    )
    context = {"place": place, "fund": fund, "round": idea.round, "idea": idea, "form": form}
    if not rules.can_revise_idea(request.user, idea):
        form.is_valid()
        form.add_error(
            None,
            "A steward has hidden this idea, so it cannot be revised."
            if idea.is_hidden
            else f"Ideas closed on {localtime(idea.round.ideas_close_at):%-d %B %Y at %H:%M}, "
            "so this idea can no longer be revised.",
        )
        return render(request, "governance/idea_form.html", {**context, "closed": True},
                      status=409)  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            idea = funds.idea_revise(
                idea=idea,
                by=request.user,
                data=form.fields_for_service(),
                note=form.cleaned_data.get("note") or "",
                expected_version=form.cleaned_data.get("version"),
            )
        except funds.FundError as error:
            _apply_error(form, error)
            return render(request, "governance/idea_form.html", context, status=error.status)
        idea.round.fund = fund
        messages.success(request, f"Your changes to “{idea.title}” are saved.")
        return redirect(idea.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "governance/idea_form.html", context, status=status)


def _diff(before: str, after: str) -> SafeString:
    """Words removed and added, marked with <del> and <ins> (escaped text only)."""
    a, b = before.split(), after.split()
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape(" ".join(a[i1:i2])))
        if op in ("delete", "replace"):
            out.append(f"<del>{escape(' '.join(a[i1:i2]))}</del>")
        if op in ("insert", "replace"):
            out.append(f"<ins>{escape(' '.join(b[j1:j2]))}</ins>")
    return mark_safe(" ".join(out))  # noqa: S308 - every piece escaped above


_VERSION_FIELDS = (
    ("title", "Title"),
    ("description", "What it would do"),
    ("amount", "Amount asked"),
    ("who", "Who would do it"),
    ("organisation_name", "Organisation"),
    ("organisation_org_id", "Organisation’s org-id"),
    ("learning", "What we would learn"),
    ("missions", "Missions"),
    ("cycle_title", "Learning cycle"),
)


def _as_text(version: IdeaVersion, name: str) -> str:
    value = getattr(version, name)
    if name == "amount":
        return f"£{value:,.2f}"
    if name == "missions":
        return "; ".join(value or [])
    return str(value or "")


@require_GET
def idea_history(request: HtmxHttpRequest, slug: str, fund_id: int, idea_id: int) -> HttpResponse:
    place, _membership = get_place_for_user(request.user, slug)
    fund = _fund_in(place, fund_id)
    idea = _idea_in(fund, idea_id)
    versions = list(idea.versions.select_related("edited_by").order_by("number"))
    rows = []
    previous: IdeaVersion | None = None
    for version in versions:
        changes = []
        if previous is not None:
            for name, label in _VERSION_FIELDS:
                before, after = _as_text(previous, name), _as_text(version, name)
                if before != after:
                    changes.append({"label": label, "diff": _diff(before, after)})
        rows.append({"version": version, "changes": changes})
        previous = version
    rows.reverse()
    return render(
        request,
        "governance/idea_history.html",
        {"place": place, "fund": fund, "idea": idea, "rows": rows},
    )


@login_required
@require_POST
def idea_comment(
    request: AuthenticatedHttpRequest, slug: str, fund_id: int, idea_id: int
) -> HttpResponse:
    place, _membership = get_place_for_member(request.user, slug)
    fund = _fund_in(place, fund_id)
    idea = _idea_in(fund, idea_id)
    form = CommentForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            comment = funds.idea_comment(idea=idea, by=request.user, text=form.cleaned_data["text"])
        except funds.FundError as error:
            _apply_error(form, error)
            status = error.status
        else:
            messages.success(request, "Your comment is added.")
            return redirect(f"{idea.get_absolute_url()}#comment-{comment.pk}")
    context = _idea_context(request, place, fund, idea)
    context["comment_form"] = form
    return render(request, "governance/idea.html", context, status=status)


@login_required
@require_POST
def idea_join(
    request: AuthenticatedHttpRequest, slug: str, fund_id: int, idea_id: int
) -> HttpResponse:
    place, _membership = get_place_for_member(request.user, slug)
    fund = _fund_in(place, fund_id)
    idea = _idea_in(fund, idea_id)
    try:
        funds.idea_join(idea=idea, by=request.user)
    except funds.FundError as error:
        context = _idea_context(request, place, fund, idea)
        context["join_error"] = error.message
        return render(request, "governance/idea.html", context, status=error.status)
    messages.success(
        request,
        f"You co-design “{idea.title}” now. Because you shape it, you will not put points on it.",
    )
    return redirect(idea.get_absolute_url())


@login_required
@require_POST
def idea_tie(
    request: AuthenticatedHttpRequest, slug: str, fund_id: int, idea_id: int
) -> HttpResponse:
    place, _membership = get_place_for_member(request.user, slug)
    fund = _fund_in(place, fund_id)
    idea = _idea_in(fund, idea_id)
    form = TieForm(request.POST, user=request.user, place=place)
    status = 400
    if form.is_valid():
        try:
            tie = funds.interest_tie(idea=idea, by=request.user,
                                     interest=form.cleaned_data["interest"])  # fmt: skip
        except funds.FundError as error:
            _apply_error(form, error)
            status = error.status
        else:
            removed = getattr(tie, "points_removed", 0)
            messages.success(
                request,
                "Your interest is tied to this idea and shown to everyone."
                + (" The points you had put on it are taken off." if removed else ""),
            )
            return redirect(f"{idea.get_absolute_url()}#ties")
    context = _idea_context(request, place, fund, idea)
    if context["may_tie"]:
        context["tie_form"] = form
    else:
        context["tie_error"] = next(iter(form.errors.values()))[0] if form.errors else ""
    return render(request, "governance/idea.html", context, status=status)


# --- Allocation -----------------------------------------------------------------------------------


def _allocation_rows(
    user: Any, round_: Round, ideas: list[Idea], values: dict[int, str], errors: dict[str, str]
) -> list[dict[str, Any]]:
    rows = []
    for idea in ideas:
        name = f"points-{idea.pk}"
        rows.append(
            {
                "idea": idea,
                "name": name,
                "value": values.get(idea.pk, ""),
                "error": errors.get(name, ""),
                "why_not": rules.why_not_points_on(user, idea),
            }
        )
    return rows


def _typed(source: Any, ideas: list[Idea]) -> dict[int, str]:
    return {
        idea.pk: str(source.get(f"points-{idea.pk}", "")).strip()
        for idea in ideas
        if f"points-{idea.pk}" in source
    }


@login_required
@require_http_methods(["GET", "POST"])
def allocate(
    request: AuthenticatedHttpRequest, slug: str, fund_id: int, round_id: int
) -> HttpResponse:
    """Spread points over a round's ideas. A GET with ``points-<id>`` values previews the
    running total without saving (the htmx swap asks for just the total); a POST saves."""
    place, _membership = get_place_for_member(request.user, slug)
    fund = _fund_in(place, fund_id)
    round_ = _round_in(fund, round_id)
    user = request.user
    if round_.current_state == RoundState.ALLOCATING and round_.electorate_fixed_at is None:
        funds.round_fix_electorate(round_=round_)  # beat has not got to it yet
        rules.forget_round_caches(round_)
    may = rules.can_allocate(user, round_)
    if request.method == "POST" and not may:
        why = rules.why_not_allocate(user, round_)
        state = round_.current_state
        if state == RoundState.ALLOCATING:
            raise PermissionDenied(why)
        # Wrong moment: say so on the page, keeping what was typed.
        return _allocation_page(request, place, fund, round_, status=409, may=False,
                                values_from=request.POST, message=why)  # fmt: skip
    if request.method == "POST" and request.POST.get("action") == "check":
        # Without JavaScript: the running total of what was typed, nothing saved.
        return _allocation_page(request, place, fund, round_, status=200, may=True,
                                values_from=request.POST, preview=True)  # fmt: skip
    if request.method == "POST":
        ideas = _round_ideas(round_)
        points, errors = funds.parse_spread(request.POST, [i.pk for i in ideas])
        if errors:
            return _allocation_page(
                request, place, fund, round_, status=400, may=True, values_from=request.POST,
                errors=errors, message=next(iter(errors.values())),
            )  # fmt: skip
        try:
            funds.points_spread(round_=round_, by=user, points=points)
        except funds.FundError as error:
            return _allocation_page(
                request, place, fund, round_, status=error.status, may=may,
                values_from=request.POST, errors=error.fields, message=error.message,
            )  # fmt: skip
        messages.success(request, "Your points are saved. You can change them until points close.")
        return redirect("funds:allocate", slug=place.slug, fund_id=fund.pk, round_id=round_.pk)
    preview = any(key.startswith("points-") for key in request.GET)
    return _allocation_page(
        request, place, fund, round_, status=200, may=may,
        values_from=request.GET if preview else None, preview=preview,
    )  # fmt: skip


def _round_ideas(round_: Round) -> list[Idea]:
    ideas = list(
        Idea.objects.filter(round=round_).select_related("proposer").order_by("created_at", "id")
    )
    for idea in ideas:
        idea.round = round_
    return ideas


def _allocation_page(
    request: AuthenticatedHttpRequest,
    place: Place,
    fund: Fund,
    round_: Round,
    *,
    status: int,
    may: bool,
    values_from: Any = None,
    errors: dict[str, str] | None = None,
    message: str = "",
    preview: bool = False,
) -> HttpResponse:
    user = request.user
    ideas = _round_ideas(round_)
    saved = funds.spread_of(round_=round_, user=user) if may else None
    if values_from is not None:
        values = _typed(values_from, ideas)
    else:
        values = {k: str(v) for k, v in (saved.points.items() if saved else [])}
    typed_points, typed_errors = funds.parse_spread(
        {f"points-{k}": v for k, v in values.items()}, [i.pk for i in ideas]
    )
    total = funds.Spread(allowance=round_.points_per_member, points=typed_points)
    all_errors = {**typed_errors, **(errors or {})} if (values_from is not None) else {}
    if preview:
        all_errors = typed_errors
    context = {
        "place": place,
        "fund": fund,
        "round": round_,
        "state": round_.current_state,
        "may": may,
        # Refused for its timing: the typed points stay on the page, with nothing to save.
        "keep_typed": not may and values_from is not None and rules.is_allocator(user, round_),
        "why_not": "" if may else rules.why_not_allocate(user, round_),
        "rows": _allocation_rows(user, round_, ideas, values, all_errors),
        "total": total,
        "saved": saved,
        "unsaved": values_from is not None and saved is not None and typed_points != saved.points,
        "message": message,
        "errors": all_errors,
        "first_error": next(iter(all_errors), ""),
        "preview": preview,
    }
    if request.htmx and request.htmx.target == "running-total":
        response = render(request, "governance/allocation.html#total", context)
    else:
        response = render(request, "governance/allocation.html", context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    patch_cache_control(response, private=True, no_store=True)
    return response


# --- Awards and open data -------------------------------------------------------------------------


def _download(content: str, *, content_type: str, filename: str, place: Place) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    if place.is_public:
        patch_cache_control(response, public=True, max_age=300)
    else:
        patch_cache_control(response, private=True, no_store=True)
    return response


@require_GET
def awards_csv(request: HtmxHttpRequest, slug: str, fund_id: int) -> HttpResponse:
    place, _membership = get_place_for_user(request.user, slug)
    fund = _fund_in(place, fund_id)
    content = threesixty.awards_csv(fund, fund_awards(fund))
    return _download(content, content_type="text/csv; charset=utf-8",
                     filename=f"{place.slug}-fund-{fund.pk}-awards.csv", place=place)  # fmt: skip


@require_GET
def awards_360(request: HtmxHttpRequest, slug: str, fund_id: int) -> HttpResponse:
    """The awards in the 360Giving Data Standard's JSON shape; a 404 until there are awards
    (the standard's package needs at least one grant)."""
    place, _membership = get_place_for_user(request.user, slug)
    fund = _fund_in(place, fund_id)
    awards = fund_awards(fund)
    if not awards:
        raise Http404("No awards yet")
    content = threesixty.dumps(threesixty.package(fund, awards))
    filename = f"{place.slug}-fund-{fund.pk}-360giving.json"
    return _download(content, content_type="application/json; charset=utf-8",
                     filename=filename, place=place)  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def award_cycle(
    request: AuthenticatedHttpRequest, slug: str, fund_id: int, award_id: int
) -> HttpResponse:
    place, _membership = get_place_for_member(request.user, slug)
    fund = _fund_in(place, fund_id)
    award = (
        Award.objects.filter(round__fund=fund, pk=award_id).select_related("round", "idea").first()
    )
    if award is None:
        raise Http404("No such award")
    award.round.fund = fund
    award.idea.round = award.round
    if not rules.can_link_award_cycle(request.user, award):
        raise PermissionDenied("Only a steward or the idea's proposer can link its cycle.")
    form = AwardCycleForm(request.POST or None, place=place, initial={"cycle": award.cycle_id})
    context = {"place": place, "fund": fund, "award": award, "form": form}
    if request.method == "POST" and form.is_valid():
        try:
            funds.award_link_cycle(award=award, by=request.user, cycle=form.cleaned_data["cycle"])
        except funds.FundError as error:
            _apply_error(form, error)
            return render(request, "governance/fund_award_cycle.html", context,
                          status=error.status)  # fmt: skip
        messages.success(request, "The learning cycle is linked to the award.")
        return redirect(f"{fund.get_absolute_url()}#award-{award.pk}")
    status = 400 if request.method == "POST" else 200
    return render(request, "governance/fund_award_cycle.html", context, status=status)


__all__ = [
    "allocate",
    "award_cycle",
    "awards_360",
    "awards_csv",
    "fund_create",
    "fund_detail",
    "fund_list",
    "idea_comment",
    "idea_create",
    "idea_detail",
    "idea_edit",
    "idea_history",
    "idea_join",
    "idea_tie",
    "round_create",
]
