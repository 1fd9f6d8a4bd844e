"""Forms for places and their people. Each validates lengths and choices itself, so bad input
becomes a field error (and a 4xx page), never a database error."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone

from .models import (
    DEFAULT_HOUSE_RULES,
    InterestKind,
    JoinPolicy,
    Perspective,
    PlaceVisibility,
    PowerKind,
    Role,
)

MAX_MISSIONS = 10
MISSION_MAX_LENGTH = 200
LONG_TEXT_MAX = 20_000
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def datetime_field(label: str, help_text: str, name: str | None = None) -> forms.DateTimeField:
    """A date-and-time field for UK people: the browser's picker format, or typed by hand.

    ``name`` is how the error messages refer to the moment ("ideas open"); by default "it"
    plus the lower-cased label ("it starts")."""
    name = name or f"it {label.lower()}"
    return forms.DateTimeField(
        label=label,
        help_text=help_text,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(format=DATETIME_FORMAT),
        error_messages={
            "required": f"Enter when {name}.",
            "invalid": f"Enter when {name} as a real date and time.",
        },
    )


def perspectives_field(label: str = "Which parts of the system do you speak from?") -> Any:
    return forms.MultipleChoiceField(
        label=label,
        choices=Perspective.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose all that apply. Other members will see these beside your name.",
        error_messages={"required": "Choose at least one perspective."},
    )


class PlaceForm(forms.Form):
    """Create or describe a place. Missions are typed one per line, in order."""

    name = forms.CharField(
        label="Name of the place",
        max_length=120,
        help_text="For example ‘Kirkby Vale’ or ‘North Ashford estates’.",
        error_messages={"required": "Enter the name of the place."},
    )
    summary = forms.CharField(
        label="Summary",
        max_length=280,
        help_text="One or two sentences shown in lists of places.",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter a short summary."},
    )
    description = forms.CharField(
        label="Description (optional)",
        required=False,
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Who you are, what you are trying to change, how to take part. "
        "You can use Markdown: **bold**, *italic*, lists and links.",
    )
    missions = forms.CharField(
        label="Missions (optional)",
        required=False,
        max_length=(MISSION_MAX_LENGTH + 1) * MAX_MISSIONS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What you are here for, in a resident’s words. One mission a line, most "
        "important first, for example ‘To have a safe and nurturing place to live’. "
        f"Up to {MAX_MISSIONS}.",
    )
    visibility = forms.ChoiceField(
        label="Who can see this place?",
        choices=PlaceVisibility.choices,
        widget=forms.RadioSelect,
        initial=PlaceVisibility.PUBLIC,
        error_messages={"required": "Choose who can see this place."},
    )
    join_policy = forms.ChoiceField(
        label="How do people join?",
        choices=JoinPolicy.choices,
        widget=forms.RadioSelect,
        initial=JoinPolicy.APPROVAL,
        help_text="Members-only places can only be joined by invitation, whatever you choose.",
        error_messages={"required": "Choose how people join."},
    )
    house_rules = forms.CharField(
        label="House rules",
        required=False,
        max_length=LONG_TEXT_MAX,
        initial=DEFAULT_HOUSE_RULES,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="How people treat each other here. Start from ours and change them to suit "
        "your place. Leave empty to use ours.",
    )

    stewards_use_two_factor = forms.BooleanField(
        label="Ask stewards to turn on two-factor authentication",
        required=False,
        help_text="Stewards can change who is in the place. Each steward without two-factor "
        "authentication will see a request to turn it on.",
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not any(ch.isalnum() for ch in name):
            raise forms.ValidationError("The name must contain letters or numbers.")
        return name

    def clean_missions(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["missions"].splitlines()]
        missions = list(dict.fromkeys(line for line in lines if line))
        if len(missions) > MAX_MISSIONS:
            raise forms.ValidationError(f"Give at most {MAX_MISSIONS} missions.")
        too_long = [m for m in missions if len(m) > MISSION_MAX_LENGTH]
        if too_long:
            raise forms.ValidationError(
                f"Each mission must be {MISSION_MAX_LENGTH} characters or fewer "
                f"(one has {len(too_long[0])})."
            )
        return missions

    def clean_house_rules(self) -> str:
        return self.cleaned_data["house_rules"].strip() or DEFAULT_HOUSE_RULES


class PlaceCreateForm(PlaceForm):
    perspectives = perspectives_field("Which parts of the system do you speak from here?")

    field_order = [
        "name",
        "summary",
        "description",
        "missions",
        "perspectives",
        "visibility",
        "join_policy",
        "stewards_use_two_factor",
        "house_rules",
    ]


class PerspectivesForm(forms.Form):
    perspectives = perspectives_field()


class JoinForm(forms.Form):
    perspectives = perspectives_field()
    message = forms.CharField(
        label="A note to the stewards (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Say a little about yourself and why you would like to join.",
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label="Their email address",
        max_length=254,
        help_text="We only use it to send this invitation. Other members never see it.",
        error_messages={
            "required": "Enter the email address of the person you are inviting.",
            "invalid": "Enter an email address in the right format, like name@example.org.",
        },
    )
    message = forms.CharField(
        label="A personal note (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Say why you would like them to join. It goes in the email.",
    )
    role = forms.ChoiceField(
        label="Invite them as",
        choices=Role.choices,
        initial=Role.MEMBER,
        widget=forms.RadioSelect,
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(
        label="Role",
        choices=Role.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose member or steward."},
    )


class RemoveMemberForm(forms.Form):
    reason = forms.CharField(
        label="Why are you removing them? (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="We send this to them by email.",
    )


class JoinRequestDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your answer",
        choices=[("approve", "Approve"), ("decline", "Decline")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose approve or decline."},
    )
    reason = forms.CharField(
        label="A note to them (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class InterestForm(forms.Form):
    kind = forms.ChoiceField(
        label="What kind of interest is it?",
        choices=InterestKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of interest it is."},
    )
    description = forms.CharField(
        label="Describe it",
        max_length=500,
        help_text="For example ‘I work for Kirkby Vale Council’s housing team’.",
        error_messages={"required": "Describe the interest."},
    )
    since = forms.DateField(
        label="Since when? (optional)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The date it began, for example 2021-03-01.",
        error_messages={"invalid": "Enter a real date, for example 2021-03-01."},
    )

    def clean_since(self) -> date | None:
        since = self.cleaned_data.get("since")
        if since is not None and since > timezone.localdate():
            raise forms.ValidationError("The date must be today or in the past.")
        return since


class PoundsField(forms.DecimalField):
    """A decimal that forgives how people write money: ‘£1,200,000’ reads as 1200000."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip().replace(",", "").removeprefix("£").strip()
        return super().to_python(value)


class PowerForm(forms.Form):
    kind = forms.ChoiceField(
        label="What kind of power is it?",
        choices=PowerKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of power it is."},
    )
    description = forms.CharField(
        label="Describe it",
        max_length=500,
        help_text="For example ‘Adult social care prevention budget’ or ‘Chair of the "
        "health and wellbeing board’.",
        error_messages={"required": "Describe the power you hold."},
    )
    amount = PoundsField(
        label="Size of the budget, in pounds a year (for a budget only)",
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        error_messages={
            "invalid": "Enter the amount as a number, like 1200000.",
            "min_value": "The amount cannot be negative.",
            "max_digits": "That amount is too large.",
            "max_decimal_places": "Give the amount to the nearest penny.",
            "max_whole_digits": "That amount is too large.",
        },
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        budget = data.get("kind") == PowerKind.BUDGET
        if budget and data.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", "Give the size of the budget, in pounds.")
        return data
