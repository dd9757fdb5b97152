"""Risk assessments of a case (policy action "safety.assess").

Thin views: the case comes from casework's case_get_for_staff (404 for a case the person
may not see), reads from safety/selectors/risk.py, the one write from
safety/services/risk.py. Assessments are never edited: there is a list, a form that
records a new one, and a read-only page. Everything works without JavaScript.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.accounts.policy import staff_user, staff_view
from waypoint.casework.models import Case
from waypoint.casework.selectors import case_get_for_staff
from waypoint.casework.services import case_record_opening
from waypoint.safety import instruments
from waypoint.safety.forms_risk import AssessmentForm
from waypoint.safety.models import InstrumentVersion
from waypoint.safety.selectors import risk as selectors
from waypoint.safety.selectors.chronology import log_pattern_for_case
from waypoint.safety.services import chronology as chronology_services
from waypoint.safety.services import risk as services

ACTION = "safety.assess"
CHANGED_VERSION = (
    "This checklist was updated while you were answering it, so nothing was saved. "
    "The questions below are the new version: please answer them again."
)


def _case(user: User, case_id: uuid.UUID) -> Case:
    case = case_get_for_staff(user=user, case_id=case_id)
    policy.require(user, ACTION, case)
    return case


@staff_view(ACTION)
@require_safe
def assessment_list_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    case = case_get_for_staff(user=user, case_id=case_id)
    # The Risk section of the case frame (ADR 0031): each policy fact read once.
    with case.access_facts_remembered():
        rows = selectors.assessments_for_case(user=user, case=case)  # asks "safety.assess"
        case_record_opening(case=case, user=user)
        return render(
            request,
            "safety/risk_list.html",
            {
                "case": case,
                "section": "risk",
                "rows": rows,
                "instruments": selectors.instruments_for_assessment(),
            },
        )


def _form_page(
    request: HttpRequest,
    *,
    case: Case,
    version: InstrumentVersion,
    form: AssessmentForm,
    changed: bool = False,
) -> HttpResponse:
    # Beside the questions: the counts of what they shared from their incident log (none
    # of it when nothing was shared; never a count of what was not).
    log_pattern = log_pattern_for_case(case=case)
    if log_pattern is not None:
        chronology_services.log_pattern_record_read(
            user=staff_user(request), case=case, incidents=log_pattern.incidents
        )
    return render(
        request,
        "safety/risk_new.html",
        {
            "case": case,
            "log_pattern": log_pattern,
            "version": version,
            "definition": form.definition,
            "form": form,
            "count_only": form.definition.rule == "count_only",
            "changed": CHANGED_VERSION if changed else "",
            "error_links": form.error_links() if form.is_bound else [],
        },
        status=400 if changed or (form.is_bound and form.errors) else 200,
    )


def _new_form(version: InstrumentVersion, data: object = None) -> AssessmentForm:
    return AssessmentForm(
        data,
        definition=instruments.parse_definition(version.definition),
        version_id=str(version.pk),
    )


@staff_view(ACTION)
@require_http_methods(["GET", "POST"])
def assessment_new_view(request: HttpRequest, case_id: uuid.UUID, instrument: str) -> HttpResponse:
    user = staff_user(request)
    case = _case(user, case_id)
    version = selectors.instrument_version_current(slug=instrument)
    if request.method != "POST":
        return _form_page(request, case=case, version=version, form=_new_form(version))

    if request.POST.get("version", "") != str(version.pk):
        # Answers given to other wording (a version loaded since the page was opened, or a
        # tampered value) are never recorded against this one: answer the current questions.
        return _form_page(
            request, case=case, version=version, form=_new_form(version), changed=True
        )
    form = _new_form(version, request.POST)
    if not form.is_valid():
        return _form_page(request, case=case, version=version, form=form)
    try:
        assessment = services.assessment_create(
            case=case,
            actor=user,
            version=version,
            answers=form.answers(),
            judged_band=form.cleaned_data["band"],
            judgement_reason=form.cleaned_data["judgement_reason"],
            next_review_on=form.cleaned_data["next_review_on"],
        )
    except services.AssessmentError as error:
        form.add_service_errors(error.errors)
        return _form_page(request, case=case, version=version, form=form)
    messages.success(
        request,
        "The assessment is saved. It cannot be changed, and a new one can be added at any time.",
    )
    return redirect("safety:assessment", assessment_id=assessment.pk)


@staff_view(ACTION)
@require_safe
def assessment_view(request: HttpRequest, assessment_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    detail = selectors.assessment_detail_for_staff(user=user, assessment_id=assessment_id)
    return render(request, "safety/risk_assessment.html", {"detail": detail, "case": detail.case})
