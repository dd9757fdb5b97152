"""The case's frame and panels (load casework_work): `{% case_identity_bar case section %}`
(the identity bar and sub navigation on every page of a case, ADR 0031),
`{% case_messages_panel case %}` and `{% case_tasks_panel case %}`.

Both need the signed-in member of staff in the context ("request") and a case the case
page has already fetched through selectors.case_get_for_staff. Showing the messages is
reading them: the reporter's messages are marked read and the reading is audited
(services.messages_for_staff). Each panel costs a fixed number of queries.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django import template
from django.http import HttpRequest

from waypoint.accounts import policy
from waypoint.accounts.policy import staff_user
from waypoint.casework.forms_work import StaffMessageForm, TaskForm
from waypoint.casework.models import Case, MessageDirection
from waypoint.casework.placeholders import Sender, placeholder_values
from waypoint.casework.selectors import work as selectors
from waypoint.casework.selectors.case_frame import RiskFact, identity_bar_for
from waypoint.casework.selectors.drafts import draft_text_for_author
from waypoint.casework.services import messages_latest_for_staff
from waypoint.institution.models import Institution

register = template.Library()

# The case page shows the newest messages of a long conversation (and every unread one);
# "?messages=all" shows the whole of it. The timeline lists every message too.
MESSAGES_SHOWN = 20


@dataclass(frozen=True)
class MessageRow:
    message_id: uuid.UUID
    from_reporter: bool
    sender: str
    sent_at: datetime.datetime
    body: str
    is_new: bool


def _institution(context: Any) -> Institution | None:
    # The context processor has fetched it for every page already: no second query. Without
    # it, "[team name]" and "[our hours]" stay in the box, and sending is refused until the
    # adviser writes them: never wrong words.
    found = context.get("institution")
    return found if isinstance(found, Institution) else None


def _request(context: Any) -> HttpRequest:
    request = context.get("request")
    if not isinstance(request, HttpRequest):
        raise template.TemplateSyntaxError("The casework panels need the request in the context.")
    return request


@register.inclusion_tag("casework/staff/_identity_bar.html", takes_context=True)
def case_identity_bar(context: Any, case: Case, section: str) -> dict[str, Any]:
    """The identity bar and the sub navigation, `section` marked as the current one.

    Uses the institution the context processor fetched, and the risk band when the page
    read it already (the Overview: "risk_known"), so neither is read twice.
    """
    user = staff_user(_request(context))
    risk = context.get("risk")
    bar = identity_bar_for(
        user=user,
        case=case,
        current=section,
        institution=_institution(context),
        risk=risk if isinstance(risk, RiskFact) else None,
        risk_known=bool(context.get("risk_known")),
    )
    return {"bar": bar, "case": case, "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("casework/staff/_messages_panel.html", takes_context=True)
def case_messages_panel(context: Any, case: Case, form: object = None) -> dict[str, Any]:
    """The conversation with the reporter, what is new to this member of staff, and the
    reply form (with a reply template filled in when the address names one: ?template=).
    `form`: a reply form sent back with a problem, shown instead of an empty one."""
    request = _request(context)
    user = staff_user(request)
    # Before reading marks anything: what had this person not seen yet?
    last_seen = selectors.messages_last_seen_by(user=user, case=case)
    show_all = request.GET.get("messages") == "all"
    conversation = messages_latest_for_staff(
        user=user, case=case, latest=None if show_all else MESSAGES_SHOWN
    )
    thread = conversation.messages
    names = selectors.staff_names({m.author_id for m in thread if m.author_id is not None})
    rows = [
        MessageRow(
            message_id=message.pk,
            from_reporter=message.direction == MessageDirection.FROM_REPORTER,
            sender=(
                "The reporter"
                if message.direction == MessageDirection.FROM_REPORTER
                else names.get(message.author_id, "The team")
                if message.author_id is not None
                else "The team"
            ),
            sent_at=message.sent_at,
            body=message.body or "",
            is_new=selectors.message_is_new_for(message, last_seen),
        )
        for message in thread
    ]
    closed_reason = selectors.message_channel_closed_reason(case=case)
    can_message = closed_reason is None and policy.can(user, "case.message", case)
    reply: StaffMessageForm | None = None
    if can_message and isinstance(form, StaffMessageForm):
        reply = form  # sent back with a problem, or with a template added
    elif can_message:
        templates = selectors.reply_templates_active()
        chosen = selectors.reply_template_in(templates, request.GET.get("template"))
        fills = placeholder_values(Sender(user=user, institution=_institution(context)))
        reply = StaffMessageForm(templates=templates, fills=fills)
        # Typed before a time-out or a "Save draft" (ADR 0034).
        draft = draft_text_for_author(user=user, case=case, kind="message")
        if draft:
            reply.initial = {"body": draft}
        if chosen is not None:
            reply.initial = {"body": reply.template_text(chosen), "template": str(chosen.pk)}
    return {
        "case": case,
        "rows": rows,
        "has_earlier": conversation.has_earlier,
        "new_count": sum(row.is_new for row in rows),
        "closed_reason": closed_reason,
        "form": reply,
        "csrf_token": context.get("csrf_token"),
        "csp_nonce": context.get("csp_nonce"),
    }


@register.inclusion_tag("casework/staff/_tasks_panel.html", takes_context=True)
def case_tasks_panel(context: Any, case: Case) -> dict[str, Any]:
    """The case's tasks (open ones first, overdue first) and the form to add one."""
    user = staff_user(_request(context))
    rows = selectors.tasks_for_case(user=user, case=case)
    form = None
    if policy.can(user, "case.task", case):
        form = TaskForm(
            people=selectors.task_owner_people(case=case),
            departments=selectors.departments_all(),
        )
    return {
        "case": case,
        "rows": rows,
        "form": form,
        "csrf_token": context.get("csrf_token"),
    }
