"""URLs of the learning app, mounted at the site's root so that a place's cycles sit under the
place (``/places/<slug>/cycles/<id>/``) and the library at ``/learning/``. Every one is
classified in the URL permission table (tests/harness/permissions_table.py)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

from . import views

app_name = "learning"

cycle_patterns: list[URLPattern | URLResolver] = [
    path("", views.cycle, name="cycle"),
    path("edit/", views.cycle_edit, name="cycle_edit"),
    path("move/", views.cycle_move, name="cycle_move"),
    path("join/", views.cycle_join, name="cycle_join"),
    path("requests/", views.join_requests, name="join_requests"),
    path("links/new/", views.cycle_link, name="cycle_link"),
    path("entries/new/", views.entry_new, name="entry_new"),
    path("entries/<int:entry_id>/", views.entry, name="entry"),
    path("entries/<int:entry_id>/edit/", views.entry_edit, name="entry_edit"),
    path("measures/new/", views.cycle_measure_new, name="cycle_measure_new"),
    path("prompts/<int:delivery_id>/", views.prompt_in_app, name="prompt_in_app"),
]

place_patterns: list[URLPattern | URLResolver] = [
    path("cycles/", views.cycle_list, name="cycles"),
    path("cycles/new/", views.cycle_create, name="cycle_create"),
    path("cycles/<int:pk>/", include(cycle_patterns)),
    path("measures/", views.measures, name="measures"),
    path("measures/new/", views.measure_new, name="measure_new"),
    path("measures/<int:pk>/", views.measure, name="measure"),
    path("measures/<int:pk>/readings/new/", views.reading_new, name="reading_new"),
    path("prompt-questions/", views.prompt_questions, name="prompt_questions"),
    path(
        "prompt-questions/<int:question_id>/active/",
        views.prompt_question_retire,
        name="prompt_question_toggle",
    ),
]

urlpatterns = [
    path("places/<slug:slug>/", include(place_patterns)),
    path("learning/", views.library, name="library"),
    path("learning/prompts/<str:token>/", views.prompt_answer, name="prompt_answer"),
]
