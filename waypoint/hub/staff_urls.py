"""Content management for administrators, under /staff/content/ (hub/staff_views.py).

Each kind of item (page, campaign, service) has its own "new", "edit" and "history"
addresses, named "<kind>_create", "<kind>_edit" and "<kind>_history".
"""

from django.urls import URLPattern, path

from waypoint.hub import staff_views as views
from waypoint.hub.models import ContentRevision

app_name = "content"

_ITEMS = {
    ContentRevision.Kind.PAGE: "pages",
    ContentRevision.Kind.CAMPAIGN: "campaigns",
    ContentRevision.Kind.SERVICE: "services",
}

urlpatterns: list[URLPattern] = [
    path("", views.content_list_view, name="list"),
    path("review/", views.review_queue_view, name="queue"),
    # POST only: the editor's live preview (content-preview.js).
    path("preview/", views.markdown_preview_view, name="markdown_preview"),
    path("revisions/<uuid:revision_id>/", views.revision_view, name="revision"),
    path("revisions/<uuid:revision_id>/edit/", views.revision_edit_view, name="revision_edit"),
    path(
        "revisions/<uuid:revision_id>/preview/",
        views.revision_preview_view,
        name="revision_preview",
    ),
    path(
        "revisions/<uuid:revision_id>/submit/", views.revision_submit_view, name="revision_submit"
    ),
    path(
        "revisions/<uuid:revision_id>/withdraw/",
        views.revision_withdraw_view,
        name="revision_withdraw",
    ),
    path(
        "revisions/<uuid:revision_id>/restore/",
        views.revision_restore_view,
        name="revision_restore",
    ),
    path(
        "revisions/<uuid:revision_id>/approve/",
        views.revision_approve_view,
        name="revision_approve",
    ),
    path(
        "revisions/<uuid:revision_id>/send-back/",
        views.revision_send_back_view,
        name="revision_send_back",
    ),
]

for _kind, _segment in _ITEMS.items():
    urlpatterns += [
        path(f"{_segment}/new/", views.item_create_view, {"kind": _kind}, name=f"{_kind}_create"),
        path(
            f"{_segment}/<uuid:object_id>/edit/",
            views.item_edit_view,
            {"kind": _kind},
            name=f"{_kind}_edit",
        ),
        path(
            f"{_segment}/<uuid:object_id>/history/",
            views.item_history_view,
            {"kind": _kind},
            name=f"{_kind}_history",
        ),
    ]
