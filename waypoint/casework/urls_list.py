"""The case list: search across cases, bulk actions, claim previews.

Included by casework/urls.py under the same "casework" namespace.
"""

from django.urls import URLPattern, path

from waypoint.casework.views import bulk, inbox, search

urlpatterns: list[URLPattern] = [
    path("cases/search/", search.search_view, name="search"),
    path("cases/bulk/", bulk.bulk_view, name="bulk"),
    path("cases/<uuid:case_id>/preview/", inbox.preview_view, name="preview"),
]
