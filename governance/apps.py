from __future__ import annotations

from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "Governance"

    def ready(self) -> None:
        # Governance adds its panel, flaggable inputs, digest section, notification kinds, demo
        # content and data-rights handlers to places through the registry; places never
        # imports governance (and learning never does either).
        from places.registry import registry

        from .registry_hooks import register

        register(registry)

        from .fund_hooks import register as register_fund  # the community fund

        register_fund(registry)
