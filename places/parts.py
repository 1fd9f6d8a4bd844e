"""Parts of a place's pages that read the same for everyone who may see the place, kept in the
cache until the place's pages change: signed-in readers' pages cost fewer queries.

The key holds the place's page version (:mod:`relational.pageversions`), which database triggers
bump in the transaction of every change a place's pages show (and beat bumps when a gathering or
a fund round's moment passes), and the release (a deploy never reads the previous code's
parts). So a kept part is never older than the data of the version in its key, whoever changed
what: the same reasoning as the anonymous page cache (:mod:`relational.pagecache`).

The version comes with the place itself: :func:`places.access.get_place_for_user` reads it in
the same query (``page_version``), along with row 0's, which moves when anyone's display name
changes, so a part may show names. A place loaded any other way has none, and its parts are
simply built. A part must not depend on who reads it (no "may I…", no reader's own rows) unless
its key says so, and holds no secret (no form token, no nonce).

``{% place_fragment %}`` (``places/templatetags/parts.py``) keeps a rendered piece of a page the
same way: a list of 25 rows costs one cache read instead of its queries and its rendering.

``PLACE_PARTS_SECONDS`` bounds how long a part is kept (``0`` turns this off; the tests do,
since their changes are never committed and so never bump a version). Redis being away makes
every read a miss: the part is built, as without a cache.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import CharField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone, translation


def page_version_of(place_id: str) -> RawSQL:
    """The page version of the place whose id is in the column ``place_id`` (a quoted,
    table-qualified name), as an annotation: ``"<the place's version>.<row 0's>"`` (row 0 moves
    when anyone's name changes); NULL for a place without one.

    Written as SQL because every signed-in page asks for it: the ORM's equivalent (a subquery
    with casts and a nested subquery) cost about a millisecond a request to build and compile.
    """
    from relational.models import PageVersion
    from relational.pageversions import EVERYWHERE

    table = connection.ops.quote_name(PageVersion._meta.db_table)
    return RawSQL(
        f"SELECT v.version::text || '.' || COALESCE(("
        f"SELECT e.version FROM {table} e WHERE e.place_id = %s)::text, '') "
        f"FROM {table} v WHERE v.place_id = {place_id}",
        (EVERYWHERE,),
        output_field=CharField(),
    )


def place_id_column(model: Any, field: str) -> str:
    """``"table"."column"`` of a model's field, for :func:`page_version_of`."""
    quote = connection.ops.quote_name
    return f"{quote(model._meta.db_table)}.{quote(model._meta.get_field(field).column)}"


def with_page_version(places: QuerySet[Any]) -> QuerySet[Any]:
    """The places, each with its ``page_version`` read in the same query."""
    return places.annotate(page_version=page_version_of(place_id_column(places.model, "id")))


def reader_digest(*facets: object) -> str:
    """A short digest of what a kept rendering depends on beyond the version: the language and
    time zone it was rendered in, and ``facets`` (by ``repr``)."""
    words = [translation.get_language() or "", timezone.get_current_timezone_name()]
    words += [repr(f) for f in facets]
    return hashlib.sha256("\n".join(words).encode()).hexdigest()[:32]


def fragment_part(name: str, *vary: object) -> str:
    """The part name a ``{% place_fragment place "name" vary… %}`` is kept under, for a view
    that reads it ahead with others (:func:`fetch_parts`): ``vary`` as the template resolves
    it (a variable the context lacks is ``""``)."""
    return f"fragment:{name}:{reader_digest(*vary)}"


def place_part[T](place: Any, name: str, build: Callable[[], T]) -> T:
    """``build()``'s value for this place, from the cache while its pages are unchanged."""
    kept = peek_part(place, name)
    if kept is not None:
        return kept[0]  # type: ignore[no-any-return]
    value = build()
    keep_part(place, name, value)
    return value


def _key(place: Any, name: str) -> str | None:
    if not getattr(settings, "PLACE_PARTS_SECONDS", 0) or "page_version" not in place.__dict__:
        return None
    from relational.pagecache import release

    return f"place-part:{release()}:{place.pk}:{place.page_version}:{name}"


def peek_part(place: Any, name: str) -> tuple[Any] | None:
    """``(value,)`` if the part is kept, else None (for a part best built along with something
    else the page reads anyway)."""
    fetched = place.__dict__.get("_fetched_parts", {})
    if name in fetched:
        return fetched.pop(name)  # type: ignore[no-any-return]
    key = _key(place, name)
    kept = cache.get(key) if key else None
    return kept if isinstance(kept, tuple) and len(kept) == 1 else None


def fetch_parts(place: Any, names: list[str]) -> None:
    """Read several parts a page is about to ask for in one round trip to the cache; each
    ``place_part`` of them then finds its value (or builds it, if it was not kept)."""
    keys = {key: name for name in names if (key := _key(place, name))}
    if not keys:
        return
    fetched = place.__dict__.setdefault("_fetched_parts", {})
    for key, kept in cache.get_many(list(keys)).items():
        if isinstance(kept, tuple) and len(kept) == 1:
            fetched[keys[key]] = kept


def keep_part(place: Any, name: str, value: Any) -> None:
    if key := _key(place, name):
        cache.set(key, (value,), settings.PLACE_PARTS_SECONDS)


def site_part[T](name: str, build: Callable[[], T]) -> T:
    """``build()``'s value for a part of a page showing several places (the library's place
    filter, say), kept while no place's pages change: keyed on the site's version, the sum of
    every place's, at the cost of one small query. Inside a transaction not yet committed (only
    ever a test's) the version cannot be trusted, so the part is built."""
    from relational.pagecache import release
    from relational.pageversions import site_version

    seconds = getattr(settings, "PLACE_PARTS_SECONDS", 0)
    if not seconds or connection.in_atomic_block:
        return build()
    key = f"site-part:{release()}:{site_version()}:{name}"
    kept = cache.get(key)
    if isinstance(kept, tuple) and len(kept) == 1:
        return kept[0]  # type: ignore[no-any-return]
    value = build()
    cache.set(key, (value,), seconds)
    return value
