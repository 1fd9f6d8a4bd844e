"""The registry: how other apps show up in a place without ``places`` importing them.

In the spirit of ``django.contrib.admin.site``: an app calls ``registry.register_…`` from its
``AppConfig.ready()`` and ``places`` renders whatever is registered. ``places`` registers its
own gatherings the same way (``places.gatherings.register``), which keeps the mechanism honest.

What can be registered:

* **panels** on the place home (a template and a context callable);
* **flaggable content** (how to find a contribution's place, author, excerpt and address, and
  how to hide and show it again);
* **digest sections** (which activity kinds a section of the email digest summarises);
* **activity kinds** (the label the timeline filter shows for a ``kind``);
* **scope checks** for timeline items whose visibility is ``scoped`` (``"cycle:42"``);
* **demo seeders** that add content to the demo place;
* handlers for a person's **data export**, **account erasure** and **consent redaction**.

Keys are unique per kind of registration: registering the same key twice raises
:class:`AlreadyRegistered` (as the admin site does), which catches an app registered twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import models
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

if TYPE_CHECKING:
    from .models import Place


class AlreadyRegistered(Exception):
    """The same key was registered twice for one kind of registration."""


class NotRegistered(KeyError):
    """Nothing is registered under that key."""


@dataclass(frozen=True)
class Panel:
    """A box on the place home.

    ``context(request, place)`` returns the template's context (``place`` and ``request`` are
    added); it should cost a fixed number of queries whatever the size of the place. Returning
    ``None`` leaves the panel out for this request (nothing to show, say).

    ``reader(request, place)``, when given, says everything about the reader that the rendered
    panel depends on (a "may I…", which counts they may see), as something with a stable
    ``repr``: the panel's HTML is then kept with the place's parts (``places.parts``) for every
    reader who gives the same answer, and its context is not even read. ``reader_parts`` names
    the place's kept parts ``reader`` reads, for the page to read them with its own in one go.
    """

    key: str
    title: str
    template: str
    context: Callable[[HttpRequest, Place], Mapping[str, Any] | None]
    order: int = 100
    reader: Callable[[HttpRequest, Place], Any] | None = None
    reader_parts: tuple[str, ...] = ()


def same_for_every_reader(request: HttpRequest, place: Place) -> tuple[()]:
    """A panel's ``reader`` when it shows the same to everyone who may see the place."""
    return ()


def _default_hide(obj: Any, *, reason: str, by: Any) -> None:
    obj.hidden_at = timezone.now()
    obj.hidden_reason = reason
    obj.hidden_by = by
    obj.save(update_fields=["hidden_at", "hidden_reason", "hidden_by"])


def _default_unhide(obj: Any, *, by: Any) -> None:
    obj.hidden_at = None
    obj.hidden_reason = ""
    obj.hidden_by = None
    obj.save(update_fields=["hidden_at", "hidden_reason", "hidden_by"])


def _default_is_hidden(obj: Any) -> bool:
    return getattr(obj, "hidden_at", None) is not None


@dataclass(frozen=True)
class FlaggableKind:
    """A kind of contribution members can flag and stewards can hide.

    The defaults fit models that inherit ``places.models.Hideable`` (``hidden_at``,
    ``hidden_reason``, ``hidden_by``) and have ``place`` and ``get_absolute_url``. ``author``
    returns the user who wrote it (told by email when it is hidden), or None.
    ``hidden_filter`` is the lookup that selects hidden rows in one query (the timeline uses
    it to mark hidden items without loading each one).
    """

    key: str
    label: str
    model: type[models.Model]
    author: Callable[[Any], Any]
    excerpt: Callable[[Any], str]
    place: Callable[[Any], Place] = lambda obj: obj.place
    url: Callable[[Any], str] = lambda obj: obj.get_absolute_url()
    hide: Callable[..., None] = _default_hide
    unhide: Callable[..., None] = _default_unhide
    is_hidden: Callable[[Any], bool] = _default_is_hidden
    hidden_filter: Mapping[str, Any] = field(default_factory=lambda: {"hidden_at__isnull": False})
    place_lookup: str = "place"

    def get(self, place: Place, object_id: int) -> Any | None:
        """The contribution with this id in this place (a foreign or forged id gives None)."""
        return self.model._default_manager.filter(
            **{self.place_lookup: place}, pk=object_id
        ).first()


