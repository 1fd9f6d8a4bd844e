"""Sections other apps add to a learning cycle's page, so learning never imports them.

Governance registers "Decisions it informed" here (the reverse side of its evidence relation).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from places.parts import place_part

from .models import LearningCycle


@dataclass(frozen=True)
class CyclePanel:
    key: str
    template: str  # rendered with ``cycle`` and ``request``
    order: int = 100
    #: True for a panel that reads the same for everyone who may see the cycle: kept rendered
    #: under the place's page version (places.parts), whose triggers also follow what links
    #: the cycle to other places.
    same_for_everyone: bool = False


_panels: dict[str, CyclePanel] = {}


def register_cycle_panel(panel: CyclePanel) -> CyclePanel:
    _panels[panel.key] = panel
    return panel


def _part(cycle: LearningCycle, panel: CyclePanel) -> str:
    return f"cycle-panel:{cycle.pk}:{panel.key}:{translation.get_language()}"


def cycle_panel_parts(cycle: LearningCycle) -> list[str]:
    """The kept parts :func:`render_cycle_panels` reads, for reading them ahead (fetch_parts)."""
    return [_part(cycle, panel) for panel in _panels.values() if panel.same_for_everyone]


def render_cycle_panels(request: HttpRequest, cycle: LearningCycle) -> list[SafeString]:
    rendered = []
    for panel in sorted(_panels.values(), key=lambda p: (p.order, p.key)):
        render = partial(_render, panel, cycle, request)
        if panel.same_for_everyone:
            part = _part(cycle, panel)
            rendered.append(mark_safe(place_part(cycle.place, part, render)))  # noqa: S308
        else:
            rendered.append(mark_safe(render()))  # noqa: S308 - render_to_string's own output
    return rendered


def _render(panel: CyclePanel, cycle: LearningCycle, request: HttpRequest) -> str:
    return str(render_to_string(panel.template, {"cycle": cycle}, request=request))
