"""The staff session's clock for templates: the warning before it ends, and the sentence
on forms that take typed text (issue 12, item 11)."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.http import HttpRequest

from waypoint.accounts.session_clock import WARNING_SECONDS, session_remaining_seconds

register = template.Library()


@register.simple_tag(takes_context=True)
def session_remaining(context: template.Context) -> int:
    """Seconds this session has left (0 when there is no request)."""
    request = context.get("request")
    if not isinstance(request, HttpRequest) or not hasattr(request, "session"):
        return 0
    return session_remaining_seconds(request)


@register.simple_tag
def session_warning_seconds() -> int:
    return WARNING_SECONDS


@register.simple_tag
def session_idle_minutes() -> int:
    return int(settings.WAYPOINT_STAFF_IDLE_SECONDS // 60)