@dataclass(frozen=True)
class DigestSection:
    """A section of the email digest: the activity kinds it summarises, in ``order``.

    Optional (used by ``places.digests``): ``group(activity) -> str`` splits the section's items
    into labelled groups ("Joined as residents"); ``upcoming(place, now) -> list`` adds things
    coming up (each with ``text``, ``url`` and ``when``), shown but not counted as news, so a
    digest with only upcoming things is not sent.
    """

    key: str
    title: str
    activity_kinds: tuple[str, ...]
    order: int = 100
    group: Callable[[Any], str] | None = None
    upcoming: Callable[[Any, Any], list[Any]] | None = None


@dataclass(frozen=True)
class ScopeCheck:
    """Who may see timeline items scoped to ``"<key>:<id>"`` (for example ``"cycle:42"``).

    ``check(user, place, scope_id)`` answers for one scope. The timeline asks once per
    distinct scope present in the place, never once per item.
    """

    key: str
    check: Callable[[Any, Place, str], bool]
    #: Optional batch form for digests: ``audience(place, scope_id, user_ids) -> set of the
    #: user ids who may see it``, one query for any number of people.
    audience: Callable[[Place, str, list[int]], set[int]] | None = None


@dataclass(frozen=True)
class DataHandler:
    """An app's part in a person's data rights (UK GDPR) and in keeping data no longer than
    needed.

    * ``export(user) -> dict``: everything the app holds about the person, JSON-serialisable.
    * ``erase(user) -> None``: run when an account is erased, before the account's own name and
      email are replaced; remove or anonymise the person's personal data while keeping the
      shared record coherent (for example a decision keeps "a former member" as its author).
    * ``redact(user, place) -> None``: run when a person withdraws consent for their
      contributions to be shown (``place`` None: everywhere; else only in that place); replace
      their words with a note that they were withdrawn, live rows and history alike.
    * ``purge(now) -> dict[str, int]``: the nightly retention run; delete what the app keeps
      only for a while (delivery records…) and say how many rows of each kind went.
    * ``models``: the labels (``"app.Model"``) of the models that refer to a person whose data
      this handler accounts for. The system check ``places.E010`` (``places/checks.py``) fails
      for any model that refers to the user model and that no handler with both an export and
      an erase lists, so a new app cannot forget a person's data.

    Each callable may be None when the app holds nothing of that sort.
    """

    key: str
    export: Callable[[Any], dict[str, Any]] | None = None
    erase: Callable[[Any], None] | None = None
    redact: Callable[[Any, Any], None] | None = None
    purge: Callable[[Any], dict[str, int]] | None = None
    models: tuple[str, ...] = ()


