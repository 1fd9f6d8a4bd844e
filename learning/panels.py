"""Sections other apps add to a learning cycle's page, so learning never imports them.

Governance registers "Decisions it informed" here (the reverse side of its evidence relation).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from .models import LearningCycle


@dataclass(frozen=True)
class CyclePanel:
    key: str
    template: str  # rendered with ``cycle`` and ``request``
    order: int = 100


_panels: dict[str, CyclePanel] = {}


def register_cycle_panel(panel: CyclePanel) -> CyclePanel:
    _panels[panel.key] = panel
    return panel


def render_cycle_panels(request: HttpRequest, cycle: LearningCycle) -> list[SafeString]:
    return [
        render_to_string(panel.template, {"cycle": cycle}, request=request)
        for panel in sorted(_panels.values(), key=lambda p: (p.order, p.key))
    ]
