from __future__ import annotations

from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "places"
    verbose_name = "Places"

    def ready(self) -> None:
        # places registers its own panels and flaggable content through the same registry the
        # later apps use from their ready() (see places/registry.py).
        from .digests import register as register_rhythm
        from .gatherings import register as register_gatherings
        from .registry import registry

        register_gatherings(registry)
        register_rhythm(registry)  # digest sections for people and coming up; unsubscribe topics