@dataclass
class Registry:
    panels_by_key: dict[str, Panel] = field(default_factory=dict)
    flaggables_by_key: dict[str, FlaggableKind] = field(default_factory=dict)
    digest_sections_by_key: dict[str, DigestSection] = field(default_factory=dict)
    activity_kinds: dict[str, str] = field(default_factory=dict)
    scope_checks: dict[str, ScopeCheck] = field(default_factory=dict)
    demo_seeders: dict[str, Callable[[Place, Any], None]] = field(default_factory=dict)
    data_handlers: dict[str, DataHandler] = field(default_factory=dict)

    @staticmethod
    def _add(table: dict[str, Any], key: str, value: Any, what: str) -> None:
        if key in table:
            raise AlreadyRegistered(f"A {what} is already registered as {key!r}.")
        table[key] = value

    # --- Panels on the place home -----------------------------------------------------------

    def register_panel(
        self,
        key: str,
        *,
        title: str,
        template: str,
        context: Callable[[HttpRequest, Place], Mapping[str, Any] | None],
        order: int = 100,
        reader: Callable[[HttpRequest, Place], Any] | None = None,
        reader_parts: tuple[str, ...] = (),
    ) -> Panel:
        panel = Panel(
            key=key,
            title=title,
            template=template,
            context=context,
            order=order,
            reader=reader,
            reader_parts=reader_parts,
        )
        self._add(self.panels_by_key, key, panel, "panel")
        return panel

    def panels(self) -> list[Panel]:
        return sorted(self.panels_by_key.values(), key=lambda p: (p.order, p.key))

    def reader_parts(self) -> list[str]:
        """The kept parts the panels' ``reader`` functions read."""
        return [name for panel in self.panels() for name in panel.reader_parts]

    def render_panels(self, request: HttpRequest, place: Place) -> list[dict[str, Any]]:
        """Each panel rendered to HTML, in order; panels whose context is None are left out.

        A panel's template gets its own context plus ``place``, ``panel`` and ``request``. The
        panels that say what they depend on about the reader are kept together, in one part of
        the place's (one read of the cache), under what each said.
        """
        from .parts import place_part, reader_digest

        def render(panel: Panel) -> str | None:
            context = panel.context(request, place)
            if context is None:
                return None
            return render_to_string(
                panel.template, {**context, "place": place, "panel": panel}, request=request
            )

        panels = self.panels()
        keepable = [p for p in panels if p.reader is not None]
        digest = reader_digest(*((p.key, p.reader(request, place)) for p in keepable))  # type: ignore[misc]
        kept = place_part(place, f"panels:{digest}", lambda: {p.key: render(p) for p in keepable})
        rendered = []
        for panel in panels:
            html = kept[panel.key] if panel.key in kept else render(panel)
            if html is not None:  # None: left out for this reader
                # Kept panels are our own renderings, escaped when they were made.
                rendered.append({"panel": panel, "html": mark_safe(html)})  # noqa: S308
        return rendered

    # --- Flaggable content ------------------------------------------------------------------

    def register_flaggable(self, kind: FlaggableKind) -> FlaggableKind:
        self._add(self.flaggables_by_key, kind.key, kind, "flaggable kind")
        return kind

    def flaggable(self, key: str) -> FlaggableKind:
        try:
            return self.flaggables_by_key[key]
        except KeyError:
            raise NotRegistered(key) from None

    def flaggables(self) -> list[FlaggableKind]:
        return list(self.flaggables_by_key.values())

    def flaggable_for_model(self, model: type[models.Model]) -> FlaggableKind | None:
        for kind in self.flaggables_by_key.values():
            if kind.model is model:
                return kind
        return None

    # --- Digest sections and activity kinds -------------------------------------------------

    def register_digest_section(
        self,
        key: str,
        *,
        title: str,
        activity_kinds: Iterable[str],
        order: int = 100,
        group: Callable[[Any], str] | None = None,
        upcoming: Callable[[Any, Any], list[Any]] | None = None,
    ) -> DigestSection:
        section = DigestSection(
            key=key,
            title=title,
            activity_kinds=tuple(activity_kinds),
            order=order,
            group=group,
            upcoming=upcoming,
        )
        self._add(self.digest_sections_by_key, key, section, "digest section")
        return section

    def digest_sections(self) -> list[DigestSection]:
        return sorted(self.digest_sections_by_key.values(), key=lambda s: (s.order, s.key))

    def register_activity_kind(self, kind: str, label: str) -> None:
        """The words the timeline filter uses for an activity ``kind`` ("Gatherings")."""
        self._add(self.activity_kinds, kind, label, "activity kind")

    def activity_kind_label(self, kind: str) -> str:
        return self.activity_kinds.get(kind) or kind.replace("_", " ").capitalize()

    # --- Scoped visibility ------------------------------------------------------------------

    def register_scope(
        self,
        key: str,
        check: Callable[[Any, Place, str], bool],
        *,
        audience: Callable[[Place, str, list[int]], set[int]] | None = None,
    ) -> ScopeCheck:
        scope = ScopeCheck(key=key, check=check, audience=audience)
        self._add(self.scope_checks, key, scope, "scope check")
        return scope

    def can_see_scope(self, user: Any, place: Place, scope: str) -> bool:
        """Whether the user may see items scoped to ``scope`` (``"cycle:42"``).

        An unknown scope kind, or a malformed scope, is hidden: when in doubt, show less.
        """
        key, _, scope_id = scope.partition(":")
        check = self.scope_checks.get(key)
        if check is None or not scope_id:
            return False
        return bool(check.check(user, place, scope_id))

    def scope_audience(self, place: Place, scope: str, users: list[Any]) -> set[int]:
        """The ids of ``users`` who may see items scoped to ``scope`` (for digests).

        One call of the registered ``audience`` when there is one; otherwise ``check`` once per
        person (which may cost a query each: register an ``audience`` to keep digests batched).
        """
        key, _, scope_id = scope.partition(":")
        check = self.scope_checks.get(key)
        if check is None or not scope_id:
            return set()
        if check.audience is not None:
            return set(check.audience(place, scope_id, [u.pk for u in users]))
        return {u.pk for u in users if check.check(u, place, scope_id)}

    # --- Demo seeders -----------------------------------------------------------------------

    def register_demo_seeder(self, key: str, seeder: Callable[[Place, Any], None]) -> None:
        """``seeder(place, result)`` adds the app's demo content to the demo place; idempotent."""
        self._add(self.demo_seeders, key, seeder, "demo seeder")

    def run_demo_seeders(self, place: Place, result: Any) -> None:
        for key in sorted(self.demo_seeders):
            self.demo_seeders[key](place, result)

    # --- Data rights ------------------------------------------------------------------------

    def register_data_handler(
        self,
        key: str,
        *,
        export: Callable[[Any], dict[str, Any]] | None = None,
        erase: Callable[[Any], None] | None = None,
        redact: Callable[[Any, Any], None] | None = None,
        purge: Callable[[Any], dict[str, int]] | None = None,
        models: Iterable[str] = (),
    ) -> DataHandler:
        handler = DataHandler(
            key=key,
            export=export,
            erase=erase,
            redact=redact,
            purge=purge,
            models=tuple(label.lower() for label in models),
        )
        self._add(self.data_handlers, key, handler, "data handler")
        return handler

    def export_for(self, user: Any) -> dict[str, Any]:
        """Every app's export for the person, keyed by the handler's key."""
        return {
            key: handler.export(user)
            for key, handler in sorted(self.data_handlers.items())
            if handler.export is not None
        }

    def erase_for(self, user: Any) -> None:
        for _, handler in sorted(self.data_handlers.items()):
            if handler.erase is not None:
                handler.erase(user)

    def redact_for(self, user: Any, place: Any = None) -> None:
        """Every app's redaction of the person's contributions (in ``place``, or everywhere)."""
        for _, handler in sorted(self.data_handlers.items()):
            if handler.redact is not None:
                handler.redact(user, place)

    def purge_for(self, now: Any) -> dict[str, int]:
        """Every app's retention purge; the counts of rows deleted, keyed ``"<key>.<what>"``."""
        counts: dict[str, int] = {}
        for key, handler in sorted(self.data_handlers.items()):
            if handler.purge is not None:
                for what, count in handler.purge(now).items():
                    counts[f"{key}.{what}"] = count
        return counts

    def data_models(self) -> set[str]:
        """The model labels (lower case) some handler with an export and an erase accounts for."""
        return {
            label
            for handler in self.data_handlers.values()
            if handler.export is not None and handler.erase is not None
            for label in handler.models
        }


registry = Registry()
