"""The case page's risk panel: {% load safety_risk %}{% case_risk_panel case %}.

The latest assessment's band, date and next review, with links to it and to the case's
assessments. Renders nothing for a viewer who may not assess the case. A fixed number of
queries (selectors.risk.risk_panel_for), however many assessments the case has.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string

from waypoint.accounts.models import User
from waypoint.casework.models import Case
from waypoint.safety.selectors.risk import risk_panel_for

register = template.Library()


@register.simple_tag(takes_context=True)
def case_risk_panel(context: Any, case: Case) -> str:
    request = context.get("request")
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not isinstance(case, Case):
        return ""
    panel = risk_panel_for(user=user, case=case)
    if panel is None:
        return ""
    # No request: the panel needs no context processors (their queries would be repeated
    # for every panel). render_to_string returns safe HTML, escaped by the template.
    return render_to_string("safety/risk_panel.html", {"panel": panel})
