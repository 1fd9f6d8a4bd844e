"""Site-wide URLs of the rhythm (notifications, email preferences, unsubscribe), mounted at the
root by ``relational/urls.py``. Each is classified in tests/harness/permissions_table.py."""

from __future__ import annotations

from django.urls import path

from .views import rhythm

urlpatterns = [
    path("notifications/", rhythm.notification_list, name="notifications"),
    path("notifications/badge/", rhythm.notifications_badge, name="notifications_badge"),
    path("notifications/read/", rhythm.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/", rhythm.notification_open, name="notification_open"),
    path("notifications/<int:pk>/read/", rhythm.notification_read, name="notification_read"),
    path("settings/email/", rhythm.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", rhythm.unsubscribe_view, name="unsubscribe"),
]
