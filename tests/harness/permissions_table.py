"""Who may use each URL: the table the URL permission test checks every URL against.

Extending it
------------
* **A new URL**: add ``"name": Rule(read=..., write=..., kwargs=...)`` to :data:`URL_RULES`
  (namespaced names as Django reverses them, ``"places:home"``). The test fails on any named URL
  that is missing here, and on any rule whose URL no longer exists.
* **A new kind of person**: add a fixture to ``tests/conftest.py`` and a :class:`RoleSpec` to
  :data:`ROLES`; every URL is then requested as that person too.
* **A new private thing**: give its fixture a title containing a marker from
  :data:`PRIVATE_MARKERS` (or add a marker for a new audience) and list the fixture in
  :data:`MARKER_FIXTURES`; it then exists while every URL is requested, and any response to a
  role outside that audience that contains the marker fails the test.
* **Public and members-only places**: write a place's rule against ``private_place`` (and the
  private things in it); the test requests it again on the public place (:data:`PUBLIC_TWINS`),
  with the same audiences unless the rule says what differs there (``public={"read":
  "anyone"}``).
* **A POST that must work without a CSRF token** (RFC 8058 one-click unsubscribe): add its name
  to :data:`CSRF_EXEMPT_URL_NAMES`. Every other URL that takes a POST is posted to once without
  a token and must refuse it with 403.
* **A new model in the admin**: nothing to do; ``admin:*`` is staff only, and what staff may do
  follows the ModelAdmin's ``has_*_permission``. Its change/delete/history pages are requested
  when a row exists; add a maker to :data:`ADMIN_ROW_MAKERS` if the cast makes none.

Every URL must be requested: a rule whose URL cannot be built (``SkipRequest``, an admin model
with no row) fails the test until it can.

How each outcome is judged (``tests.harness.permissions.judge``): allowed → not 403/404/405/429,
not 5xx, and a signed-in person is not sent to log in; refused and signed out → a redirect to
log in, or 404; refused and signed in → 403 or 404 (only 404 when ``private=True``); a
``"nobody"`` audience also accepts 405.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.test import RequestFactory

from places.models import OutboxMessage
from tests.factories import UserFactory
from tests.harness.permissions import Cast, RoleSpec, Rule, SkipRequest

#: Put this in the title of anything only a place's members may see.
PRIVATE_MARKER = "ZZ-PRIVATE-MARKER-7f3a"

#: marker → the audience allowed to see it. Later: a cycle's participants get their own marker.
PRIVATE_MARKERS: dict[str, str] = {PRIVATE_MARKER: "member"}


def titled(place: Any, title: str) -> str:
    """``title``, with the members-only marker when ``place`` is members-only (a rule's row is
    made in the public place on the public pass, where nothing is private)."""
    return title if place.is_public else f"{title} {PRIVATE_MARKER}"


#: Fixtures made before every URL is requested, so each page is checked for leaks with private
#: things present (their titles carry a marker). Later features add their private fixtures
#: (a private cycle, a draft decision…).
MARKER_FIXTURES: list[str] = ["private_place"]

#: members-only fixture → its public twin. Rules are written against the members-only place;
#: every URL whose rule asks for one of these (outside the admin) is requested again on the
#: public place, each of these answered with its twin (tests/harness/public_twins.py), and
#: judged by ``Rule.on_public()``. A new members-only fixture that rules point at gets a twin.
#: URLs opened by a bearer secret (an invitation, a prompt's link, unsubscribe, the secret feed
#: and calendar addresses) are checked on the public place only: whoever holds the link may see
#: the place it is for, which the marker check cannot tell from a leak. Their members-only side
#: is in their own tests (test_invitations, test_calendar, test_exports, test_unsubscribe).
PUBLIC_TWINS: dict[str, str] = {
    "private_place": "place",
    "private_cycle": "cycle",
    "learning_markers": "public_learning_markers",
    "governance_markers": "public_governance_markers",
    "fund_markers": "public_fund_markers",
}

#: The people every URL is requested as. Later features append member, steward, resident,
#: participant, decider, allocator… (see tests/conftest.py for the fixtures).
ROLES: list[RoleSpec] = [
    RoleSpec("anonymous", fixture=None, grants={"anyone"}),
    RoleSpec("outsider", fixture="outsider", grants={"anyone", "signed_in"}),
    RoleSpec(
        "staff", fixture="staff_user", grants={"anyone", "signed_in", "staff"}, sees_everything=True
    ),
    # A member and a steward of both `place` and `private_place` (tests/conftest.py).
    RoleSpec("member", fixture="member", grants={"anyone", "signed_in", "member"}),
    RoleSpec("steward", fixture="steward", grants={"anyone", "signed_in", "member", "steward"}),
]

#: URL names whose POSTs are accepted without a CSRF token, on purpose.
CSRF_EXEMPT_URL_NAMES: set[str] = set()


# --- kwargs and preparation for allauth's URLs ----------------------------------------------------


def _confirm_email_key(cast: Cast) -> dict[str, Any]:
    """A key for a still unconfirmed address (a confirmed one's link no longer works): the
    actor's own new address, or for a signed-out person a newly signed-up one's."""
    if cast.actor is None:
        address = EmailAddress.objects.get(user=UserFactory(verified=False), primary=True)
    else:
        address = EmailAddress.objects.create(
            user=cast.actor, email=f"new-{cast.actor.pk}@example.org", verified=False
        )
    return {"key": EmailConfirmationHMAC(address).key}


def _reset_password_key(cast: Cast) -> dict[str, Any]:
    person = cast.fixture("user")
    return {"uidb36": user_pk_to_url_str(person), "key": default_token_generator.make_token(person)}


def _with_totp(cast: Cast) -> None:
    if cast.actor is not None:
        TOTP.activate(cast.actor, generate_totp_secret())


def _with_recovery_codes(cast: Cast) -> None:
    if cast.actor is not None:
        _with_totp(cast)
        RecoveryCodes.activate(cast.actor)


# --- kwargs for the admin -------------------------------------------------------------------------


def _outbox_row(cast: Cast) -> Model:
    return OutboxMessage.objects.create(
        subject="Welcome", body="Hello", from_email="a@example.org", to=["b@example.org"]
    )


def _authenticator_row(cast: Cast) -> Model:
    return TOTP.activate(cast.fixture("user"), generate_totp_secret()).instance


#: model label → makes a row of that model, for the admin URLs that point at one (change,
#: delete, history). Models with a row already (the cast's users) need none here. An admin model
#: with neither is not requested (the test says so in its output).
ADMIN_ROW_MAKERS: dict[str, Callable[[Cast], Model]] = {
    "auth.group": lambda cast: Group.objects.create(name="Stewards of the admin"),
    "mfa.authenticator": _authenticator_row,
    "places.outboxmessage": _outbox_row,
    # The cast's place comes with its missions and memberships.
    "places.place": lambda cast: cast.fixture("place"),
    "places.mission": lambda cast: cast.fixture("place").missions.first(),
    "places.membership": lambda cast: cast.fixture("place").memberships.first(),
}


_ADMIN_ACTIONS = ("changelist", "add", "history", "delete", "change")


def _admin_model(short: str) -> tuple[type[Model] | None, str]:
    """The model and action an admin URL name is for ("places_place_change" → Place, "change")."""
    if short == "auth_user_password_change":
        return get_user_model(), "password"
    for model in admin.site._registry:
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        if short.startswith(prefix) and short[len(prefix) :] in _ADMIN_ACTIONS:
            return model, short[len(prefix) :]
    return None, ""


def _admin_row(cast: Cast, model: type[Model]) -> Model | None:
    row = model._default_manager.order_by("pk").first()
    maker = ADMIN_ROW_MAKERS.get(model._meta.label_lower)
    if row is None and maker is not None:
        row = maker(cast)
    return row


def _admin_kwargs(cast: Cast, url_name: str, kwarg_names: tuple[str, ...]) -> dict[str, Any]:
    """Point an admin URL at a row of its model (SkipRequest when there is none yet)."""
    if not kwarg_names:
        return {}
    short = url_name.split(":", 1)[1]
    if short == "app_list":
        return {"app_label": "relational"}
    if short == "view_on_site":
        for model in admin.site._registry:
            if hasattr(model, "get_absolute_url") and (row := _admin_row(cast, model)):
                ct = ContentType.objects.get_for_model(model)
                return {"content_type_id": ct.pk, "object_id": row.pk}
        raise SkipRequest("no row of a model with get_absolute_url")
    model, _action = _admin_model(short)
    if model is None:
        raise SkipRequest(f"cannot tell which model {url_name} is for")
    row = _admin_row(cast, model)
    if row is None:
        raise SkipRequest(f"no {model._meta.label} row; add a maker to ADMIN_ROW_MAKERS")
    return dict.fromkeys(kwarg_names, row.pk)


def _superuser_may(model: type[Model], action: str) -> bool:
    """Whether the ModelAdmin lets even a superuser do ``action`` (read-only admins refuse)."""
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/admin/")
    request.user = get_user_model()(is_active=True, is_staff=True, is_superuser=True)
    checks = {
        "add": model_admin.has_add_permission,
        "change": model_admin.has_change_permission,
        "delete": model_admin.has_delete_permission,
        "view": model_admin.has_view_permission,
    }
    return bool(checks[action](request))


ADMIN_RULE = Rule(
    read="staff",
    write="staff",
    login_url="admin:login",
    refused_signed_in_redirect=True,
    note="Django's admin sends everyone who is not staff to its own login page",
)


def _admin_rule(url_name: str, kwarg_names: tuple[str, ...]) -> Rule:
    """Staff only; what staff may do to a model follows its ModelAdmin's has_*_permission."""
    rule = replace(ADMIN_RULE, kwargs=lambda cast: _admin_kwargs(cast, url_name, kwarg_names))
    model, action = _admin_model(url_name.split(":", 1)[1])
    if model is None or action == "password":
        return rule
    view = _superuser_may(model, "view") or _superuser_may(model, "change")
    if action in ("changelist", "history"):
        return replace(rule, read="staff" if view else "nobody")
    if action in ("add", "delete"):
        allowed = "staff" if _superuser_may(model, action) else "nobody"
        return replace(rule, read=allowed, write=allowed)
    # change: a read-only admin still shows the row, but refuses a POST.
    writable = _superuser_may(model, "change")
    return replace(
        rule, read="staff" if view else "nobody", write="staff" if writable else "nobody"
    )


#: Rules for a whole namespace, used when a name has no rule of its own in URL_RULES:
#: namespace → function (url_name, kwarg_names) → Rule.
NAMESPACE_RULES: dict[str, Callable[[str, tuple[str, ...]], Rule]] = {"admin": _admin_rule}

ANYONE = Rule(read="anyone", write="anyone")
SIGNED_IN = Rule(read="signed_in", write="signed_in")

URL_RULES: dict[str, Rule] = {
    # --- relational ---
    "home": Rule(read="anyone"),
    "healthz": Rule(read="anyone"),
    "bench_text": Rule(read="anyone", note="the page benchmark's text reference"),
    "bench_table": Rule(read="anyone", note="the page benchmark's 50-row reference"),
    # --- allauth: accounts ---
    "account_login": ANYONE,
    "account_logout": ANYONE,
    "account_inactive": Rule(read="anyone"),
    "account_signup": ANYONE,
    "account_reauthenticate": SIGNED_IN,
    "account_email": SIGNED_IN,
    "account_email_verification_sent": Rule(read="anyone"),
    "account_confirm_email": Rule(read="anyone", write="anyone", kwargs=_confirm_email_key),
    "account_change_password": SIGNED_IN,
    "account_set_password": SIGNED_IN,
    "account_reset_password": ANYONE,
    "account_reset_password_done": Rule(read="anyone"),
    "account_reset_password_from_key": Rule(
        read="anyone", write="anyone", kwargs=_reset_password_key
    ),
    "account_reset_password_from_key_done": Rule(read="anyone"),
    "account_request_login_code": ANYONE,
    "account_confirm_login_code": ANYONE,
    # --- allauth: two-factor authentication ---
    "mfa_index": Rule(read="signed_in"),
    "mfa_authenticate": ANYONE,
    "mfa_reauthenticate": SIGNED_IN,
    "mfa_activate_totp": SIGNED_IN,
    "mfa_deactivate_totp": Rule(read="signed_in", write="signed_in", prepare=_with_totp),
    "mfa_view_recovery_codes": Rule(read="signed_in", prepare=_with_recovery_codes),
    "mfa_generate_recovery_codes": Rule(
        read="signed_in", write="signed_in", prepare=_with_recovery_codes
    ),
    "mfa_download_recovery_codes": Rule(read="signed_in", prepare=_with_recovery_codes),
    # --- Django admin: the namespace rule covers the rest ---
    "admin:login": Rule(read="anyone", write="anyone", note="the admin's own login form"),
    "admin:logout": Rule(
        read="nobody",
        write="staff",
        login_url="admin:index",
        refused_signed_in_redirect=True,
        note="POST only; people who are not staff are sent to the admin's front page",
    ),
    "admin:jsi18n": replace(ADMIN_RULE, write="nobody"),
    "admin:password_change_done": replace(ADMIN_RULE, write="nobody"),
    "admin:autocomplete": replace(
        ADMIN_RULE,
        read="nobody",
        write="nobody",
        note="refuses every request until a ModelAdmin uses autocomplete_fields; then make it "
        "read='staff' with a query= naming that field",
    ),
}

# Deleting a place in the admin would cascade into its governance record (funds, ideas, awards),
# which is never deleted: the admin shows staff what stands in the way and refuses the POST.
URL_RULES["admin:places_place_delete"] = replace(
    _admin_rule("admin:places_place_delete", ("object_id",)),
    write="nobody",
    note="a place with a governance record cannot be deleted, even by staff",
)

# --- places: people (joining, invitations, members, interests, power) -------------------------
from tests.places.url_rules import ADMIN_ROWS as PLACES_PEOPLE_ADMIN_ROWS  # noqa: E402
from tests.places.url_rules import RULES as PLACES_PEOPLE_RULES  # noqa: E402

URL_RULES.update(PLACES_PEOPLE_RULES)
ADMIN_ROW_MAKERS.update(PLACES_PEOPLE_ADMIN_ROWS)

# --- places: the rhythm (notifications, email preferences, unsubscribe) ---------------------------
from tests.places.rhythm_url_rules import ADMIN_ROWS as RHYTHM_ADMIN_ROWS  # noqa: E402
from tests.places.rhythm_url_rules import CSRF_EXEMPT as RHYTHM_CSRF_EXEMPT  # noqa: E402
from tests.places.rhythm_url_rules import RULES as RHYTHM_RULES  # noqa: E402

URL_RULES.update(RHYTHM_RULES)
CSRF_EXEMPT_URL_NAMES.update(RHYTHM_CSRF_EXEMPT)
ADMIN_ROW_MAKERS.update(RHYTHM_ADMIN_ROWS)

# --- places: people's data (downloads, deleting an account, withdrawn consent) ----------------
from tests.places import rights_url_rules  # noqa: E402

URL_RULES.update(rights_url_rules.RULES)
ADMIN_ROW_MAKERS.update(rights_url_rules.ADMIN_ROWS)

# --- places: home and timeline, gatherings, calendars, house rules, flags; the privacy notice ----
from tests.places.gathering_url_rules import ADMIN_ROWS as GATHERING_ADMIN_ROWS  # noqa: E402
from tests.places.gathering_url_rules import RULES as GATHERING_RULES  # noqa: E402

URL_RULES.update(GATHERING_RULES)
ADMIN_ROW_MAKERS.update(GATHERING_ADMIN_ROWS)

# --- learning: cycles, entries, measures, prompts, the library; the cycle participant ------------
from tests.learning import url_rules as learning_rules  # noqa: E402

URL_RULES.update(learning_rules.RULES)
ADMIN_ROW_MAKERS.update(learning_rules.ADMIN_ROWS)
ROLES.extend(learning_rules.ROLES)
PRIVATE_MARKERS.update(learning_rules.MARKERS)
MARKER_FIXTURES.extend(learning_rules.MARKER_FIXTURES)

# --- governance: decisions, input and responses, history, follow-through; the decider ------------
from tests.governance import url_rules as governance_rules  # noqa: E402

URL_RULES.update(governance_rules.RULES)
ADMIN_ROW_MAKERS.update(governance_rules.ADMIN_ROWS)
ROLES.extend(governance_rules.ROLES)
PRIVATE_MARKERS.update(governance_rules.MARKERS)  # type: ignore[arg-type]
MARKER_FIXTURES.extend(governance_rules.MARKER_FIXTURES)

# --- governance: the community fund (funds, rounds, ideas, points, awards); the allocator -------
from tests.governance import fund_url_rules  # noqa: E402

URL_RULES.update(fund_url_rules.RULES)
ADMIN_ROW_MAKERS.update(fund_url_rules.ADMIN_ROWS)
ROLES.extend(fund_url_rules.ROLES)
MARKER_FIXTURES.extend(fund_url_rules.MARKER_FIXTURES)

# --- the read-only JSON API under /api/v1/ ------------------------------------------------------
from tests.api.url_rules import RULES as API_RULES  # noqa: E402

URL_RULES.update(API_RULES)


def rule_for(url_name: str, kwarg_names: tuple[str, ...]) -> Rule | None:
    """The rule for a URL name: its own, else its namespace's (with the namespace's kwargs)."""
    if url_name in URL_RULES:
        return URL_RULES[url_name]
    namespace = url_name.split(":", 1)[0] if ":" in url_name else ""
    if namespace in NAMESPACE_RULES:
        return NAMESPACE_RULES[namespace](url_name, kwarg_names)
    return None
