"""``{% place_fragment place "name" vary… %}…{% endplace_fragment %}``: a rendered piece of a
place's page, kept in the cache under the place's page version (places/parts.py);
``{% site_fragment "name" vary… %}…{% endsite_fragment %}`` the same for a piece of a page
showing several public places, under the site's version.

The key holds the page version (which moves with every change the pages show, and with anyone's
change of name), the release, the name, the language, the time zone dates are shown in, and each
``vary`` value: what else the piece depends on (the page number, a filter, which of the things
shown the reader may see). A piece must say nothing about the reader beyond what it varies on,
and hold no secret (no form token, no nonce). With no version (a place not loaded by
:func:`places.access.get_place_for_user`) or the parts cache off, the piece is rendered every time.
A view passes what only the piece reads lazily (``SimpleLazyObject``), so a kept piece costs
neither its queries nor its rendering.
"""

from __future__ import annotations

from django import template
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.utils.safestring import SafeString, mark_safe

from places.parts import fragment_part, place_part, site_part

register = template.Library()


class FragmentNode(template.Node):
    def __init__(
        self,
        nodelist: NodeList,
        place: FilterExpression | None,
        name: FilterExpression,
        vary: list[FilterExpression],
    ) -> None:
        self.nodelist = nodelist
        self.place = place  # None: a piece of a page showing several places
        self.name = name
        self.vary = vary

    def render(self, context: template.Context) -> SafeString:
        part = fragment_part(self.name.resolve(context), *(v.resolve(context) for v in self.vary))

        def build() -> str:
            return str(self.nodelist.render(context))

        # Kept pieces are our own renderings, escaped when they were made.
        if self.place is None:
            return mark_safe(site_part(part, build))  # noqa: S308
        return mark_safe(place_part(self.place.resolve(context), part, build))  # noqa: S308


def _fragment(parser: Parser, token: Token, *, of_place: bool) -> FragmentNode:
    bits = token.split_contents()
    tag = bits[0]
    if len(bits) < (3 if of_place else 2):
        usage = 'place "name"' if of_place else '"name"'
        raise template.TemplateSyntaxError(
            f"Usage: {{% {tag} {usage} [vary …] %}}…{{% end{tag} %}}"
        )
    nodelist = parser.parse((f"end{tag}",))
    parser.delete_first_token()
    rest = [parser.compile_filter(bit) for bit in bits[1:]]
    if of_place:
        return FragmentNode(nodelist, rest[0], rest[1], rest[2:])
    return FragmentNode(nodelist, None, rest[0], rest[1:])


@register.tag
def place_fragment(parser: Parser, token: Token) -> FragmentNode:
    """``{% place_fragment place "name" vary… %}``: kept under the place's page version."""
    return _fragment(parser, token, of_place=True)


@register.tag
def site_fragment(parser: Parser, token: Token) -> FragmentNode:
    """``{% site_fragment "name" vary… %}``: kept under the site's version; it must show
    public places only."""
    return _fragment(parser, token, of_place=False)
