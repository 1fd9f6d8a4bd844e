"""Which forms the fuzz tests post to, as whom, and at which URL: all from the URL permission
table (:mod:`tests.harness.permissions_table`), so a new form is fuzzed once it has a rule."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.harness.permissions import Cast, RoleSpec, Rule, SkipRequest
from tests.harness.permissions_table import MARKER_FIXTURES, ROLES, rule_for
from tests.harness.urls import UrlEntry, named_urls


def _rule(entry: UrlEntry) -> Rule | None:
    return rule_for(entry.name or "", entry.kwarg_names)


FORMS = [
    e
    for e in named_urls()
    if not (e.name or "").startswith("admin:") and (r := _rule(e)) is not None and r.takes_posts
]


def writer_for(rule: Rule) -> RoleSpec:
    """The least privileged role allowed to write (as the CSRF test picks it): the last in the
    list that may, not staff."""
    return next(
        (r for r in reversed(ROLES) if r.may(rule.write) and not r.sees_everything),
        next(r for r in ROLES if r.may(rule.write)),
    )


def prepare(entry: UrlEntry, request: pytest.FixtureRequest) -> tuple[str, Rule, Cast] | None:
    """The URL to post to, built from the cast as the permission test builds it; ``None`` when
    the rule cannot build it yet (no row to point at: the reason is printed)."""
    rule = _rule(entry)
    assert rule is not None
    for name in MARKER_FIXTURES:
        request.getfixturevalue(name)
    role = writer_for(rule)
    actor = request.getfixturevalue(role.fixture) if role.fixture else None
    cast = Cast(request=request, role=role, actor=actor)
    if rule.prepare:
        rule.prepare(cast)
    try:
        kwargs = rule.kwargs(cast) if rule.kwargs else {}
    except SkipRequest as why:
        print(f"{entry.name}: not fuzzed: {why}")
        return None
    return reverse(entry.name or "", kwargs=kwargs), rule, cast
