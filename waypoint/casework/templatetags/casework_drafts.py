"""The "Save draft" / "Discard draft" controls of a form that takes typed text (ADR 0034).

    {% load casework_drafts %}
    <form ...>  ...the text box...  <button>Add note</button>
      {% draft_controls case "note" %}
    </form>

Put it after the form's own submit button, so that pressing Enter still sends the form.
The view fills the text box from selectors.drafts.draft_text_for_author.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.urls import reverse

from waypoint.accounts.models import User
from waypoint.casework.models import Case
from waypoint.casework.selectors.drafts import (
    DRAFT_FIELDS,
    DRAFT_PLACE_FIELDS,
    draft_get_for_author,
)
from waypoint.casework.services.drafts import draft_action

register = template.Library()


@register.inclusion_tag("casework/staff/_draft_controls.html", takes_context=True)
def draft_controls(
    context: template.Context, case: Case, kind: str, place: str | None = None
) -> dict[str, Any]:
    """`place`: for a kind with several forms on the page (plan areas), this form's; the
    kept draft is marked as restored only in the form it came from."""
    # A RequestContext keeps its request even inside another inclusion tag's template.
    request = getattr(context, "request", None) or context.get("request")
    user = getattr(request, "user", None)
    if request is None or not isinstance(user, User):
        return {"show": False}
    draft = draft_get_for_author(user=user, case=case, kind=kind)
    # Asked (and remembered) by the selector above: the controls only for who may write.
    if not case.__dict__.get("_work_draft_may", {}).get((user.pk, draft_action(kind))):
        return {"show": False}
    if draft is not None and place is not None and draft.place != place:
        draft = None
    urls = {"case_id": case.pk, "kind": kind}
    return {
        "show": True,
        "kind": kind,
        "field": DRAFT_FIELDS[kind],
        "place_field": DRAFT_PLACE_FIELDS.get(kind, ""),
        "draft": draft,
        "next": request.get_full_path(),
        "save_url": reverse("casework:draft_save", kwargs=urls),
        "discard_url": reverse("casework:draft_discard", kwargs=urls),
        "idle_minutes": settings.WAYPOINT_STAFF_IDLE_SECONDS // 60,
    }
