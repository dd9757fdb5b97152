from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from waypoint.accounts.policy import staff_user, staff_view
from waypoint.accounts.selectors import staff_home_links_for_user
from waypoint.notifications.selectors import today_for_staff


@require_safe
@staff_view("staff.home")
def staff_home_view(request: HttpRequest) -> HttpResponse:
    # "Today": what is due, unread and overdue for this person (notifications app, which
    # reads every feature's work; ADR 0033), then the role's usual links.
    user = staff_user(request)
    links = staff_home_links_for_user(user=user)
    context = {
        "today": today_for_staff(user=user),
        "links": links,
        "idle_minutes": settings.WAYPOINT_STAFF_IDLE_SECONDS // 60,
    }
    return render(request, "accounts/staff_home.html", context)


# Why an SSO sign-in was refused, and what to do; the reason is in the URL (it names
# nobody), the address never is.
SSO_REFUSAL_REASONS = frozenset({"unknown", "unverified"})


@require_safe
@login_not_required
def sso_refused_view(request: HttpRequest, reason: str) -> HttpResponse:
    if reason not in SSO_REFUSAL_REASONS:
        raise Http404
    return render(request, "accounts/sso_refused.html", {"reason": reason})
