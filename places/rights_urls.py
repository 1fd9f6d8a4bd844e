"""Site-wide URLs of people's data (a person's own: "Your data", "Delete your account"),
mounted at the root by ``relational/urls.py``. Each is classified in the URL permission table
(tests/places/rights_url_rules.py)."""

from __future__ import annotations

from django.urls import path

from .views import rights

urlpatterns = [
    path("settings/data/", rights.data, name="data"),
    # Ends in .json: it is a file (the crawl requests it for its status only).
    path(
        "settings/data/download/<str:token>/data.json", rights.data_download, name="data_download"
    ),
    path("settings/delete/", rights.account_delete, name="account_delete"),
]
