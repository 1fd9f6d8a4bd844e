from __future__ import annotations

from django.apps import AppConfig


class RelationalConfig(AppConfig):
    name = "relational"
    verbose_name = "Relational"
