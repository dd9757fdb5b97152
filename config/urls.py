"""Top-level addresses. Bookmarks and posters rely on /, /support/, /check/, /report/,
/my-report/, /staff/ and /api/v1/, so those stay stable."""

from django.conf import settings
from django.urls import URLPattern, URLResolver, include, path

from waypoint.accounts.admin_site import admin_site
from waypoint.casework import urls_reporter as reporter_urls
from waypoint.common.health import healthz_view, readyz_view
from waypoint.reporting import urls as reporting_urls

# Waypoint's own error pages, which never read the request body (waypoint/common/error_views).
handler400 = "waypoint.common.error_views.bad_request"
handler403 = "waypoint.common.error_views.permission_denied"
handler404 = "waypoint.common.error_views.page_not_found"
# allauth answers its rate limits with this one (allauth.core.internal.ratelimit).
handler429 = "waypoint.common.error_views.too_many_requests"
handler500 = "waypoint.common.error_views.server_error"

urlpatterns: list[URLPattern | URLResolver] = [
    # For load balancers (common/health.py, deploy/README.md).
    path("healthz", healthz_view, name="healthz"),
    path("readyz", readyz_view, name="readyz"),
    path("", include("waypoint.hub.urls")),
    # The reporter's pages, one "reporting" namespace: /report/ from reporting, /my-report/
    # from casework, whose views read and write the case (ADR 0040).
    path("", include((reporting_urls.urlpatterns + reporter_urls.urlpatterns, "reporting"))),
    path("staff/admin/", admin_site.urls),
    path("staff/content/", include("waypoint.hub.staff_urls")),
    path("", include("waypoint.safety.urls")),
    path("log/", include("waypoint.log.urls")),
    path("verify/", include("waypoint.log.urls_verify")),
    path("staff/notifications/", include("waypoint.notifications.urls")),
    path("staff/insights/", include("waypoint.insights.urls")),
    path("staff/", include("waypoint.casework.urls")),
    path("staff/", include("waypoint.accounts.urls")),
    path("accounts/", include("waypoint.accounts.allauth_urls")),
]

if settings.WAYPOINT_BENCH_FLOOR:
    # The benchmarks' floor (bench/README.md); never mounted in a deployment or in tests.
    from waypoint.common.views import bench_floor_view

    urlpatterns.append(path("bench/floor/", bench_floor_view, name="bench_floor"))
