"""Measures and readings: numbers only, no far-future dates, charts that read without colour."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from learning import services
from learning.charts import measure_chart, worlds_chart
from learning.models import Entry, EntryKind, Measure, Reading
from places.models import Activity

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle_measure(cycle, participant) -> Measure:
    return services.measure_define(
        place=cycle.place,
        cycle=cycle,
        by=participant,
        name="People who felt listened to",
        unit="people",
        kind="relational",
        better="higher",
    )


def reading_url(measure: Measure) -> str:
    return reverse("learning:reading_new", kwargs={"slug": measure.place.slug, "pk": measure.pk})


def test_participants_define_a_cycle_measure(client_for, cycle, participant) -> None:
    response = client_for(participant).post(
        reverse("learning:cycle_measure_new", kwargs={"slug": cycle.place.slug, "pk": cycle.pk}),
        {"name": "Nights in A&E", "unit": "nights", "kind": "cost", "better": "lower"},
    )
    measure = Measure.objects.get(name="Nights in A&E")
    assert response.status_code == 302 and response["Location"] == measure.get_absolute_url()
    assert (measure.cycle, measure.better, measure.kind) == (cycle, "lower", "cost")
    assert Activity.objects.filter(kind="measure", verb="defined", target_id=measure.pk).exists()
    # The same name twice in one cycle is refused clearly.
    again = client_for(participant).post(
        reverse("learning:cycle_measure_new", kwargs={"slug": cycle.place.slug, "pk": cycle.pk}),
        {"name": "nights in a&e", "unit": "nights", "kind": "cost", "better": "lower"},
    )
    assert again.status_code == 400
    assert "already a measure with that name" in again.content.decode()


def test_only_stewards_define_place_wide_measures(client_for, place, member, steward) -> None:
    url = reverse("learning:measure_new", kwargs={"slug": place.slug})
    data = {
        "name": "Trust in the council",
        "unit": "score out of 10",
        "kind": "relational",
        "better": "higher",
    }
    assert client_for(member).post(url, data).status_code == 403
    assert client_for(steward).post(url, data).status_code == 302
    assert Measure.objects.get().cycle is None


def test_a_reading_that_is_not_a_number_is_refused_clearly(
    client_for, cycle_measure, participant
) -> None:
    for typed in ("twelve", "12,5,6", "NaN", "1e400", "3.14159"):
        response = client_for(participant).post(
            reading_url(cycle_measure), {"value": typed, "date": "2026-01-05"}
        )
        assert response.status_code == 400, typed
        body = response.content.decode()
        assert (
            "Enter the reading as a number" in body or "decimal places" in body or "too big" in body
        )
        assert f'value="{typed}"' in body
    assert not Reading.objects.exists()


def test_a_reading_dated_in_the_far_future_is_refused(
    client_for, cycle_measure, participant
) -> None:
    far = (timezone.localdate() + timedelta(days=400)).isoformat()
    response = client_for(participant).post(reading_url(cycle_measure), {"value": "4", "date": far})
    assert response.status_code == 400
    assert "cannot be in the future" in response.content.decode()
    response = client_for(participant).post(
        reading_url(cycle_measure), {"value": "4", "date": "31/02/2026"}
    )
    assert response.status_code == 400
    assert "real date" in response.content.decode()
    assert not Reading.objects.exists()
    with pytest.raises(services.LearningError):
        services.reading_record(
            measure=cycle_measure, by=participant, value=Decimal(1), on=date(2099, 1, 1)
        )


def test_a_cycle_reading_is_also_a_data_point_in_the_timeline(
    client_for, cycle_measure, participant
) -> None:
    response = client_for(participant).post(
        reading_url(cycle_measure),
        {"value": "1,250", "date": "2026-01-05", "note": "After the new rota"},
    )
    assert response.status_code == 302
    reading = Reading.objects.get()
    assert reading.value == Decimal("1250") and reading.note == ""  # the words live on the entry
    entry = Entry.objects.get(kind=EntryKind.DATA)
    assert entry.reading == reading and entry.body == "After the new rota"
    assert (
        Activity.objects.filter(kind="measure", verb="recorded", target_id=reading.pk).count() == 1
    )
    assert not Activity.objects.filter(kind="entry", target_id=entry.pk).exists()
    page = client_for(None).get(cycle_measure.cycle.get_absolute_url()).content.decode()
    assert "People who felt listened to: 1,250 people" in page


def test_a_data_entry_from_the_log_form_records_the_reading(
    client_for, cycle_measure, participant
) -> None:
    cycle = cycle_measure.cycle
    url = reverse("learning:entry_new", kwargs={"slug": cycle.place.slug, "pk": cycle.pk})
    response = client_for(participant).post(
        url, {"kind": "data", "measure": "999", "value": "abc", "date": "", "visibility": "public"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Choose one of this cycle’s measures." in body
    assert "Enter the reading as a number" in body
    assert "Enter the date of the reading." in body
    response = client_for(participant).post(
        url,
        {
            "kind": "data",
            "measure": str(cycle_measure.pk),
            "value": "7",
            "date": "2026-02-01",
            "visibility": "members",
        },
    )
    assert response.status_code == 302
    entry = Entry.objects.get(kind=EntryKind.DATA)
    assert entry.reading.value == 7 and entry.visibility == "members"


def test_members_record_place_wide_readings_and_outsiders_cannot(
    client_for, place, steward, resident, outsider
) -> None:
    measure = services.measure_define(
        place=place, by=steward, name="Empty homes", unit="homes", kind="outcome", better="lower"
    )
    assert (
        client_for(resident)
        .post(reading_url(measure), {"value": "31", "date": "2026-01-01"})
        .status_code
        == 302
    )
    assert (
        client_for(outsider)
        .post(reading_url(measure), {"value": "1", "date": "2026-01-01"})
        .status_code
        == 403
    )
    assert list(Reading.objects.values_list("value", flat=True)) == [Decimal(31)]
    assert not Entry.objects.filter(kind=EntryKind.DATA).exists()


def test_non_participants_cannot_record_a_cycle_reading(client_for, cycle_measure, member) -> None:
    response = client_for(member).post(
        reading_url(cycle_measure), {"value": "3", "date": "2026-01-01"}
    )
    assert response.status_code == 403
    assert not Reading.objects.exists()


def test_the_chart_has_a_text_summary_a_point_per_reading_and_a_table(
    client_for, cycle_measure, participant
) -> None:
    for days, value in ((60, 4), (30, 9), (0, 7)):
        services.reading_record(
            measure=cycle_measure,
            by=participant,
            value=Decimal(value),
            on=timezone.localdate() - timedelta(days=days),
        )
    page = client_for(None).get(cycle_measure.get_absolute_url()).content.decode()
    assert page.count("<circle") == 3
    assert 'role="img"' in page and "<title id=" in page and "<desc id=" in page
    assert "3 readings of People who felt listened to" in page
    assert "It is up 3 since the first reading, which is better." in page
    assert "<table" in page and "style=" not in page


def test_chart_words_follow_which_direction_is_better() -> None:
    rows = [
        SimpleNamespace(date=date(2026, 1, 1), value=Decimal(10), pk=1),
        SimpleNamespace(date=date(2026, 2, 1), value=Decimal(6), pk=2),
    ]
    lower = measure_chart(rows, name="Waiting days", unit="days", better="lower")
    higher = measure_chart(rows, name="Visits", unit="visits", better="higher")
    assert "down 4 since the first reading, which is better" in lower.summary
    assert "down 4 since the first reading, which is worse" in higher.summary
    assert (
        measure_chart([], name="Visits", unit="visits", better="higher").summary
        == "No readings of Visits yet."
    )


def test_the_four_worlds_chart_counts_and_summarises() -> None:
    chart = worlds_chart({"to": 1, "with": 3, "by": 6})
    assert [r["count"] for r in chart.rows] == [1, 0, 3, 6]
    assert chart.summary == (
        "10 actions logged: 1 done to people, 0 done for people, 3 done with people, "
        "6 done by people themselves."
    )
    assert chart.rows[3]["bar_width"] > chart.rows[2]["bar_width"] > chart.rows[0]["bar_width"]
