"""URLs of the community fund, mounted at ``/places/<slug>/funds/`` with the namespace ``funds``.

Every one is classified in the URL permission test (``tests/governance/fund_url_rules.py``).
"""

from __future__ import annotations

from django.urls import path

from . import fund_views as views

app_name = "funds"

urlpatterns = [
    path("", views.fund_list, name="list"),
    path("new/", views.fund_create, name="create"),
    path("<int:fund_id>/", views.fund_detail, name="fund"),
    path("<int:fund_id>/awards.csv", views.awards_csv, name="awards_csv"),
    path("<int:fund_id>/360giving.json", views.awards_360, name="awards_360"),
    path("<int:fund_id>/rounds/new/", views.round_create, name="round_create"),
    path("<int:fund_id>/rounds/<int:round_id>/ideas/new/", views.idea_create, name="idea_create"),
    path("<int:fund_id>/rounds/<int:round_id>/points/", views.allocate, name="allocate"),
    path("<int:fund_id>/ideas/<int:idea_id>/", views.idea_detail, name="idea"),
    path("<int:fund_id>/ideas/<int:idea_id>/edit/", views.idea_edit, name="idea_edit"),
    path("<int:fund_id>/ideas/<int:idea_id>/history/", views.idea_history, name="idea_history"),
    path("<int:fund_id>/ideas/<int:idea_id>/comments/", views.idea_comment, name="idea_comment"),
    path("<int:fund_id>/ideas/<int:idea_id>/join/", views.idea_join, name="idea_join"),
    path("<int:fund_id>/ideas/<int:idea_id>/tie/", views.idea_tie, name="idea_tie"),
    path("<int:fund_id>/awards/<int:award_id>/cycle/", views.award_cycle, name="award_cycle"),
]
