"""Forms of the community fund. Money is typed as text and read exactly (``funds.parse_money``),
so "£1,250.50" is Decimal("1250.50") and what was typed is shown again on an error."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from places.forms import datetime_field
from places.models import Interest, Mission, Place

from . import funds
from .fund_models import MAX_POINTS_PER_MEMBER, Round


class MoneyField(forms.CharField):
    """Pounds and pence, read exactly; the error messages say what to type."""

    def __init__(self, *, what: str, **kwargs: Any) -> None:
        self.what = what
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Decimal | None:
        text = super().clean(value)
        if not text:
            if self.required:
                raise ValidationError(f"Enter {self.what} in pounds, for example 1250 or 1250.50.")
            return None
        try:
            return funds.parse_money(text, field="", what=self.what)
        except funds.FundError as error:
            raise ValidationError(error.message) from None


class RoundFieldsMixin(forms.Form):
    """The round's pot, dates and points (a new fund's first round, or a later round)."""

    round_pot = MoneyField(
        label="Pot for this round (optional)",
        what="the round's pot",
        required=False,
        help_text="The most this round may award, in pounds. Leave it blank to use everything "
        "left in the fund.",
    )
    ideas_open_at = datetime_field("Ideas open", "UK time.", "ideas open")
    ideas_close_at = datetime_field(
        "Ideas close", "UK time. Proposers can revise their ideas until then.", "ideas close"
    )
    allocation_opens_at = datetime_field(
        "Points open",
        "UK time, no earlier than ideas close. Everyone who is a member at that moment may "
        "spread points; people who join later may not.",
        "points open",
    )
    allocation_closes_at = datetime_field(
        "Points close", "UK time. The result is computed straight after.", "points close"
    )
    points_per_member = forms.IntegerField(
        label="Points for each member",
        initial=100,
        min_value=1,
        max_value=MAX_POINTS_PER_MEMBER,
        help_text=f"How many points each member spreads over the ideas (1 to "
        f"{MAX_POINTS_PER_MEMBER}).",
        error_messages={
            "required": "Enter how many points each member gets.",
            "invalid": "Enter the points as a whole number.",
            "min_value": "Give each member at least 1 point.",
            "max_value": f"Give each member at most {MAX_POINTS_PER_MEMBER} points.",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )

    round_field_names = (
        "round_pot",
        "ideas_open_at",
        "ideas_close_at",
        "allocation_opens_at",
        "allocation_closes_at",
        "points_per_member",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("ideas_open_at"), data.get("ideas_close_at")
        points_open, points_close = (
            data.get("allocation_opens_at"),
            data.get("allocation_closes_at"),
        )
        if opens and closes and points_open and points_close:
            try:
                funds.check_round_dates(
                    ideas_open_at=opens,
                    ideas_close_at=closes,
                    allocation_opens_at=points_open,
                    allocation_closes_at=points_close,
                )
            except funds.FundError as error:
                self.add_error(error.field, error.message)
        return data

    def plan(self, default_pot: Decimal) -> funds.RoundPlan:
        data = self.cleaned_data
        return funds.RoundPlan(
            pot=data.get("round_pot") or default_pot,
            ideas_open_at=data["ideas_open_at"],
            ideas_close_at=data["ideas_close_at"],
            allocation_opens_at=data["allocation_opens_at"],
            allocation_closes_at=data["allocation_closes_at"],
            points_per_member=data["points_per_member"],
        )


class FundForm(RoundFieldsMixin):
    name = forms.CharField(
        label="Name of the fund",
        max_length=150,
        help_text="For example ‘Kirkby Vale Community Fund’.",
        error_messages={"required": "Give the fund a name."},
    )
    purpose = forms.CharField(
        label="What is it for?",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What the money should change, and for whom. You can use Markdown.",
        error_messages={"required": "Say what the fund is for."},
    )
    pot = MoneyField(
        label="The pot",
        what="the pot",
        help_text="The whole fund in pounds, for example 20000 or 20000.50.",
    )
    funder_name = forms.CharField(
        label="Funding organisation",
        max_length=200,
        help_text="The organisation the money comes from.",
        error_messages={"required": "Name the organisation the money comes from."},
    )
    funder_org_id = forms.CharField(
        label="Funding organisation’s org-id (optional)",
        max_length=100,
        required=False,
        help_text="Such as GB-CHC-1234567 (charity) or GB-COH-01234567 (company). Leave it "
        "blank if it has none: the platform then uses its own identifier in open data.",
    )

    field_order = ["name", "purpose", "pot", "funder_name", "funder_org_id"]

    def clean_funder_org_id(self) -> str:
        try:
            return funds.clean_org_id(self.cleaned_data.get("funder_org_id", ""), field="")
        except funds.FundError as error:
            raise ValidationError(error.message) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        pot, round_pot = data.get("pot"), data.get("round_pot")
        if pot and round_pot and round_pot > pot:
            self.add_error("round_pot", "The round’s pot cannot be more than the whole fund.")
        return data


class RoundForm(RoundFieldsMixin):
    def __init__(self, *args: Any, available: Decimal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.available = available
        self.fields["round_pot"].help_text = (
            f"The most this round may award, in pounds. Leave it blank to use everything left "
            f"in the fund (£{available:,.2f})."
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        round_pot = data.get("round_pot")
        if round_pot and round_pot > self.available:
            self.add_error(
                "round_pot",
                f"The round’s pot cannot be more than what is left in the fund "
                f"(£{self.available:,.2f}).",
            )
        return data


class IdeaForm(forms.Form):
    title = forms.CharField(
        label="Title",
        max_length=150,
        help_text="A few plain words, for example ‘Warm Wednesdays at the library’.",
        error_messages={"required": "Give the idea a short title."},
    )
    description = forms.CharField(
        label="What would it do?",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What would happen, for whom, and why you think it would help. You can use "
        "Markdown.",
        error_messages={"required": "Say what the idea would do."},
    )
    missions = forms.ModelMultipleChoiceField(
        label="Which of the place’s missions does it serve?",
        queryset=Mission.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose missions of this place."},
    )
    amount = MoneyField(
        label="How much does it ask for?",
        what="the amount asked",
        help_text="In pounds, for example 1500 or 1500.50. An idea is funded in full or not at "
        "all.",
    )
    who = forms.CharField(
        label="Who would do it? (optional)",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The members and groups doing the work. Members who join as co-designers are "
        "listed on the idea too.",
    )
    organisation_name = forms.CharField(
        label="Organisation that would receive the money (optional)",
        max_length=200,
        required=False,
        help_text="Leave blank if the people doing it would receive it themselves.",
    )
    organisation_org_id = forms.CharField(
        label="Its org-id (optional)",
        max_length=100,
        required=False,
        help_text="Such as GB-CHC-1234567 (charity) or GB-COH-01234567 (company); see "
        "org-id.guide. Leave blank if it has none.",
    )
    learning = forms.CharField(
        label="What would we learn from it?",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The question it would help answer, and how we would know.",
        error_messages={"required": "Say what we would learn from it."},
    )
    cycle = forms.ModelChoiceField(
        label="A learning cycle that will test it (optional)",
        queryset=Mission.objects.none(),
        required=False,
        empty_label="None yet",
        error_messages={"invalid_choice": "Choose a learning cycle of this place."},
    )

    def __init__(self, *args: Any, round_: Round, place: Place, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.round = round_
        self.fields["missions"].queryset = place.missions.all()  # type: ignore[attr-defined]
        cycle_model = (
            Round._meta.get_field("ideas")
            .related_model._meta.get_field(  # type: ignore[union-attr]
                "cycle"
            )
            .related_model
        )
        self.fields["cycle"].queryset = cycle_model._default_manager.filter(  # type: ignore[attr-defined,union-attr]
            place=place
        ).order_by("title")

    def clean_organisation_org_id(self) -> str:
        try:
            return funds.clean_org_id(self.cleaned_data.get("organisation_org_id", ""), field="")
        except funds.FundError as error:
            raise ValidationError(error.message) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        amount = data.get("amount")
        if amount and amount > self.round.pot:
            self.add_error(
                "amount",
                f"The amount asked cannot be more than the round’s whole pot "
                f"(£{self.round.pot:,.2f}).",
            )
        if data.get("organisation_org_id") and not (data.get("organisation_name") or "").strip():
            self.add_error("organisation_name", "Name the organisation this org-id belongs to.")
        return data

    def fields_for_service(self) -> funds.IdeaFields:
        data = self.cleaned_data
        return funds.IdeaFields(
            title=data["title"],
            description=data["description"],
            amount=data["amount"],
            learning=data["learning"],
            who=data.get("who") or "",
            organisation_name=data.get("organisation_name") or "",
            organisation_org_id=data.get("organisation_org_id") or "",
            missions=list(data.get("missions") or []),
            cycle=data.get("cycle"),
        )


class IdeaEditForm(IdeaForm):
    note = forms.CharField(
        label="What did you change? (optional)",
        max_length=300,
        required=False,
        help_text="Shown in the idea’s history, for example ‘Asked for less after the comments’.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class CommentForm(forms.Form):
    text = forms.CharField(
        label="Add a comment",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Questions, suggestions, offers of help. Everyone who can read this place can "
        "read it.",
        error_messages={"required": "Write your comment."},
    )


class TieForm(forms.Form):
    interest = forms.ModelChoiceField(
        label="Which of your declared interests relates to this idea?",
        queryset=Interest.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
        help_text="Everyone will see that this interest is tied to the idea, and you will not be "
        "able to put points on it.",
        error_messages={
            "required": "Choose the interest that relates to this idea.",
            "invalid_choice": "Choose one of your own current interests.",
        },
    )

    def __init__(self, *args: Any, user: Any, place: Place, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["interest"]
        field.queryset = Interest.objects.current().filter(place=place, user=user)  # type: ignore[attr-defined]
        field.label_from_instance = lambda i: f"{i.get_kind_display()}: {i.description}"  # type: ignore[attr-defined]


class AwardCycleForm(forms.Form):
    cycle = forms.ModelChoiceField(
        label="The learning cycle that follows this award",
        queryset=Mission.objects.none(),
        required=False,
        empty_label="None",
        help_text="What the cycle learns is shown beside the award on the fund page.",
        error_messages={"invalid_choice": "Choose a learning cycle of this place."},
    )

    def __init__(self, *args: Any, place: Place, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cycle_model = (
            Round._meta.get_field("awards")
            .related_model._meta.get_field(  # type: ignore[union-attr]
                "cycle"
            )
            .related_model
        )
        self.fields["cycle"].queryset = cycle_model._default_manager.filter(  # type: ignore[attr-defined,union-attr]
            place=place
        ).order_by("title")
