"""Permission-table rules for the governance app (merged into
``tests.harness.permissions_table``), with the fifth role: the decision's decider.

Every decision page is checked in the members-only place, on the decisions of
``governance_markers`` (their titles carry the members-only marker; drafts also carry
``DRAFT_MARKER``, for stewards and deciders only). Refusals to someone who can see the
decision are 403 (``private=False``); outsiders still get 404. The same rules are checked per
status, on public and members-only places, in ``tests/governance/test_rules.py``.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps

from governance import services
from governance.models import Evidence, Rewrite
from tests.harness.permissions import Cast, RoleSpec, Rule

from .markers import DRAFT_MARKER

ROLES = [
    # Dee: a member of both places, speaking from the centre, named to decide the decisions.
    RoleSpec("decider", fixture="decider", grants={"anyone", "signed_in", "member", "decider"}),
]
MARKERS = {DRAFT_MARKER: frozenset({"steward", "decider"})}
MARKER_FIXTURES = ["governance_markers"]


def _markers(cast: Cast) -> Any:
    return cast.fixture("governance_markers")


def _place(cast: Cast) -> dict[str, Any]:
    return {"slug": cast.fixture("private_place").slug}


def _for(name: str) -> Any:
    def kwargs(cast: Cast) -> dict[str, Any]:
        decision = getattr(_markers(cast), name)
        return {"slug": decision.place.slug, "pk": decision.pk}

    return kwargs


def _input(cast: Cast) -> dict[str, Any]:
    m = _markers(cast)
    return {
        "slug": m.private_decision.place.slug,
        "pk": m.private_decision.pk,
        "input_id": m.private_input.pk,
    }


def _evidence(cast: Cast) -> dict[str, Any]:
    draft = _markers(cast).private_draft
    evidence = Evidence.objects.filter(decision=draft).first()
    if evidence is None:
        evidence = services.evidence_add(
            decision=draft, by=cast.fixture("steward"), cycle=cast.fixture("private_cycle")
        )
    return {"slug": draft.place.slug, "pk": draft.pk, "evidence_id": evidence.pk}


def _milestone(cast: Cast) -> dict[str, Any]:
    m = _markers(cast)
    return {
        "slug": m.private_decided.place.slug,
        "pk": m.private_decided.pk,
        "milestone_id": m.milestone.pk,
    }


def _feed_token(cast: Cast) -> dict[str, Any]:
    """A member's address for the public place (the members-only place's secret address is
    checked in tests/governance/test_exports.py: the marker check cannot tell a bearer apart)."""
    place = cast.fixture("place")
    token = services.feed_token_for(place=place, user=cast.fixture("member"))
    if token is None:
        token = services.feed_token_renew(place=place, user=cast.fixture("member"))
    return {"slug": place.slug, "token": token.token}


#: On the public place, what members read there anyone may read.
PUBLIC_READ = {"read": "anyone"}
MEMBER_READ = Rule(read="member", kwargs=_place, private=True, public=PUBLIC_READ)
STEWARD_OPEN = Rule(read="steward", write="steward", kwargs=_for("private_decision"))
STEWARD_DECIDED = Rule(read="steward", write="steward", kwargs=_for("private_decided"))

RULES: dict[str, Rule] = {
    "governance:log": Rule(
        read="member",
        kwargs=_place,
        private=True,
        query=lambda cast: {"q": "warm"},
        public=PUBLIC_READ,
    ),
    "governance:feed": Rule(
        read="member",
        kwargs=_place,
        private=True,
        public=PUBLIC_READ,
        note="members signed in on the site; feed readers use the secret address",
    ),
    "governance:feed_page": MEMBER_READ,
    "governance:feed_renew": Rule(read="nobody", write="member", kwargs=_place, private=True),
    "governance:feed_revoke": Rule(read="nobody", write="member", kwargs=_place, private=True),
    "governance:feed_private": Rule(
        read="anyone",
        kwargs=_feed_token,
        note="a member's secret address: a bearer secret for that place's feed only",
    ),
    "governance:csv": MEMBER_READ,
    "governance:create": Rule(read="steward", write="steward", kwargs=_place),
    "governance:decision": Rule(
        read="member", kwargs=_for("private_decision"), private=True, public=PUBLIC_READ
    ),
    "governance:edit": STEWARD_OPEN,
    "governance:open": Rule(
        read="steward",
        write="steward",
        kwargs=_for("private_draft"),
        note="a draft: members may not know it exists (404); its decider sees it (403)",
    ),
    "governance:decide": STEWARD_OPEN,
    "governance:review": STEWARD_DECIDED,
    "governance:revise": STEWARD_DECIDED,
    "governance:rescind": STEWARD_OPEN,
    "governance:hand_over": STEWARD_OPEN,
    "governance:centre_view": Rule(
        read="decider",
        write="decider",
        kwargs=_for("private_decision"),
        note="the decider speaks from the centre/policy perspective; nobody else here does",
    ),
    "governance:evidence_add": STEWARD_OPEN,
    "governance:evidence_remove": Rule(read="nobody", write="steward", kwargs=_evidence),
    "governance:interests": Rule(read="decider", write="decider", kwargs=_for("private_decision")),
    "governance:dissent": Rule(read="decider", write="decider", kwargs=_for("private_decision")),
    "governance:input_new": Rule(
        read="member", write="member", kwargs=_for("private_decision"), private=True
    ),
    "governance:input_edit": Rule(
        read="decider", write="decider", kwargs=_input, note="its author (the decider) only"
    ),
    "governance:respond": Rule(
        read=frozenset({"steward", "decider"}),
        write=frozenset({"steward", "decider"}),
        kwargs=_input,
        note="the owner (the steward) or a decider",
    ),
    "governance:history": Rule(
        read="member", kwargs=_for("private_decision"), private=True, public=PUBLIC_READ
    ),
    "governance:redact": Rule(read="steward", write="steward", kwargs=_for("private_decision")),
    "governance:implementation": Rule(
        read="member",
        write="steward",
        kwargs=_for("private_decided"),
        public=PUBLIC_READ,
        note="anyone who can read it; the owner, the person responsible and stewards post",
    ),
    "governance:implementation_responsible": STEWARD_DECIDED,
    "governance:milestone_new": STEWARD_DECIDED,
    "governance:milestone_done": Rule(read="nobody", write="steward", kwargs=_milestone),
}


def _row(cast: Cast, model: str) -> Any:
    m = _markers(cast)
    d = m.private_decided
    rows: dict[str, Any] = {
        "decision": lambda: d,
        "input": lambda: m.private_input,
        "response": lambda: d.inputs.first().response,
        "decider": lambda: d.deciders.first(),
        "implementation": lambda: d.implementation,
        "milestone": lambda: m.milestone,
        "rewrite": lambda: Rewrite.objects.create(kind="redaction", reason="A test redaction."),
        "evidence": lambda: Evidence.objects.get(pk=_evidence(cast)["evidence_id"]),
        "feedtoken": lambda: services.feed_token_renew(
            place=cast.fixture("private_place"), user=cast.fixture("member")
        ),
        "dissent": lambda: services.dissent_record(
            decision=m.private_decision, by=cast.fixture("decider"), text="Not this winter."
        ),
        "progressupdate": lambda: services.progress_post(
            decision=d,
            by=cast.fixture("steward"),
            status="in_progress",
            progress=40,
            text="The cook starts on Monday.",
        ),
        "evidenceevent": lambda: _evidence_event(cast),
    }
    return rows[model]()


def _evidence_event(cast: Cast) -> Any:
    """Evidence on a decision open for input (a draft's keeps no history), and its history row."""
    services.evidence_add(
        decision=_markers(cast).private_decision,
        by=cast.fixture("steward"),
        cycle=cast.fixture("private_cycle"),
    )
    return apps.get_model("governance", "EvidenceEvent").objects.order_by("pk").first()


ADMIN_ROWS = {
    f"governance.{name}": (lambda cast, name=name: _row(cast, name))
    for name in (
        "decision",
        "input",
        "response",
        "decider",
        "implementation",
        "milestone",
        "rewrite",
        "evidence",
        "feedtoken",
        "dissent",
        "progressupdate",
        "evidenceevent",
    )
}
