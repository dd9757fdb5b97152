"""Walk-in disclosure: an adviser records a report for someone at the office ("case.walk_in").

The receipt's passphrase goes from the form to the receipt page the way the online flow
carries it (ADR 0016, ADR 0020): sealed with the key-encryption key in a short-lived,
HttpOnly, SameSite=Strict cookie bound to the report and to the adviser, so it is never
in a URL, a log, the session table or any other row. The session holds only the report
id. The receipt page shows it once, then clears both.
"""

from __future__ import annotations

import base64
import uuid
from typing import Final

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.accounts.policy import staff_user, staff_view
from waypoint.casework.forms_walk_in import (
    WalkInForm,
    error_links,
    walk_in_answers,
    walk_in_step_sections,
)
from waypoint.casework.models import Case
from waypoint.casework.services.walk_in import WalkInError, walk_in_report_create
from waypoint.privacy import crypto

SESSION_KEY: Final = "casework.walk_in_report"
RECEIPT_COOKIE_SECONDS: Final = 15 * 60


def _cookie_name() -> str:
    return "__Host-waypoint-walk-in" if settings.SESSION_COOKIE_SECURE else "waypoint-walk-in"


def _aad(report_id: object, user: User) -> bytes:
    # Bound to the report and the adviser: a copied cookie opens for nobody else.
    return f"waypoint:v1|walk-in-receipt|{report_id}|{user.pk}".encode()


@sensitive_variables("passphrase")
def _set_receipt_cookie(
    response: HttpResponseBase, *, report_id: object, user: User, passphrase: str
) -> None:
    sealed = crypto.encrypt_with_kek(passphrase.encode(), associated_data=_aad(report_id, user))
    response.set_cookie(
        _cookie_name(),
        base64.urlsafe_b64encode(sealed).decode(),
        max_age=RECEIPT_COOKIE_SECONDS,
        path="/",  # a __Host- cookie must have path "/"
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )


def _read_receipt_cookie(request: HttpRequest, *, report_id: object, user: User) -> str | None:
    raw = request.COOKIES.get(_cookie_name())
    if not raw:
        return None
    try:
        sealed = base64.urlsafe_b64decode(raw.encode())
        return crypto.decrypt_with_kek(sealed, associated_data=_aad(report_id, user)).decode()
    except (ValueError, crypto.CryptoError):
        return None


@staff_view("case.walk_in")
@sensitive_post_parameters()
@sensitive_variables("passphrase")
@require_http_methods(["GET", "POST"])
def walk_in_view(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    if request.method != "POST":
        form = WalkInForm()
        sections = walk_in_step_sections()
    else:
        form = WalkInForm(request.POST)
        route = form.cleaned_data["route"] if form.is_valid() else None
        sections = walk_in_step_sections(data=request.POST, route=route)
        # Check every step (not just up to the first with a problem), to list them all.
        checked = [section.form.is_valid() for section in sections if section.applies]
        if route is not None and all(checked):
            try:
                report, passphrase = walk_in_report_create(
                    actor=user,
                    route=route,
                    reporter_role=form.cleaned_data["reporter_role"],
                    answers=walk_in_answers(sections),
                    issue_receipt=form.cleaned_data["issue_receipt"],
                )
            except WalkInError as error:
                form.add_error(None, str(error))
            else:
                # Reached after the commit: the receipt is never shown for an unsaved report.
                request.session[SESSION_KEY] = str(report.pk)
                response = redirect("casework:walk_in_receipt")
                if passphrase:
                    _set_receipt_cookie(
                        response, report_id=report.pk, user=user, passphrase=passphrase
                    )
                return response
    errors = error_links(form, sections) if request.method == "POST" else []
    return render(
        request,
        "casework/staff/walk_in.html",
        {"form": form, "sections": sections, "errors": errors},
        status=400 if errors else 200,
    )


def _pending_case(request: HttpRequest, user: User) -> Case | None:
    """The case just recorded by this adviser in this session, once (the marker goes)."""
    raw = request.session.pop(SESSION_KEY, None)
    try:
        report_id = uuid.UUID(str(raw))
    except ValueError:
        return None
    case = Case.objects.select_related("report").filter(report_id=report_id).first()
    if case is None or not policy.can(user, "case.view", case):
        return None
    return case


@staff_view("case.walk_in")
@sensitive_variables("passphrase")
@require_GET
def walk_in_receipt_view(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    case = _pending_case(request, user)
    passphrase = (
        _read_receipt_cookie(request, report_id=case.report_id, user=user) if case else None
    )
    response = render(
        request,
        "casework/staff/walk_in_receipt.html",
        {
            "case": case,
            "report": case.report if case else None,
            "receipt_issued": bool(case and case.report.receipt_hash),
            "passphrase": passphrase,
            "words": passphrase.split() if passphrase else [],
        },
    )
    # Shown once: a reload finds neither the marker nor the passphrase.
    response.delete_cookie(_cookie_name(), path="/", samesite="Strict")
    return response
