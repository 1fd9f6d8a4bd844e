"""The Django admin for governance: every model, with useful columns and search.

The product deletes nothing (decisions are revised or rescinded); the admin keeps Django's
ordinary powers over live rows (so a place can still be removed whole), while the history
tables and the rewrite log are read-only (the database refuses changes to them anyway).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import (
    Decider,
    DeciderEvent,
    Decision,
    DecisionEvent,
    Dissent,
    Evidence,
    EvidenceEvent,
    FeedToken,
    Implementation,
    Input,
    InputEvent,
    Milestone,
    ProgressUpdate,
    Response,
    ResponseEvent,
    Rewrite,
)


class NoDelete:
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnly(NoDelete):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DeciderInline(admin.TabularInline):
    model = Decider
    extra = 0
    raw_id_fields = ["user", "added_by"]
    readonly_fields = ["stated_at", "no_interest", "interest_ids", "listed_only"]


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["title", "place", "status", "method", "owner", "decided_on", "review_by"]
    list_filter = ["status", "method", "recorded_by_platform"]
    search_fields = ["title", "question", "outcome", "reasoning", "place__name"]
    raw_id_fields = ["place", "owner", "centre_view_by", "supersedes", "created_by"]
    readonly_fields = [
        "version", "created_at", "opened_at", "decided_at", "review_started_at", "closed_at",
        "updated_at",
    ]  # fmt: skip
    inlines = [DeciderInline]
    date_hierarchy = "created_at"


@admin.register(Input)
class InputAdmin(admin.ModelAdmin):
    list_display = ["__str__", "author", "stance", "created_at", "hidden_at"]
    list_filter = ["stance"]
    search_fields = ["text", "decision__title"]
    raw_id_fields = ["decision", "author", "hidden_by"]
    readonly_fields = ["created_at", "edited_at"]


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ["__str__", "author", "disposition", "created_at"]
    list_filter = ["disposition"]
    search_fields = ["text", "input__decision__title"]
    raw_id_fields = ["input", "author"]
    readonly_fields = ["created_at", "edited_at"]


@admin.register(Decider)
class DeciderAdmin(admin.ModelAdmin):
    list_display = ["user", "decision", "listed_only", "stated_at", "no_interest"]
    list_filter = ["listed_only", "no_interest"]
    search_fields = ["user__display_name", "decision__title"]
    raw_id_fields = ["decision", "user", "added_by"]


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ["decision", "cycle", "entry", "note", "added_at"]
    search_fields = ["decision__title", "cycle__title", "note"]
    raw_id_fields = ["decision", "cycle", "entry", "added_by"]


@admin.register(Dissent)
class DissentAdmin(admin.ModelAdmin):
    list_display = ["decision", "author", "as_decider", "created_at"]
    search_fields = ["text", "decision__title"]
    raw_id_fields = ["decision", "author"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(Implementation)
class ImplementationAdmin(admin.ModelAdmin):
    list_display = ["decision", "responsible", "status", "progress", "updated_at"]
    list_filter = ["status"]
    search_fields = ["decision__title"]
    raw_id_fields = ["decision", "responsible"]
    inlines = [MilestoneInline]


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["title", "implementation", "due_on", "done_on"]
    search_fields = ["title", "implementation__decision__title"]
    raw_id_fields = ["implementation"]


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(admin.ModelAdmin):
    list_display = ["implementation", "author", "status", "progress", "created_at"]
    list_filter = ["status"]
    search_fields = ["text", "implementation__decision__title"]
    raw_id_fields = ["implementation", "author"]


@admin.register(FeedToken)
class FeedTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "place", "created_at", "revoked_at", "last_used_at"]
    search_fields = ["user__display_name", "place__name"]
    raw_id_fields = ["place", "user"]
    readonly_fields = ["token", "created_at", "last_used_at"]


# --- History: read-only -----------------------------------------------------------------------


class EventAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["pgh_id", "pgh_label", "pgh_obj", "pgh_created_at", "acting_user"]
    list_filter = ["pgh_label"]
    date_hierarchy = "pgh_created_at"

    @admin.display(description="acting user id")
    def acting_user(self, obj: Any) -> Any:
        context = obj.pgh_context or {}
        return context.get("user") if isinstance(context, dict) else None


admin.site.register(DecisionEvent, EventAdmin)
admin.site.register(InputEvent, EventAdmin)
admin.site.register(ResponseEvent, EventAdmin)
admin.site.register(DeciderEvent, EventAdmin)
admin.site.register(EvidenceEvent, EventAdmin)


@admin.register(Rewrite)
class RewriteAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["kind", "decision", "by_user_id", "subject_user_id", "created_at", "live_rows",
                    "history_rows"]  # fmt: skip
    list_filter = ["kind"]
    search_fields = ["reason"]


from .fund_admin import *  # noqa: E402,F403  (the community fund: governance/fund_admin.py)
