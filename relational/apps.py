from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RelationalConfig(AppConfig):
    name = "relational"
    verbose_name = "Relational"

    def ready(self) -> None:
        from . import pageversions

        # The page cache's triggers follow relational.pageversions.WATCHED after every migrate.
        post_migrate.connect(pageversions.install, sender=self)
