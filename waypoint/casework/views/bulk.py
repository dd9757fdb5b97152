"""Bulk actions from the inbox at /staff/cases/bulk/ (case leads, "case.bulk").

POST only, in two steps: the inbox's checkboxes and an action button bring the chosen
cases here, and the page asks for what the action needs (who to assign; the outcome and
closing summary); posting that form does it, case by case (services/bulk.py), and the page
says which cases were changed and which were not, and why.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from waypoint.accounts.policy import staff_user, staff_view
from waypoint.casework.forms_bulk import (
    ACTION_ASSIGN,
    BulkAssignForm,
    BulkCloseForm,
    BulkSelectionForm,
)
from waypoint.casework.selectors.inbox import bulk_selection_for_lead
from waypoint.casework.services.bulk import cases_bulk_assign, cases_bulk_close
from waypoint.institution.selectors import institution_get_current

TEMPLATE = "casework/staff/bulk.html"


@staff_view("case.bulk")
@require_POST
def bulk_view(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    context: dict[str, Any] = {"institution": institution_get_current()}
    if "confirm" not in request.POST:
        # Step 1, from the inbox: which cases, and which action.
        selection = BulkSelectionForm(request.POST)
        if not selection.is_valid():
            return render(request, TEMPLATE, {**context, "selection": selection}, status=400)
        action = selection.cleaned_data["action"]
        ids = selection.cleaned_data["cases"]
        form_class = BulkAssignForm if action == ACTION_ASSIGN else BulkCloseForm
        form: BulkAssignForm | BulkCloseForm = form_class(initial={"cases": ids})
    else:
        action = request.POST.get("confirm", "")
        form_class = BulkAssignForm if action == ACTION_ASSIGN else BulkCloseForm
        form = form_class(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            if isinstance(form, BulkAssignForm):
                result = cases_bulk_assign(
                    actor=user, case_ids=data["cases"], user=data["user"], reassign=data["reassign"]
                )
            else:
                result = cases_bulk_close(
                    actor=user,
                    case_ids=data["cases"],
                    outcome=data["outcome"],
                    support_given=data["support_given"],
                    reason=data["reason"],
                )
            return render(request, TEMPLATE, {**context, "action": action, "result": result})
        ids = form.cleaned_data.get("cases") or []
    context.update(
        action=action,
        form=form,
        chosen=bulk_selection_for_lead(user=user, case_ids=ids),
    )
    return render(request, TEMPLATE, context, status=200 if not form.errors else 400)
