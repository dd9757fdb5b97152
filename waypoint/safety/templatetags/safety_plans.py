"""The case page's safety plan panel: {% load safety_plans %}{% case_plan_panel case %}.

Shows whether the plan is shared with the person, its next review, its count of agreed
actions, and the case's university measures grouped by status with their owner
departments, with links to the plan page. Renders nothing for a viewer without
"safety.plan" on the case. A fixed number of queries (selectors.plans.plan_panel_for).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string

from waypoint.accounts.models import User
from waypoint.casework.models import Case
from waypoint.safety.selectors.plans import plan_panel_for

register = template.Library()


@register.simple_tag(takes_context=True)
def case_plan_panel(context: Any, case: Case) -> str:
    request = context.get("request")
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not isinstance(case, Case):
        return ""
    panel = plan_panel_for(user=user, case=case)
    if panel is None:
        return ""
    # render_to_string returns safe HTML (escaped by the template), kept as is by the tag.
    # Without the request: the panel has no form, and the context processors would run
    # (and query) again for it.
    return render_to_string("safety/plan_panel.html", {"case": case, "panel": panel})
