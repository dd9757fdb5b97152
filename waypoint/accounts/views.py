from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from waypoint.accounts.policy import staff_user, staff_view
from waypoint.accounts.selectors import staff_home_links_for_user


@require_safe
@staff_view("staff.home")
def staff_home_view(request: HttpRequest) -> HttpResponse:
    links = staff_home_links_for_user(user=staff_user(request))
    context = {"links": links, "idle_minutes": settings.WAYPOINT_STAFF_IDLE_SECONDS // 60}
    return render(request, "accounts/staff_home.html", context)
