"""Referrals and disclosures, and the formal processes of a case (staff pages).

/staff/cases/<id>/referrals/     the register of a case, and the form to record one
/staff/referrals/<id>/           one referral: its record, and its status and outcome
/staff/cases/<id>/processes/     police, protective orders, conduct, civil: one page
/staff/cases/<id>/processes/<kind>/   POST: record or update one of them

Thin views: the selector fetches (and applies accounts.policy: anything a person may not
see is a 404, exactly like something that does not exist), a form parses, one service
writes. A refused save re-renders the page with the form's errors (status 400) and saves
nothing; a good one redirects with a message.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from waypoint.accounts.models import User
from waypoint.accounts.policy import staff_user, staff_view
from waypoint.casework.models import Case
from waypoint.casework.services import case_record_opening
from waypoint.safety.forms_processes import (
    ReferralForm,
    ReferralUpdateForm,
    process_form,
)
from waypoint.safety.models import ConductProcess, Referral
from waypoint.safety.selectors import processes as selectors
from waypoint.safety.services import processes as services
from waypoint.safety.services.processes import CIVIL_STATUS_LABELS, ProcessKind, SafetyFormError


def _add_errors(form: forms.Form, error: SafetyFormError) -> None:
    for name, message in error.errors.items():
        form.add_error(None if name not in form.fields else name, message)


# --- Referrals ----------------------------------------------------------------------------------


def _referral_list_page(
    request: HttpRequest, case: Case, form: ReferralForm, *, status: int = 200
) -> HttpResponse:
    user = staff_user(request)
    referrals = selectors.referrals_for_case(case=case)
    services.processes_record_read(user=user, case=case, what="referral.list", count=len(referrals))
    rows = [(r, selectors.referral_recipient_name(r)) for r in referrals]
    # A page of the "Referrals and processes" section of the case frame (ADR 0031).
    with case.access_facts_remembered():
        case_record_opening(case=case, user=user)
        return render(
            request,
            "safety/referral_list.html",
            {
                "case": case,
                "section": "referrals",
                "rows": rows,
                "form": form,
                "has_errors": bool(form.errors),
            },
            status=status,
        )


@staff_view("safety.refer")
@require_http_methods(["GET", "POST"])
def referral_list_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    case = selectors.case_get_for_action(user=user, case_id=case_id, action="safety.refer")
    if request.method != "POST":
        return _referral_list_page(request, case, ReferralForm(initial={}))
    form = ReferralForm(request.POST)
    if form.is_valid():
        recipient = form.recipient_values()
        try:
            referral = services.referral_create(
                case=case,
                actor=user,
                service=recipient["service"],
                department=recipient["department"],
                organisation=recipient["organisation"],
                purpose=form.cleaned_data.get("purpose") or "",
                shared=form.cleaned_data.get("shared") or "",
                lawful_basis=form.cleaned_data.get("lawful_basis") or "",
                consent_given=form.consent(),
                consent_at=form.cleaned_data.get("consent_at"),
                consent_method=form.cleaned_data.get("consent_method") or "",
                exemption=form.cleaned_data.get("exemption") or "",
            )
        except services.ReferralError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "The referral is recorded, with the basis for sharing.")
            return redirect("safety:referral", referral_id=referral.pk)
    return _referral_list_page(request, case, form, status=400)


def _referral_page(
    request: HttpRequest, referral: Referral, form: ReferralUpdateForm, *, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "safety/referral_detail.html",
        {
            "case": referral.case,
            "referral": referral,
            "recipient": selectors.referral_recipient_name(referral),
            "form": form,
            "has_errors": bool(form.errors),
        },
        status=status,
    )


@staff_view("safety.refer")
@require_http_methods(["GET", "POST"])
def referral_view(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    referral = selectors.referral_get_for_staff(user=user, referral_id=referral_id)
    services.processes_record_read(
        user=user, case=referral.case, what="referral.view", object_id=str(referral.pk)
    )
    if request.method != "POST":
        form = ReferralUpdateForm(
            initial={"status": referral.status, "outcome": referral.outcome or ""}
        )
        return _referral_page(request, referral, form)
    form = ReferralUpdateForm(request.POST)
    if form.is_valid():
        try:
            services.referral_update(
                referral=referral,
                actor=user,
                status=form.cleaned_data["status"],
                outcome=form.cleaned_data.get("outcome") or "",
            )
        except services.ReferralError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "The referral is updated.")
            return redirect("safety:referral", referral_id=referral.pk)
    return _referral_page(request, referral, form, status=400)


# --- Formal processes -----------------------------------------------------------------------------

_SECTIONS = {
    ProcessKind.POLICE: "police",
    ProcessKind.ORDER: "orders",
    ProcessKind.CONDUCT: "conduct",
    ProcessKind.PRECAUTION: "conduct",
    ProcessKind.CIVIL: "civil",
}


def _form_key(kind: str, row_id: object = None, parent: object = None) -> str:
    """Which form on the page: "police-new", "order-<id>", "precaution-new-<conduct id>"."""
    if row_id is not None:
        return f"{kind}-{row_id}"
    return f"{kind}-new" + (f"-{parent}" if parent is not None else "")


def _processes_page(
    request: HttpRequest,
    case: Case,
    *,
    bound: tuple[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = staff_user(request)
    overview = selectors.process_overview_for_case(case=case)
    services.processes_record_read(user=user, case=case, what="process.list", count=overview.count)
    advisers = overview.advisers

    def form_for(kind: str, row: Any = None, parent: object = None) -> dict[str, Any]:
        key = _form_key(kind, None if row is None else row.pk, parent)
        if bound is not None and bound[0] == key:
            form = bound[1]
        else:
            form = process_form(kind, row=row, advisers=advisers, auto_id=f"{key}-%s")
        status_label = CIVIL_STATUS_LABELS.get(str(getattr(row, "status", "")), "")
        return {
            "key": key,
            "form": form,
            "row": row,
            "kind": kind,
            "parent": parent,
            "status_label": status_label if kind == ProcessKind.CIVIL else "",
        }

    context = {
        "case": case,
        "overview": overview,
        "police": [form_for(ProcessKind.POLICE, row) for row in overview.police],
        "police_new": form_for(ProcessKind.POLICE),
        "orders": [form_for(ProcessKind.ORDER, row) for row in overview.orders],
        "order_new": form_for(ProcessKind.ORDER),
        "conduct": [
            {
                **form_for(ProcessKind.CONDUCT, record.process),
                "measures": [
                    form_for(ProcessKind.PRECAUTION, measure) for measure in record.measures
                ],
                "measure_new": form_for(ProcessKind.PRECAUTION, parent=record.process.pk),
            }
            for record in overview.conduct
        ],
        "conduct_new": form_for(ProcessKind.CONDUCT),
        "civil": [form_for(ProcessKind.CIVIL, row) for row in overview.civil],
        "civil_new": form_for(ProcessKind.CIVIL),
        "bound_key": bound[0] if bound is not None else "",
        "error_form": bound[1] if bound is not None and bound[1].errors else None,
        "section": "referrals",
    }
    # A page of the "Referrals and processes" section of the case frame (ADR 0031).
    with case.access_facts_remembered():
        case_record_opening(case=case, user=user)
        return render(request, "safety/process_list.html", context, status=status)


@staff_view("safety.process")
@require_safe
def process_list_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = selectors.case_get_for_action(
        user=staff_user(request), case_id=case_id, action="safety.process"
    )
    return _processes_page(request, case)


def _advisers_for(case: Case, row: Any) -> list[User]:
    keep = [row.reporting_student_adviser_id] if isinstance(row, ConductProcess) else []
    return selectors.case_advisers_for_conduct(case=case, keep=[k for k in keep if k])


@staff_view("safety.process")
@require_POST
def process_save_view(request: HttpRequest, case_id: uuid.UUID, kind: str) -> HttpResponse:
    user = staff_user(request)
    if kind not in ProcessKind.values:
        raise Http404
    case = selectors.case_get_for_action(user=user, case_id=case_id, action="safety.process")
    row_id = request.POST.get("id") or ""
    row = selectors.process_row_for_case(case=case, kind=kind, row_id=row_id) if row_id else None
    conduct = None
    if kind == ProcessKind.PRECAUTION and row is None:
        conduct = selectors.conduct_for_case(
            case=case, conduct_id=request.POST.get("process") or ""
        )
    key = _form_key(kind, None if row is None else row.pk, None if conduct is None else conduct.pk)
    advisers = _advisers_for(case, row) if kind == ProcessKind.CONDUCT else []
    form = process_form(kind, data=request.POST, advisers=advisers, auto_id=f"{key}-%s")
    if form.is_valid():
        try:
            services.process_save(
                case=case,
                actor=user,
                kind=kind,
                values=form.cleaned_data,
                row=row,
                conduct=conduct,
            )
        except services.ProcessError as error:
            _add_errors(form, error)
        else:
            label = ProcessKind(kind).label
            messages.success(request, f"{label}: saved.")
            url = reverse("safety:processes", kwargs={"case_id": case.pk})
            return redirect(f"{url}#{_SECTIONS[ProcessKind(kind)]}")
    return _processes_page(request, case, bound=(key, form), status=400)
