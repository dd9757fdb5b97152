"""The case's chronology, recording an incident, and the police-ready bundle (issue 14).

/staff/cases/<id>/chronology/          every incident in the order it happened (GET filter)
/staff/cases/<id>/chronology/add/      record an incident told by phone, in their log
/staff/cases/<id>/chronology/bundle/   the bundle's form (a disclosure to the police)
/staff/bundles/<referral id>/          the bundle made: its two downloads
/staff/bundles/<referral id>/pdf/      the signed, watermarked PDF chronology
/staff/bundles/<referral id>/zip/      the chosen files, the PDF and MANIFEST.txt

Thin views: a case someone may not see is the 404 a missing case gets (selectors), a form
parses, one service writes. Every page and download is audited with ids only; downloads
are never cached and their names say nothing about the case.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from waypoint.accounts.policy import staff_user, staff_view
from waypoint.casework.models import Case
from waypoint.casework.services import case_record_opening
from waypoint.safety.forms_chronology import BundleForm, ChronologyFilterForm, StaffIncidentForm
from waypoint.safety.selectors import bundle as bundles
from waypoint.safety.selectors import chronology as selectors
from waypoint.safety.selectors.processes import case_get_for_action
from waypoint.safety.services import bundle as bundle_services
from waypoint.safety.services import chronology as services
from waypoint.safety.services.processes import SafetyFormError

SECTION = "chronology"


def _add_errors(form: forms.Form, error: SafetyFormError) -> None:
    for name, message in error.errors.items():
        form.add_error(name if name in form.fields else None, message)


def _case(request: HttpRequest, case_id: uuid.UUID, action: str) -> Case:
    return case_get_for_action(user=staff_user(request), case_id=case_id, action=action)


def _section(
    request: HttpRequest, case: Case, template: str, context: dict[str, object], status: int = 200
) -> HttpResponse:
    """A page of the Chronology section, inside the case frame (ADR 0031)."""
    with case.access_facts_remembered():
        case_record_opening(case=case, user=staff_user(request))
        return render(
            request, template, {"case": case, "section": SECTION, **context}, status=status
        )


@staff_view("case.chronology")
@require_safe
def chronology_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    case = _case(request, case_id, "case.chronology")
    chosen = request.GET.get("behaviour", ""), request.GET.get("person", "")
    found = selectors.chronology_for_case(case=case, behaviour=chosen[0], person=chosen[1])
    form = ChronologyFilterForm(
        {"behaviour": found.chosen_behaviour, "person": found.chosen_person},
        behaviours=found.behaviours,
        people=found.people,
    )
    services.chronology_record_read(
        user=user,
        case=case,
        shown=len(found.rows),
        shared=found.shared_entries,
        filtered=found.filtered,
    )
    # MoJ "selected filters": each with a link that drops it (and keeps the other).
    kept = {"behaviour": found.chosen_behaviour, "person": found.chosen_person}
    tags = []
    for name, choices in (("behaviour", found.behaviours), ("person", found.people)):
        label = next((c.label for c in choices if c.value and c.value == kept[name]), "")
        if label:
            others = {k: v for k, v in kept.items() if k != name and v}
            tags.append((label, f"?{urlencode(others)}" if others else request.path))
    return _section(
        request,
        case,
        "safety/chronology.html",
        {"chronology": found, "form": form, "filter_tags": tags},
    )


def _incident_page(
    request: HttpRequest, case: Case, form: StaffIncidentForm, status: int = 200
) -> HttpResponse:
    return _section(
        request,
        case,
        "safety/chronology_add.html",
        {"form": form, "invalid_form": form if form.errors else None},
        status=status,
    )


def _people(case: Case) -> list[object]:
    shared = selectors.shared_log_for_case(case)
    return list(selectors.shared_people(shared)) if shared is not None else []


@staff_view("case.chronology")
@require_http_methods(["GET", "POST"])
def chronology_add_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    case = _case(request, case_id, "case.chronology")
    people = _people(case)
    if request.method != "POST":
        return _incident_page(request, case, StaffIncidentForm(people=people))  # type: ignore[arg-type]
    form = StaffIncidentForm(request.POST, people=people)  # type: ignore[arg-type]
    if not form.is_valid():
        return _incident_page(request, case, form, status=400)
    entry = services.incident_record(
        case=case, actor=user, content=form.content(), new_person=form.someone_new()
    )
    messages.success(
        request,
        f"The incident is recorded as entry {entry.seq} of their log. They will see it there, "
        "marked as recorded by staff.",
    )
    return redirect("safety:chronology", case_id=case.pk)


# --- The police-ready bundle ---------------------------------------------------------------------


def _bundle_page(
    request: HttpRequest, case: Case, form: BundleForm, status: int = 200
) -> HttpResponse:
    shared = selectors.shared_log_for_case(case)
    return _section(
        request,
        case,
        "safety/bundle_form.html",
        {
            "form": form,
            "invalid_form": form if form.errors else None,
            "shared_entries": len(shared.rows) if shared is not None else 0,
        },
        status=status,
    )


@staff_view("case.police_bundle")
@require_http_methods(["GET", "POST"])
def bundle_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    case = _case(request, case_id, "case.police_bundle")
    offered = bundles.bundle_files_for_case(case=case)
    if request.method != "POST":
        return _bundle_page(request, case, BundleForm(offered=offered))
    form = BundleForm(request.POST, offered=offered)
    if form.is_valid():
        try:
            referral = bundle_services.bundle_create(
                case=case,
                actor=user,
                purpose=form.cleaned_data.get("purpose") or "",
                recipient=form.cleaned_data.get("recipient") or "",
                crime_reference=form.cleaned_data.get("crime_reference") or "",
                lawful_basis=form.cleaned_data.get("lawful_basis") or "",
                consent_given=form.consent(),
                consent_at=form.cleaned_data.get("consent_at"),
                consent_method=form.cleaned_data.get("consent_method") or "",
                exemption=form.cleaned_data.get("exemption") or "",
                files=form.chosen_files(),
            )
        except SafetyFormError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request, "The disclosure is recorded in the referral register, with its basis."
            )
            return redirect("safety:bundle_ready", referral_id=referral.pk)
    return _bundle_page(request, case, form, status=400)


@staff_view("case.police_bundle")
@require_safe
def bundle_ready_view(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    bundle = bundles.bundle_get_for_staff(user=user, referral_id=referral_id)
    bundle_services.bundle_record_read(bundle=bundle, actor=user)
    response = _section(request, bundle.case, "safety/bundle_ready.html", {"bundle": bundle})
    response["Cache-Control"] = "no-store"
    return response


def _download(data: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Content-Length"] = str(len(data))
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@staff_view("case.police_bundle")
@require_safe
def bundle_pdf_view(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponseBase:
    user = staff_user(request)
    bundle = bundles.bundle_get_for_staff(user=user, referral_id=referral_id)
    pdf = bundle_services.bundle_pdf(bundle=bundle, actor=user)
    return _download(pdf, "application/pdf", "police-bundle-chronology.pdf")


@staff_view("case.police_bundle")
@require_safe
def bundle_zip_view(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponseBase:
    user = staff_user(request)
    bundle = bundles.bundle_get_for_staff(user=user, referral_id=referral_id)
    data = bundle_services.bundle_zip(bundle=bundle, actor=user)
    return _download(data, "application/zip", "police-bundle.zip")
