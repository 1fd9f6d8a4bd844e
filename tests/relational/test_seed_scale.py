"""``manage.py seed_scale`` at a tiny scale: the numbers it promises, data the app's own pages,
searches and history read as if its services had written it, and a refusal to load twice."""

from __future__ import annotations

import importlib
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.test import Client

from governance.models import Decider, Decision, DecisionEvent, Fund, Input, InputEvent
from learning.models import Entry, LearningCycle, PromptQuestion, Reading
from learning.services import cycle_refresh_search
from places.models import Activity, Membership, Place
from relational import scale
from relational.models import User

pytestmark = pytest.mark.django_db

QUESTIONS = importlib.import_module("learning.migrations.0002_platform_prompt_questions").QUESTIONS

TINY = 0.001


def test_the_plan_is_national_scale_times_the_scale() -> None:
    assert scale.plan_for(1) == scale.FULL
    assert scale.FULL.members == 100_000 and scale.FULL.entries == 1_000_000
    ten = scale.plan_for(10)
    assert (ten.places, ten.entries, ten.inputs) == (3_000, 10_000_000, 3_000_000)
    tenth = scale.plan_for(0.1)
    assert (tenth.members, tenth.cycles, tenth.decisions, tenth.funds) == (10_000, 300, 2_000, 60)
    tiny = scale.plan_for(TINY)  # floors keep every kind of thing
    assert (tiny.places, tiny.members, tiny.cycles, tiny.entries) == (3, 100, 12, 1_000)
    with pytest.raises(ValueError):
        scale.plan_for(0)


@pytest.fixture
def seeded(settings) -> scale.Plan:  # noqa: ANN001 - pytest-django's settings fixture
    settings.DEBUG = True  # the command refuses to run without it (one shared password)
    out = StringIO()
    call_command("seed_scale", "--scale", str(TINY), "--results", "", stdout=out)
    assert "member000001@scale.example" in out.getvalue()
    return scale.plan_for(TINY)


def page(client: Client, url: str, **query: str) -> str:
    response = client.get(url, query)
    assert response.status_code == 200, url
    return response.content.decode()


def test_tiny_scale_end_to_end(seeded: scale.Plan) -> None:
    """One load (a few seconds), read every way a benchmark will read it."""
    rows_are_the_promised_ones_as_the_services_would_write_them(seeded)
    library_search_vectors_match_what_the_app_would_store()
    pages_answer_for_anyone_and_for_a_member_and_search_finds_seeded_words()


def rows_are_the_promised_ones_as_the_services_would_write_them(plan: scale.Plan) -> None:
    assert User.objects.count() == plan.members
    assert Place.objects.count() == plan.places
    assert LearningCycle.objects.count() == plan.cycles
    assert Entry.objects.count() == plan.entries
    assert Reading.objects.count() == plan.readings
    assert Decision.objects.count() == plan.decisions
    assert Input.objects.count() == plan.inputs
    assert Fund.objects.count() == plan.funds
    assert set(Place.objects.values_list("visibility", flat=True)) == {"public", "members"}
    statuses = set(LearningCycle.objects.values_list("status", flat=True))
    assert statuses == {"framing", "testing", "reflecting", "adapting", "concluded", "stopped"}
    assert set(Entry.objects.values_list("visibility", flat=True)) == {
        "public",
        "members",
        "participants",
    }
    # Each logged entry has its activity row, scoped to the cycle when only participants see it.
    private = Entry.objects.filter(visibility="participants").exclude(kind__in=["data", "status"])
    entry = private.select_related("cycle").first()
    assert entry is not None
    row = Activity.objects.get(kind="entry", target_id=entry.pk)
    assert (row.visibility, row.scope) == ("scoped", f"cycle:{entry.cycle_id}")
    assert row.perspectives == entry.author_perspectives
    # Members speak from perspectives; every join is on the timeline.
    assert not Membership.objects.filter(perspectives=[]).exists()
    assert Activity.objects.filter(kind="member", verb="joined").count() == (
        Membership.objects.count()
    )
    # Nothing is decided with an input unanswered or a decider silent; history is kept.
    taken = Decision.objects.filter(status__in=["decided", "review", "revised"])
    assert not Input.objects.filter(decision__in=taken, response__isnull=True).exists()
    assert not Decider.objects.filter(
        decision__in=taken.filter(recorded_by_platform=False), stated_at__isnull=True
    ).exists()
    assert InputEvent.objects.count() == plan.inputs
    published = Decision.objects.exclude(status="draft")
    with_history = published.annotate(n=Count("events")).filter(n__gt=0)
    assert with_history.count() == published.count()


