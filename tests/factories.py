"""factory_boy factories shared by every test.

``UserFactory`` makes a person who can sign in straight away: an active user with the password
:data:`PASSWORD` and a verified, primary allauth ``EmailAddress`` (verification is mandatory, so a
user without one could not log in through the pages). ``UserFactory(verified=False)`` makes one
whose address is still unconfirmed.
"""

from __future__ import annotations

from typing import Any

import factory
from allauth.account.models import EmailAddress

from relational.models import User

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Faker("name", locale="en_GB")
    password = factory.django.Password(PASSWORD)
    is_active = True

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        verified = kwargs.pop("verified", True)
        user = super()._create(model_class, *args, **kwargs)
        # Record the login address with allauth, as signing up and confirming would.
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=verified)
        return user


class StaffFactory(UserFactory):
    is_staff = True
    is_superuser = True
