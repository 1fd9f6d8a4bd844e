"""The accessibility statement: in the usual UK public-sector form, linked from every page."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse


def test_the_statement_says_how_accessible_what_is_not_and_how_to_report(db: None) -> None:
    response = Client().get(reverse("accessibility"))
    assert response.status_code == 200
    text = response.content.decode()
    for heading in (
        "How accessible this site is",
        "What is not accessible yet",
        "If something does not work for you",
        "Enforcement procedure",
        "Preparation of this statement",
    ):
        assert f">{heading}</h2>" in text, heading
    assert "Equality and Human Rights Commission (EHRC)" in text
    assert "WCAG" in text and "2.2" in text
    assert "partially compliant" in text
    assert "This statement was prepared on" in text


def test_every_page_links_to_the_statement_in_its_footer(db: None) -> None:
    for path in (reverse("home"), reverse("privacy"), "/no-such-page/"):
        body = Client().get(path).content.decode()
        footer = body[body.index("<footer") :]
        assert f'href="{reverse("accessibility")}"' in footer, path