def library_search_vectors_match_what_the_app_would_store() -> None:
    cycle = LearningCycle.objects.in_library().first()
    assert cycle is not None
    loaded = cycle.search_vector
    cycle_refresh_search(cycle.pk)
    cycle.refresh_from_db()
    assert loaded == cycle.search_vector


def pages_answer_for_anyone_and_for_a_member_and_search_finds_seeded_words() -> None:
    anyone = Client()
    targets = scale.targets(limit=3)
    for key in ("places", "cycles", "library_cycles", "decisions", "decision_logs"):
        assert targets[key], key
        for url in targets[key]:
            page(anyone, url)
    page(anyone, "/learning/")
    # A word of a library cycle's title finds it; so does a topic word in the decision log.
    cycle = LearningCycle.objects.in_library().select_related("place").first()
    assert cycle is not None
    word = max(re.findall(r"[a-z]{6,}", cycle.title.lower()), key=len)
    assert cycle.get_absolute_url() in page(anyone, "/learning/", q=word)
    public = Decision.objects.published().filter(place__visibility="public")
    term, decision = next(
        (term, found)
        for term in scale.SEARCH_TERMS
        if (found := public.filter(question__icontains=term).select_related("place").first())
    )
    log_url = f"{decision.place.get_absolute_url()}decisions/"
    assert re.search(r"/decisions/\d+/", page(anyone, log_url, q=term))
    assert decision.get_absolute_url() in page(anyone, log_url, q=decision.title)
    history = page(anyone, f"{decision.get_absolute_url()}history/")
    assert "Opened for input" in history or "Recorded by the platform" in history
    assert DecisionEvent.objects.filter(pgh_obj_id=decision.pk).exists()
    # A member signs in with the shared password and reads their members-only place.
    member = Membership.objects.filter(place__visibility="members").select_related("user", "place")
    membership = member.first()
    assert membership is not None
    signed_in = Client()
    assert signed_in.login(email=membership.user.email, password=scale.SCALE_PASSWORD)
    page(signed_in, membership.place.get_absolute_url())
    members_cycle = LearningCycle.objects.filter(place=membership.place).first()
    assert members_cycle is not None
    page(signed_in, members_cycle.get_absolute_url())
    assert anyone.get(membership.place.get_absolute_url()).status_code == 404


def test_it_refuses_a_database_that_holds_data_unless_told_to_wipe_it(settings) -> None:  # noqa: ANN001
    settings.DEBUG = True
    someone = User.objects.create_user(email="early@example.org", display_name="Early Bird")
    with pytest.raises(CommandError, match="already holds people or places"):
        call_command("seed_scale", "--scale", str(TINY), "--results", "", stdout=StringIO())
    assert list(User.objects.all()) == [someone]
    call_command("seed_scale", "--scale", str(TINY), "--wipe", "--results", "", stdout=StringIO())
    assert not User.objects.filter(email=someone.email).exists()  # ids may restart: not by pk
    assert User.objects.count() == scale.plan_for(TINY).members
    # The platform's own prompt questions (written by a migration) survive the wipe.
    assert PromptQuestion.objects.filter(place=None).count() == len(QUESTIONS)


def test_it_refuses_to_run_with_debug_off(settings) -> None:  # noqa: ANN001
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_scale", "--scale", str(TINY), "--results", "")
    assert not User.objects.exists()
