"""The Django admin for the community fund (imported by ``governance.admin``).

Money records are read-only here: awards and results are written only by the round's close
(``governance.funds.round_close``), and the database refuses awards beyond the pot anyway.
Nothing can be deleted from the admin. Points are not shown at all: while a round is open
nobody, staff included, sees anyone else's points.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .fund_models import Award, Fund, Idea, IdeaComment, Round, RoundResult


class _NoDelete(admin.ModelAdmin):
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class _ReadOnly(_NoDelete):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RoundInline(admin.TabularInline):
    model = Round
    extra = 0
    can_delete = False
    fields = [
        "number",
        "pot",
        "ideas_open_at",
        "ideas_close_at",
        "allocation_opens_at",
        "allocation_closes_at",
        "points_per_member",
        "electorate_fixed_at",
        "closed_at",
    ]
    readonly_fields = ["electorate_fixed_at", "closed_at"]


@admin.register(Fund)
class FundAdmin(_NoDelete):
    list_display = ["name", "place", "pot", "funder_name", "funder_org_id", "created_at"]
    search_fields = ["name", "funder_name", "funder_org_id", "place__name"]
    raw_id_fields = ["place", "created_by"]
    inlines = [RoundInline]


@admin.register(Idea)
class IdeaAdmin(_ReadOnly):
    list_display = ["title", "round", "proposer", "amount", "created_at", "hidden_at"]
    list_filter = ["round__fund"]
    search_fields = ["title", "description", "organisation_name"]


@admin.register(IdeaComment)
class IdeaCommentAdmin(_ReadOnly):
    list_display = ["idea", "author", "created_at", "hidden_at"]
    search_fields = ["text"]


@admin.register(Award)
class AwardAdmin(_ReadOnly):
    list_display = ["idea", "amount", "recipient_name", "recipient_org_id", "awarded_on"]
    list_filter = ["round__fund"]


@admin.register(RoundResult)
class RoundResultAdmin(_ReadOnly):
    list_display = ["round", "computed_at", "allocators", "electorate", "awarded_total"]
