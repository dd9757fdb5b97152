"""Typed work kept across a session time-out (sealed drafts of notes, messages, plan actions).

Included by casework/urls.py under the same "casework" namespace. POST only (views/drafts.py).
"""

from django.urls import URLPattern, path

from waypoint.casework.views import drafts

urlpatterns: list[URLPattern] = [
    path("cases/<uuid:case_id>/drafts/<slug:kind>/", drafts.draft_save_view, name="draft_save"),
    path(
        "cases/<uuid:case_id>/drafts/<slug:kind>/discard/",
        drafts.draft_discard_view,
        name="draft_discard",
    ),
]
