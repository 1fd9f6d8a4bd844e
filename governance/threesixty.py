"""A fund's awards in the 360Giving Data Standard's JSON shape (version 1.4), and as CSV.

The package is ``{"grants": [...], "version": "1.4", ...}`` and every grant carries the standard's
ten required fields: identifier, title, description, currency, amount awarded, award date,
funding organisation identifier and name, and recipient identifier and name (an organisation,
or an anonymised individual — never both).

Identifiers
-----------
* **Grants**: ``360G-relational-<place slug>-award-<award id>``. ``360G-relational`` is the
  platform's own 360Giving-style prefix (:data:`PLATFORM_PREFIX`); a publisher that registers a
  prefix with 360Giving would replace it.
* **Funding organisation**: the fund's org-id as the steward entered it (``GB-CHC-…``,
  ``GB-COH-…``, any org-id.guide list code). When the funder has none, 360Giving's guidance is to
  use the publisher's prefix and an internal identifier: ``360G-relational-place-<place slug>``
  (the place's community, which holds the fund).
* **Recipient organisation**: the idea's org-id, or when it has none
  ``360G-relational-org-<place slug>-idea-<idea id>``.
* **Recipient individuals** (ideas carried out by members themselves): anonymised, as the
  standard asks: ``360G-relational-ind-<place slug>-award-<award id>``, named
  "Individual recipient".

Amounts are written as exact decimal numbers (``1250.50``, never a binary float).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from .fund_models import Award, Fund

PLATFORM_PREFIX = "360G-relational"
STANDARD_VERSION = "1.4"


def funder_org_id(fund: Fund) -> str:
    return fund.funder_org_id or f"{PLATFORM_PREFIX}-place-{fund.place.slug}"


def grant_id(award: Award, fund: Fund) -> str:
    return f"{PLATFORM_PREFIX}-{fund.place.slug}-award-{award.pk}"


def recipient(award: Award, fund: Fund) -> tuple[str, dict[str, str]]:
    """("recipientOrganization" | "recipientIndividual", {"id", "name"})."""
    slug = fund.place.slug
    if award.to_individuals:
        return "recipientIndividual", {
            "id": f"{PLATFORM_PREFIX}-ind-{slug}-award-{award.pk}",
            "name": "Individual recipient",
        }
    return "recipientOrganization", {
        "id": award.recipient_org_id or f"{PLATFORM_PREFIX}-org-{slug}-idea-{award.idea_id}",
        "name": award.recipient_name,
    }


def _description(award: Award) -> str:
    text = " ".join(award.idea.description.split())
    return text if len(text) <= 2000 else text[:1999].rstrip() + "…"


class _Exact:
    """A placeholder the encoder writes as a bare decimal number (JSON has no Decimal)."""

    def __init__(self, value: Decimal) -> None:
        self.value = value


def grants(fund: Fund, awards: Iterable[Award]) -> list[dict[str, Any]]:
    site = settings.SITE_URL
    rows = []
    for award in awards:
        kind, who = recipient(award, fund)
        rows.append(
            {
                "id": grant_id(award, fund),
                "title": award.idea.title,
                "description": _description(award),
                "currency": fund.currency,
                "amountAwarded": _Exact(award.amount),
                "amountAppliedFor": _Exact(award.idea.amount),
                "awardDate": award.awarded_on.isoformat(),
                kind: [who] if kind == "recipientOrganization" else who,
                "fundingOrganization": [{"id": funder_org_id(fund), "name": fund.funder_name}],
                "grantProgramme": [
                    {
                        "code": f"{PLATFORM_PREFIX}-{fund.place.slug}-fund-{fund.pk}-round-"
                        f"{award.round.number}",
                        "title": f"{fund.name}, {award.round.title}",
                    }
                ],
                "fromOpenCall": "Yes",
                "url": f"{site}{award.idea.get_absolute_url()}",
            }
        )
    return rows


def package(fund: Fund, awards: Iterable[Award]) -> dict[str, Any]:
    return {
        "grants": grants(fund, awards),
        "version": STANDARD_VERSION,
        "title": f"Awards of {fund.name} ({fund.place.name})",
        "description": "Money the learning community allocated together by participatory "
        "allocation, published by Relational.",
        "identifier": f"{PLATFORM_PREFIX}-{fund.place.slug}-fund-{fund.pk}",
        "issued": timezone.now().replace(microsecond=0).isoformat(),
        "publisher": {"name": "Relational", "identifier": PLATFORM_PREFIX},
    }


def dumps(data: Any) -> str:
    """JSON with every amount as an exact decimal number."""
    exact: dict[str, str] = {}

    def default(value: Any) -> Any:
        if isinstance(value, _Exact):
            token = f"\x00exact{len(exact)}\x00"
            exact[token] = format(value.value, "f")
            return token
        raise TypeError(f"cannot write {type(value).__name__} as JSON")

    text = json.dumps(data, default=default, ensure_ascii=False, indent=2)
    for token, number in exact.items():
        text = text.replace(json.dumps(token), number)
    return text


CSV_HEADER = [
    "Identifier",
    "Title",
    "Round",
    "Rank",
    "Points",
    "Amount awarded (GBP)",
    "Award date",
    "Recipient",
    "Recipient org-id",
    "Funding organisation",
    "Funding organisation org-id",
    "Decision",
    "Learning cycle",
]


def _cell(value: Any) -> Any:
    """Text a spreadsheet would run as a formula is kept as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def awards_csv(fund: Fund, awards: Iterable[Award]) -> str:
    site = settings.SITE_URL
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for award in awards:
        kind, who = recipient(award, fund)
        writer.writerow(
            [
                grant_id(award, fund),
                _cell(award.idea.title),
                award.round.number,
                award.rank,
                award.points,
                format(award.amount, "f"),
                award.awarded_on.isoformat(),
                _cell(who["name"]),
                who["id"] if kind == "recipientOrganization" else "",
                _cell(fund.funder_name),
                funder_org_id(fund),
                f"{site}{award.decision.get_absolute_url()}",
                f"{site}{award.cycle.get_absolute_url()}" if award.cycle is not None else "",
            ]
        )
    return out.getvalue()
