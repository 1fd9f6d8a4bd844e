from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from places.views.rights import privacy as privacy_notice

from . import bench_views, views
from .api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # The page benchmark's two references (bench/pages.py): read-only, public data only.
    path("_bench/text", bench_views.text, name="bench_text"),
    path("_bench/table", bench_views.table, name="bench_table"),
    path("api/v1/", api.urls),  # read-only JSON API; schema at /api/v1/openapi.json
    path("places/", include("places.urls")),
    # Governance: a place's decision log and decisions at /places/<slug>/decisions/….
    path("places/<slug:slug>/decisions/", include("governance.urls")),
    # The community fund: a place's funds, rounds, ideas and awards at /places/<slug>/funds/….
    path("places/<slug:slug>/funds/", include("governance.fund_urls")),
    # Learning: a place's cycles at /places/<slug>/cycles/…, the library at /learning/.
    path("", include("learning.urls")),
    path("", include("places.rhythm_urls")),  # notifications, email preferences, unsubscribe
    path("", include("places.rights_urls")),  # people's data: download, delete the account
    path("privacy/", privacy_notice, name="privacy"),  # with the retention periods in force
    path(
        "accessibility/",
        TemplateView.as_view(template_name="pages/accessibility.html"),
        name="accessibility",
    ),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "relational.views.permission_denied"
handler404 = "relational.views.page_not_found"
handler500 = "relational.views.server_error"
handler429 = "relational.views.rate_limit_exceeded"  # read by allauth's rate limits
