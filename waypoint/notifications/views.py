"""The notification centre: the list, marking read, and the email choice (all POSTs work
without JavaScript and come back to the list)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from waypoint.accounts.policy import staff_user, staff_view
from waypoint.notifications import selectors, services
from waypoint.notifications.forms import EmailChoiceForm


def _render_list(
    request: HttpRequest, form: EmailChoiceForm | None = None, status: int = 200
) -> HttpResponse:
    user = staff_user(request)
    page = selectors.notifications_page_for(user=user, page=request.GET.get("page"))
    form = form or EmailChoiceForm(initial={"email": services.email_choice_of(user)})
    return render(request, "notifications/list.html", {"page": page, "form": form}, status=status)


@require_safe
@staff_view("notifications.mine")
def notification_list_view(request: HttpRequest) -> HttpResponse:
    return _render_list(request)


def _back(request: HttpRequest) -> HttpResponse:
    # Back to where the button was (the list's page, or Today), never off the site.
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("notifications:list")


@staff_view("notifications.mine")
@require_POST
def mark_read_view(request: HttpRequest, notification_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    if not services.notification_mark_read(user=user, notification_id=notification_id):
        raise Http404
    messages.success(request, "Marked as read.")
    return _back(request)


@staff_view("notifications.mine")
@require_POST
def mark_all_read_view(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(user=staff_user(request))
    messages.success(
        request,
        "All your notifications are marked as read." if count else "You had nothing unread.",
    )
    return _back(request)


@staff_view("notifications.mine")
@require_POST
def email_choice_view(request: HttpRequest) -> HttpResponse:
    form = EmailChoiceForm(request.POST)
    if not form.is_valid():
        return _render_list(request, form=form, status=400)
    services.email_choice_set(user=staff_user(request), choice=form.cleaned_data["email"])
    messages.success(request, "Your email choice is saved.")
    return redirect("notifications:list")
