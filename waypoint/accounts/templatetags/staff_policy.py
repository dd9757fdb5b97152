"""Ask accounts.policy from a template: `{% can "case.list" as may_list %}`.

For showing or hiding a link only. The page a link leads to asks the policy again
(`@staff_view`), so a template never decides access, it only avoids offering a door the
person cannot open. Without an object the rules need no query.
"""

from __future__ import annotations

from typing import Any

from django import template

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.accounts.selectors import user_is_sso_only

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context: template.Context, action: str, obj: Any = None) -> bool:
    """May the signed-in user perform `action` (on `obj`)? False for anyone else."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return policy.can(user, action, obj)


@register.simple_tag(takes_context=True)
def offers_password_pages(context: template.Context) -> bool:
    """Whether to link to "Change password": not for an account that signs in only
    through single sign-on (those pages answer 404 for it, middleware.py)."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if not isinstance(user, User) or not user.is_authenticated:
        return False
    return not user_is_sso_only(user)
