"""The case page's panel of linked cases and match alerts: {% case_matches_panel case %}.

Shows only what the signed-in viewer may see (selectors.matching.matches_panel_for): the
linked cases they may open, and, for a case lead who may open both cases, the new
matches of this case with buttons to link or dismiss them, and a form to link this case
to another by its reference. Renders nothing for a viewer who may not open the case.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string

from waypoint.accounts.models import User
from waypoint.casework.models import Case
from waypoint.casework.selectors.matching import matches_panel_for

register = template.Library()


@register.simple_tag(takes_context=True)
def case_matches_panel(context: Any, case: Case) -> str:
    request = context.get("request")
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not isinstance(case, Case):
        return ""
    panel = matches_panel_for(user=user, case=case)
    if panel is None:
        return ""
    # render_to_string returns safe HTML (escaped by the template), kept as is by the tag.
    return render_to_string(
        "casework/staff/_matches_panel.html", {"case": case, "panel": panel}, request=request
    )
