from __future__ import annotations

from django import forms
from django.http import HttpRequest

from .models import User


class SignupForm(forms.Form):
    """Extra fields for allauth's sign-up form: the name other members will see."""

    field_order = ["display_name", "email", "password1", "password2"]

    display_name = forms.CharField(
        label="Your name",
        max_length=80,
        help_text="How other people in a place will see you. It need not be your full name.",
    )

    def signup(self, request: HttpRequest, user: User) -> None:
        user.display_name = self.cleaned_data["display_name"].strip()
        user.save(update_fields=["display_name"])
