"""The case page's panel of referrals and formal processes: {% case_process_panel case %}.

Referrals by status, the police stage, protective orders with their expiry dates (soonest
first) and the conduct stage, with links to the referrals and processes pages. Shows
only what the signed-in viewer may see (accounts.policy "safety.refer" and
"safety.process"), and nothing at all to anyone who may see neither. A fixed number of
queries, however much is recorded.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string

from waypoint.accounts.models import User
from waypoint.casework.models import Case
from waypoint.safety.selectors.processes import process_panel_for

register = template.Library()


@register.simple_tag(takes_context=True)
def case_process_panel(context: Any, case: Case) -> str:
    request = context.get("request")
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not isinstance(case, Case):
        return ""
    panel = process_panel_for(user=user, case=case)
    if panel is None:
        return ""
    # render_to_string returns safe HTML (escaped by the template), kept as is by the tag.
    return render_to_string(
        "safety/process_panel.html", {"case": case, "panel": panel}, request=request
    )
