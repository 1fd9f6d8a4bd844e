"""Signing a test client in the way allauth would have."""

from __future__ import annotations

from django.http import HttpRequest
from django.test import Client

from relational.models import User


def sign_in(client: Client, person: User, *, reauthenticated: bool = False) -> Client:
    """Log ``client`` in as ``person`` and record a password login just now.

    ``force_login`` alone leaves no record of how the person authenticated, so allauth would ask
    them to re-enter their password before any sensitive page (two-factor setup, recovery
    codes). Recording the login as allauth does makes the client look like someone who has just
    signed in with their password. ``reauthenticated=True`` also records that they confirmed
    their password again just now, which allauth wants before showing recovery codes.
    """
    from allauth.account.internal.flows.login import record_authentication

    client.force_login(person)
    session = client.session
    request = HttpRequest()
    request.session = session
    extra = {"reauthenticated": True} if reauthenticated else {}
    record_authentication(request, person, method="password", email=person.email, **extra)
    session.save()
    return client
