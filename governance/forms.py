"""Forms for decisions. Each checks lengths, choices and dates itself, so bad input is a field
error with a clear message (and a 4xx page), never a database error. The services check the
rules that depend on the decision's state again, under a row lock."""

from __future__ import annotations

from datetime import date
from typing import Any, cast
from urllib.parse import urlsplit

from django import forms
from django.db.models import Q
from django.urls import Resolver404, resolve
from django.utils import timezone

from places.models import Interest, Membership, Place

from .models import Decision, Disposition, ImplementationStatus, Method, Stance

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CHOOSABLE_METHODS = [(v, label) for v, label in Method.choices if v != Method.ALLOCATION]


def _date(label: str, *, required: bool = False, help_text: str = "", **messages: str) -> Any:
    return forms.DateField(
        label=label,
        required=required,
        widget=DATE_WIDGET,
        help_text=help_text,
        error_messages={"invalid": "Enter a real date, like 2026-03-31.", **messages},
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.display_name or "A member"


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.display_name or "A member"


def _members(place: Place) -> Any:
    from relational.models import User

    return User.objects.filter(memberships__place=place).order_by("display_name", "id")


class ConfirmForm(forms.Form):
    """A confirmation: nothing to fill in."""


class VersionedForm(forms.Form):
    """Carries the version of the decision the person saw (optimistic concurrency)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)


class OptionForm(forms.Form):
    title = forms.CharField(label="Option", max_length=200, required=False)
    description = forms.CharField(
        label="What it means", max_length=2000, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    pros = forms.CharField(
        label="For it", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    cons = forms.CharField(
        label="Against it", max_length=2000, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if any(data.get(k) for k in ("description", "pros", "cons")) and not data.get("title"):
            self.add_error("title", "Give this option a short name.")
        return data


OptionFormSet = forms.formset_factory(OptionForm, extra=2, max_num=10, validate_max=True)


def option_formset(data: Any, decision: Decision | None) -> Any:
    initial = decision.option_list() if decision is not None else None
    return OptionFormSet(data, initial=initial, prefix="options")


class DecisionForm(VersionedForm):
    title = forms.CharField(
        label="Title", max_length=150, error_messages={"required": "Give the decision a title."}
    )
    question = forms.CharField(
        label="The question or problem",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What needs deciding, and why now. You can use Markdown.",
        error_messages={"required": "Say what needs deciding."},
    )
    method = forms.ChoiceField(
        label="How will it be decided?",
        choices=CHOOSABLE_METHODS,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how it will be decided."},
    )
    deciders = PeopleChoiceField(
        label="Who decides? (members named as deciders)",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Deciders must be members of this place."},
    )
    body_name = forms.CharField(
        label="Or a named body (optional)",
        max_length=200,
        required=False,
        help_text="A board or group whose decision a steward records on its behalf.",
    )
    mandate = forms.CharField(
        label="Mandate",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The authority that lets them decide: a delegation, a terms of reference, a "
        "statutory duty.",
    )
    place_view = forms.CharField(
        label="The view from the place (optional)",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    input_closes_on = _date(
        "Input closes (optional until it opens)",
        help_text="The last day members can give input.",
    )
    review_by = _date("Review by (optional)", help_text="When to look again at what it achieved.")

    def __init__(self, *args: Any, place: Place, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["deciders"]).queryset = _members(place)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("deciders") and not data.get("body_name"):
            self.add_error(
                "deciders", "Name at least one decider, or the body whose decision this is."
            )
        closes, review = data.get("input_closes_on"), data.get("review_by")
        if closes and review and review <= closes:
            self.add_error("review_by", "The review date must come after input closes.")
        return data


class OpenForm(VersionedForm):
    input_closes_on = forms.DateField(
        label="Input closes on",
        widget=DATE_WIDGET,
        help_text="The last day members can give input.",
        error_messages={
            "required": "Say when input closes.",
            "invalid": "Enter a real date, like 2026-03-31.",
        },
    )


class DecideForm(VersionedForm):
    outcome = forms.CharField(
        label="What was decided",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what was decided."},
    )
    reasoning = forms.CharField(
        label="Why: the reasoning",
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Say how the input and the evidence shaped it.",
        error_messages={"required": "Give the reasoning behind the decision."},
    )
    method_result = forms.CharField(
        label="Result of the method",
        max_length=300,
        help_text="For example “carried 7–3” or “consent, no objections”.",
        error_messages={"required": "Give the result of the method."},
    )
    decided_on = forms.DateField(
        label="Decided on",
        widget=DATE_WIDGET,
        error_messages={
            "required": "Say when it was decided.",
            "invalid": "Enter a real date, like 2026-03-31.",
        },
    )
    review_by = _date("Review by (optional)", help_text="When to look again at what it achieved.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        decided, review = data.get("decided_on"), data.get("review_by")
        if decided and decided > timezone.localdate():
            self.add_error("decided_on", "A decision cannot be taken on a day still to come.")
        if decided and review and review <= decided:
            self.add_error("review_by", "The review date must come after the decision date.")
        return data


class ReviewForm(VersionedForm):
    note = forms.CharField(
        label="Why it stands",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the review found: what it achieved, and why no change is needed.",
        error_messages={"required": "Say why the decision stands."},
    )
    review_by = _date("Next review by (optional)")


class RescindForm(VersionedForm):
    reason = forms.CharField(
        label="Why is it rescinded?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why the decision is rescinded."},
    )


class HandOverForm(forms.Form):
    owner = PersonChoiceField(
        label="Hand it to",
        queryset=None,
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose who takes it on.",
            "invalid_choice": "Choose a steward of this place or one of the decision's deciders.",
        },
    )

    def __init__(self, *args: Any, decision: Decision, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from relational.models import User

        stewards = Membership.objects.filter(place=decision.place, role="steward").values("user")
        deciders = decision.deciders.filter(user__memberships__place=decision.place).values("user")
        people = User.objects.filter(Q(pk__in=stewards) | Q(pk__in=deciders))
        if decision.owner_id is not None:
            people = people.exclude(pk=decision.owner_id)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = people.order_by(
            "display_name", "id"
        )


class CentreViewForm(VersionedForm):
    centre_view = forms.CharField(
        label="The view from the centre",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="How this looks from national policy. Leave it empty to withdraw the view.",
    )


class EvidenceForm(forms.Form):
    cycle: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="A learning cycle in this place",
        queryset=None,
        required=False,
        empty_label="Choose a cycle",
        error_messages={"invalid_choice": "Choose one of this place's learning cycles."},
    )
    address = forms.CharField(
        label="Or the address of a learning cycle or log entry",
        max_length=500,
        required=False,
        help_text="Paste the address of a cycle or entry here, or a public one in another place.",
    )
    note = forms.CharField(label="What it showed (optional)", max_length=300, required=False)

    def __init__(self, *args: Any, place: Place, **kwargs: Any) -> None:
        from learning.models import LearningCycle

        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["cycle"]).queryset = LearningCycle.objects.filter(
            place=place
        ).order_by("title")
        self.resolved_cycle: Any = None
        self.resolved_entry: Any = None

    def clean(self) -> dict[str, Any]:
        from learning.models import Entry, LearningCycle

        data = super().clean() or {}
        cycle, address = data.get("cycle"), (data.get("address") or "").strip()
        if self.errors:
            return data
        if cycle and address:
            self.add_error("address", "Choose a cycle or give an address, not both.")
            return data
        if cycle:
            self.resolved_cycle = cycle
            return data
        if not address:
            self.add_error("cycle", "Choose a learning cycle or give the address of one.")
            return data
        try:
            match = resolve(urlsplit(address).path)
        except Resolver404:
            match = None
        kwargs = match.kwargs if match else {}
        if match and match.view_name == "learning:cycle":
            self.resolved_cycle = (
                LearningCycle.objects.filter(pk=kwargs["pk"], place__slug=kwargs["slug"])
                .select_related("place")
                .first()
            )
        elif match and match.view_name == "learning:entry":
            self.resolved_entry = (
                Entry.objects.filter(
                    pk=kwargs["entry_id"], cycle_id=kwargs["pk"], cycle__place__slug=kwargs["slug"]
                )
                .select_related("cycle__place")
                .first()
            )
        if self.resolved_cycle is None and self.resolved_entry is None:
            self.add_error(
                "address", "That is not the address of a learning cycle or log entry here."
            )
        return data


def _interest_label(interest: Any) -> str:
    return f"{interest.get_kind_display()}: {interest.description}"


class InterestsForm(forms.Form):
    interests: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label="Which of your declared interests relate to this decision?",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose from your own declared interests."},
    )
    no_interest = forms.BooleanField(
        label="None of my interests relate to this decision", required=False
    )

    def __init__(self, *args: Any, place: Place, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelMultipleChoiceField, self.fields["interests"])
        field.queryset = Interest.objects.current().filter(place=place, user=user)
        field.label_from_instance = _interest_label  # type: ignore[method-assign,assignment]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen, none = data.get("interests"), data.get("no_interest")
        if "interests" in self.errors:
            return data
        if chosen and none:
            self.add_error(
                "no_interest", "Either choose the interests that relate, or say none do — not both."
            )
        elif not chosen and not none:
            self.add_error(
                "interests", "Choose the interests that relate to this decision, or say none do."
            )
        return data


class DissentForm(forms.Form):
    text = forms.CharField(
        label="What you disagree with, in your words",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Say what you disagree with."},
    )


class InputForm(forms.Form):
    stance = forms.ChoiceField(
        label="Where do you stand?",
        choices=Stance.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether you support it, have a concern, object or have a question.",
            "invalid_choice": "Choose one of the four.",
        },
    )
    text = forms.CharField(
        label="What do you want to say?",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Everyone who can read this decision will see it, with your name. The owner "
        "will reply.",
        error_messages={
            "required": "Say what you want to say.",
            "max_length": "Keep it under 5,000 characters (it has %(show_value)d).",
        },
    )


class ResponseForm(forms.Form):
    disposition = forms.ChoiceField(
        label="What happened to this input?",
        choices=Disposition.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what happened to this input."},
    )
    text = forms.CharField(
        label="Response",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="If it was not adopted, give the reason.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("text") or "").strip():
            if data.get("disposition") == Disposition.NOT_ADOPTED:
                self.add_error("text", "Give the reason it was not adopted.")
            else:
                self.add_error("text", "Write the response.")
        return data


class RedactForm(forms.Form):
    phrase = forms.CharField(
        label="Words to redact",
        max_length=300,
        help_text="Exactly as written (capitals do not matter). Every place they appear in this "
        "decision's record, and its history, will show “[redacted]”.",
        error_messages={"required": "Give the words to redact."},
    )
    reason = forms.CharField(
        label="Why",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept in the record of redactions, with your name and the date.",
        error_messages={"required": "Say why the words are redacted."},
    )


class ResponsibleForm(forms.Form):
    responsible = PersonChoiceField(
        label="Who is responsible for carrying it out?",
        queryset=None,
        required=False,
        empty_label="Nobody yet",
        error_messages={"invalid_choice": "Choose a member of this place."},
    )

    def __init__(self, *args: Any, place: Place, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["responsible"]).queryset = _members(place)


class ProgressForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        choices=ImplementationStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a status."},
    )
    progress = forms.IntegerField(
        label="Progress (%)",
        min_value=0,
        max_value=100,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": "Give the progress as a percentage.",
            "invalid": "Give the progress as a whole number from 0 to 100.",
            # Django %-formats these with the limit, so a literal percent sign is doubled.
            "min_value": "Progress cannot be below 0%%.",
            "max_value": "Progress cannot be above 100%%.",
        },
    )
    text = forms.CharField(
        label="What has happened",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what has happened."},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == ImplementationStatus.DONE and data.get("progress") not in (
            None,
            100,
        ):
            self.add_error("progress", "Something done is 100% done.")
        return data


class MilestoneForm(forms.Form):
    title = forms.CharField(
        label="Milestone", max_length=200, error_messages={"required": "Name the milestone."}
    )
    due_on = forms.DateField(
        label="Due on",
        widget=DATE_WIDGET,
        error_messages={
            "required": "Say when it is due.",
            "invalid": "Enter a real date, like 2026-03-31.",
        },
    )


def today() -> date:
    return timezone.localdate()
