"""Ask accounts.policy from a template: `{% can "case.list" as may_list %}`.

For showing or hiding a link only. The page a link leads to asks the policy again
(`@staff_view`), so a template never decides access, it only avoids offering a door the
person cannot open. Without an object the rules need no query.
"""

from __future__ import annotations

from typing import Any

from django import template

from waypoint.accounts import policy

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context: template.Context, action: str, obj: Any = None) -> bool:
    """May the signed-in user perform `action` (on `obj`)? False for anyone else."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return policy.can(user, action, obj)
