from __future__ import annotations

from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "learning"
    verbose_name = "Learning"

    def ready(self) -> None:
        # Learning adds its panel, flaggable entries, digest section, cycle scope and demo
        # content to places through the registry; places never imports learning.
        from places.registry import registry

        from .registry_hooks import register

        register(registry)
