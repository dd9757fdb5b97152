"""Match alerts and links between cases, for case leads (policy action "case.match").

A match or case the lead may not open answers 404, exactly like one that does not exist;
a reference they may not open reads exactly like an unknown one. Every change is a POST
that ends in a redirect with a message.
"""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from waypoint.accounts import policy
from waypoint.accounts.policy import staff_user, staff_view
from waypoint.casework.models import CaseMatch
from waypoint.casework.selectors import case_get_for_staff
from waypoint.casework.selectors import matching as selectors
from waypoint.casework.services import matching as services
from waypoint.privacy.services import audit_record

ALERTS_PER_PAGE = 25
NO_SUCH_REFERENCE = "No case you can see has that reference. Check it and try again."


class LinkForm(forms.Form):
    reference = forms.CharField(max_length=40, strip=True)


class MatchDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("link", "Link"), ("dismiss", "Dismiss")])
    # Where the button was pressed: that case's page, or the list of alerts. Read as
    # text: a malformed value only means "back to the list".
    from_case = forms.CharField(required=False, max_length=64)


def _case_url(case_id: uuid.UUID) -> str:
    return reverse("casework:case", kwargs={"case_id": case_id}) + "#case-links"


def _back(match: CaseMatch, from_case: str) -> HttpResponseRedirect:
    # Only ever back to one of the match's own cases: anything else goes to the list.
    for case_id in (match.case_a_id, match.case_b_id):
        if from_case == str(case_id):
            return redirect(_case_url(case_id))
    return redirect("casework:matches")


@staff_view("case.match")
@require_safe
def match_list_view(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    alerts = selectors.match_alerts_for_lead(user=user)
    page = Paginator(alerts, ALERTS_PER_PAGE).get_page(request.GET.get("page"))
    audit_record(
        actor=user,
        action="case.match_list",
        object_type=services.MATCH_OBJECT_TYPE,
        extra={"count": len(page.object_list), "page": page.number},
    )
    return render(
        request,
        "casework/staff/matches.html",
        {"page": page, "alerts": page.object_list, "total": len(alerts)},
    )


@staff_view("case.match")
@require_POST
def match_decide_view(request: HttpRequest, match_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    match = selectors.match_get_for_lead(user=user, match_id=match_id)
    form = MatchDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether to link the cases or not.")
        return _back(match, "")
    from_case = str(form.cleaned_data.get("from_case") or "")
    try:
        if form.cleaned_data["decision"] == "link":
            services.match_link(actor=user, match=match)
            messages.success(
                request,
                "The cases are linked. Each case now lists the other under linked cases.",
            )
        else:
            services.match_dismiss(actor=user, match=match)
            messages.success(
                request,
                "Marked as not the same person. The alert is gone and neither case changed.",
            )
    except services.MatchDecidedError:
        messages.info(request, "Someone has already dealt with this match.")
    return _back(match, from_case)


@staff_view("case.match")
@require_POST
def link_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    case = case_get_for_staff(user=user, case_id=case_id)
    policy.require(user, "case.match", case)
    form = LinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter the reference of the other case, for example WP-7K3Q9M2X.")
        return redirect(_case_url(case.pk))
    other = selectors.case_get_by_reference_for_linking(
        user=user, reference=form.cleaned_data["reference"]
    )
    if other is None:
        messages.error(request, NO_SUCH_REFERENCE)
        return redirect(_case_url(case.pk))
    try:
        services.case_link_create(actor=user, case=case, other=other)
    except services.LinkError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"This case is now linked to {other.report.reference}.")
    return redirect(_case_url(case.pk))
