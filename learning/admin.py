"""The Django admin for learning: every model, with useful columns and search."""

from __future__ import annotations

from django.contrib import admin

from .models import (
    CycleJoinRequest,
    CycleLink,
    CycleParticipant,
    Entry,
    EntryVersion,
    LearningCycle,
    Measure,
    PromptDelivery,
    PromptQuestion,
    Reading,
)


class ParticipantInline(admin.TabularInline):
    model = CycleParticipant
    fk_name = "cycle"
    extra = 0
    raw_id_fields = ["user", "added_by"]


@admin.register(LearningCycle)
class LearningCycleAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "place",
        "status",
        "horizon",
        "relationship_level",
        "rhythm",
        "created_at",
    ]
    list_filter = ["status", "horizon", "relationship_level", "rhythm", "scale"]
    search_fields = ["title", "question", "intent", "learned", "place__name"]
    raw_id_fields = ["place", "created_by"]
    filter_horizontal = ["missions"]
    readonly_fields = ["created_at", "updated_at", "testing_started_at", "closed_at"]
    exclude = ["search_vector"]
    inlines = [ParticipantInline]
    date_hierarchy = "created_at"


@admin.register(CycleParticipant)
class CycleParticipantAdmin(admin.ModelAdmin):
    list_display = ["user", "cycle", "joined_at"]
    search_fields = ["user__display_name", "user__email", "cycle__title"]
    raw_id_fields = ["cycle", "user", "added_by"]


@admin.register(CycleJoinRequest)
class CycleJoinRequestAdmin(admin.ModelAdmin):
    list_display = ["user", "cycle", "status", "created_at", "decided_by"]
    list_filter = ["status"]
    search_fields = ["user__display_name", "cycle__title"]
    raw_id_fields = ["cycle", "user", "decided_by"]


@admin.register(CycleLink)
class CycleLinkAdmin(admin.ModelAdmin):
    list_display = ["from_cycle", "kind", "to_cycle", "created_at"]
    list_filter = ["kind"]
    search_fields = ["from_cycle__title", "to_cycle__title"]
    raw_id_fields = ["from_cycle", "to_cycle", "created_by"]


class VersionInline(admin.TabularInline):
    model = EntryVersion
    extra = 0
    can_delete = False
    fields = ("number", "body", "visibility", "written_at", "replaced_at", "replaced_by")
    readonly_fields = fields


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "author", "visibility", "world", "created_at", "hidden_at"]
    list_filter = ["kind", "visibility", "world", "swimlane"]
    search_fields = ["body", "told_by", "author__display_name", "cycle__title"]
    raw_id_fields = ["cycle", "author", "reading", "prompt", "hidden_by"]
    filter_horizontal = ["sources"]
    readonly_fields = ["created_at", "edited_at", "version_count"]
    inlines = [VersionInline]
    date_hierarchy = "created_at"


@admin.register(EntryVersion)
class EntryVersionAdmin(admin.ModelAdmin):
    list_display = ["entry", "number", "replaced_at", "replaced_by"]
    search_fields = ["body"]
    raw_id_fields = ["entry", "replaced_by"]


class ReadingInline(admin.TabularInline):
    model = Reading
    extra = 0
    raw_id_fields = ["recorded_by"]


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ["name", "place", "cycle", "kind", "better", "unit"]
    list_filter = ["kind", "better"]
    search_fields = ["name", "place__name", "cycle__title"]
    raw_id_fields = ["place", "cycle", "created_by"]
    inlines = [ReadingInline]


@admin.register(Reading)
class ReadingAdmin(admin.ModelAdmin):
    list_display = ["measure", "value", "date", "recorded_by"]
    search_fields = ["measure__name", "note"]
    raw_id_fields = ["measure", "recorded_by"]
    date_hierarchy = "date"


@admin.register(PromptQuestion)
class PromptQuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "place", "active", "created_at"]
    list_filter = ["active"]
    search_fields = ["text", "place__name"]
    raw_id_fields = ["place", "created_by"]


@admin.register(PromptDelivery)
class PromptDeliveryAdmin(admin.ModelAdmin):
    list_display = ["user", "cycle", "period_key", "created_at", "expires_at", "answered_at"]
    list_filter = ["answered_at"]
    search_fields = ["user__display_name", "user__email", "cycle__title", "period_key"]
    raw_id_fields = ["cycle", "user", "question"]
    readonly_fields = ["nonce", "email_key", "created_at"]
