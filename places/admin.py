from __future__ import annotations

from django.contrib import admin

from .models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["subject", "recipients", "created_at", "due_at", "sent_at", "attempts"]
    list_filter = ["sent_at"]
    search_fields = ["subject", "to", "key"]
    readonly_fields = ["key", "created_at", "sent_at", "attempts", "last_error"]

    @admin.display(description="to")
    def recipients(self, obj: OutboxMessage) -> str:
        return ", ".join(obj.to)
