"""Top-level addresses. Bookmarks and posters rely on /, /support/, /check/, /report/,
/my-report/, /staff/ and /api/v1/, so those stay stable."""

from django.urls import include, path

from waypoint.accounts.admin_site import admin_site

urlpatterns = [
    path("", include("waypoint.hub.urls")),
    path("", include("waypoint.reporting.urls")),
    path("staff/admin/", admin_site.urls),
    path("staff/content/", include("waypoint.hub.staff_urls")),
    path("", include("waypoint.safety.urls")),
    path("staff/", include("waypoint.casework.urls")),
    path("staff/", include("waypoint.accounts.urls")),
    path("accounts/", include("waypoint.accounts.allauth_urls")),
]
