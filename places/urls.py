"""URLs of the places app, mounted at /places/. Every one is classified in the URL
permission table (tests/harness/permissions_table.py)."""

from __future__ import annotations

from django.urls import path

from .views import care, gatherings, home, people, places, rhythm, rights

app_name = "places"

urlpatterns = [
    # Before the <slug> routes: "new" and "invitations" are reserved slugs.
    path("new/", places.place_create, name="create"),
    path("invitations/<str:token>/", people.invitation, name="invitation"),
    # A place and its description. The home page (timeline, panels) is the gatherings work's.
    path("<slug:slug>/", home.home, name="home"),
    path("<slug:slug>/edit/", places.place_edit, name="edit"),
    path("<slug:slug>/power/", places.power_map, name="power_map"),
    # Its people.
    path("<slug:slug>/members/", people.directory, name="directory"),
    # Mention autocomplete, before <membership_id> (not a number, so no clash either way).
    path("<slug:slug>/members/mentions/", rhythm.mention_candidates, name="mention_candidates"),
    path("<slug:slug>/members/<int:membership_id>/", people.member, name="member"),
    path("<slug:slug>/members/<int:membership_id>/role/", people.member_role, name="member_role"),
    path(
        "<slug:slug>/members/<int:membership_id>/remove/",
        people.member_remove,
        name="member_remove",
    ),
    path(
        "<slug:slug>/members/<int:membership_id>/withdraw-consent/",
        rights.consent_withdraw,
        name="consent_withdraw",
    ),
    path("<slug:slug>/join/", people.join, name="join"),
    path("<slug:slug>/leave/", people.leave, name="leave"),
    path("<slug:slug>/me/perspectives/", people.my_perspectives, name="my_perspectives"),
    path("<slug:slug>/requests/", people.join_requests, name="requests"),
    path(
        "<slug:slug>/requests/<int:request_id>/",
        people.join_request_decide,
        name="request_decide",
    ),
    path("<slug:slug>/invite/", people.invite, name="invite"),
    path(
        "<slug:slug>/invitations/<int:invitation_id>/",
        people.invitation_manage,
        name="invitation_manage",
    ),
    path("<slug:slug>/interests/new/", people.interest_declare, name="interest_declare"),
    path(
        "<slug:slug>/interests/<int:interest_id>/withdraw/",
        people.interest_withdraw,
        name="interest_withdraw",
    ),
    path("<slug:slug>/power/new/", people.power_declare, name="power_declare"),
    path(
        "<slug:slug>/power/<int:power_id>/withdraw/",
        people.power_withdraw,
        name="power_withdraw",
    ),
    # Gatherings and calendars.
    path("<slug:slug>/gatherings/", gatherings.gathering_list, name="gatherings"),
    path("<slug:slug>/gatherings/new/", gatherings.gathering_new, name="gathering_new"),
    path("<slug:slug>/gatherings/<int:pk>/", gatherings.gathering_detail, name="gathering"),
    path("<slug:slug>/gatherings/<int:pk>/edit/", gatherings.gathering_edit, name="gathering_edit"),
    path(
        "<slug:slug>/gatherings/<int:pk>/cancel/",
        gatherings.gathering_cancel,
        name="gathering_cancel",
    ),
    path(
        "<slug:slug>/gatherings/<int:pk>/answer/",
        gatherings.gathering_answer,
        name="gathering_answer",
    ),
    path(
        "<slug:slug>/gatherings/<int:pk>/notes/",
        gatherings.gathering_notes,
        name="gathering_notes",
    ),
    path(
        "<slug:slug>/gatherings/<int:pk>/gathering.ics",
        gatherings.gathering_ics,
        name="gathering_ics",
    ),
    path("<slug:slug>/calendar/", gatherings.calendar_page, name="calendar"),
    path("<slug:slug>/calendar.ics", gatherings.calendar_feed, name="calendar_feed"),
    path(
        "<slug:slug>/calendar/renew/",
        gatherings.calendar_token_renew,
        name="calendar_token_renew",
    ),
    path(
        "<slug:slug>/calendar/revoke/",
        gatherings.calendar_token_revoke,
        name="calendar_token_revoke",
    ),
    path(
        "<slug:slug>/calendar/<slug:token>.ics",
        gatherings.calendar_feed_private,
        name="calendar_feed_private",
    ),
    # Care for the space: house rules, flags, hiding.
    path("<slug:slug>/house-rules/", care.house_rules, name="house_rules"),
    path("<slug:slug>/house-rules/edit/", care.house_rules_edit, name="house_rules_edit"),
    path("<slug:slug>/flag/<slug:kind>/<int:object_id>/", care.flag_new, name="flag_new"),
    path("<slug:slug>/flags/", care.flag_queue, name="flags"),
    path("<slug:slug>/flags/<int:pk>/", care.flag_detail, name="flag"),
    path("<slug:slug>/flags/<int:pk>/hide/", care.flag_hide, name="flag_hide"),
    path("<slug:slug>/flags/<int:pk>/dismiss/", care.flag_dismiss, name="flag_dismiss"),
    path(
        "<slug:slug>/hidden/<slug:kind>/<int:object_id>/",
        care.content_unhide,
        name="content_unhide",
    ),
    # Email from the place that could not be delivered (stewards).
    path("<slug:slug>/mail/failed/", rhythm.failed_mail, name="failed_mail"),
    path(
        "<slug:slug>/mail/failed/<int:message_id>/retry/",
        rhythm.failed_mail_retry,
        name="failed_mail_retry",
    ),
]
