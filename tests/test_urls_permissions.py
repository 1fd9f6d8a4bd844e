"""Every URL of the project, requested as every kind of person, against the permission table.

The table is :mod:`tests.harness.permissions_table`; how to extend it is in its docstring.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from places.models import Role
from tests.harness.permissions import (
    Cast,
    Findings,
    RoleSpec,
    Rule,
    SkipRequest,
    csrf_client,
    judge,
    leaked_markers,
    response_body,
)
from tests.harness.permissions_table import (
    CSRF_EXEMPT_URL_NAMES,
    MARKER_FIXTURES,
    NAMESPACE_RULES,
    PRIVATE_MARKER,
    PRIVATE_MARKERS,
    PUBLIC_TWINS,
    ROLES,
    URL_RULES,
    rule_for,
)
from tests.harness.public_twins import (  # noqa: F401 - fixtures for the public-place pass
    public_fund_markers,
    public_governance_markers,
    public_learning_markers,
)
from tests.harness.urls import UrlEntry, named_urls, unnamed_urls

URLS = named_urls()


def test_every_named_url_has_a_rule() -> None:
    missing = [
        str(entry) for entry in URLS if rule_for(entry.name or "", entry.kwarg_names) is None
    ]
    assert not missing, (
        "These URLs are not in tests/harness/permissions_table.py URL_RULES; say who may read "
        "and who may act on each:\n  " + "\n  ".join(missing)
    )


def test_every_rule_names_a_url_that_exists() -> None:
    names = {entry.name for entry in URLS}
    stale = sorted(set(URL_RULES) - names)
    assert not stale, f"URL_RULES has rules for URLs that no longer exist: {stale}"


def test_every_url_outside_the_admin_has_a_name() -> None:
    unnamed = [str(e) for e in unnamed_urls(ignore_namespaces=frozenset(NAMESPACE_RULES))]
    assert not unnamed, "Name these URLs so they can be classified:\n  " + "\n  ".join(unnamed)


def _rule(entry: UrlEntry) -> Rule:
    rule = rule_for(entry.name or "", entry.kwarg_names)
    assert rule is not None
    return rule


def _url(rule: Rule, cast: Cast, entry: UrlEntry) -> str:
    kwargs = rule.kwargs(cast) if rule.kwargs else {}
    return reverse(entry.name or "", kwargs=kwargs)


# Unclassified URLs are left to test_every_named_url_has_a_rule.
CLASSIFIED = [e for e in URLS if rule_for(e.name or "", e.kwarg_names) is not None]
WRITE_URLS = [e for e in CLASSIFIED if _rule(e).takes_posts]

Target = tuple[RoleSpec, Cast, str]


@dataclass
class Pass:
    """What requesting one URL as everyone found: problems, URLs that could not be built, and the
    fixtures the rule asked for (which tell whether the URL belongs to a place)."""

    findings: Findings = field(default_factory=Findings)
    not_requested: list[str] = field(default_factory=list)
    touched: set[str] = field(default_factory=set)


def _writer(rule: Rule) -> RoleSpec:
    """The least privileged person allowed to post: the last role that may, not staff."""
    return next(
        (r for r in reversed(ROLES) if r.may(rule.write) and not r.sees_everything),
        next(r for r in ROLES if r.may(rule.write)),
    )


def _as_everyone(
    entry: UrlEntry,
    rule: Rule,
    request: pytest.FixtureRequest,
    actors: dict[str, Any],
    clients: dict[str, tuple[Client, str]],
    *,
    twins: dict[str, str],
    check_csrf: bool,
) -> Pass:
    found = Pass()
    targets: list[Target] = []
    for role in ROLES:
        cast = Cast(request=request, role=role, actor=actors[role.name], twins=twins)
        if rule.prepare:
            rule.prepare(cast)
        try:
            targets.append((role, cast, _url(rule, cast, entry)))
        except SkipRequest as why:
            found.not_requested.append(f"{role.name}: {why}")
        found.touched |= cast.touched
    for role, *_rest in targets:
        if role.name not in clients:
            clients[role.name] = csrf_client(actors[role.name])

    # First a POST without its CSRF token, by someone allowed to post: refused, nothing changes.
    if check_csrf and rule.takes_posts and entry.name not in CSRF_EXEMPT_URL_NAMES:
        writer = _writer(rule)
        for role, cast, url in (t for t in targets if t[0] == writer):
            client, _token = clients[role.name]
            response = client.post(url, rule.post_data(cast) if rule.post_data else {})
            if response.status_code != 403:
                problem = f"accepted a POST without a CSRF token ({response.status_code}); add it"
                found.findings.add(
                    role, "POST", url, f"{problem} to CSRF_EXEMPT_URL_NAMES only if deliberate"
                )

    # Every GET first, then the POSTs: refused people first (nothing may change), then the people
    # allowed to act, staff last, since an allowed POST can change what later requests find (the
    # admin deletes the row its delete page points at as soon as the POST has any data).
    def post_order(target: Target) -> tuple[bool, bool]:
        role = target[0]
        return (role.may(rule.write), role.sees_everything)

    requests = [("GET", t) for t in targets] + [
        ("POST", t) for t in sorted(targets, key=post_order)
    ]
    for method, (role, cast, url) in requests:
        client, token = clients[role.name]
        if method == "GET":
            response = client.get(url, rule.query(cast) if rule.query else {})
        else:
            data = {**(rule.post_data(cast) if rule.post_data else {})}
            data["csrfmiddlewaretoken"] = token
            response = client.post(url, data)
        problem = judge(rule, role, method, response)
        if problem and response.status_code >= 500 and getattr(response, "exc_info", None):
            problem += f" ({response.exc_info[1]!r})"
        if problem:
            found.findings.add(role, method, url, problem)
        for marker in leaked_markers(response_body(response), role, PRIVATE_MARKERS):
            found.findings.add(role, method, url, f"shows private marker {marker!r}")
    return found


def _belongs_to_a_place(entry: UrlEntry, touched: set[str]) -> bool:
    """Whether the rule pointed the URL into the members-only place (the admin's rows are rows)."""
    return entry.namespace != "admin" and bool(touched & PUBLIC_TWINS.keys())


@pytest.mark.parametrize("entry", CLASSIFIED, ids=[e.name for e in CLASSIFIED])
def test_url_answers_each_role_as_its_rule_says(
    entry: UrlEntry, request: pytest.FixtureRequest, db: None
) -> None:
    """GET and POST (with a valid CSRF token) as every role, on the members-only place and then,
    for a place's URL, on the public place; a POST URL is first posted to without its CSRF token.
    Refusals, leaks and URLs that could not be built are listed."""
    rule = _rule(entry)
    # Private things and everyone exist before the first request, so every page is checked for
    # leaks and the rows a URL points at are the same for all.
    for name in MARKER_FIXTURES:
        request.getfixturevalue(name)
    actors = {r.name: request.getfixturevalue(r.fixture) if r.fixture else None for r in ROLES}
    clients: dict[str, tuple[Client, str]] = {}
    members_only = _as_everyone(entry, rule, request, actors, clients, twins={}, check_csrf=True)
    passes = [members_only]
    if _belongs_to_a_place(entry, members_only.touched):
        passes.append(
            _as_everyone(
                entry,
                rule.on_public(),
                request,
                actors,
                clients,
                twins=PUBLIC_TWINS,
                check_csrf=False,
            )
        )
    lines = [line for p in passes for line in p.findings.lines]
    lines += [f"  not requested as {why}" for p in passes for why in p.not_requested]
    assert not lines, f"{entry.name} ({rule.note or 'no note'}):\n" + "\n".join(lines)


def _post_past_the_budget(request: pytest.FixtureRequest, entries: list[UrlEntry]) -> list[str]:
    """POST (with a CSRF token) to each URL as someone allowed to; what did not answer 429 with the
    product's "Too many attempts" page and a Retry-After."""
    for name in MARKER_FIXTURES:
        request.getfixturevalue(name)
    clients: dict[str, tuple[Client, str]] = {}
    problems = []
    for entry in entries:
        rule = _rule(entry)
        role = _writer(rule)
        actor = request.getfixturevalue(role.fixture) if role.fixture else None
        try:
            url = _url(rule, Cast(request=request, role=role, actor=actor), entry)
        except SkipRequest as why:
            problems.append(f"{entry.name}: not requested ({why})")
            continue
        if role.name not in clients:
            clients[role.name] = csrf_client(actor)
        client, token = clients[role.name]
        # No form data: the limit answers before the view, whatever was sent.
        response = client.post(url, {"csrfmiddlewaretoken": token})
        body = response_body(response)
        retry_after = response.get("Retry-After", "")
        if not (
            response.status_code == 429
            and retry_after.isdigit()
            and int(retry_after) >= 1
            and "Too many attempts" in body
        ):
            problems.append(f"{entry.name} as {role.name}: {response.status_code} {url}")
    return problems


def test_every_write_url_answers_429_with_a_friendly_page_past_the_budget_of_every_write(
    request: pytest.FixtureRequest, settings: Settings, db: None
) -> None:
    settings.RATE_LIMIT_WRITES = "0/m"  # the first write is already one too many
    problems = _post_past_the_budget(request, WRITE_URLS)
    assert not problems, "Not rate limited:\n  " + "\n  ".join(problems)


def test_each_named_budget_answers_429_past_its_own_limit(
    request: pytest.FixtureRequest, settings: Settings, db: None
) -> None:
    named = set(settings.RATE_LIMITS_BY_URL)
    settings.RATE_LIMITS_BY_URL = dict.fromkeys(named, "0/m")
    entries = [e for e in WRITE_URLS if e.name in named]
    assert {e.name for e in entries} == named, "a named budget is for a URL that takes no POST"
    problems = _post_past_the_budget(request, entries)
    assert not problems, "Not rate limited by name:\n  " + "\n  ".join(problems)


# --- the harness checks itself ------------------------------------------------------------------


def test_every_role_stands_in_a_public_and_a_members_only_place(
    request: pytest.FixtureRequest, db: None
) -> None:
    """The people the test acts as have the same standing on both passes: each member role
    belongs to both places, the steward stewards both, the participant takes part in both
    cycles, the decider decides in both and the allocator is in both funds' electorates."""
    sides = {
        "members-only": {name: request.getfixturevalue(name) for name in PUBLIC_TWINS},
        "public": {name: request.getfixturevalue(twin) for name, twin in PUBLIC_TWINS.items()},
    }
    people = {r.name: request.getfixturevalue(r.fixture) for r in ROLES if r.fixture}
    for where, side in sides.items():
        place = side["private_place"]
        assert place.is_public is (where == "public")
        memberships = {m.user_id: m for m in place.memberships.all()}
        for role in ROLES:
            if role.may("member") and not role.sees_everything:
                assert people[role.name].pk in memberships, f"{role.name} is not in {where}"
        assert memberships[people["steward"].pk].role == Role.STEWARD
        cycle = side["private_cycle"]
        assert cycle.place == place
        assert cycle.participations.filter(user=people["participant"]).exists(), where
        decision = side["governance_markers"].private_decision
        assert decision.place == place
        assert decision.deciders.filter(user=people["decider"]).exists(), where
        points_round = side["fund_markers"].points_round
        assert points_round.fund.place == place
        assert points_round.allocators.filter(user=people["allocator"]).exists(), where


def test_every_public_override_names_a_field_of_rule() -> None:
    fields = set(Rule.__dataclass_fields__)
    wrong = {name: sorted(set(r.public) - fields) for name, r in URL_RULES.items() if r.public}
    assert not any(wrong.values()), f"public= names no field of Rule: {wrong}"


ANON = RoleSpec("anonymous", None, {"anyone"})
SIGNED_IN = RoleSpec("outsider", "outsider", {"anyone", "signed_in"})
MEMBER = RoleSpec("member", "member", {"anyone", "signed_in", "member"})


class FakeResponse(dict):
    def __init__(self, status: int, location: str = "") -> None:
        super().__init__()
        self.status_code = status
        if location:
            self["Location"] = location


def test_judge_accepts_a_login_redirect_for_anonymous_and_refuses_it_for_an_allowed_person() -> (
    None
):
    rule = Rule(read="signed_in")
    login = FakeResponse(302, reverse("account_login") + "?next=/x")
    assert judge(rule, ANON, "GET", login) is None  # type: ignore[arg-type]
    assert (
        judge(rule, SIGNED_IN, "GET", login) == f"allowed, but sent to log in ({login['Location']})"
    )  # type: ignore[arg-type]


def test_judge_wants_404_not_403_for_a_private_thing() -> None:
    rule = Rule(read="member", private=True)
    assert judge(rule, SIGNED_IN, "GET", FakeResponse(403)) == "refused, so expected 404; got 403"  # type: ignore[arg-type]
    assert judge(rule, SIGNED_IN, "GET", FakeResponse(404)) is None  # type: ignore[arg-type]
    assert judge(rule, MEMBER, "GET", FakeResponse(200)) is None  # type: ignore[arg-type]
    assert judge(rule, MEMBER, "GET", FakeResponse(404)) == "allowed, but got 404"  # type: ignore[arg-type]


def test_judge_flags_a_server_error_and_a_refused_person_let_through() -> None:
    rule = Rule(read="anyone", write="steward")
    assert judge(rule, MEMBER, "GET", FakeResponse(500)) == "server error 500"  # type: ignore[arg-type]
    assert (
        judge(rule, MEMBER, "POST", FakeResponse(200)) == "refused, so expected 403 or 404; got 200"
    )  # type: ignore[arg-type]
    assert judge(rule, SIGNED_IN, "POST", FakeResponse(405)) is not None  # type: ignore[arg-type]
    assert judge(replace(rule, write="nobody"), SIGNED_IN, "POST", FakeResponse(405)) is None  # type: ignore[arg-type]


def test_the_marker_check_catches_a_leak_only_for_people_outside_the_audience() -> None:
    body = f"<h1>{PRIVATE_MARKER} Riverside</h1>"
    assert leaked_markers(body, SIGNED_IN, PRIVATE_MARKERS) == [PRIVATE_MARKER]
    assert leaked_markers(body, ANON, PRIVATE_MARKERS) == [PRIVATE_MARKER]
    assert leaked_markers(body, MEMBER, PRIVATE_MARKERS) == []
    assert leaked_markers("<h1>Riverside</h1>", SIGNED_IN, PRIVATE_MARKERS) == []
