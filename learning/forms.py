"""Forms for learning cycles. Each checks lengths, choices and numbers itself, so bad input is a
field error with a clear message (and a 4xx page), never a database error."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django import forms
from django.utils import timezone

from places.models import Membership, Mission, Place

from .models import (
    ENTRY_KIND_HINTS,
    LOGGED_KINDS,
    Better,
    Consent,
    CycleStatus,
    Entry,
    EntryKind,
    Horizon,
    LearningCycle,
    LinkKind,
    MeasureKind,
    RelationshipLevel,
    Rhythm,
    Scale,
    Swimlane,
    World,
    visibility_choices,
    widest_visibility,
)

TEXT_MAX = 10_000


def _model_choices(form: forms.Form, name: str) -> forms.ModelMultipleChoiceField:
    return cast(forms.ModelMultipleChoiceField, form.fields[name])


def _choices(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


class MemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.user} ({', '.join(obj.perspective_labels())})"


class CycleForm(forms.Form):
    title = forms.CharField(
        label="Title",
        max_length=150,
        help_text="A few words people will recognise, like ‘Tea and a chat before assessments’.",
        error_messages={"required": "Give the cycle a title."},
    )
    question = forms.CharField(
        label="What are we trying to learn?",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what you are trying to learn."},
    )
    intent = forms.CharField(
        label="What do we think will happen?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="We think that doing … will … because …",
        error_messages={"required": "Say what you think will happen, and why."},
    )
    missions = forms.ModelMultipleChoiceField(
        label="Which of the place’s missions does it serve? (optional)",
        queryset=Mission.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose missions of this place."},
    )
    relationship_level = forms.ChoiceField(
        label="Which relationship is it about?",
        choices=RelationshipLevel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the relationship it is about."},
    )
    horizon = forms.ChoiceField(
        label="Horizon",
        choices=Horizon.choices,
        widget=forms.RadioSelect,
        help_text="Is it about making today’s system work, the change between, or the future?",
        error_messages={"required": "Choose a horizon."},
    )
    scale = forms.ChoiceField(
        label="At what scale does it work?",
        choices=Scale.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the scale it works at."},
    )
    rhythm = forms.ChoiceField(
        label="How often should participants be prompted to reflect?",
        choices=Rhythm.choices,
        initial=Rhythm.FORTNIGHTLY,
        widget=forms.RadioSelect,
        help_text="Prompts arrive by email at 8am while the cycle is testing, reflecting or "
        "adapting.",
        error_messages={"required": "Choose how often to reflect."},
    )
    participants = MemberChoiceField(
        label="Who else takes part? (optional)",
        queryset=Membership.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Members of the place. We will tell them. Others can ask to join later.",
        error_messages={"invalid_choice": "Choose members of this place."},
    )

    def __init__(self, *args: Any, place: Place, exclude_user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.place = place
        _model_choices(self, "missions").queryset = Mission.objects.filter(place=place)
        members = Membership.objects.filter(place=place).select_related("user")
        if exclude_user is not None:
            members = members.exclude(user=exclude_user)
        _model_choices(self, "participants").queryset = members
        if not Mission.objects.filter(place=place).exists():
            del self.fields["missions"]


class CycleEditForm(CycleForm):
    participants = MemberChoiceField(
        label="Add participants (optional)",
        queryset=Membership.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Members of the place who do not yet take part. We will tell them.",
    )

    def __init__(self, *args: Any, cycle: LearningCycle, **kwargs: Any) -> None:
        super().__init__(*args, place=cycle.place, **kwargs)
        _model_choices(self, "participants").queryset = (
            Membership.objects.filter(place=cycle.place)
            .exclude(user__cycle_participations__cycle=cycle)
            .select_related("user")
        )


class MoveForm(forms.Form):
    to = forms.ChoiceField(
        label="Move the cycle to",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where the cycle goes next."},
    )
    note = forms.CharField(
        label="A note for the timeline (optional)",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reason = forms.CharField(
        label="If you are stopping it: why?",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    learned = forms.CharField(
        label="If you are concluding it: what did you learn?",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="This goes in the learning library for other places to read.",
    )
    differently = forms.CharField(
        label="If you are concluding it: what will you do differently?",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args: Any, cycle: LearningCycle, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "to").choices = [(s, CycleStatus(s).label) for s in cycle.next_statuses()]
        self.fields["to"].error_messages["invalid_choice"] = (
            f"From {cycle.get_status_display().lower()} the cycle cannot move there."
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        to = data.get("to")
        if to == CycleStatus.STOPPED and not (data.get("reason") or "").strip():
            self.add_error("reason", "Say why the cycle is stopping.")
        if to == CycleStatus.CONCLUDED:
            if not (data.get("learned") or "").strip():
                self.add_error("learned", "Say what you learned.")
            if not (data.get("differently") or "").strip():
                self.add_error("differently", "Say what you will do differently.")
        return data


def _visibility_field(place: Place) -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Who can see it?",
        choices=visibility_choices(place),
        initial=widest_visibility(place),
        widget=forms.RadioSelect,
        help_text="The place’s usual setting is chosen; narrow it if you need to.",
        error_messages={
            "required": "Choose who can see this entry.",
            "invalid_choice": "Choose who can see this entry.",
        },
    )


class EntryForm(forms.Form):
    """One short form for every kind of entry; the fields each kind needs appear under it."""

    kind = forms.ChoiceField(
        label="What are you logging?",
        choices=[(k.value, f"{k.label}: {ENTRY_KIND_HINTS[k].lower()}") for k in LOGGED_KINDS],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what you are logging."},
    )
    body = forms.CharField(
        label="In your own words",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Plain words are best. You can use Markdown: **bold**, *italic*, lists.",
    )
    # Actions
    world = forms.ChoiceField(
        label="How did it relate to the people it was for?",
        choices=World.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    swimlane = forms.ChoiceField(
        label="Which swimlane?",
        choices=Swimlane.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    consent = forms.ChoiceField(
        label="If it was done to people: did it rest on their free, prior and informed consent?",
        choices=Consent.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    consent_note = forms.CharField(
        label="How was consent asked for, or why was there none? (optional)",
        required=False,
        max_length=500,
    )
    # Stories
    about_person = forms.BooleanField(
        label="This story is about a particular person", required=False
    )
    person_agreed = forms.ChoiceField(
        label="Did they agree to it being shared?",
        choices=[("yes", "Yes, they agreed"), ("no", "No, or we did not ask")],
        required=False,
        widget=forms.RadioSelect,
        help_text="Without their agreement it is kept to the cycle’s participants.",
    )
    told_by = forms.CharField(
        label="Told to you by a resident who is not on Relational? (optional)",
        required=False,
        max_length=120,
        help_text="How they would like to be named, for example ‘Maureen, who lives on "
        "Station Road’. The entry will say it was told by them to you.",
    )
    told_by_consent = forms.BooleanField(label="They agreed to me writing it here", required=False)
    # Data points
    measure = forms.ChoiceField(
        label="Which measure?",
        required=False,
        error_messages={"invalid_choice": "Choose one of this cycle’s measures."},
    )
    value = forms.CharField(
        label="Reading",
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text="A number, like 12 or 3.5.",
    )
    date = forms.DateField(
        label="Date of the reading",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the date as a real date, like 2026-03-14."},
    )
    # Adaptations
    sources = forms.MultipleChoiceField(
        label="Which entries led to this change? (optional)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose entries from this cycle."},
    )

    def __init__(
        self,
        *args: Any,
        cycle: LearningCycle,
        measures: list[Any],
        recent_entries: list[Entry],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.cycle = cycle
        self.fields["visibility"] = _visibility_field(cycle.place)
        _choices(self, "measure").choices = [("", "Choose a measure")] + [
            (str(m.pk), f"{m.name} ({m.unit})") for m in measures
        ]
        self.measures = {str(m.pk): m for m in measures}
        _choices(self, "sources").choices = [
            (str(e.pk), f"{e.get_kind_display()}: {e.excerpt[:80]}") for e in recent_entries
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        kind = data.get("kind")
        if kind == EntryKind.DATA:
            if not data.get("measure"):
                self.add_error("measure", "Choose which measure this reading is for.")
            elif data["measure"] not in self.measures:
                self.add_error("measure", "Choose one of this cycle’s measures.")
            raw = (data.get("value") or "").strip()
            if not raw:
                self.add_error("value", "Enter the reading.")
            else:
                data["value"] = parse_number(raw, self, "value")
            check_reading_date(self, data, "date")
        elif kind and not (data.get("body") or "").strip():
            self.add_error("body", "Write something in the entry.")
        if kind == EntryKind.ACTION:
            if not data.get("world"):
                self.add_error("world", "Choose whether this was done to, for, with or by people.")
            if not data.get("swimlane"):
                self.add_error("swimlane", "Choose the swimlane this action sits in.")
            if data.get("world") == World.TO and not data.get("consent"):
                self.add_error(
                    "consent",
                    "Something done to people rests on their consent. Say whether there was.",
                )
        if kind == EntryKind.STORY and data.get("about_person") and not data.get("person_agreed"):
            self.add_error("person_agreed", "Say whether the person agreed to it being shared.")
        if (data.get("told_by") or "").strip() and not data.get("told_by_consent"):
            self.add_error(
                "told_by_consent",
                "Confirm that the person who told you agreed to it being written here.",
            )
        return data


THOUSANDS = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")


def parse_number(raw: str, form: forms.Form, field: str) -> Decimal | None:
    """A reading as typed: 12, -3.5, 1,250 or 1,250.75 (commas only between thousands)."""
    if "," in raw:
        if not THOUSANDS.match(raw):
            form.add_error(field, "Enter the reading as a number, like 12 or 3.5.")
            return None
        raw = raw.replace(",", "")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        form.add_error(field, "Enter the reading as a number, like 12 or 3.5.")
        return None
    if not value.is_finite():
        form.add_error(field, "Enter the reading as a number, like 12 or 3.5.")
        return None
    if abs(value) >= Decimal("1e10"):
        form.add_error(field, "That number is too big for a reading.")
        return None
    if value.as_tuple().exponent < -4:  # type: ignore[operator]
        form.add_error(field, "Give the reading with no more than 4 decimal places.")
        return None
    return value


def check_reading_date(form: forms.Form, data: dict[str, Any], field: str) -> None:
    day = data.get(field)
    if field in form.errors:
        return
    if day is None:
        form.add_error(field, "Enter the date of the reading.")
    elif day > timezone.localdate() + timedelta(days=1):
        form.add_error(field, "The date of a reading cannot be in the future.")
    elif day.year < 1990:
        form.add_error(field, "Enter a date from 1990 onwards.")


class EntryEditForm(forms.Form):
    body = forms.CharField(
        label="Entry",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    world = forms.ChoiceField(
        label="How did it relate to the people it was for?",
        choices=World.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    swimlane = forms.ChoiceField(
        label="Which swimlane?", choices=Swimlane.choices, required=False, widget=forms.RadioSelect
    )
    consent = forms.ChoiceField(
        label="If it was done to people: did it rest on their free, prior and informed consent?",
        choices=Consent.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    consent_note = forms.CharField(
        label="How was consent asked for, or why was there none? (optional)",
        required=False,
        max_length=500,
    )

    def __init__(self, *args: Any, entry: Entry, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.entry = entry
        self.fields["visibility"] = _visibility_field(entry.cycle.place)
        if entry.kind != EntryKind.ACTION:
            for name in ("world", "swimlane", "consent", "consent_note"):
                del self.fields[name]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.entry.kind != EntryKind.DATA and not (data.get("body") or "").strip():
            self.add_error("body", "Write something in the entry.")
        if self.entry.kind == EntryKind.ACTION:
            if not data.get("world"):
                self.add_error("world", "Choose whether this was done to, for, with or by people.")
            if not data.get("swimlane"):
                self.add_error("swimlane", "Choose the swimlane this action sits in.")
            if data.get("world") == World.TO and not data.get("consent"):
                self.add_error("consent", "Say whether there was consent.")
        return data


class MeasureForm(forms.Form):
    name = forms.CharField(
        label="What are you measuring?",
        max_length=120,
        help_text="For example ‘People who said they felt listened to’.",
        error_messages={"required": "Give the measure a name."},
    )
    unit = forms.CharField(
        label="Unit",
        max_length=40,
        help_text="For example ‘people’, ‘£’, ‘days’ or ‘score out of 10’.",
        error_messages={"required": "Give the unit the readings are in."},
    )
    kind = forms.ChoiceField(
        label="Kind of measure",
        choices=MeasureKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of measure."},
    )
    better = forms.ChoiceField(
        label="Which way is better?",
        choices=Better.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose which way is better."},
    )
    description = forms.CharField(
        label="How is it counted? (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReadingForm(forms.Form):
    value = forms.CharField(
        label="Reading",
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text="A number, like 12 or 3.5.",
        error_messages={"required": "Enter the reading."},
    )
    date = forms.DateField(
        label="Date",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": "Enter the date of the reading.",
            "invalid": "Enter the date as a real date, like 2026-03-14.",
        },
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=500,
        help_text="Anything that helps read the number. Everyone who can see the place can read "
        "readings and their notes.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("date", timezone.localdate())

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        raw = (data.get("value") or "").strip()
        if raw:
            data["value"] = parse_number(raw, self, "value")
        check_reading_date(self, data, "date")
        return data


class JoinCycleForm(forms.Form):
    message = forms.CharField(
        label="A note to the participants (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class JoinDecisionForm(forms.Form):
    request_id = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label="Your answer",
        choices=[("accept", "Accept"), ("decline", "Decline")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose accept or decline."},
    )


class CycleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title} ({obj.place.name})"


class LinkForm(forms.Form):
    to_cycle = CycleChoiceField(
        label="Which cycle?",
        queryset=LearningCycle.objects.none(),
        empty_label="Choose a cycle",
        error_messages={
            "required": "Choose a cycle to link to.",
            "invalid_choice": "Choose one of the cycles listed.",
        },
    )
    kind = forms.ChoiceField(
        label="How are they related?",
        choices=[
            ("feeds", "This cycle feeds into that one (a team’s cycle feeding a place’s)"),
            ("fed_by", "That cycle feeds into this one"),
            (LinkKind.PEER.value, "They are peers (the same question somewhere else)"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how they are related."},
    )

    def __init__(self, *args: Any, cycle: LearningCycle, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["to_cycle"]).queryset = (
            LearningCycle.objects.visible_to(user).exclude(pk=cycle.pk).select_related("place")
        )


class PromptQuestionForm(forms.Form):
    text = forms.CharField(
        label="A question to reflect on",
        max_length=300,
        help_text="Open questions work best, like ‘What did someone teach you this week?’",
        error_messages={"required": "Write the question."},
    )


class PromptAnswerForm(forms.Form):
    body = forms.CharField(
        label="Your answer",
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Write your answer before sending it."},
    )

    def __init__(self, *args: Any, place: Place, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visibility"] = _visibility_field(place)


class LibrarySearchForm(forms.Form):
    """Only for rendering the filter; the view reads the query itself (never an error)."""

    q = forms.CharField(label="Search the library", required=False, max_length=200)
    mission = forms.CharField(label="Mission words", required=False, max_length=100)
    level = forms.ChoiceField(
        label="Relationship level",
        required=False,
        choices=[("", "Any")] + list(RelationshipLevel.choices),
    )
    horizon = forms.ChoiceField(
        label="Horizon", required=False, choices=[("", "Any")] + list(Horizon.choices)
    )
    world = forms.ChoiceField(
        label="World of service", required=False, choices=[("", "Any")] + list(World.choices)
    )
