"""The awards as open data: 360Giving JSON validated offline against the standard's 1.4.3
package and grant schemas (with the ten required fields on every grant), and the CSV."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
import referencing
import referencing.jsonschema
from django.urls import reverse
from jsonschema import Draft202012Validator

from governance.fund_models import Award, RoundState
from tests.governance.fund_cast import (
    close_round,
    fix_electorate,
    give_points,
    make_fund,
    make_idea,
    make_round,
)

SCHEMAS = Path(__file__).resolve().parents[1] / "standards" / "360giving"
PUBLISHED = "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/{}/schema/{}"
TEN_REQUIRED = (
    "id",
    "title",
    "description",
    "currency",
    "amountAwarded",
    "awardDate",
    "fundingOrganization",
)


def _resource(name: str) -> tuple[dict, referencing.Resource]:
    contents = json.loads((SCHEMAS / name).read_text())
    return contents, referencing.Resource(
        contents=contents, specification=referencing.jsonschema.DRAFT202012
    )


def package_validator() -> Draft202012Validator:
    """The package schema, with the grant schema registered under both URLs it is known by
    (the package refers to 1.4.2's; the grant schema's own $id is 1.4.3's)."""
    package, _ = _resource("360-giving-package-schema.json")
    grant, grant_resource = _resource("360-giving-schema.json")
    registry = referencing.Registry().with_resources(
        [
            (PUBLISHED.format("1.4.2", "360-giving-schema.json"), grant_resource),
            (PUBLISHED.format("1.4.3", "360-giving-schema.json"), grant_resource),
            (grant["$id"], grant_resource),
        ]
    )
    return Draft202012Validator(
        package, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def grant_validator() -> Draft202012Validator:
    grant, _ = _resource("360-giving-schema.json")
    return Draft202012Validator(grant, format_checker=Draft202012Validator.FORMAT_CHECKER)


@pytest.fixture
def awarded(place, steward, member, resident, allocator):
    """A fund of the public place with three awards: to a charity, to a company, and to the
    people doing it (individuals), with pence in the amounts."""
    fund = make_fund(place, steward, pot=Decimal("5000.00"), funder_org_id="")
    round_ = make_round(fund, RoundState.COUNTING, pot=Decimal("5000.00"))
    ideas = [
        make_idea(round_, resident, title="Lunch club", amount="1250.50",
                  organisation_name="Millbrook Lunch Club", organisation_org_id="GB-CHC-1234567"),
        make_idea(round_, member, title="Bike repair", amount="999.99",
                  organisation_name="Spokes Ltd", organisation_org_id="gb-coh-01234567"),
        make_idea(round_, steward, title="Street party", amount="300.01"),
    ]  # fmt: skip
    fix_electorate(round_, [allocator])
    give_points(round_, allocator, {ideas[0]: 50, ideas[1]: 30, ideas[2]: 20})
    close_round(round_)
    assert Award.objects.filter(round=round_).count() == 3
    return fund


def test_the_360giving_export_validates_against_the_package_and_grant_schemas(
    anonymous, awarded
) -> None:
    response = anonymous.get(
        reverse("funds:awards_360", kwargs={"slug": awarded.place.slug, "fund_id": awarded.pk})
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    data = json.loads(response.content, parse_float=Decimal)

    errors = [e.message for e in package_validator().iter_errors(data)]
    assert not errors, errors
    grants = data["grants"]
    assert len(grants) == 3
    for grant in grants:
        assert not [e.message for e in grant_validator().iter_errors(grant)]
        for field in TEN_REQUIRED:
            assert grant[field], f"{field} missing on {grant['id']}"
        assert grant["fundingOrganization"][0]["id"] and grant["fundingOrganization"][0]["name"]
        # A recipient organisation or an (anonymised) individual, never both.
        has_org = "recipientOrganization" in grant
        has_ind = "recipientIndividual" in grant
        assert has_org != has_ind
        who = grant["recipientOrganization"][0] if has_org else grant["recipientIndividual"]
        assert who["id"] and who["name"]
        assert grant["currency"] == "GBP"
        assert grant["id"].startswith("360G-relational-millbrook-award-")


def test_the_360giving_amounts_are_exact_decimals_and_identifiers_are_documented(
    anonymous, awarded
) -> None:
    url = reverse("funds:awards_360", kwargs={"slug": awarded.place.slug, "fund_id": awarded.pk})
    body = anonymous.get(url).content.decode()
    assert '"amountAwarded": 1250.50' in body
    assert '"amountAwarded": 999.99' in body
    assert '"amountAwarded": 300.01' in body
    grants = {g["title"]: g for g in json.loads(body, parse_float=Decimal)["grants"]}
    assert grants["Lunch club"]["amountAwarded"] == Decimal("1250.50")
    assert sum(g["amountAwarded"] for g in grants.values()) == Decimal("2550.50")
    # The funder has no org-id: the platform's documented prefix stands in.
    assert grants["Lunch club"]["fundingOrganization"][0]["id"] == "360G-relational-place-millbrook"
    assert grants["Lunch club"]["recipientOrganization"][0]["id"] == "GB-CHC-1234567"
    # The org-id's list code is upper-cased; its identifier is kept as typed.
    assert grants["Bike repair"]["recipientOrganization"][0]["id"] == "GB-COH-01234567"
    person = grants["Street party"]["recipientIndividual"]
    assert person["name"] == "Individual recipient"
    assert "Stevie" not in json.dumps(person)


def test_the_360giving_export_is_a_404_until_there_are_awards(anonymous, place, steward) -> None:
    fund = make_fund(place, steward)
    response = anonymous.get(
        reverse("funds:awards_360", kwargs={"slug": place.slug, "fund_id": fund.pk})
    )
    assert response.status_code == 404


def test_the_awards_csv_parses_with_one_row_per_award_and_exact_amounts(anonymous, awarded) -> None:
    response = anonymous.get(
        reverse("funds:awards_csv", kwargs={"slug": awarded.place.slug, "fund_id": awarded.pk})
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["Title"] for r in rows] == ["Lunch club", "Bike repair", "Street party"]
    assert [r["Amount awarded (GBP)"] for r in rows] == ["1250.50", "999.99", "300.01"]
    assert rows[0]["Recipient org-id"] == "GB-CHC-1234567"
    assert rows[2]["Recipient"] == "Individual recipient"
    assert rows[0]["Decision"].endswith(
        Award.objects.get(idea__title="Lunch club").decision.get_absolute_url()
    )
    assert all(r["Funding organisation"] == "Millbrook Community Trust" for r in rows)


def test_a_title_a_spreadsheet_would_run_is_written_as_text(anonymous, place, steward, allocator):
    fund = make_fund(place, steward)
    round_ = make_round(fund, RoundState.COUNTING)
    idea = make_idea(round_, steward, title='=HYPERLINK("http://x")', amount="10")
    fix_electorate(round_, [allocator])
    give_points(round_, allocator, {idea: 1})
    close_round(round_)
    body = anonymous.get(
        reverse("funds:awards_csv", kwargs={"slug": place.slug, "fund_id": fund.pk})
    ).content.decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows[0]["Title"].startswith("'=")


def test_the_downloads_of_a_members_only_place_are_404_for_others(
    anonymous, client_for, outsider, member, fund_markers
) -> None:
    kwargs = {"slug": fund_markers.fund.place.slug, "fund_id": fund_markers.fund.pk}
    for name in ("funds:awards_csv", "funds:awards_360"):
        assert anonymous.get(reverse(name, kwargs=kwargs)).status_code == 404
        assert client_for(outsider).get(reverse(name, kwargs=kwargs)).status_code == 404
        response = client_for(member).get(reverse(name, kwargs=kwargs))
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]


def test_the_offline_validator_refuses_a_grant_missing_a_required_field_or_a_text_amount() -> None:
    """The check above can fail: the registered grant schema is really applied."""
    grant = {
        "id": "360G-relational-x-award-1",
        "title": "A grant",
        "description": "What it is for",
        "currency": "GBP",
        "amountAwarded": 10,
        "awardDate": "2026-11-25",
        "fundingOrganization": [{"id": "GB-CHC-1", "name": "A trust"}],
        "recipientOrganization": [{"id": "GB-CHC-2", "name": "A group"}],
    }
    validator = package_validator()
    assert not list(validator.iter_errors({"grants": [grant], "version": "1.4"}))
    without_title = {k: v for k, v in grant.items() if k != "title"}
    assert list(validator.iter_errors({"grants": [without_title], "version": "1.4"}))
    text_amount = {**grant, "amountAwarded": "10.00"}
    assert list(validator.iter_errors({"grants": [text_amount], "version": "1.4"}))
    bad_date = {**grant, "awardDate": "25/11/2026"}
    assert list(validator.iter_errors({"grants": [bad_date], "version": "1.4"}))
