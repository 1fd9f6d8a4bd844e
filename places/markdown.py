"""Markdown written by people, turned into HTML that is safe to show.

Markdown's own HTML passthrough is left on but everything goes through nh3 (an allow-list
sanitiser) afterwards, so raw ``<script>``, event attributes, ``style`` and ``javascript:``
links are removed whatever the input. Links get ``rel="nofollow noopener noreferrer"``.
"""

from __future__ import annotations

from functools import lru_cache

import markdown as md
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "i", "li",
    "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}}
URL_SCHEMES = {"http", "https", "mailto"}

# The GOV.UK classes our pages use, added after sanitising (nh3 would strip class attributes).
_CLASSES = {
    "<p>": '<p class="govuk-body">',
    "<ul>": '<ul class="govuk-list govuk-list--bullet">',
    "<ol>": '<ol class="govuk-list govuk-list--number">',
    "<h2>": '<h2 class="govuk-heading-m">',
    "<h3>": '<h3 class="govuk-heading-s">',
    "<h4>": '<h4 class="govuk-heading-s">',
    "<a ": '<a class="govuk-link" ',
    "<table>": '<table class="govuk-table">',
}


def render_markdown(text: str | None) -> SafeString:
    """Markdown → sanitised HTML with GOV.UK typography classes."""
    if not text:
        return mark_safe("")  # noqa: S308 - empty
    return mark_safe(_render(text))  # noqa: S308 - sanitised by nh3 in _render


# The same words always give the same HTML, so each process keeps the most recent ones: a page
# listing twenty entries converts only those it has not shown before (Markdown and the
# sanitiser cost about a millisecond a text).
@lru_cache(maxsize=2048)
def _render(text: str) -> str:
    html = md.markdown(text, extensions=["sane_lists", "tables"], output_format="html")
    # Headings written as "# Title" would compete with the page's own h1: shift them down.
    for level in (3, 2, 1):
        html = html.replace(f"<h{level}>", f"<h{level + 1}>").replace(
            f"</h{level}>", f"</h{level + 1}>"
        )
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
    )
    for plain, classed in _CLASSES.items():
        clean = clean.replace(plain, classed)
    return clean
