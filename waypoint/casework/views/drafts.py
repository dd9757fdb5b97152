"""Saving and discarding the typed work kept for its author (issue 12, ADR 0034).

POST only. With JavaScript, work-drafts.js posts the text after typing stops and when the
session warning shows (Accept: application/json: the answer is JSON with the seconds the
session has left). Without it, the form's "Save draft" and "Discard draft" buttons post
here (formaction) and come back to the page they were on. The text arrives under the form
field's own name, so both paths post the same thing.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from waypoint.accounts.policy import staff_user, staff_view
from waypoint.accounts.session_clock import session_remaining_seconds
from waypoint.casework.models import Case
from waypoint.casework.selectors.cases import case_get_for_staff
from waypoint.casework.selectors.drafts import DRAFT_FIELDS, DRAFT_PLACE_FIELDS
from waypoint.casework.services.drafts import DraftError, draft_discard, draft_save


def _kind(kind: str) -> str:
    if kind not in DRAFT_FIELDS:
        raise Http404
    return kind


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _back(request: HttpRequest, case: Case) -> HttpResponse:
    """To the page the form was on (a staff address of this site), else the case page."""
    target = str(request.POST.get("draft_next", ""))
    if target.startswith("/staff/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(reverse("casework:case", kwargs={"case_id": case.pk}))


@staff_view("case.view")
@require_POST
def draft_save_view(request: HttpRequest, case_id: uuid.UUID, kind: str) -> HttpResponseBase:
    user = staff_user(request)
    case = case_get_for_staff(user=user, case_id=case_id)
    kind = _kind(kind)
    text = str(request.POST.get(DRAFT_FIELDS[kind], ""))
    place = str(request.POST.get(DRAFT_PLACE_FIELDS.get(kind, ""), ""))
    try:
        draft = draft_save(case=case, user=user, kind=kind, text=text, place=place)
    except DraftError as error:
        if _wants_json(request):
            return JsonResponse({"saved": False, "error": str(error)}, status=400)
        messages.error(request, str(error))
        return _back(request, case)
    if _wants_json(request):
        return JsonResponse(
            {"saved": draft is not None, "remaining_seconds": session_remaining_seconds(request)}
        )
    if draft is None:
        messages.info(request, "There was nothing to keep, so no draft was saved.")
    else:
        messages.success(
            request,
            "Your draft is saved. Only you can see it, and it stays here until you send "
            "it or discard it.",
        )
    return _back(request, case)


@staff_view("case.view")
@require_POST
def draft_discard_view(request: HttpRequest, case_id: uuid.UUID, kind: str) -> HttpResponseBase:
    user = staff_user(request)
    case = case_get_for_staff(user=user, case_id=case_id)
    discarded = draft_discard(case=case, user=user, kind=_kind(kind))
    if _wants_json(request):
        return JsonResponse({"discarded": discarded})
    messages.success(request, "Your draft was discarded." if discarded else "There was no draft.")
    return _back(request, case)
