from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from places.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Load the demo place and its people (idempotent). Refuses to run with DEBUG off."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo only runs with DEBUG on: every demo account shares one password."
            )
        result = seed_demo()
        self.stdout.write(f"Demo data ready ({result.created} new accounts).")
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for email, note in result.accounts:
            self.stdout.write(f"  {email:<45} {note}")
