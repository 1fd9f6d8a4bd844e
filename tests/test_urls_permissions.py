"""Every URL of the project, requested as every kind of person, against the permission table.

The table is :mod:`tests.harness.permissions_table`; how to extend it is in its docstring.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.urls import reverse

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
    ROLES,
    URL_RULES,
    rule_for,
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


@pytest.mark.parametrize("entry", CLASSIFIED, ids=[e.name for e in CLASSIFIED])
def test_url_answers_each_role_as_its_rule_says(
    entry: UrlEntry, request: pytest.FixtureRequest, db: None
) -> None:
    """GET and POST (with a valid CSRF token) as every role; refusals and leaks are listed.

    A URL whose keyword arguments cannot be built yet (SkipRequest: no row to point at) is not
    requested; the reason is printed (``pytest -rP`` shows it) rather than skipped, because a
    skip fails the run under CI=true.
    """
    rule = _rule(entry)
    findings = Findings()
    skipped: list[str] = []
    # Private things and everyone exist before the first request, so every page is checked for
    # leaks and the rows a URL points at are the same for all.
    for name in MARKER_FIXTURES:
        request.getfixturevalue(name)
    actors = {r.name: request.getfixturevalue(r.fixture) if r.fixture else None for r in ROLES}
    targets: list[tuple[RoleSpec, Cast, str]] = []
    for role in ROLES:
        cast = Cast(request=request, role=role, actor=actors[role.name])
        if rule.prepare:
            rule.prepare(cast)
        try:
            targets.append((role, cast, _url(rule, cast, entry)))
        except SkipRequest as why:
            skipped.append(str(why))

    # Every GET first, then the POSTs: refused people first (nothing may change), then the people
    # allowed to act, staff last, since an allowed POST can change what later requests find (the
    # admin deletes the row its delete page points at as soon as the POST has any data).
    def post_order(target: tuple[RoleSpec, Cast, str]) -> tuple[bool, bool]:
        role = target[0]
        return (role.may(rule.write), role.sees_everything)

    requests = [("GET", t) for t in targets] + [
        ("POST", t) for t in sorted(targets, key=post_order)
    ]
    clients = {role.name: csrf_client(cast.actor) for role, cast, _url in targets}
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
            findings.add(role, method, url, problem)
        for marker in leaked_markers(response_body(response), role, PRIVATE_MARKERS):
            findings.add(role, method, url, f"shows private marker {marker!r}")
    if skipped:
        print(f"{entry.name}: not requested as {len(skipped)} role(s): {'; '.join(set(skipped))}")
    assert not findings, f"{entry.name} ({rule.note or 'no note'}):\n" + "\n".join(findings.lines)


WRITE_URLS = [e for e in CLASSIFIED if _rule(e).takes_posts and e.name not in CSRF_EXEMPT_URL_NAMES]


@pytest.mark.parametrize("entry", WRITE_URLS, ids=[e.name for e in WRITE_URLS])
def test_url_refuses_a_post_without_a_csrf_token(
    entry: UrlEntry, request: pytest.FixtureRequest, db: None
) -> None:
    """A POST with the CSRF cookie but no token is refused with 403, even from someone allowed."""
    rule = _rule(entry)
    role = next(
        (r for r in reversed(ROLES) if r.may(rule.write) and not r.sees_everything),
        next(r for r in ROLES if r.may(rule.write)),
    )
    actor = request.getfixturevalue(role.fixture) if role.fixture else None
    cast = Cast(request=request, role=role, actor=actor)
    if rule.prepare:
        rule.prepare(cast)
    try:
        url = _url(rule, cast, entry)
    except SkipRequest as why:
        print(f"{entry.name}: not requested: {why}")
        return
    client, _token = csrf_client(actor)
    data = rule.post_data(cast) if rule.post_data else {}
    response = client.post(url, data)
    assert response.status_code == 403, (
        f"{entry.name} as {role.name} accepted a POST without a CSRF token "
        f"({response.status_code}); add it to CSRF_EXEMPT_URL_NAMES only if that is deliberate"
    )


# --- the harness checks itself ------------------------------------------------------------------

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
