"""The sections of a case, each a page of its own (ADR 0031): Overview, What was reported,
Messages, Timeline, People and matches. Risk, the safety plan, referrals and processes are
the safety app's pages, and Access is views/case.py's; all share the frame (identity bar
and sub navigation, selectors/case_frame.py).

Every section is read through selectors.case_get_for_staff (404 for a case the person may
not see), records the opening (services.case_record_opening), and reads only what it
shows. While it is built, the policy's facts about the case are read once each
(models.Case.access_facts_remembered). `section_page` also shows a section again with a
refused form (status 400, the error summary first): views/case.py and views/work.py call it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import partial
from typing import Any, Final

from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from waypoint.accounts.models import User
from waypoint.accounts.policy import staff_user, staff_view
from waypoint.casework.forms_case import (
    AssignForm,
    ConflictForm,
    ContactForm,
    NoteForm,
    ReopenForm,
    StatusForm,
)
from waypoint.casework.models import Case
from waypoint.casework.selectors import case_frame, case_get_for_staff, case_page
from waypoint.casework.selectors.case_overview import overview_for_staff
from waypoint.casework.selectors.drafts import draft_text_for_author
from waypoint.casework.services import case_record_opening

Context = dict[str, Any]


def _overview(request: HttpRequest, user: User, case: Case, context: Context) -> Context:
    overview = overview_for_staff(user=user, case=case)
    may = case_page.case_actions_for(user=user, case=case)
    return {
        "overview": overview,
        "risk": overview.risk,
        "risk_known": True,
        "may": may,
        "status_form": StatusForm(case=case) if may.next_statuses else None,
        "reopen_form": ReopenForm() if may.close else None,
        "conflict_form": ConflictForm(),
    }


def _report(request: HttpRequest, user: User, case: Case, context: Context) -> Context:
    return {
        "told": case_page.report_for_staff(report=case.report),
        "conflict_form": ConflictForm(),
    }


def _messages(request: HttpRequest, user: User, case: Case, context: Context) -> Context:
    # The panel (templatetags/casework_work.py) reads, marks read and audits the messages.
    return {}


def _timeline(request: HttpRequest, user: User, case: Case, context: Context) -> Context:
    may = case_page.case_actions_for(user=user, case=case)
    correcting = case_page.note_get_for_case(
        case=case, entry_id=case_page.parse_entry_id(request.GET.get("correct"))
    )
    invalid = context.get("note_form")
    if isinstance(invalid, NoteForm) and invalid.is_bound:
        correcting = invalid.cleaned_data.get("corrects") or correcting
    cursor: Context = context.get("cursor") or {}
    return {
        "may": may,
        "timeline": case_page.timeline_page(case=case, **cursor),
        "correcting": correcting,
        "note_form": (
            NoteForm(
                case=case,
                initial={
                    "corrects": correcting.pk if correcting else None,
                    # Typed before a time-out or a "Save draft" (ADR 0034); read as the
                    # form renders, among the policy facts the page reads once.
                    "text": partial(draft_text_for_author, user=user, case=case, kind="note"),
                },
            )
            if may.note
            else None
        ),
        "contact_form": ContactForm() if may.note else None,
    }


def _people(request: HttpRequest, user: User, case: Case, context: Context) -> Context:
    may = case_page.case_actions_for(user=user, case=case)
    return {
        "may": may,
        "assignments": case_page.assignments_for_case(case=case),
        "assign_form": AssignForm(case=case) if may.assign else None,
    }


_SECTIONS: Final[dict[str, tuple[str, Callable[[HttpRequest, User, Case, Context], Context]]]] = {
    case_frame.OVERVIEW: ("casework/staff/case.html", _overview),
    case_frame.REPORT: ("casework/staff/case_report.html", _report),
    case_frame.MESSAGES: ("casework/staff/message_send.html", _messages),
    case_frame.TIMELINE: ("casework/staff/case_timeline.html", _timeline),
    case_frame.PEOPLE: ("casework/staff/case_people.html", _people),
}
# The casework sections a form can be shown again on (the others belong to other views).
CASEWORK_SECTIONS: Final = frozenset(_SECTIONS)


def section_page(
    request: HttpRequest,
    user: User,
    case: Case,
    section: str,
    *,
    bound: dict[str, Form] | None = None,
    extra: Context | None = None,
    status: int | None = None,
) -> HttpResponse:
    """Show one section of `case`; with `bound`, a refused form in it (status 400)."""
    template, build = _SECTIONS[section]
    # Showing a section changes no assignment, grant or conflict: each policy fact about
    # the case is read from the database once while it is built and rendered.
    with case.access_facts_remembered():
        case_record_opening(case=case, user=user)
        context: Context = {"case": case, "section": section, **(extra or {}), **(bound or {})}
        context.update(build(request, user, case, context))
        invalid = context.get("invalid_form")
        for name, form in (bound or {}).items():
            context[name] = form
            invalid = form
        context["invalid_form"] = invalid
        # The identity bar and sub navigation: {% case_identity_bar %} (casework_work).
        code = status if status is not None else (400 if bound else 200)
        return render(request, template, context, status=code)


def _section_view(request: HttpRequest, case_id: uuid.UUID, section: str) -> HttpResponse:
    user = staff_user(request)
    case = case_get_for_staff(user=user, case_id=case_id)
    return section_page(request, user, case, section)


@staff_view("case.list")
@require_safe
def report_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    return _section_view(request, case_id, case_frame.REPORT)


@staff_view("case.list")
@require_safe
def people_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    return _section_view(request, case_id, case_frame.PEOPLE)


def messages_section(request: HttpRequest, user: User, case: Case) -> HttpResponse:
    """GET on the messages address (views/work.py): the Messages section."""
    return section_page(request, user, case, case_frame.MESSAGES)
