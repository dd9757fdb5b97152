"""The header's notification count: `{% notifications_unread as count %}` (one query)."""

from __future__ import annotations

from django import template

from waypoint.accounts import policy
from waypoint.notifications.selectors import unread_count_for

register = template.Library()


@register.simple_tag(takes_context=True)
def notifications_unread(context: template.Context) -> int | None:
    """Unread notifications of the signed-in person; None when they have no centre."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if not policy.can(user, "notifications.mine"):
        return None
    return unread_count_for(user)
