"""Every chart can be read without seeing it and without telling colours apart.

For each chart on the demo place (the whole-system map and "four worlds" on the place home,
measures, the fund pot): the SVG is an image with a title and a description, the page says the
same in a visible text summary, a table with a caption carries the numbers, and where marks
differ in colour something else tells them apart too (a pattern, a dashed outline, a size, or
a text label on each mark). A figure caption never explains the chart by colour names.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client

from places.demo import seed_demo
from tests.browser.screenshots import demo_user
from tests.harness.clients import sign_in

SVG = re.compile(r"<svg\b[^>]*role=\"img\"[^>]*>.*?</svg>", re.S)
TABLE = re.compile(r"<table\b.*?</table>", re.S)
COLOUR_WORDS = re.compile(r"\b(blue|green|red|orange|purple|yellow|pink|grey|gray)\b", re.I)
PLAIN = {"none", "#ffffff", "#fff", "white", "transparent"}


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def _by_id(svg: str, tag: str, ident: str) -> str:
    found = re.search(rf"<{tag}\b[^>]*id=\"{re.escape(ident)}\"[^>]*>(.*?)</{tag}>", svg, re.S)
    return _text(found.group(1)) if found else ""


def _check_chart(page: str, html: str, svg_match: re.Match[str]) -> list[str]:
    svg = svg_match.group(0)
    problems: list[str] = []
    ids = re.search(r"aria-labelledby=\"([^\"]+)\"", svg)
    if ids is None:
        return [f"{page}: a chart has no aria-labelledby"]
    title_id, *desc_ids = ids.group(1).split()
    title = _by_id(svg, "title", title_id)
    desc = " ".join(_by_id(svg, "desc", d) for d in desc_ids).strip()
    name = title or svg[:80]
    if not title:
        problems.append(f"{page}: chart without a <title>")
    if not desc:
        problems.append(f"{page}: chart {name!r} has no description (<desc>)")
    before, after = html[: svg_match.start()], html[svg_match.end() :]
    visible = _text(re.sub(r"<svg\b.*?</svg>", " ", before[-6000:] + after[:8000], flags=re.S))
    if desc and desc not in visible and not re.search(r"\d", visible):
        problems.append(f"{page}: chart {name!r} has no text summary on the page")
    # The numbers as a table: the next table after the chart, with a caption and numbers.
    table = TABLE.search(after)
    if table is None or table.start() > 8000:
        problems.append(f"{page}: chart {name!r} has no table of its numbers after it")
    else:
        body = table.group(0)
        if "<caption" not in body:
            problems.append(f"{page}: the table for {name!r} has no caption")
        cells = [_text(c) for c in re.findall(r"<td\b[^>]*>(.*?)</td>", body, re.S)]
        if not any(re.search(r"\d", c) for c in cells):
            problems.append(f"{page}: the table for {name!r} holds no numbers")
    # Not colour alone.
    fills = {
        f.lower()
        for f in re.findall(r"<(?:rect|circle|path)\b[^>]*fill=\"([^\"]+)\"", svg)
        if f.lower() not in PLAIN and not f.startswith("url(")
    }
    if len(fills) > 1:
        marks = len(re.findall(r"<(?:rect|circle|path)\b[^>]*fill=\"#", svg))
        labels = len(re.findall(r"<text\b", svg))
        radii = set(re.findall(r"<circle\b[^>]*\br=\"([^\"]+)\"", svg))
        other_cue = "url(#" in svg or "stroke-dasharray" in svg or len(radii) > 1 or labels >= marks
        if not other_cue:
            problems.append(f"{page}: chart {name!r} tells its marks apart by colour alone")
    caption = re.search(r"<figcaption\b[^>]*>(.*?)</figcaption>", after[:3000], re.S)
    words = _text(caption.group(1)) if caption else ""
    if COLOUR_WORDS.search(words) or COLOUR_WORDS.search(desc):
        problems.append(f"{page}: chart {name!r} is explained by colour names: {words or desc}")
    return problems


@pytest.fixture
def demo_pages(db: None) -> dict[str, str]:
    """The pages with charts, on the seeded demo place, as a resident of it."""
    from governance.fund_models import Fund
    from learning.models import Measure
    from places.demo import DEMO_PLACE_SLUG

    seed_demo()
    client = sign_in(Client(), demo_user("resident"))
    fund = Fund.objects.filter(place__slug=DEMO_PLACE_SLUG).order_by("pk").first()
    measure = Measure.objects.filter(place__slug=DEMO_PLACE_SLUG).order_by("pk").first()
    assert fund is not None and measure is not None, "the demo place has a fund and a measure"
    paths = {
        "place home": f"/places/{DEMO_PLACE_SLUG}/",
        "measures": f"/places/{DEMO_PLACE_SLUG}/measures/",
        "measure": measure.get_absolute_url(),
        "fund": fund.get_absolute_url(),
    }
    pages = {}
    for name, path in paths.items():
        response = client.get(path)
        assert response.status_code == 200, (name, path, response.status_code)
        pages[name] = response.content.decode()
    return pages


#: page → the charts it must show (by words in their titles).
EXPECTED = {
    "place home": ["by perspective", "world of service"],
    "measures": ["over time"],
    "measure": ["over time"],
    "fund": ["awarded and remaining"],
}


def test_every_chart_has_a_summary_a_table_and_more_than_colour(
    demo_pages: dict[str, str],
) -> None:
    problems: list[str] = []
    checked = 0
    for page, html in demo_pages.items():
        charts = list(SVG.finditer(html))
        titles = " | ".join(_text(m.group(0)) for m in charts)
        for wanted in EXPECTED[page]:
            if wanted not in titles:
                problems.append(f"{page}: no chart whose title says {wanted!r}")
        for chart in charts:
            problems.extend(_check_chart(page, html, chart))
            checked += 1
    print(f"\n{checked} charts checked on {len(demo_pages)} pages")
    assert checked >= 5
    assert not problems, "\n".join(problems)


def test_the_check_catches_a_chart_with_colour_alone_and_no_table() -> None:
    """The checker itself: a bare two-colour chart fails on every count."""
    html = (
        '<svg role="img" aria-labelledby="t d"><title id="t">Bad</title><desc id="d"></desc>'
        '<rect fill="#ff0000"></rect><rect fill="#00ff00"></rect><rect fill="#0000ff"></rect>'
        "<text>x</text></svg><figure><figcaption>Red is good, green is bad</figcaption></figure>"
    )
    problems = _check_chart("test", html, next(SVG.finditer(html)))
    joined = "\n".join(problems)
    assert "no description" in joined
    assert "no table" in joined
    assert "colour alone" in joined
    assert "colour names" in joined
