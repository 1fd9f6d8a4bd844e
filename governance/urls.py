"""URLs of a place's decisions, mounted at /places/<slug>/decisions/. Every one is classified in
the URL permission table (tests/governance/url_rules.py)."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "governance"

urlpatterns = [
    # The decision log, its feed and its download.
    path("", views.log, name="log"),
    path("feed.atom", views.feed, name="feed"),
    path("feed/", views.feed_page, name="feed_page"),
    path("feed/renew/", views.feed_renew, name="feed_renew"),
    path("feed/revoke/", views.feed_revoke, name="feed_revoke"),
    path("feed/<slug:token>.atom", views.feed_private, name="feed_private"),
    path("decisions.csv", views.csv_download, name="csv"),
    # A decision: drafting, moving it on, its people and evidence.
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.decision_detail, name="decision"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/open/", views.open_for_input, name="open"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/revise/", views.revise, name="revise"),
    path("<int:pk>/rescind/", views.rescind, name="rescind"),
    path("<int:pk>/owner/", views.hand_over, name="hand_over"),
    path("<int:pk>/centre-view/", views.centre_view, name="centre_view"),
    path("<int:pk>/evidence/", views.evidence_add, name="evidence_add"),
    path(
        "<int:pk>/evidence/<int:evidence_id>/remove/",
        views.evidence_remove,
        name="evidence_remove",
    ),
    path("<int:pk>/interests/", views.interests, name="interests"),
    path("<int:pk>/dissent/", views.dissent, name="dissent"),
    # Input and response.
    path("<int:pk>/inputs/new/", views.input_new, name="input_new"),
    path("<int:pk>/inputs/<int:input_id>/edit/", views.input_edit, name="input_edit"),
    path("<int:pk>/inputs/<int:input_id>/respond/", views.respond, name="respond"),
    # The record: history and redaction.
    path("<int:pk>/history/", views.history, name="history"),
    path("<int:pk>/redact/", views.redact, name="redact"),
    # Following it through.
    path("<int:pk>/implementation/", views.implementation, name="implementation"),
    path(
        "<int:pk>/implementation/responsible/",
        views.implementation_responsible,
        name="implementation_responsible",
    ),
    path(
        "<int:pk>/implementation/milestones/new/",
        views.milestone_new,
        name="milestone_new",
    ),
    path(
        "<int:pk>/implementation/milestones/<int:milestone_id>/done/",
        views.milestone_done,
        name="milestone_done",
    ),
]
