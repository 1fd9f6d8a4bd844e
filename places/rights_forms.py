"""Forms for people's data: deleting one's account, and a steward recording withdrawn consent."""

from __future__ import annotations

from typing import Any

from django import forms

#: What someone without a password types to confirm that they mean to delete their account.
DELETE_PHRASE = "delete my account"


class AccountDeleteForm(forms.Form):
    """Re-enter the password (or, for an account without one, type the phrase)."""

    password = forms.CharField(
        label="Your password",
        required=False,
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput,
    )
    phrase = forms.CharField(
        label=f"Type “{DELETE_PHRASE}” to confirm",
        required=False,
        max_length=100,
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.uses_password = user.has_usable_password()
        if self.uses_password:
            del self.fields["phrase"]
        else:
            del self.fields["password"]

    def clean_password(self) -> str:
        password = self.cleaned_data.get("password") or ""
        if not password:
            raise forms.ValidationError("Enter your password to confirm that it is you.")
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password. Try again.")
        return password

    def clean_phrase(self) -> str:
        phrase = " ".join((self.cleaned_data.get("phrase") or "").lower().split())
        if phrase != DELETE_PHRASE:
            raise forms.ValidationError(f"Type “{DELETE_PHRASE}” to confirm.")
        return phrase


class ConsentWithdrawalForm(forms.Form):
    reason = forms.CharField(
        label="How and when did they withdraw their consent?",
        help_text="For the record: for example “Asked me in person at the gathering on 3 March”. "
        "Only stewards and site administrators see it.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say how and when they withdrew their consent."},
    )
    confirm = forms.BooleanField(
        label="They asked for this, and I understand it cannot be undone",
        error_messages={"required": "Confirm that they asked for this."},
    )
