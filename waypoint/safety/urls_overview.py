"""The lead's overview of open measures, tasks and caseloads (staff, under /staff/).

Included by safety/urls.py under the same "safety" namespace.
"""

from django.urls import URLPattern, path

from waypoint.safety.views import overview

urlpatterns: list[URLPattern] = [
    path("staff/overview/", overview.lead_overview_view, name="lead_overview"),
]
