from __future__ import annotations

from django.contrib import admin

from .models import (
    RSVP,
    CalendarFeedToken,
    ConsentWithdrawal,
    DataExport,
    Digest,
    DigestPreference,
    Flag,
    Gathering,
    Hiding,
    Interest,
    Invitation,
    JoinRequest,
    Membership,
    Mention,
    Mission,
    Notification,
    NotificationPreference,
    OutboxMessage,
    Place,
    Power,
)


class OutboxStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):  # type: ignore[no-untyped-def]
        return [
            ("failed", "Failed (every try used)"),
            ("waiting", "Waiting or being retried"),
            ("sent", "Sent"),
        ]

    def queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        if self.value() == "failed":
            return queryset.filter(sent_at__isnull=True, failed_at__isnull=False)
        if self.value() == "waiting":
            return queryset.filter(sent_at__isnull=True, failed_at__isnull=True)
        if self.value() == "sent":
            return queryset.filter(sent_at__isnull=False)
        return queryset


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Every email the platform owes. Failed account mail (sign-in codes, password resets: no
    place) is found here with the filters "state: failed" and "place: none"."""

    list_display = [
        "subject",
        "recipients",
        "kind",
        "place",
        "state",
        "created_at",
        "due_at",
        "sent_at",
        "failed_at",
        "attempts",
    ]
    list_filter = [OutboxStateFilter, "kind", ("place", admin.EmptyFieldListFilter), "place"]
    list_select_related = ["place"]
    search_fields = ["subject", "to", "key"]
    raw_id_fields = ["place", "recipient"]
    readonly_fields = ["key", "created_at", "sent_at", "failed_at", "attempts", "last_error"]
    actions = ["try_again"]

    @admin.display(description="to")
    def recipients(self, obj: OutboxMessage) -> str:
        return ", ".join(obj.to)

    @admin.display(description="state")
    def state(self, obj: OutboxMessage) -> str:
        return obj.state

    @admin.action(description="Try the selected failed emails again")
    def try_again(self, request, queryset):  # type: ignore[no-untyped-def]
        from .outbox import retry_failed

        rows = list(queryset.filter(sent_at__isnull=True, failed_at__isnull=False))
        for row in rows:
            retry_failed(row)
        self.message_user(request, f"{len(rows)} email(s) will be tried again.")


# --- Places and their people -------------------------------------------------------------------


class MissionInline(admin.TabularInline):
    model = Mission
    extra = 0
    fields = ["position", "text"]


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "visibility", "join_policy", "member_count", "created_at"]
    list_filter = ["visibility", "join_policy"]
    search_fields = ["name", "slug", "summary"]
    readonly_fields = ["slug", "created_at", "updated_at", "created_by"]
    inlines = [MissionInline]

    @admin.display(description="members")
    def member_count(self, obj: Place) -> int:
        return obj.memberships.count()


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "place", "role", "perspective_list", "joined_at"]
    list_filter = ["role", "place"]
    search_fields = ["user__display_name", "user__email", "place__name"]
    list_select_related = ["user", "place"]
    raw_id_fields = ["user", "place"]

    @admin.display(description="perspectives")
    def perspective_list(self, obj: Membership) -> str:
        return ", ".join(obj.perspective_labels())


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "place", "role", "invited_by", "state", "created_at", "expires_at"]
    list_filter = ["role", "place", "accepted_at", "revoked_at"]
    search_fields = ["email", "place__name", "invited_by__display_name"]
    list_select_related = ["place", "invited_by"]
    raw_id_fields = ["place", "invited_by", "accepted_by"]
    readonly_fields = ["nonce", "created_at", "sent_at", "accepted_at", "accepted_by"]

    @admin.display(description="state")
    def state(self, obj: Invitation) -> str:
        return str(obj.state.label)


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin):
    list_display = ["user", "place", "status", "created_at", "decided_by", "decided_at"]
    list_filter = ["status", "place"]
    search_fields = ["user__display_name", "user__email", "place__name", "message"]
    list_select_related = ["user", "place", "decided_by"]
    raw_id_fields = ["user", "place", "decided_by"]


@admin.register(Interest)
class InterestAdmin(admin.ModelAdmin):
    list_display = ["user", "place", "kind", "description", "since", "declared_at", "withdrawn_at"]
    list_filter = ["kind", "place", "withdrawn_at"]
    search_fields = ["description", "user__display_name", "place__name"]
    list_select_related = ["user", "place"]
    raw_id_fields = ["user", "place"]


@admin.register(Power)
class PowerAdmin(admin.ModelAdmin):
    list_display = ["user", "place", "kind", "description", "amount", "declared_at", "withdrawn_at"]
    list_filter = ["kind", "place", "withdrawn_at"]
    search_fields = ["description", "user__display_name", "place__name"]
    list_select_related = ["user", "place"]
    raw_id_fields = ["user", "place"]


# --- Gatherings, calendars and care for the space ----------------------------------------------


class RSVPInline(admin.TabularInline):
    model = RSVP
    extra = 0
    fields = ["user", "answer", "answered_at"]
    raw_id_fields = ["user"]


@admin.register(Gathering)
class GatheringAdmin(admin.ModelAdmin):
    list_display = ["title", "place", "kind", "starts_at", "status", "sequence", "organiser"]
    list_filter = ["kind", "status", "place"]
    search_fields = ["title", "purpose", "location", "place__name", "organiser__display_name"]
    list_select_related = ["place", "organiser"]
    raw_id_fields = ["place", "organiser", "notes_recorded_by", "hidden_by"]
    filter_horizontal = ["attendees"]
    date_hierarchy = "starts_at"
    # Hiding goes through the stewards' queue so that it is told and recorded; not edited here.
    readonly_fields = [
        "sequence",
        "created_at",
        "updated_at",
        "hidden_at",
        "hidden_reason",
        "hidden_by",
    ]
    inlines = [RSVPInline]


@admin.register(RSVP)
class RSVPAdmin(admin.ModelAdmin):
    list_display = ["user", "gathering", "answer", "answered_at"]
    list_filter = ["answer"]
    search_fields = ["user__display_name", "user__email", "gathering__title"]
    list_select_related = ["user", "gathering"]
    raw_id_fields = ["user", "gathering"]


@admin.register(CalendarFeedToken)
class CalendarFeedTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "place", "created_at", "revoked_at", "last_used_at"]
    list_filter = ["place", "revoked_at"]
    search_fields = ["user__display_name", "user__email", "place__name"]
    list_select_related = ["user", "place"]
    raw_id_fields = ["user", "place"]
    # The token is a password for a calendar: never shown here.
    exclude = ["token"]
    readonly_fields = ["created_at", "last_used_at"]


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = [
        "kind",
        "object_id",
        "place",
        "status",
        "flagged_by",
        "created_at",
        "resolved_by",
    ]
    list_filter = ["status", "kind", "place"]
    search_fields = ["excerpt", "reason", "house_rule", "flagged_by__display_name", "place__name"]
    list_select_related = ["place", "flagged_by", "resolved_by"]
    raw_id_fields = ["place", "flagged_by", "resolved_by"]
    readonly_fields = ["kind", "object_id", "excerpt", "created_at"]


@admin.register(Hiding)
class HidingAdmin(admin.ModelAdmin):
    """The history of hiding is append-only: readable here, never changed or deleted."""

    list_display = ["created_at", "place", "kind", "object_id", "action", "by", "reason"]
    list_filter = ["action", "kind", "place"]
    search_fields = ["reason", "by__display_name", "place__name"]
    list_select_related = ["place", "by"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


# --- The rhythm: notifications, mentions, digests ---------------------------------------------


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["text", "recipient", "kind", "place", "created_at", "read_at"]
    list_filter = ["kind", "read_at", "place"]
    search_fields = ["text", "recipient__display_name", "recipient__email"]
    list_select_related = ["recipient", "place"]
    raw_id_fields = ["recipient", "actor", "place"]
    readonly_fields = ["key", "created_at"]


@admin.register(Mention)
class MentionAdmin(admin.ModelAdmin):
    list_display = ["user", "by", "place", "source_key", "created_at"]
    list_filter = ["place"]
    search_fields = ["user__display_name", "by__display_name", "source_key"]
    list_select_related = ["user", "by", "place"]
    raw_id_fields = ["user", "by", "place", "membership"]


@admin.register(DigestPreference)
class DigestPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "place", "frequency", "updated_at"]
    list_filter = ["frequency", "place"]
    search_fields = ["user__display_name", "user__email", "place__name"]
    list_select_related = ["user", "place"]
    raw_id_fields = ["user", "place"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "email", "updated_at"]
    search_fields = ["user__display_name", "user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    """The once-only record of each digest; read-only (the outbox row with the same key is the
    email itself)."""

    list_display = ["key", "user", "place", "frequency", "period", "items", "created_at"]
    list_filter = ["frequency", "place"]
    search_fields = ["key", "user__display_name", "user__email"]
    list_select_related = ["user", "place"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


# --- People's data (places.rights) --------------------------------------------------------------


@admin.register(DataExport)
class DataExportAdmin(admin.ModelAdmin):
    """Downloads people asked for: read-only (the file itself is only for its person)."""

    list_display = ["id", "user", "status", "requested_at", "ready_at", "expires_at", "size"]
    list_filter = ["status"]
    raw_id_fields = ["user"]
    readonly_fields = [f.name for f in DataExport._meta.fields]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(ConsentWithdrawal)
class ConsentWithdrawalAdmin(admin.ModelAdmin):
    """Stewards' records of withdrawn consent: never changed or deleted."""

    list_display = ["place", "subject_user_id", "by", "created_at"]
    raw_id_fields = ["place", "by"]
    readonly_fields = [f.name for f in ConsentWithdrawal._meta.fields]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
