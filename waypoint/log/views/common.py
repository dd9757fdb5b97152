"""What every private page of the log shares: the signed-in log, or the sign-in page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache

from waypoint.log import selectors, session
from waypoint.log.models import IncidentLog

LogView = Callable[..., HttpResponseBase]


def current_log(request: HttpRequest) -> IncidentLog | None:
    log_id = session.current_log_id(request)
    if log_id is None:
        return None
    log = selectors.log_get(log_id=log_id)
    if log is None:
        # Deleted (from another device): this session opens nothing any more.
        session.sign_out(request)
    return log


def log_required(view: LogView) -> LogView:
    """The signed-in log, or the sign-in page (which says why, if it timed out)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        log = current_log(request)
        if log is None:
            return redirect("log:sign_in")
        return view(request, log, *args, **kwargs)

    return login_not_required(never_cache(wrapped))
