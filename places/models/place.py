from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone


class Perspective(models.TextChoices):
    """The part of the system a member speaks from."""

    RESIDENT = "resident", "Resident or citizen"
    FRONTLINE = "frontline", "Frontline practitioner"
    MANAGER = "manager", "Manager"
    SENIOR_LEADER = "senior_leader", "Senior leader"
    COMMISSIONER = "commissioner", "Commissioner"
    CENTRE = "centre", "Centre or policy"
    VCS = "vcs", "Voluntary and community sector"
    ELECTED_MEMBER = "elected_member", "Elected member"
    RESEARCHER = "researcher", "Researcher"


class Role(models.TextChoices):
    MEMBER = "member", "Member"
    STEWARD = "steward", "Steward"

    @property
    def can_convene(self) -> bool:
        """Stewards manage the place and its members; members take part."""
        return self == Role.STEWARD


class PlaceVisibility(models.TextChoices):
    PUBLIC = "public", "Public: anyone can read it"
    MEMBERS = "members", "Members only: invisible to everyone else"


class JoinPolicy(models.TextChoices):
    OPEN = "open", "Anyone signed in can join"
    APPROVAL = "approval", "A steward approves each request"
    INVITATION = "invitation", "By invitation only"


# Slugs that would collide with the app's own URLs under /places/.
RESERVED_SLUGS = frozenset({"new", "invitations", "api", "admin", "static", "feeds"})

DEFAULT_HOUSE_RULES = """\
These are the house rules for this place. Stewards can change them to suit it.

1. **Speak from where you stand.** Say which part of the system you see things from, and
   listen for the parts you cannot see.
2. **Be kind and be curious.** Disagree with ideas, not with people. Ask before you assume.
3. **Keep people's stories safe.** Do not share anything that could identify someone who has
   not agreed to it, and never post anyone's contact details.
4. **Declare your interests.** If you work for, are paid by, or run a business with someone
   involved in a discussion or decision, say so in your interests.
5. **No selling, no campaigning for votes, no abuse.** Contributions that break these rules
   may be hidden by a steward, who will always say why.
"""


class PlaceQuerySet(models.QuerySet["Place"]):
    def public(self) -> PlaceQuerySet:
        return self.filter(visibility=PlaceVisibility.PUBLIC)

    def of_member(self, user: object) -> PlaceQuerySet:
        """The places a person belongs to (members-only ones included)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(memberships__user=user)

    def visible_to(self, user: object) -> PlaceQuerySet:
        """Public places, and members-only places the user belongs to."""
        if not getattr(user, "is_authenticated", False):
            return self.public()
        return self.filter(
            Q(visibility=PlaceVisibility.PUBLIC) | Q(memberships__user=user)
        ).distinct()


class Place(models.Model):
    """A learning community's home: its people, missions, gatherings and shared timeline."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    summary = models.CharField(max_length=280)
    description = models.TextField(blank=True, help_text="Markdown; sanitised when shown.")
    visibility = models.CharField(
        max_length=10, choices=PlaceVisibility.choices, default=PlaceVisibility.PUBLIC
    )
    join_policy = models.CharField(
        max_length=12, choices=JoinPolicy.choices, default=JoinPolicy.APPROVAL
    )
    # New places start from DEFAULT_HOUSE_RULES (set by services.place_create).
    house_rules = models.TextField(blank=True, help_text="Markdown; sanitised when shown.")
    stewards_use_two_factor = models.BooleanField(
        default=False,
        help_text="Ask every steward to turn on two-factor authentication for their account.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = PlaceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("places:home", kwargs={"slug": self.slug})

    @property
    def is_public(self) -> bool:
        return self.visibility == PlaceVisibility.PUBLIC


class Mission(models.Model):
    """A shared purpose of the place, in a citizen's words."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="missions")
    text = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text


class MembershipQuerySet(models.QuerySet["Membership"]):
    def stewards(self) -> MembershipQuerySet:
        return self.filter(role=Role.STEWARD)

    def with_perspective(self, perspective: str) -> MembershipQuerySet:
        return self.filter(perspectives__contains=[perspective])


class Membership(models.Model):
    """A person in a place, with the perspectives they speak from and their role."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    perspectives = ArrayField(
        models.CharField(max_length=30, choices=Perspective.choices),
        help_text="One or more parts of the system this member speaks from.",
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(default=timezone.now)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["user__display_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["place", "user"], name="one_membership_per_place"),
            models.CheckConstraint(
                condition=Q(perspectives__len__gt=0), name="membership_has_a_perspective"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.place}"

    @property
    def is_steward(self) -> bool:
        return Role(self.role).can_convene

    def perspective_labels(self) -> list[str]:
        return [Perspective(p).label for p in self.perspectives]
