"""Erasing the whole record: its key is shredded, so nothing of it can be read again."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from waypoint.log import receipt, services, session
from waypoint.log.models import IncidentLog
from waypoint.log.views.common import log_required
from waypoint.reporting.forms import ConfirmForm

CONFIRM_LABEL = "I understand that my whole record will be erased and cannot be brought back"
# The session must survive this answer (it says "deleted" on the next page), so cookies
# are not in the list; the session was already ended on the server.
CLEAR_SITE_DATA = '"cache", "storage"'


@log_required
@require_http_methods(["GET", "HEAD", "POST"])
def delete_view(request: HttpRequest, log: IncidentLog) -> HttpResponseBase:
    form = ConfirmForm(request.POST if request.method == "POST" else None, label=CONFIRM_LABEL)
    if request.method == "POST" and form.is_valid():
        services.log_delete(log=log)
        session.sign_out(request)
        session.mark_deleted(request)
        response = redirect("log:deleted")
        response["Clear-Site-Data"] = CLEAR_SITE_DATA
        receipt.clear_cookie(response)
        return response
    return render(
        request,
        "log/delete.html",
        {"log": log, "form": form},
        status=400 if form.errors else 200,
    )


@login_not_required
@never_cache
@require_safe
def deleted_view(request: HttpRequest) -> HttpResponseBase:
    if not session.recently_deleted(request):
        return redirect("log:start")
    return render(request, "log/deleted.html")
