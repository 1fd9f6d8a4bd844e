"""The shared cast of fixtures, and the settings every test runs with.

The cast
--------
People are plain fixtures returning a saved ``User`` (made by ``tests.factories.UserFactory``:
verified email, password ``tests.factories.PASSWORD``):

* ``user`` — someone signed in with no particular standing ("Sam Signed-In").
* ``outsider`` — a second signed-in person who belongs to nothing ("Olu Outsider").
* ``staff_user`` — a staff superuser, for the admin.

Clients:

* ``anonymous`` — a plain Django test client, signed out.
* ``client_for(user)`` — a fresh test client logged in as ``user`` (``None`` gives a signed-out
  client), recorded as having just entered their password, so allauth does not ask them to
  re-authenticate. Each call gives a new client, so two people can act in one test.

Email: ``outbox`` reads the :class:`places.models.OutboxMessage` rows written so far, oldest
first: ``outbox.messages(to=..., subject=...)``, ``outbox.last(to=...)``, ``outbox.count(to=...)``,
``outbox.link(to=..., contains="/confirm-email/")`` and ``outbox.code(to=...)`` (a one-time
code); see :mod:`tests.harness.mail`.

Harness: ``tests.harness.queries.assert_constant_queries`` (query count independent of rows),
``tests.harness.permissions_table`` (who may use each URL), ``tests/browser/conftest.py``
(Playwright).

Adding people to the cast
-------------------------
A later feature adds its people as fixtures here (or in a module listed in ``pytest_plugins``),
each returning a ``User`` and building on the fixtures it needs, for example::

    @pytest.fixture
    def member(place):
        person = UserFactory(display_name="Mo Member")
        Membership.objects.create(place=place, user=person, perspectives=["resident"])
        return person

Then it registers the role in ``tests/harness/permissions_table.py`` so the URL permission test
acts as that person too::

    ROLES.append(RoleSpec("member", fixture="member", grants={"anyone", "signed_in", "member"}))

``grants`` are the audiences the person belongs to: a URL rule saying ``read="member"`` lets every
role whose grants include ``"member"`` read. Private things carry ``PRIVATE_MARKER`` (import it
from ``tests.harness.permissions_table``) in their titles, so the harness can check it never
reaches someone who may not see it.

Settings for every test
-----------------------
* The cache is a fresh in-memory cache per test (no Redis needed, no rate-limit counts carried
  between tests). A test that wants Redis overrides ``CACHES`` itself.
* Passwords are hashed with MD5 so making users is fast.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from places.models import JoinPolicy, Membership, Mission, Place, PlaceVisibility, Role
from relational.models import User
from tests.factories import StaffFactory, UserFactory
from tests.harness.clients import sign_in
from tests.harness.mail import Outbox
from tests.harness.permissions_table import PRIVATE_MARKER

__all__ = ["PRIVATE_MARKER"]


@pytest.fixture(autouse=True)
def _test_settings(settings: Settings) -> Iterator[None]:
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "t"}
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # A test's changes are never committed, so page versions never move: parts kept by version
    # would go stale within a test (tests/places/test_parts.py turns this on, with commits).
    settings.PLACE_PARTS_SECONDS = 0
    from django.core.cache import cache

    from relational.pagecache import recent_pages

    cache.clear()
    recent_pages.clear()  # what a process remembers of the cache goes with it
    yield


# --- People -------------------------------------------------------------------------------------


@pytest.fixture
def user(db: None) -> User:
    return UserFactory(display_name="Sam Signed-In")


@pytest.fixture
def outsider(db: None) -> User:
    return UserFactory(display_name="Olu Outsider")


@pytest.fixture
def staff_user(db: None) -> User:
    return StaffFactory(display_name="Stella Staff")


# --- Clients ------------------------------------------------------------------------------------


@pytest.fixture
def anonymous() -> Client:
    return Client()


@pytest.fixture
def client_for(db: None) -> Callable[[User | None], Client]:
    def make(person: User | None) -> Client:
        client = Client()
        if person is not None:
            sign_in(client, person)
        return client

    return make


# --- Email --------------------------------------------------------------------------------------


@pytest.fixture
def outbox(db: None) -> Outbox:
    return Outbox()


# --- CI=true: a skipped test fails the run (hooks in tests/ci_skips.py) ---------------------------

from tests.ci_skips import (  # noqa: E402, F401 - pytest finds these hooks by name
    pytest_collectreport,
    pytest_runtest_makereport,
    pytest_sessionfinish,
    pytest_terminal_summary,
)

# --- Places: a public place and a members-only one, with the same people in both -------------
# ``steward``, ``member`` and ``resident`` belong to ``place`` (public, steward approves joins)
# and, when a test asks for it, to ``private_place`` (members only, its name and summary carry
# PRIVATE_MARKER). ``outsider`` belongs to neither.


@pytest.fixture
def place_people(db: None) -> dict[str, User]:
    return {
        "steward": UserFactory(display_name="Stevie Steward"),
        "member": UserFactory(display_name="Mo Member"),
        "resident": UserFactory(display_name="Rhiannon Resident"),
    }


def _make_place(people: dict[str, User], **fields: object) -> Place:
    place = Place.objects.create(created_by=people["steward"], **fields)
    Mission.objects.create(place=place, text="To have a safe and nurturing place to live")
    Membership.objects.create(
        place=place, user=people["steward"], perspectives=["commissioner"], role=Role.STEWARD
    )
    Membership.objects.create(place=place, user=people["member"], perspectives=["frontline"])
    Membership.objects.create(place=place, user=people["resident"], perspectives=["resident"])
    return place


@pytest.fixture
def place(place_people: dict[str, User]) -> Place:
    return _make_place(
        place_people,
        name="Millbrook",
        slug="millbrook",
        summary="People of Millbrook making services work together.",
        visibility=PlaceVisibility.PUBLIC,
        join_policy=JoinPolicy.APPROVAL,
    )


@pytest.fixture
def private_place(place_people: dict[str, User]) -> Place:
    return _make_place(
        place_people,
        name=f"Hidden Hollow {PRIVATE_MARKER}",
        slug="hidden-hollow",
        summary=f"A members-only place {PRIVATE_MARKER}",
        visibility=PlaceVisibility.MEMBERS,
        join_policy=JoinPolicy.INVITATION,
    )


@pytest.fixture
def steward(place: Place, place_people: dict[str, User]) -> User:
    """The steward of ``place`` (and of ``private_place`` when a test asks for it)."""
    return place_people["steward"]


@pytest.fixture
def member(place: Place, place_people: dict[str, User]) -> User:
    """A member (frontline practitioner) of ``place`` and ``private_place``."""
    return place_people["member"]


@pytest.fixture
def resident(place: Place, place_people: dict[str, User]) -> User:
    """A member speaking as a resident, in ``place`` and ``private_place``."""
    return place_people["resident"]


# --- Governance: a decider, decisions in every state, private and draft markers -------------------

from tests.governance.cast import (  # noqa: E402, F401 - fixtures for every test
    decider,
    decision,
    governance_markers,
)

# --- The community fund: an allocator, rounds in every state, private fund markers ---------------
from tests.governance.fund_cast import (  # noqa: E402, F401 - fixtures for every test
    allocator,
    fund_markers,
)

# --- Learning: a cycle participant, cycles in both places, entries of every visibility -----------
from tests.learning.cast import (  # noqa: E402, F401 - fixtures for every test
    cycle,
    learning_markers,
    participant,
    private_cycle,
)
