"""The safety plan and university measures (thin views: selector, form, one service).

- /staff/cases/<id>/safety-plan/: the case team's plan page ("safety.plan"): actions in
  five areas (added, or retired; never edited), the next review, the case's measures,
  and sharing with the reporter (plan_share_view, POST only).
- /staff/cases/<id>/measures/new/: a new university measure, owned by a department.
- /staff/measures/: a partner department's own measures ("measure.department").
- /staff/measures/<id>/: one measure, for the case team (full view, with the case) or a
  partner of its department (kind, brief, status, dates). Anyone else: 404, as missing.
- /my-report/safety-plan/: the returning reporter's view of a shared plan.

Every change is a POST that redirects on success; a form with a problem is shown again
with status 400 and an error summary. Nothing typed ever travels in an address.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import partial
from typing import Any, Final

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from waypoint.accounts.models import User
from waypoint.accounts.policy import staff_user, staff_view
from waypoint.casework.models import Case
from waypoint.casework.selectors.drafts import draft_text_for_author
from waypoint.casework.services import case_record_opening
from waypoint.reporting import reporter_session
from waypoint.reporting.selectors import report_get_for_reporter
from waypoint.safety.forms_plans import (
    INTENT_ADD,
    INTENT_RETIRE,
    INTENT_REVIEW,
    INTENT_REVISE,
    ActionRetireForm,
    MeasureForm,
    MeasureReviseForm,
    MeasureStatusForm,
    PlanActionForm,
    PlanReviewForm,
    PlanShareForm,
)
from waypoint.safety.models import PlanArea, SafetyMeasure
from waypoint.safety.selectors import plans as selectors
from waypoint.safety.services import plans as services

_UNRECOGNISED = (
    "Something in that form was not recognised, so nothing was changed. Please try again."
)


def _plan_url(case: Case, fragment: str = "") -> str:
    url = reverse("safety:plan", kwargs={"case_id": case.pk})
    return f"{url}#{fragment}" if fragment else url


def _measure_url(measure: SafetyMeasure) -> str:
    return reverse("safety:measure", kwargs={"measure_id": measure.pk})


# --- The plan page --------------------------------------------------------------------------


def _plan_page(
    request: HttpRequest,
    *,
    user: User,
    case: Case,
    add_form: PlanActionForm | None = None,
    review_form: PlanReviewForm | None = None,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    page = selectors.plan_page_for_staff(case=case)

    # Typed before a time-out or a "Save draft" comes back in its area's box (ADR 0034):
    # `kept(area)` is called while the page renders, among the policy facts read once.
    def kept(area: str) -> str:
        return draft_text_for_author(user=user, case=case, kind="plan_action", place=area)

    add_forms = {
        area: PlanActionForm(area=area, initial={"area": area, "text": partial(kept, area)})
        for area in PlanArea.values
    }
    if add_form is not None and add_form.data.get("area") in add_forms:
        add_forms[str(add_form.data["area"])] = add_form
    areas = [(area, add_forms[area.area]) for area in page.areas]
    if review_form is None:
        review_form = PlanReviewForm(initial={"next_review_on": page.next_review_on})
    # Each showing of the plan (case data) is audited; it is a section of the case frame
    # (ADR 0031), whose policy facts are read once each.
    with case.access_facts_remembered():
        services.plan_record_view(case=case, user=user)
        case_record_opening(case=case, user=user)
        return render(
            request,
            "safety/plan_page.html",
            {
                "case": case,
                "section": "plan",
                "page": page,
                "areas": areas,
                "review_form": review_form,
                "error_form": (
                    add_form if add_form is not None and add_form.errors else review_form
                ),
                "problem": problem,
            },
            status=status,
        )


def _add_action(request: HttpRequest, user: User, case: Case) -> HttpResponse:
    area = str(request.POST.get("area", ""))
    add_form = PlanActionForm(request.POST, area=area if area in PlanArea.values else None)
    if add_form.is_valid():
        try:
            services.plan_action_add(
                case=case,
                actor=user,
                area=add_form.cleaned_data["area"],
                text=add_form.cleaned_data["text"],
            )
        except services.PlanError as error:
            add_form.add_error("text", str(error))
        else:
            messages.success(request, "The action was added to the plan.")
            return redirect(_plan_url(case, f"area-{area}"))
    return _plan_page(request, user=user, case=case, add_form=add_form, status=400)


def _retire_action(request: HttpRequest, user: User, case: Case) -> HttpResponse:
    retire_form = ActionRetireForm(request.POST)
    if not retire_form.is_valid():
        raise Http404  # no such action: the same answer as an id of another case's
    action = selectors.plan_action_get_for_staff(
        case=case, action_id=retire_form.cleaned_data["action_id"]
    )
    services.plan_action_retire(action=action, actor=user)
    messages.success(
        request, "The action was retired. It stays in the plan's history, below the area."
    )
    return redirect(_plan_url(case, f"area-{action.area}"))


def _set_review(request: HttpRequest, user: User, case: Case) -> HttpResponse:
    review_form = PlanReviewForm(request.POST)
    if review_form.is_valid():
        try:
            services.plan_set_review(
                case=case,
                actor=user,
                next_review_on=review_form.cleaned_data.get("next_review_on"),
            )
        except services.PlanError as error:
            review_form.add_error("next_review_on", str(error))
        else:
            messages.success(request, "The review date was saved.")
            return redirect(_plan_url(case, "review"))
    return _plan_page(request, user=user, case=case, review_form=review_form, status=400)


_PLAN_POSTS: Final[dict[str, Callable[[HttpRequest, User, Case], HttpResponse]]] = {
    INTENT_ADD: _add_action,
    INTENT_RETIRE: _retire_action,
    INTENT_REVIEW: _set_review,
}


@staff_view("safety.plan")
@require_http_methods(["GET", "HEAD", "POST"])
def plan_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """GET: the plan. POST: add an action, retire one, or set the next review date."""
    user = staff_user(request)
    case = selectors.plan_case_get_for_staff(user=user, case_id=case_id)
    if request.method != "POST":
        return _plan_page(request, user=user, case=case)
    handle = _PLAN_POSTS.get(str(request.POST.get("intent", "")))
    if handle is None:
        return _plan_page(request, user=user, case=case, problem=_UNRECOGNISED, status=400)
    return handle(request, user, case)


@staff_view("safety.plan")
@require_POST
def plan_share_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """Share the plan with the reporter, or stop sharing it."""
    user = staff_user(request)
    case = selectors.plan_case_get_for_staff(user=user, case_id=case_id)
    form = PlanShareForm(request.POST)
    if not form.is_valid():
        return _plan_page(request, user=user, case=case, problem=_UNRECOGNISED, status=400)
    try:
        services.plan_share(case=case, actor=user, shared=form.cleaned_data["shared"])
    except services.PlanError as error:
        return _plan_page(request, user=user, case=case, problem=str(error), status=400)
    if form.cleaned_data["shared"]:
        messages.success(
            request,
            "The plan is shared. The person can read it after signing in with their receipt.",
        )
    else:
        messages.success(request, "The plan is no longer shared with the person.")
    return redirect(_plan_url(case, "sharing"))


# --- Measures: the case team -------------------------------------------------------------------


@staff_view("safety.plan")
@require_http_methods(["GET", "HEAD", "POST"])
def measure_new_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """GET: the "add a university measure" form. POST: add it."""
    user = staff_user(request)
    case = selectors.plan_case_get_for_staff(user=user, case_id=case_id)
    form = MeasureForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.measure_create(
                case=case,
                actor=user,
                kind=data["kind"],
                department=data["department"],
                brief=data["brief"],
                detail=data.get("detail") or "",
                status=data["status"],
                starts_on=data.get("starts_on"),
                review_on=data.get("review_on"),
                ends_on=data.get("ends_on"),
            )
        except services.PlanError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The measure was added.")
            return redirect(_plan_url(case, "measures"))
    return render(
        request,
        "safety/measure_new.html",
        {"case": case, "form": form},
        status=400 if form.errors else 200,
    )


# --- Measures: a partner department --------------------------------------------------------------


@staff_view("measure.department")
@require_safe
def department_measures_view(request: HttpRequest) -> HttpResponse:
    listing = selectors.department_measures_for_partner(
        user=staff_user(request),
        show=str(request.GET.get("show", "")),
        page_number=request.GET.get("page"),
    )
    return render(request, "safety/measure_list.html", {"listing": listing})


# --- One measure: whoever may see it -------------------------------------------------------------


def _status_form(measure: SafetyMeasure, data: Any = None) -> MeasureStatusForm:
    return MeasureStatusForm(
        data,
        starts_on=measure.starts_on,
        initial={
            "status": measure.status,
            "review_on": measure.review_on,
            "ends_on": measure.ends_on,
        },
    )


# Every member of staff passes the gate; the measure itself decides (404 for anyone the
# policy does not let see it: the case team, and partners of the owner department).
@staff_view("staff.home")
@require_http_methods(["GET", "HEAD", "POST"])
def measure_view(request: HttpRequest, measure_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    access = selectors.measure_get_for_staff(user=user, measure_id=measure_id)
    measure = access.measure
    status_form = _status_form(measure)
    revise_form: MeasureReviseForm | None = None
    if access.team:
        revise_form = MeasureReviseForm(initial={"brief": measure.brief, "detail": measure.detail})
    status = 200
    if request.method == "POST":
        # A department only ever posts the status form: whatever else it sends is ignored.
        if access.team and request.POST.get("intent") == INTENT_REVISE:
            revise_form = MeasureReviseForm(request.POST)
            if revise_form.is_valid():
                try:
                    services.measure_revise(
                        measure=measure,
                        actor=user,
                        brief=revise_form.cleaned_data["brief"],
                        detail=revise_form.cleaned_data.get("detail") or "",
                    )
                except services.PlanError as error:
                    revise_form.add_error(None, str(error))
                else:
                    messages.success(request, "The brief and notes were saved.")
                    return redirect(_measure_url(measure))
        else:
            status_form = _status_form(measure, request.POST)
            if status_form.is_valid():
                data = status_form.cleaned_data
                try:
                    services.measure_update(
                        measure=measure,
                        actor=user,
                        status=data["status"],
                        review_on=data.get("review_on"),
                        ends_on=data.get("ends_on"),
                        note=data.get("note"),
                    )
                except services.PlanError as error:
                    status_form.add_error(None, str(error))
                else:
                    messages.success(request, "The measure was updated.")
                    return redirect(_measure_url(measure))
        status = 400
    # Each showing of the measure (its brief is case data) is audited.
    services.measure_record_view(measure=measure, user=user, team=access.team)
    error_form = revise_form if revise_form is not None and revise_form.errors else status_form
    return render(
        request,
        "safety/measure_team.html" if access.team else "safety/measure_department.html",
        {
            "measure": measure,
            "status_form": status_form,
            "revise_form": revise_form,
            "error_form": error_form,
        },
        status=status,
    )


# --- The returning reporter ---------------------------------------------------------------------


@login_not_required
@never_cache
@require_safe
def reporter_plan_view(request: HttpRequest) -> HttpResponseBase:
    """The reporter's safety plan, once their adviser shares it (signed in with a receipt)."""
    report_id = reporter_session.current_report_id(request)
    report = report_get_for_reporter(report_id=report_id) if report_id else None
    if report is None:
        reason = reporter_session.expired_reason(request)
        if reason:
            messages.info(request, reporter_session.expired_message(reason))
        return redirect("reporting:return")
    plan = selectors.reporter_plan_for_report(report=report)
    if plan.shared:
        services.plan_record_reporter_view(case=report.case, reference=report.reference)
    return render(request, "safety/reporter_plan.html", {"report": report, "plan": plan})
