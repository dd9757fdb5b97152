"""The /check/ view: questions on GET, the result in the POST response itself.

No redirect, no session, no database write, no cache, no log line: the answers exist
only while this request is being answered. Decisions record: docs/decisions/0012.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods

from waypoint.hub import selectors
from waypoint.hub.models import SupportPhone, SupportService
from waypoint.hub.selfcheck.interpretation import interpret
from waypoint.hub.selfcheck.questions import SelfCheckForm

# Directory entries the result points to, found by slug. Any of them may be missing (an
# institution may not list them, or has unpublished them); the result then leaves that
# step out or points to the support directory instead.
TEAM_SLUG: Final = "standing-together"
HELPLINE_SLUG: Final = "suzy-lamplugh-trust"
POLICE_SLUG: Final = "leicestershire-police"

# Where "tell the team" leads, each only once this site serves it (checked per request, so
# nothing here changes when the report flow arrives): the report flow's stable address
# (ARCHITECTURE.md), which also takes anonymous reports; else the page on how to contact
# the team; else the team's contact details from the institution, or the directory.
REPORT_PATH: Final = selectors.REPORT_PATH
CONTACT_PATH: Final = selectors.TELL_US_PATH


@dataclass(frozen=True)
class NextSteps:
    """Who the result suggests talking to. Read from the directory; holds no answers."""

    report_url: str | None
    contact_url: str | None
    team: SupportService | None
    helpline: SupportService | None
    police: SupportService | None

    @property
    def helpline_phone(self) -> SupportPhone | None:
        return _phone(self.helpline, SupportPhone.Kind.HELPLINE)

    @property
    def police_non_emergency(self) -> SupportPhone | None:
        return _phone(self.police, SupportPhone.Kind.NON_EMERGENCY)


def _phone(service: SupportService | None, kind: str) -> SupportPhone | None:
    if service is None:
        return None
    # phones are prefetched: filter in Python so that no query is made per service.
    return next((p for p in service.phones.all() if p.kind == kind), None)


def next_steps_get() -> NextSteps:
    """The services the result names, in two queries whatever the directory's size."""
    services = {
        s.slug: s
        for s in SupportService.objects.filter(
            slug__in=(TEAM_SLUG, HELPLINE_SLUG, POLICE_SLUG), is_published=True
        ).prefetch_related("phones")
    }
    return NextSteps(
        report_url=selectors.path_if_served(REPORT_PATH),
        contact_url=selectors.path_if_served(CONTACT_PATH),
        team=services.get(TEAM_SLUG),
        helpline=services.get(HELPLINE_SLUG),
        police=services.get(POLICE_SLUG),
    )


@login_not_required
@sensitive_variables()  # on top: hides every local below it in error reports, arguments too
@sensitive_post_parameters()
@require_http_methods(["GET", "HEAD", "POST"])
def check_view(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "hub/check.html", {"form": SelfCheckForm()})
    form = SelfCheckForm(request.POST)
    if not form.is_valid():
        # 200, not 422: the form is shown again with kind words, and an empty form is a
        # prompt rather than a failure (ADR 0012).
        return render(request, "hub/check.html", {"form": form})
    context = {"result": interpret(form.answers()), "next_steps": next_steps_get()}
    return render(request, "hub/check_result.html", context)
