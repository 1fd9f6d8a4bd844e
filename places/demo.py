"""Demo data: a believable fictional place for newcomers to explore (``manage.py seed_demo``).

Idempotent: running it again finds what is there and adds only what is missing. Later apps add
their own demo content through ``places.registry``'s demo seeders (they run after the place
exists). All demo accounts share one password, which is why the command refuses to run with
``DEBUG`` off.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.db import transaction

from relational.models import User

DEMO_PASSWORD = "relational-demo"
DEMO_DOMAIN = "demo.relational.local"


@dataclass
class DemoResult:
    accounts: list[tuple[str, str]] = field(default_factory=list)  # (email, what they are)
    created: int = 0


def demo_user(email_name: str, display_name: str, result: DemoResult, note: str = "") -> User:
    """Find or create a verified demo account."""
    email = f"{email_name}@{DEMO_DOMAIN}"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=DEMO_PASSWORD, display_name=display_name
        )
        result.created += 1
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    if note:
        result.accounts.append((email, note))
    return user


@transaction.atomic
def seed_demo() -> DemoResult:
    result = DemoResult()
    demo_user("admin", "Site administrator", result, "site administrator (Django admin)")
    User.objects.filter(email=f"admin@{DEMO_DOMAIN}").update(is_staff=True, is_superuser=True)
    return result
