"""The decision's life through the services: each step's saved state, its activity row, the
people told, and the refusals (with the HTTP status the view will answer)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from governance import services
from governance.models import Decider, Decision, Implementation, Status
from places.models import Activity, Interest, Notification

from .cast import make_decision

TODAY = timezone.localdate


def test_a_steward_drafts_a_decision_and_owns_it_and_the_deciders_are_told(
    place: Any, steward: Any, decider: Any, outbox: Any
) -> None:
    decision = services.decision_create(
        place=place,
        by=steward,
        title="Sunday opening",
        question="Open on Sundays?",
        method="consent",
        options=[{"title": "Yes", "pros": "warm", "cons": "cost"}, {}],
        deciders=[decider],
        body_name="The trustees",
        mandate="Delegated in March",
    )
    decision.refresh_from_db()
    assert decision.status == Status.DRAFT
    assert decision.owner == steward
    assert decision.options == [{"title": "Yes", "description": "", "pros": "warm", "cons": "cost"}]
    assert list(decision.deciders.values_list("user", flat=True)) == [decider.pk]
    note = Notification.objects.get(recipient=decider, kind="decision_named")
    assert "Sunday opening" in note.text
    # Drafts stay off the timeline.
    assert not Activity.objects.filter(place=place, kind="decision").exists()


def test_deciders_must_be_members(place: Any, steward: Any, outsider: Any) -> None:
    with pytest.raises(services.GovernanceError) as refused:
        services.decision_create(
            place=place, by=steward, title="T", question="Q", method="consent", deciders=[outsider]
        )
    assert refused.value.field == "deciders"
    assert not Decision.objects.exists()


def test_opening_needs_a_date_still_to_come_and_writes_the_timeline(
    place: Any, steward: Any
) -> None:
    decision = make_decision(place, steward, status=Status.DRAFT)
    with pytest.raises(services.GovernanceError) as refused:
        services.decision_open(
            decision=decision, by=steward, input_closes_on=TODAY() - timedelta(days=1)
        )
    assert refused.value.field == "input_closes_on"
    decision.refresh_from_db()
    assert decision.status == Status.DRAFT
    services.decision_open(decision=decision, by=steward, input_closes_on=TODAY())
    decision.refresh_from_db()
    assert decision.status == Status.OPEN and decision.opened_at is not None
    row = Activity.objects.get(place=place, kind="decision", verb="opened")
    assert row.url == decision.get_absolute_url()


def test_input_and_its_response_are_written_and_the_author_is_told(
    place: Any, steward: Any, member: Any, outbox: Any
) -> None:
    decision = make_decision(place, steward)
    item = services.input_give(decision=decision, by=member, stance="concern", text="Who locks up?")
    item.refresh_from_db()
    assert item.author_perspectives == ["frontline"]
    assert Activity.objects.filter(kind="decision_input", verb="gave").count() == 1
    response = services.response_give(
        item=item, by=steward, disposition="adapted", text="A key-holder rota."
    )
    response.refresh_from_db()
    assert response.disposition == "adapted"
    note = Notification.objects.get(recipient=member, kind="decision_response")
    assert note.url.endswith(f"#input-{item.pk}")
    assert outbox.last(to=member.email, subject="has a response")
    # Changing the response tells them what changed.
    services.response_give(item=item, by=steward, disposition="adopted", text="Adopted after all.")
    latest = Notification.objects.filter(recipient=member, kind="decision_response").first()
    assert latest.text.startswith("The response to your input") and "adopted" in latest.text


def test_input_is_refused_once_input_has_closed(place: Any, steward: Any, member: Any) -> None:
    decision = make_decision(place, steward, status=Status.DECIDING)
    with pytest.raises(services.GovernanceError) as refused:
        services.input_give(decision=decision, by=member, stance="support", text="Yes")
    assert refused.value.status == 409
    assert not decision.inputs.exists()


def test_only_the_owner_or_a_decider_may_respond(
    place: Any, steward: Any, member: Any, resident: Any
) -> None:
    decision = make_decision(place, steward)
    item = services.input_give(decision=decision, by=member, stance="question", text="When?")
    with pytest.raises(services.GovernanceError) as refused:
        services.response_give(item=item, by=resident, disposition="answered", text="Soon")
    assert refused.value.status == 403


def test_not_adopted_needs_a_reason(place: Any, steward: Any, member: Any) -> None:
    decision = make_decision(place, steward)
    item = services.input_give(decision=decision, by=member, stance="objection", text="No")
    with pytest.raises(services.GovernanceError) as refused:
        services.response_give(item=item, by=steward, disposition="not_adopted", text=" ")
    assert refused.value.message == "Give the reason it was not adopted."


def test_it_cannot_be_decided_while_an_input_has_no_response(
    place: Any, steward: Any, member: Any
) -> None:
    decision = make_decision(
        place, steward, inputs=[(member, "support"), (member, "concern")], answer=False
    )
    first = decision.inputs.first()
    services.response_give(item=first, by=steward, disposition="adopted", text="Yes.")
    with pytest.raises(services.GovernanceError) as refused:
        services.decision_decide(
            decision=decision,
            by=steward,
            outcome="Open",
            reasoning="Because",
            method_result="",
            decided_on=TODAY(),
        )
    assert refused.value.status == 409
    assert "1 input has no response" in refused.value.message
    decision.refresh_from_db()
    assert decision.status == Status.OPEN


def test_it_cannot_be_decided_until_every_decider_has_stated_their_interests(
    place: Any, steward: Any, decider: Any
) -> None:
    decision = make_decision(place, steward, deciders=[decider])
    with pytest.raises(services.GovernanceError) as refused:
        services.decision_decide(
            decision=decision,
            by=steward,
            outcome="O",
            reasoning="R",
            method_result="",
            decided_on=TODAY(),
        )
    assert "Dee Decider" in refused.value.message and refused.value.status == 409


def test_a_decider_states_only_their_own_current_interests(
    place: Any, steward: Any, decider: Any, member: Any
) -> None:
    decision = make_decision(place, steward, deciders=[decider])
    mine = Interest.objects.create(
        place=place, user=decider, kind="employment", description="Civil servant"
    )
    theirs = Interest.objects.create(place=place, user=member, kind="business", description="Café")
    with pytest.raises(services.GovernanceError) as refused:
        services.decider_state(
            decision=decision, by=decider, interest_ids=[theirs.pk], no_interest=False
        )
    assert refused.value.field == "interests"
    with pytest.raises(services.GovernanceError):
        services.decider_state(decision=decision, by=decider, interest_ids=[], no_interest=False)
    row = services.decider_state(
        decision=decision, by=decider, interest_ids=[mine.pk], no_interest=False
    )
    row.refresh_from_db()
    assert row.interest_ids == [mine.pk] and row.stated_at is not None


def test_deciding_records_the_outcome_and_starts_an_implementation_record(
    place: Any, steward: Any, decider: Any
) -> None:
    decision = make_decision(place, steward, status=Status.DECIDED, deciders=[decider])
    decision.refresh_from_db()
    assert decision.status == Status.DECIDED and decision.decided_on == TODAY()
    assert Implementation.objects.filter(decision=decision, status="not_started").exists()
    assert Activity.objects.filter(kind="decision", verb="decided", target_id=decision.pk).exists()


def test_dates_must_come_in_order(place: Any, steward: Any) -> None:
    decision = make_decision(place, steward)
    with pytest.raises(services.GovernanceError) as refused:
        services.decision_decide(
            decision=decision,
            by=steward,
            outcome="O",
            reasoning="R",
            method_result="",
            decided_on=TODAY(),
            review_by=TODAY(),
        )
    assert refused.value.field == "review_by"
    with pytest.raises(services.GovernanceError) as refused:
        services.decision_decide(
            decision=decision,
            by=steward,
            outcome="O",
            reasoning="R",
            method_result="",
            decided_on=TODAY() - timedelta(days=30),
        )
    assert refused.value.field == "decided_on"
    with pytest.raises(services.GovernanceError) as refused:
        services.decision_update(
            decision=decision,
            by=steward,
            expected_version=decision.version,
            input_closes_on=TODAY() + timedelta(days=10),
            review_by=TODAY() + timedelta(days=5),
        )
    assert refused.value.field == "review_by"


def test_a_stale_edit_is_refused_and_nothing_is_saved(
    place: Any, steward: Any, decider: Any
) -> None:
    decision = make_decision(place, steward, deciders=[decider])
    seen = decision.version
    services.decision_update(
        decision=decision, by=steward, expected_version=seen, title="First edit"
    )
    with pytest.raises(services.StaleEdit) as refused:
        services.decision_update(
            decision=decision, by=steward, expected_version=seen, title="Second edit"
        )
    assert refused.value.status == 409
    assert refused.value.current.title == "First edit"
    decision.refresh_from_db()
    assert decision.title == "First edit"


def test_a_rescinded_decision_cannot_be_edited(place: Any, steward: Any) -> None:
    decision = make_decision(place, steward, status=Status.RESCINDED)
    with pytest.raises(services.GovernanceError) as refused:
        services.decision_update(decision=decision, by=steward, expected_version=None, title="New")
    assert refused.value.status == 409 and "rescinded" in refused.value.message
    decision.refresh_from_db()
    assert decision.rescind_reason == "Overtaken." and decision.title != "New"


def test_a_revision_keeps_the_old_version_in_force_until_it_is_decided(
    place: Any, steward: Any, decider: Any
) -> None:
    old = make_decision(place, steward, status=Status.DECIDED, deciders=[decider])
    revision = services.decision_revise(decision=old, by=steward)
    assert revision.supersedes == old and revision.revision == 2
    assert revision.status == Status.DRAFT
    assert list(revision.deciders.values_list("user", flat=True)) == [decider.pk]
    with pytest.raises(services.GovernanceError):
        services.decision_revise(decision=old, by=steward)
    old.refresh_from_db()
    assert old.status == Status.DECIDED
    services.decision_open(decision=revision, by=steward, input_closes_on=TODAY())
    services.decider_state(decision=revision, by=decider, interest_ids=[], no_interest=True)
    services.decision_decide(
        decision=revision,
        by=steward,
        outcome="New",
        reasoning="Learned more",
        method_result="",
        decided_on=TODAY(),
    )
    old.refresh_from_db()
    assert old.status == Status.REVISED and old.outcome  # the old one stays readable
    assert Activity.objects.filter(kind="decision", verb="revised", target_id=old.pk).exists()


def test_hand_over_only_to_a_steward_or_a_decider(
    place: Any, steward: Any, member: Any, decider: Any
) -> None:
    decision = make_decision(place, steward, deciders=[decider])
    with pytest.raises(services.GovernanceError):
        services.decision_hand_over(decision=decision, by=steward, to=member)
    services.decision_hand_over(decision=decision, by=steward, to=decider)
    decision.refresh_from_db()
    assert decision.owner == decider
    assert Notification.objects.filter(recipient=decider, kind="decision_owner").exists()


def test_only_a_centre_member_writes_the_view_from_the_centre(
    place: Any, steward: Any, decider: Any
) -> None:
    decision = make_decision(place, steward)
    with pytest.raises(services.GovernanceError) as refused:
        services.centre_view_write(decision=decision, by=steward, text="From Whitehall")
    assert refused.value.status == 403
    services.centre_view_write(decision=decision, by=decider, text="Fits national policy.")
    decision.refresh_from_db()
    assert decision.centre_view == "Fits national policy." and decision.centre_view_by == decider


def test_evidence_from_another_place_must_be_public(
    place: Any, private_place: Any, steward: Any, private_cycle: Any, cycle: Any
) -> None:
    decision = make_decision(place, steward, status=Status.DRAFT)
    with pytest.raises(services.GovernanceError):
        services.evidence_add(decision=decision, by=steward, cycle=private_cycle)
    services.evidence_add(decision=decision, by=steward, cycle=cycle, note="Visits worked")
    with pytest.raises(services.GovernanceError):
        services.evidence_add(decision=decision, by=steward, cycle=cycle)
    assert list(cycle.decision_evidence.values_list("decision", flat=True)) == [decision.pk]


def test_evidence_stays_once_the_decision_is_published(
    place: Any, steward: Any, cycle: Any
) -> None:
    decision = make_decision(place, steward, status=Status.DRAFT)
    evidence = services.evidence_add(decision=decision, by=steward, cycle=cycle)
    services.decision_open(decision=decision, by=steward, input_closes_on=TODAY())
    with pytest.raises(services.GovernanceError) as refused:
        services.evidence_remove(evidence=evidence, by=steward)
    assert refused.value.status == 409
    assert decision.evidence.count() == 1


def test_dissent_is_kept_in_the_dissenters_words(
    place: Any, steward: Any, member: Any, resident: Any
) -> None:
    decision = make_decision(place, steward)
    services.input_give(decision=decision, by=member, stance="objection", text="Too costly")
    with pytest.raises(services.GovernanceError):
        services.dissent_record(decision=decision, by=resident, text="I disagree")
    dissent = services.dissent_record(
        decision=decision, by=member, text="Still too costly, in my view."
    )
    dissent.refresh_from_db()
    assert dissent.text == "Still too costly, in my view." and not dissent.as_decider


def test_the_platform_records_a_participatory_allocation_decided_with_no_owner(
    place: Any, member: Any, resident: Any, cycle: Any
) -> None:
    decision = services.decision_record_allocation(
        place=place,
        title="Community fund, round 1: the awards",
        question="Which ideas should the fund back?",
        outcome="Five ideas funded, £9,800 in all.",
        reasoning="Ideas in order of points; the pot covered the first five.",
        method_result="20 members allocated 2,000 points",
        deciders=[member, resident],
        options=[{"title": "Lunch club kitchen", "description": "412 points"}],
        cycles=[cycle],
    )
    decision.refresh_from_db()
    assert decision.status == Status.DECIDED and decision.method == "allocation"
    assert decision.owner is None and decision.recorded_by_platform
    assert not decision.inputs.exists()
    rows = Decider.objects.filter(decision=decision)
    assert rows.count() == 2 and all(r.listed_only and r.stated_at is None for r in rows)
    assert decision.evidence.get().cycle == cycle
    assert Implementation.objects.filter(decision=decision).exists()
    assert Activity.objects.filter(kind="decision", verb="decided", actor=None).exists()
    with pytest.raises(services.GovernanceError):
        services.decision_update(decision=decision, by=member, expected_version=None, title="x")


def test_the_schedule_closes_input_and_starts_reviews_once(
    place: Any, steward: Any, decider: Any
) -> None:
    open_one = make_decision(place, steward)
    Decision.objects.filter(pk=open_one.pk).update(input_closes_on=TODAY() - timedelta(days=1))
    decided = make_decision(place, steward, status=Status.DECIDED, title="Decided")
    Decision.objects.filter(pk=decided.pk).update(
        decided_on=TODAY() - timedelta(days=90), review_by=TODAY()
    )
    assert services.decisions_move_by_date() == {"input_closed": 1, "review_due": 1}
    assert services.decisions_move_by_date() == {"input_closed": 0, "review_due": 0}
    open_one.refresh_from_db()
    decided.refresh_from_db()
    assert open_one.status == Status.DECIDING
    assert decided.status == Status.UNDER_REVIEW and decided.is_due_for_review
    assert (
        Activity.objects.filter(kind="decision", verb="input_closed", target_id=open_one.pk).count()
        == 1
    )
    assert (
        Activity.objects.filter(kind="decision", verb="review", target_id=decided.pk).count() == 1
    )
    assert Notification.objects.filter(recipient=steward, kind="decision_review_due").count() == 1


def test_progress_updates_write_to_the_timeline(place: Any, steward: Any, member: Any) -> None:
    decision = make_decision(place, steward, status=Status.DECIDED)
    services.implementation_set_responsible(decision=decision, by=steward, responsible=member)
    milestone = services.milestone_add(
        decision=decision, by=steward, title="Rota agreed", due_on=TODAY()
    )
    services.milestone_done(milestone=milestone, by=steward)
    with pytest.raises(services.GovernanceError):
        services.progress_post(
            decision=decision, by=steward, status="done", progress=80, text="Done"
        )
    services.progress_post(
        decision=decision, by=steward, status="in_progress", progress=40, text="Half the rota"
    )
    record = Implementation.objects.get(decision=decision)
    assert (record.responsible, record.status, record.progress) == (member, "in_progress", 40)
    assert record.milestones.get().done_on == TODAY()
    kinds = set(Activity.objects.filter(kind="implementation").values_list("verb", flat=True))
    assert kinds == {"responsible", "milestone", "progress"}


def test_the_summary_counts_each_disposition(place: Any, steward: Any, member: Any) -> None:
    decision = make_decision(place, steward, inputs=[(member, "support")] * 3, answer=False)
    items = list(decision.inputs.all())
    services.response_give(item=items[0], by=steward, disposition="adopted", text="Yes")
    services.response_give(item=items[1], by=steward, disposition="not_adopted", text="No, because")
    summary = services.input_summary(decision.inputs.select_related("response"))
    assert summary == "3 inputs: 1 adopted, 1 not adopted, 1 waiting for a response"
