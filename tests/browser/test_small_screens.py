"""Every main page works 320 px wide (WCAG 1.4.10 reflow): no sideways scrolling.

The pages are :func:`tests.browser.screenshots.main_pages` on the seeded demo place, each as
the demo person who would use it; one context per person, reused.
"""

from __future__ import annotations

from typing import Any

import pytest

from places.demo import seed_demo
from tests.browser.screenshots import contexts_by_person, main_pages

pytestmark = pytest.mark.browser

#: Which elements stick out past the right edge, to say what to fix.
WIDE_ELEMENTS = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 1 && box.width > 0 && el.offsetParent !== null) {
      const classes = typeof el.className === 'string' && el.className.trim()
        ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
      const id = el.id ? '#' + el.id : '';
      const edge = Math.round(box.right);
      out.push(`${el.tagName.toLowerCase()}${id}${classes} (right edge ${edge}px)`);
    }
  }
  return out.slice(0, 8);
}"""


def test_every_main_page_fits_320_pixels_without_sideways_scrolling(
    chromium: Any, live_server: Any, transactional_db: None, login: Any
) -> None:
    seed_demo()
    pages = main_pages()
    page_for = contexts_by_person(chromium, live_server.url, login, 320)
    problems: list[str] = []
    try:
        for main in pages:
            tab = page_for(main.as_who)
            response = tab.goto(main.path)
            assert response is not None and response.status == 200, (main, response)
            scroll_width = tab.evaluate("() => document.documentElement.scrollWidth")
            if scroll_width > 320:
                wide = tab.evaluate(WIDE_ELEMENTS)
                problems.append(
                    f"{main.name} ({main.path}) is {scroll_width}px wide at 320px: "
                    + "; ".join(wide)
                )
    finally:
        page_for.close_all()  # type: ignore[attr-defined]
    print(f"\n{len(pages)} main pages checked at 320 px")
    assert not problems, "\n".join(problems)
