"""Pages of the learning app: cycles and their timelines, entries, measures, prompts, and the
learning library. Thin views: find the thing (404 for what the person may not know exists),
check permission, call a service, render. A form that fails is a 400 with the typed input
kept; a refused change to a closed cycle is a 409 with the reason.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from places.access import get_place_for_member, get_place_for_steward, get_place_for_user
from places.models import Place
from places.parts import fetch_parts, fragment_part, place_part
from places.permissions import is_member
from relational.http import AuthenticatedHttpRequest, HtmxHttpRequest
from relational.models import User
from relational.pageversions import one_site_version

from . import permissions, reads, services
from .access import (
    get_cycle_for_member,
    get_cycle_for_participant,
    get_cycle_for_user,
    get_entry_for_user,
    get_measure_for_user,
)
from .forms import (
    CycleEditForm,
    CycleForm,
    EntryEditForm,
    EntryForm,
    JoinCycleForm,
    JoinDecisionForm,
    LibrarySearchForm,
    LinkForm,
    MeasureForm,
    MoveForm,
    PromptAnswerForm,
    PromptQuestionForm,
    ReadingForm,
)
from .models import (
    ENTRY_KIND_HINTS,
    CycleJoinRequest,
    CycleStatus,
    Entry,
    EntryKind,
    LearningCycle,
    Measure,
    PromptDelivery,
    PromptQuestion,
)
from .panels import cycle_panel_parts, render_cycle_panels
from .services import LearningError

LOG_TARGET = "cycle-log"
FORM_SLOT = "entry-form-slot"


def render_form(
    request: HttpRequest, template: str, context: dict[str, Any], *, form: Any, status: int = 0
) -> HttpResponse:
    """A form page; a form that failed validation is a 400 (bad input is a 4xx)."""
    status = status or (400 if form.is_bound and form.errors else 200)
    return render(request, template, {**context, "form": form}, status=status)


def add_service_error(form: Any, error: LearningError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def closed_page(request: HttpRequest, cycle: LearningCycle, message: str) -> HttpResponse:
    return render(
        request,
        "learning/closed.html",
        {"place": cycle.place, "cycle": cycle, "message": message},
        status=409,
    )


# --- Cycles -------------------------------------------------------------------------------------


@require_GET
def cycle_list(request: HttpRequest, slug: str) -> HttpResponse:
    place, membership = get_place_for_user(request.user, slug)
    cycles = list(
        LearningCycle.objects.for_place(place)
        .prefetch_related("missions")
        .order_by("-updated_at", "-id")
    )
    groups = [(status, [c for c in cycles if c.status == status.value]) for status in CycleStatus]
    return render(
        request,
        "learning/cycle_list.html",
        {
            "place": place,
            "membership": membership,
            "groups": groups,
            "total": len(cycles),
            "may_create": permissions.can_create_cycle(request.user, place),
            "may_manage_prompts": permissions.can_manage_prompt_questions(request.user, place),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def cycle_create(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    place, _ = get_place_for_member(request.user, slug)
    form = CycleForm(
        request.POST if request.method == "POST" else None, place=place, exclude_user=request.user
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cycle = services.cycle_create(
                place=place,
                by=request.user,
                title=data["title"],
                question=data["question"],
                intent=data["intent"],
                relationship_level=data["relationship_level"],
                horizon=data["horizon"],
                rhythm=data["rhythm"],
                scale=data["scale"],
                missions=data.get("missions") or [],
                participants=[m.user for m in data["participants"]],
            )
        except LearningError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                "Your learning cycle is framed. Move it to testing when you start trying things.",
            )
            return redirect(cycle.get_absolute_url())
    return render_form(
        request, "learning/cycle_form.html", {"place": place, "is_new": True}, form=form
    )


def _cycle_context(request: HtmxHttpRequest, place: Place, cycle: LearningCycle) -> dict[str, Any]:
    participants = reads.load_participants(cycle)
    user = request.user
    page_number = request.GET.get("page") or 1
    is_participant = permissions.is_participant(user, cycle)
    member = is_member(user, place)
    return {
        "place": place,
        "cycle": cycle,
        "participants": participants,
        # Read only if the timeline is rendered: not when it is kept (place_fragment).
        "timeline": SimpleLazyObject(lambda: reads.timeline_page(user, cycle, page_number)),
        "page_number": str(page_number),
        # Which entries the reader sees: the timeline's kept rendering is shared by readers alike.
        "reader": "participant" if is_participant else "member" if member else "public",
        "is_participant": is_participant,
        "may_add_entry": permissions.can_add_entry(user, cycle),
        "may_edit": permissions.can_edit_cycle(user, cycle),
        "may_ask_to_join": permissions.can_ask_to_join(user, cycle),
        "is_member": member,
        "kind_hints": ENTRY_KIND_HINTS,
    }


@require_GET
def cycle(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    # Whether the reader has a prompt waiting or a request pending comes with the cycle.
    place, _, cycle = get_cycle_for_user(request.user, slug, pk, reads.reader_flags(request.user))
    # The kept parts the page reads for everyone, in one read of the cache (places.parts).
    fetch_parts(place, [f"cycle-participants:{pk}", f"cycle-{pk}", f"cycle-links:{pk}"])
    context = _cycle_context(request, place, cycle)
    # An htmx page turn of the timeline gets just the list.
    if (
        request.htmx
        and request.htmx.target == "timeline"
        and not request.htmx.history_restore_request
    ):
        response = render(request, "learning/cycle.html#timeline", context)
    else:
        # The page's kept pieces, now that the reader is known, in one more read of the cache.
        fetch_parts(
            place,
            [
                fragment_part(
                    "cycle-timeline", cycle.pk, context["reader"], context["page_number"], ""
                ),
                fragment_part("cycle-measures", cycle.pk, context["is_participant"]),
                *cycle_panel_parts(cycle),
            ],
        )
        # What reads the same for everyone is kept in the cache while the place is unchanged;
        # the measures are read only if their rendering is not kept too (place_fragment).
        missions = place_part(place, f"cycle-{cycle.pk}", lambda: list(cycle.missions.all()))
        measures = SimpleLazyObject(
            lambda: place_part(
                place,
                f"cycle-measures-{cycle.pk}",
                lambda: reads.measure_views(Measure.objects.filter(cycle=cycle)),
            )
        )
        context.update(
            missions=missions,
            links=reads.cycle_links(request.user, cycle),
            measures=measures,
            waiting_prompts=services.waiting_prompts(request.user, cycle),
            cycle_panels=render_cycle_panels(request, cycle),
            pending_requests=(
                reads.pending_join_requests(cycle) if context["is_participant"] else []
            ),
            my_request=(
                CycleJoinRequest.objects.pending()
                .filter(cycle=cycle, user=cast(User, request.user))
                .first()
                if context["may_ask_to_join"] and cycle.__dict__.get("reader_request_pending", True)
                else None
            ),
        )
        response = render(request, "learning/cycle.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_http_methods(["GET", "POST"])
def cycle_edit(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    place, _, cycle = get_cycle_for_participant(request.user, slug, pk)
    if cycle.is_closed:
        return closed_page(request, cycle, "A concluded or stopped cycle can no longer be changed.")
    initial = {
        "title": cycle.title,
        "question": cycle.question,
        "intent": cycle.intent,
        "missions": list(cycle.missions.all()),
        "relationship_level": cycle.relationship_level,
        "horizon": cycle.horizon,
        "scale": cycle.scale,
        "rhythm": cycle.rhythm,
    }
    form = CycleEditForm(
        request.POST if request.method == "POST" else None, initial=initial, cycle=cycle
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.cycle_update(
                cycle=cycle,
                by=request.user,
                missions=data.get("missions") if "missions" in form.fields else None,
                participants=[m.user for m in data["participants"]],
                **{name: data[name] for name in services.CYCLE_FIELDS},
            )
        except LearningError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect(cycle.get_absolute_url())
    return render_form(
        request,
        "learning/cycle_form.html",
        {"place": place, "cycle": cycle, "is_new": False},
        form=form,
    )


@login_required
@require_http_methods(["GET", "POST"])
def cycle_move(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    place, _, cycle = get_cycle_for_participant(request.user, slug, pk)
    if cycle.is_closed:
        return closed_page(
            request, cycle, f"This cycle is already {cycle.get_status_display().lower()}."
        )
    form = MoveForm(request.POST if request.method == "POST" else None, cycle=cycle)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.cycle_move(
                cycle=cycle,
                by=request.user,
                to=data["to"],
                note=data["note"],
                reason=data["reason"],
                learned=data["learned"],
                differently=data["differently"],
            )
        except LearningError as error:
            add_service_error(form, error)
        else:
            cycle.refresh_from_db()
            messages.success(request, f"The cycle is now {cycle.get_status_display().lower()}.")
            return redirect(cycle.get_absolute_url())
    return render_form(request, "learning/move.html", {"place": place, "cycle": cycle}, form=form)


@login_required
@require_http_methods(["GET", "POST"])
def cycle_join(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    place, _, cycle = get_cycle_for_member(request.user, slug, pk)
    if permissions.is_participant(request.user, cycle):
        messages.info(request, "You already take part in this cycle.")
        return redirect(cycle.get_absolute_url())
    if cycle.is_closed:
        return closed_page(
            request, cycle, "This cycle has finished, so it is not taking new people."
        )
    form = JoinCycleForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cycle_join_request_create(
                cycle=cycle, user=request.user, message=form.cleaned_data["message"]
            )
        except LearningError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "We have asked the participants. Any of them can say yes.")
            return redirect(cycle.get_absolute_url())
    return render_form(request, "learning/join.html", {"place": place, "cycle": cycle}, form=form)


@login_required
@require_http_methods(["GET", "POST"])
def join_requests(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    place, _, cycle = get_cycle_for_participant(request.user, slug, pk)
    form = JoinDecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        join_request = (
            CycleJoinRequest.objects.filter(cycle=cycle, pk=form.cleaned_data["request_id"])
            .select_related("user")
            .first()
        )
        if join_request is None:
            raise Http404("No such request")
        try:
            services.cycle_join_request_decide(
                join_request=join_request,
                by=request.user,
                accept=form.cleaned_data["decision"] == "accept",
            )
        except LearningError as error:
            add_service_error(form, error)
        else:
            accepted = form.cleaned_data["decision"] == "accept"
            messages.success(
                request,
                f"{join_request.user} now takes part." if accepted else "Request declined.",
            )
            return redirect("learning:join_requests", slug=place.slug, pk=cycle.pk)
    return render_form(
        request,
        "learning/join_requests.html",
        {"place": place, "cycle": cycle, "pending": reads.pending_join_requests(cycle)},
        form=form,
    )


@login_required
@require_http_methods(["GET", "POST"])
def cycle_link(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    place, _, cycle = get_cycle_for_participant(request.user, slug, pk)
    if cycle.is_closed:
        return closed_page(request, cycle, "A concluded or stopped cycle can no longer be changed.")
    form = LinkForm(
        request.POST if request.method == "POST" else None, cycle=cycle, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        other = form.cleaned_data["to_cycle"]
        kind = form.cleaned_data["kind"]
        from_cycle, to_cycle = (other, cycle) if kind == "fed_by" else (cycle, other)
        try:
            services.cycle_link_create(
                from_cycle=from_cycle,
                to_cycle=to_cycle,
                kind="feeds" if kind == "fed_by" else kind,
                by=request.user,
            )
        except LearningError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"Linked to ‘{other.title}’.")
            return redirect(cycle.get_absolute_url())
    return render_form(
        request, "learning/link_form.html", {"place": place, "cycle": cycle}, form=form
    )


# --- Entries ------------------------------------------------------------------------------------


def _entry_form(cycle: LearningCycle, user: Any, data: Any = None) -> EntryForm:
    measures = list(Measure.objects.filter(cycle=cycle).order_by("name"))
    recent = list(
        Entry.objects.filter(cycle=cycle)
        .exclude(kind=EntryKind.STATUS)
        .visible_to(user, cycle.place)
        .order_by("-created_at", "-id")[:15]
    )
    for entry in recent:
        entry.cycle = cycle
    return EntryForm(data, cycle=cycle, measures=measures, recent_entries=recent)


@login_required
@require_http_methods(["GET", "POST"])
def entry_new(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    """The short "log an entry" form. With htmx it opens in place on the cycle page and a
    saved entry refreshes the log; without JavaScript it is a page of its own."""
    place, _, cycle = get_cycle_for_participant(request.user, slug, pk)
    if cycle.is_closed:
        return closed_page(request, cycle, services.CycleClosed(cycle).message)
    form = _entry_form(cycle, request.user, request.POST if request.method == "POST" else None)
    context: dict[str, Any] = {"place": place, "cycle": cycle}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["kind"] == EntryKind.DATA:
                measure = form.measures[data["measure"]]
                reading = services.reading_record(
                    measure=measure,
                    by=request.user,
                    value=data["value"],
                    on=data["date"],
                    note=data["body"],
                    visibility=data["visibility"],
                )
                entry = reading.entry
            else:
                entry = services.entry_create(
                    cycle=cycle,
                    author=request.user,
                    kind=data["kind"],
                    body=data["body"],
                    visibility=data["visibility"],
                    world=data["world"],
                    swimlane=data["swimlane"],
                    consent=data["consent"],
                    consent_note=data["consent_note"],
                    about_person=data["about_person"],
                    person_agreed={"yes": True, "no": False}.get(data["person_agreed"]),
                    told_by=data["told_by"],
                    told_by_consent=data["told_by_consent"],
                    sources=services.sequence_ids(data["sources"]),
                )
        except services.CycleClosed as error:
            return closed_page(request, cycle, error.message)
        except LearningError as error:
            add_service_error(form, error)
        else:
            if request.htmx:
                context = _cycle_context(request, place, cycle)
                context["just_added"] = entry
                return render(request, "learning/cycle.html#log", context)
            messages.success(
                request, f"Your {entry.get_kind_display().lower()} is in the timeline."
            )
            return redirect(cycle.get_absolute_url())
    context["form"] = form
    status = 400 if form.is_bound and form.errors else 200
    if request.htmx and not request.htmx.history_restore_request:
        context["in_place"] = True
        response = render(request, "learning/entry_form.html#form", context, status=status)
        if status == 400:
            # htmx 2 leaves 4xx responses unswapped unless told; the form with its errors
            # replaces the form in place.
            response["HX-Retarget"] = f"#{FORM_SLOT}"
            response["HX-Reswap"] = "innerHTML"
        return response
    return render(request, "learning/entry_form.html", context, status=status)


@require_GET
def entry(request: HttpRequest, slug: str, pk: int, entry_id: int) -> HttpResponse:
    place, _, cycle = get_cycle_for_user(request.user, slug, pk)
    found = get_entry_for_user(request.user, cycle, entry_id)
    sources = list(found.sources.visible_to(request.user, place).order_by("created_at"))
    # What the timeline's entry partial reads (there from an annotation and a prefetch).
    found.visible_sources = sources  # type: ignore[attr-defined]
    found.source_count = found.sources.count()  # type: ignore[attr-defined]
    found.hidden_source_count = found.source_count - len(sources)  # type: ignore[attr-defined]
    adaptations = list(found.adaptations.visible_to(request.user, place).order_by("created_at"))
    return render(
        request,
        "learning/entry.html",
        {
            "place": place,
            "cycle": cycle,
            "entry": found,
            "versions": list(found.versions.select_related("replaced_by")),
            "sources": sources,
            "adaptations": adaptations,
            "may_edit": permissions.can_edit_entry(request.user, found),
            "may_flag": is_member(request.user, place) and not found.is_hidden,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def entry_edit(
    request: AuthenticatedHttpRequest, slug: str, pk: int, entry_id: int
) -> HttpResponse:
    place, _, cycle = get_cycle_for_user(request.user, slug, pk)
    found = get_entry_for_user(request.user, cycle, entry_id)
    if not permissions.can_edit_entry(request.user, found):
        raise PermissionDenied("Only its author can change an entry.")
    initial = {
        "body": found.body,
        "visibility": found.visibility,
        "world": found.world,
        "swimlane": found.swimlane,
        "consent": found.consent,
        "consent_note": found.consent_note,
    }
    form = EntryEditForm(
        request.POST if request.method == "POST" else None, initial=initial, entry=found
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.entry_edit(
                entry=found,
                by=request.user,
                body=data["body"],
                visibility=data["visibility"],
                world=data.get("world", ""),
                swimlane=data.get("swimlane", ""),
                consent=data.get("consent", ""),
                consent_note=data.get("consent_note", ""),
            )
        except LearningError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Your changes are saved.")
            return redirect(found.get_absolute_url())
    return render_form(
        request,
        "learning/entry_edit.html",
        {"place": place, "cycle": cycle, "entry": found, "free_edit": found.in_free_edit_window()},
        form=form,
    )


# --- Measures -----------------------------------------------------------------------------------


@require_GET
def measures(request: HttpRequest, slug: str) -> HttpResponse:
    place, _ = get_place_for_user(request.user, slug)
    views = reads.measure_views(Measure.objects.filter(place=place).order_by("cycle_id", "name"))
    return render(
        request,
        "learning/measures.html",
        {
            "place": place,
            "place_measures": [v for v in views if v.measure.cycle_id is None],
            "cycle_measures": [v for v in views if v.measure.cycle_id is not None],
            "may_define": permissions.can_define_measure(request.user, place),
        },
    )


def _measure_form_page(
    request: AuthenticatedHttpRequest, place: Place, cycle: LearningCycle | None
) -> HttpResponse:
    form = MeasureForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            measure = services.measure_define(
                place=place, cycle=cycle, by=request.user, **form.cleaned_data
            )
        except services.CycleClosed as error:
            return closed_page(request, cycle, error.message)  # type: ignore[arg-type]
        except LearningError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, f"Now measuring {measure.name}. Record the first reading below."
            )
            return redirect(measure.get_absolute_url())
    return render_form(
        request, "learning/measure_form.html", {"place": place, "cycle": cycle}, form=form
    )


@login_required
@require_http_methods(["GET", "POST"])
def measure_new(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    place, _ = get_place_for_steward(request.user, slug)
    return _measure_form_page(request, place, None)


@login_required
@require_http_methods(["GET", "POST"])
def cycle_measure_new(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    place, _, cycle = get_cycle_for_participant(request.user, slug, pk)
    if cycle.is_closed:
        return closed_page(request, cycle, services.CycleClosed(cycle).message)
    return _measure_form_page(request, place, cycle)


@require_GET
def measure(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    place, _, found = get_measure_for_user(request.user, slug, pk)
    view = reads.measure_views(Measure.objects.filter(pk=found.pk))[0]
    return render(
        request,
        "learning/measure.html",
        {
            "place": place,
            "measure": found,
            "view": view,
            "all_readings": list(reversed(view.readings)),
            "may_record": permissions.can_record_reading(request.user, found),
            "form": ReadingForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def reading_new(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    place, membership, found = get_measure_for_user(request.user, slug, pk)
    if found.cycle is not None and found.cycle.is_closed:
        return closed_page(request, found.cycle, services.CycleClosed(found.cycle).message)
    if not permissions.can_record_reading(request.user, found):
        raise PermissionDenied("Only the cycle’s participants record its readings.")
    form = ReadingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.reading_record(
                measure=found,
                by=request.user,
                value=data["value"],
                on=data["date"],
                note=data["note"],
            )
        except services.CycleClosed as error:
            return closed_page(request, found.cycle, error.message)  # type: ignore[arg-type]
        except LearningError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Reading recorded.")
            return redirect(found.get_absolute_url())
    return render_form(
        request, "learning/reading_form.html", {"place": place, "measure": found}, form=form
    )


# --- Prompts ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def prompt_questions(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    place, _ = get_place_for_steward(request.user, slug)
    form = PromptQuestionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        PromptQuestion.objects.create(
            place=place, text=form.cleaned_data["text"].strip(), created_by=request.user
        )
        messages.success(request, "Question added. Prompts in this place may now ask it.")
        return redirect("learning:prompt_questions", slug=place.slug)
    questions = list(PromptQuestion.objects.for_place(place).order_by("place_id", "id"))
    return render_form(
        request,
        "learning/prompt_questions.html",
        {
            "place": place,
            "platform_questions": [q for q in questions if q.place_id is None],
            "place_questions": [q for q in questions if q.place_id is not None],
        },
        form=form,
    )


@login_required
@require_POST
def prompt_question_retire(
    request: AuthenticatedHttpRequest, slug: str, question_id: int
) -> HttpResponse:
    place, _ = get_place_for_steward(request.user, slug)
    question = PromptQuestion.objects.filter(place=place, pk=question_id).first()
    if question is None:
        raise Http404("No such question")
    question.active = not question.active
    question.save(update_fields=["active"])
    messages.success(
        request, "Question back in use." if question.active else "Question no longer asked."
    )
    return redirect("learning:prompt_questions", slug=place.slug)


def _answer_page(
    request: HttpRequest, delivery: PromptDelivery, *, template: str, extra: dict[str, Any]
) -> HttpResponse:
    cycle = delivery.cycle
    try:
        services.prompt_check_usable(delivery)
    except services.PromptUnusable as error:
        return render(
            request,
            "learning/prompt_unusable.html",
            {"delivery": delivery, "cycle": cycle, "place": cycle.place, "message": error.message},
            status=error.status,
        )
    form = PromptAnswerForm(request.POST if request.method == "POST" else None, place=cycle.place)
    context = {"delivery": delivery, "cycle": cycle, "place": cycle.place, **extra}
    if request.method == "POST" and form.is_valid():
        try:
            services.prompt_answer(
                delivery=delivery,
                body=form.cleaned_data["body"],
                visibility=form.cleaned_data["visibility"],
            )
        except services.PromptUnusable as error:
            return render(
                request,
                "learning/prompt_unusable.html",
                {**context, "message": error.message},
                status=error.status,
            )
        except LearningError as error:
            add_service_error(form, error)
        else:
            return render(request, "learning/prompt_thanks.html", context)
    return render_form(request, template, context, form=form)


@require_http_methods(["GET", "POST"])
def prompt_answer(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: answers that one prompt and nothing else. It does not sign anyone in
    and needs no session; the signed token names the prompt, and the row decides whether it
    can still be used."""
    try:
        delivery = services.prompt_from_token(token)
    except services.PromptLinkInvalid:
        response = render(request, "learning/prompt_invalid.html", status=404)
        patch_cache_control(response, private=True, no_store=True)
        return response
    response = _answer_page(
        request, delivery, template="learning/prompt_answer.html", extra={"by_link": True}
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def prompt_in_app(
    request: AuthenticatedHttpRequest, slug: str, pk: int, delivery_id: int
) -> HttpResponse:
    """The same answer form for a signed-in participant, reached from the notification."""
    place, _, cycle = get_cycle_for_user(request.user, slug, pk)
    delivery = (
        PromptDelivery.objects.filter(cycle=cycle, pk=delivery_id, user=request.user)
        .select_related("user")
        .first()
    )
    if delivery is None:
        raise Http404("No such prompt")
    delivery.cycle = cycle
    return _answer_page(
        request, delivery, template="learning/prompt_answer.html", extra={"by_link": False}
    )


# --- The learning library -----------------------------------------------------------------------


@require_GET
def library(request: HtmxHttpRequest) -> HttpResponse:
    # The place filter and the results are both kept under the site's version: ask it once.
    with one_site_version():
        return _library(request)


def _library(request: HtmxHttpRequest) -> HttpResponse:
    filters = reads.LibraryFilters.from_query(request.GET)
    page_number = request.GET.get("page") or 1
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filters": filters,
        # Read only if the results are rendered: not when they are kept (site_fragment).
        "page": SimpleLazyObject(lambda: reads.library_page(filters, page_number)),
        "page_number": str(page_number),
        "form": LibrarySearchForm(
            initial={
                "q": filters.q,
                "mission": filters.mission,
                "level": filters.level,
                "horizon": filters.horizon,
                "world": filters.world,
            }
        ),
        "place_options": reads.library_place_options(filters.place),
        "filter_query": query.urlencode(),
    }
    if (
        request.htmx
        and request.htmx.target == "library-results"
        and not request.htmx.history_restore_request
    ):
        response = render(request, "learning/library.html#results", context)
    else:
        response = render(request, "learning/library.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def library_url() -> str:
    return reverse("learning:library")
