from __future__ import annotations

from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "places"
    verbose_name = "Places"

    def ready(self) -> None:
        # places registers its own panels and flaggable content through the same registry the
        # later apps use from their ready() (see places/registry.py).
        from . import checks
        from .digests import register as register_rhythm
        from .gatherings import register as register_gatherings
        from .registry import registry
        from .rights import register as register_rights

        register_gatherings(registry)
        register_rhythm(registry)  # digest sections for people and coming up; unsubscribe topics
        register_rights(registry)  # people's data: memberships, email, the account itself
        checks.register()  # places.E010: every model that refers to a person has a data handler
