"""One case: the Overview and Timeline sections, Access, and the workflow actions (thin).

Every view is gated by `@staff_view` and reads the case through
selectors.case_get_for_staff, which asks the policy with the case as the object: a case
the person may not see answers 404, exactly as a missing one. Changes are POST only (GET
answers 405) and call one service from services/workflow.py; on success they go back to
the section the form was sent from (a `next` field naming a section, checked against the
known names: never an address), on a refusal they show the form's own section again with
its errors (status 400). Showing a section records the opening with
services.case_record_opening (audit, and the role shown to the reporter): views/sections.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, Final

from django.contrib import messages
from django.core.exceptions import BadRequest
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.accounts.policy import staff_user, staff_view
from waypoint.casework.forms_case import (
    AssignForm,
    CloseForm,
    ConflictForm,
    ConflictForSomeoneForm,
    ContactForm,
    GrantForm,
    NoteForm,
    ReopenForm,
    RestrictForm,
    RevokeGrantForm,
    StatusForm,
    UnassignForm,
)
from waypoint.casework.models import Case, CaseStatus
from waypoint.casework.selectors import case_frame, case_get_for_staff, case_page
from waypoint.casework.services import case_record_opening, workflow
from waypoint.casework.views import sections
from waypoint.privacy.crypto import DecryptionError


def _case(request: HttpRequest, case_id: uuid.UUID) -> tuple[User, Case]:
    user = staff_user(request)
    return user, case_get_for_staff(user=user, case_id=case_id)


def _next_section(request: HttpRequest, home: str) -> str:
    """The section the form was sent from: a known section name, never an address (no open
    redirect); `home` when it names none."""
    named = str(request.POST.get("next", ""))
    return named if named in case_frame.SECTION_KEYS else home


def _after_change(
    request: HttpRequest, user: User, case: Case, done: str, *, home: str = case_frame.OVERVIEW
) -> HttpResponse:
    """Back to the section the change came from, or to the inbox when the change took the
    person off the case."""
    messages.success(request, done)
    if policy.can(user, "case.view", case):
        return redirect(case_frame.section_href(case, _next_section(request, home)))
    return redirect("casework:inbox")


def _again(
    request: HttpRequest, user: User, case: Case, home: str, *, bound: dict[str, Form]
) -> HttpResponse:
    """The section the refused form belongs to, shown again with its errors (status 400)."""
    return sections.section_page(request, user, case, home, bound=bound)


def _refused(
    request: HttpRequest,
    user: User,
    case: Case,
    home: str,
    *,
    name: str,
    form: Form,
    error: Exception,
) -> HttpResponse:
    form.add_error(None, str(error))
    return _again(request, user, case, home, bound={name: form})


# --- Reading ----------------------------------------------------------------------------------


@staff_view("case.list")
@require_safe
def case_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """The Overview section."""
    user, case = _case(request, case_id)
    return sections.section_page(request, user, case, case_frame.OVERVIEW)


@staff_view("case.list")
@require_safe
def timeline_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """The Timeline section: a page of entries (?before= older, ?start= from one entry)."""
    user, case = _case(request, case_id)
    before, start = request.GET.get("before"), request.GET.get("start")
    cursor = case_page.parse_entry_id(before or start)
    if (before or start) and cursor is None:
        raise Http404  # a malformed cursor names no entry
    where = {"before": cursor} if before else {"start": cursor}
    return sections.section_page(request, user, case, case_frame.TIMELINE, extra={"cursor": where})


@staff_view("case.list")
@require_safe
def evidence_view(
    request: HttpRequest, case_id: uuid.UUID, evidence_id: uuid.UUID
) -> HttpResponseBase:
    user, case = _case(request, case_id)
    evidence = case_page.evidence_get_for_case(case=case, evidence_id=evidence_id)
    try:
        file = workflow.evidence_open(
            case=case, actor=user, evidence=evidence, original=request.GET.get("original") == "1"
        )
    except DecryptionError:
        raise Http404 from None  # erased with its case, or damaged: nothing to serve
    response = HttpResponse(file.data, content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    response["Content-Length"] = str(len(file.data))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "no-store"
    return response


# --- Workflow actions (POST only) ----------------------------------------------------------------


@staff_view("case.list")
@require_POST
def status_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user, case = _case(request, case_id)
    policy.require(user, "case.close", case)
    form = StatusForm(request.POST, case=case)
    if not form.is_valid():
        return _again(request, user, case, case_frame.OVERVIEW, bound={"status_form": form})
    try:
        workflow.case_status_change(
            case=case,
            actor=user,
            to_status=form.cleaned_data["to_status"],
            reason=form.cleaned_data["reason"],
        )
    except workflow.WorkflowError as error:
        return _refused(
            request, user, case, case_frame.OVERVIEW, name="status_form", form=form, error=error
        )
    label = CaseStatus(case.status).label
    return _after_change(request, user, case, f"The case is now “{label}”.")


@staff_view("case.list")
@require_POST
def claim_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    # An adviser may claim a case they cannot open yet: the claim rule is the object check.
    case = case_page.case_get_for_claim(user=user, case_id=case_id)
    try:
        workflow.case_claim(case=case, actor=user)
    except workflow.CaseAlreadyClaimedError as error:
        messages.info(request, str(error))
        return redirect("casework:inbox")
    messages.success(request, "This case is yours now.")
    return redirect(case_frame.section_href(case, _next_section(request, case_frame.OVERVIEW)))


@staff_view("case.assign")
@require_POST
def assign_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user, case = _case(request, case_id)
    policy.require(user, "case.assign", case)
    form = AssignForm(request.POST, case=case)
    if not form.is_valid():
        return _again(request, user, case, case_frame.PEOPLE, bound={"assign_form": form})
    assignee: User = form.cleaned_data["user"]
    try:
        workflow.case_assign(case=case, actor=user, user=assignee)
    except workflow.WorkflowError as error:
        return _refused(
            request, user, case, case_frame.PEOPLE, name="assign_form", form=form, error=error
        )
    return _after_change(
        request,
        user,
        case,
        f"{assignee.display_name or assignee.email} is assigned now.",
        home=case_frame.PEOPLE,
    )


@staff_view("case.assign")
@require_POST
def unassign_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user, case = _case(request, case_id)
    policy.require(user, "case.assign", case)
    form = UnassignForm(request.POST, case=case)
    if not form.is_valid():
        # Its only field is hidden: the error summary at the top says what went wrong.
        return _again(request, user, case, case_frame.PEOPLE, bound={"unassign_form": form})
    person: User = form.cleaned_data["user"]
    try:
        workflow.case_unassign(case=case, actor=user, user=person)
    except workflow.WorkflowError as error:
        return _refused(
            request, user, case, case_frame.PEOPLE, name="unassign_form", form=form, error=error
        )
    return _after_change(
        request,
        user,
        case,
        f"{person.display_name or person.email} is no longer assigned.",
        home=case_frame.PEOPLE,
    )


def _conflict_home(request: HttpRequest) -> str:
    # Offered on the Overview and on What was reported.
    named = _next_section(request, case_frame.OVERVIEW)
    return named if named in (case_frame.OVERVIEW, case_frame.REPORT) else case_frame.OVERVIEW


@staff_view("case.list")
@require_POST
def conflict_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user, case = _case(request, case_id)
    form = ConflictForm(request.POST)
    if not form.is_valid():
        return _again(request, user, case, _conflict_home(request), bound={"conflict_form": form})
    workflow.case_declare_conflict(case=case, actor=user)
    messages.success(
        request,
        "Thank you for telling us. Your conflict of interest is recorded, and this case "
        "has been taken off your list. You will not be able to open it again.",
    )
    return redirect("casework:inbox")


@staff_view("case.list")
@require_POST
def note_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user, case = _case(request, case_id)
    policy.require(user, "case.note", case)
    form = NoteForm(request.POST, case=case)
    if not form.is_valid():
        return _again(request, user, case, case_frame.TIMELINE, bound={"note_form": form})
    corrects = form.cleaned_data.get("corrects")
    try:
        workflow.note_add(case=case, actor=user, text=form.cleaned_data["text"], corrects=corrects)
    except workflow.WorkflowError as error:
        return _refused(
            request, user, case, case_frame.TIMELINE, name="note_form", form=form, error=error
        )
    done = "Correction added." if corrects else "Note added."
    return _after_change(request, user, case, done, home=case_frame.TIMELINE)


@staff_view("case.list")
@require_POST
def contact_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user, case = _case(request, case_id)
    policy.require(user, "case.note", case)
    form = ContactForm(request.POST)
    if not form.is_valid():
        return _again(request, user, case, case_frame.TIMELINE, bound={"contact_form": form})
    try:
        workflow.contact_record(
            case=case,
            actor=user,
            method=form.cleaned_data["method"],
            outcome=form.cleaned_data["outcome"],
            text=form.cleaned_data["text"],
        )
    except workflow.WorkflowError as error:
        return _refused(
            request,
            user,
            case,
            case_frame.TIMELINE,
            name="contact_form",
            form=form,
            error=error,
        )
    return _after_change(request, user, case, "Contact attempt recorded.", home=case_frame.TIMELINE)


@staff_view("case.list")
@require_POST
def reopen_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user, case = _case(request, case_id)
    policy.require(user, "case.close", case)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        return _again(request, user, case, case_frame.OVERVIEW, bound={"reopen_form": form})
    try:
        workflow.case_reopen(case=case, actor=user, reason=form.cleaned_data["reason"])
    except workflow.WorkflowError as error:
        return _refused(
            request, user, case, case_frame.OVERVIEW, name="reopen_form", form=form, error=error
        )
    return _after_change(request, user, case, "The case is open again.")


# --- Pages with their own form: closing, and access (GET shows, POST changes) --------------------


@staff_view("case.list")
@require_http_methods(["GET", "HEAD", "POST"])
def close_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user, case = _case(request, case_id)
    policy.require(user, "case.close", case)
    form = CloseForm(request.POST if request.method == "POST" else None)
    if request.method != "POST":
        case_record_opening(case=case, user=user)
    elif form.is_valid():
        try:
            workflow.case_close(
                case=case,
                actor=user,
                outcome=form.cleaned_data["outcome"],
                support_given=list(form.cleaned_data["support_given"]),
                reason=form.cleaned_data["reason"],
            )
        except workflow.WorkflowError as error:
            form.add_error(None, str(error))
        else:
            return _after_change(
                request, user, case, "The case is closed. The retention period has started."
            )
    return render(
        request,
        "casework/staff/close.html",
        {"case": case, "form": form},
        status=400 if form.errors else 200,
    )


_ACCESS_FORMS: Final[dict[str, str]] = {
    "restrict": "restrict_form",
    "unrestrict": "restrict_form",
    "grant": "grant_form",
    "revoke": "revoke_form",
    "conflict": "conflict_form",
}


def _access_action(
    action: str, request: HttpRequest, user: User, case: Case
) -> tuple[Form, Callable[[], str]]:
    """The bound form for `action`, and the service call that makes the change."""
    if action in ("restrict", "unrestrict"):
        restrict = RestrictForm(request.POST, restricted_now=case.restricted)

        def set_restricted() -> str:
            workflow.case_set_restricted(
                case=case,
                actor=user,
                restricted=action == "restrict",
                reason=restrict.cleaned_data["reason"],
            )
            return (
                "The case is restricted: only the staff named here can see it."
                if action == "restrict"
                else "The restriction is lifted: every case lead can see this case."
            )

        return restrict, set_restricted
    if action == "grant":
        grant = GrantForm(request.POST, case=case)

        def give() -> str:
            person = grant.cleaned_data["user"]
            workflow.case_grant(case=case, actor=user, user=person)
            return f"{person.display_name or person.email} can see this case now."

        return grant, give
    if action == "revoke":
        revoke = RevokeGrantForm(request.POST, case=case)

        def take_back() -> str:
            person = revoke.cleaned_data["user"]
            workflow.case_revoke_grant(case=case, actor=user, user=person)
            return f"{person.display_name or person.email} can no longer see this case."

        return revoke, take_back
    conflict = ConflictForSomeoneForm(request.POST, case=case)

    def record() -> str:
        person = conflict.cleaned_data["user"]
        workflow.case_declare_conflict(case=case, actor=user, user=person)
        return (
            f"A conflict of interest is recorded for {person.display_name or person.email}. "
            "They can no longer see this case or be assigned to it."
        )

    return conflict, record


@staff_view("case.assign")
@require_http_methods(["GET", "HEAD", "POST"])
def access_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user, case = _case(request, case_id)
    policy.require(user, "case.assign", case)
    bound: dict[str, Form] = {}
    if request.method != "POST":
        case_record_opening(case=case, user=user)
    else:
        action = request.POST.get("action", "")
        if action not in _ACCESS_FORMS:
            raise BadRequest("Not a form of this page.")
        form, change = _access_action(action, request, user, case)
        if form.is_valid():
            try:
                done = change()
            except workflow.WorkflowError as error:
                form.add_error(None, str(error))
            else:
                return _after_change(request, user, case, done, home=case_frame.ACCESS)
        bound[_ACCESS_FORMS[action]] = form
    with case.access_facts_remembered():
        return _access_page(request, case, bound)


def _access_page(request: HttpRequest, case: Case, bound: dict[str, Form]) -> HttpResponse:
    context: dict[str, Any] = {
        "case": case,
        "section": case_frame.ACCESS,
        "assignments": case_page.assignments_for_case(case=case),
        "grants": case_page.grants_for_case(case=case),
        "conflicts": case_page.conflicts_for_case(case=case),
        "restrict_form": RestrictForm(restricted_now=case.restricted),
        "grant_form": GrantForm(case=case),
        "revoke_form": None,
        "conflict_form": ConflictForSomeoneForm(case=case),
        "invalid_form": None,
    }
    for name, form in bound.items():
        context[name] = form
        context["invalid_form"] = form
    return render(request, "casework/staff/access.html", context, status=400 if bound else 200)
