"""/my-report/: a reporter returns with their receipt (reference + passphrase).

These pages read and write the case (its status, who opened it, the messages), so they
live in casework, which imports reporting and never the other way (ADR 0040). Their
templates stay with the report flow's, under reporting/templates/reporting/return_*.

Signing in is rate limited per reference and per network bucket, and neither the
buckets nor anything else here keeps an IP address. The session ends after 30 minutes
without activity. The reporter sees the status in plain words, which roles have opened
the report, the messages, and can add information or evidence, withdraw, or ask for
deletion. They never edit what they first said.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from waypoint.casework import selectors as case_selectors
from waypoint.casework import services as case_services
from waypoint.log import services as log_services
from waypoint.log import session as log_session
from waypoint.log.models import IncidentLog
from waypoint.reporting import ratelimit, reporter_session, selectors, services
from waypoint.reporting.forms import AdditionForm, ConfirmForm, MessageForm, SignInForm
from waypoint.reporting.models import Report
from waypoint.reporting.views import evidence_page

ReporterView = Callable[..., HttpResponseBase]


def reporter_required(view: ReporterView) -> ReporterView:
    """The signed-in report, or back to the sign-in page (saying why, if it timed out)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        report_id = reporter_session.current_report_id(request)
        report = selectors.report_get_for_reporter(report_id=report_id) if report_id else None
        if report is None:
            reason = reporter_session.expired_reason(request)
            if reason:
                messages.info(request, reporter_session.expired_message(reason))
            return redirect("reporting:return")
        return view(request, report, *args, **kwargs)

    return login_not_required(never_cache(wrapped))


@login_not_required
@never_cache
@sensitive_post_parameters("passphrase")
@sensitive_variables("passphrase")
@require_http_methods(["GET", "HEAD", "POST"])
def return_view(request: HttpRequest) -> HttpResponseBase:
    """Sign in with the receipt; once signed in, the report's own page."""
    report_id = reporter_session.current_report_id(request)
    report = selectors.report_get_for_reporter(report_id=report_id) if report_id else None
    if report is not None and request.method != "POST":
        return _report_home(request, report)
    reason = reporter_session.expired_reason(request)
    if reason:
        messages.info(request, reporter_session.expired_message(reason))
    form = SignInForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        check = services.reporter_sign_in_check(
            request=request,
            reference=form.cleaned_data["reference"],
            passphrase=form.cleaned_data["passphrase"],
        )
        if check.blocked:
            form.add_error(
                None,
                "There have been too many attempts to sign in. To keep reports safe, please "
                "wait 15 minutes and try again.",
            )
            status = 429
        elif check.report is None:
            form.add_error(
                None,
                "We could not find a report with that reference and passphrase. Check "
                "both and try again: type every word of the passphrase, with spaces "
                "between them.",
            )
            status = 400
        else:
            reporter_session.sign_in(request, check.report)
            return redirect("reporting:return")
    elif form.errors:
        status = 400
    return render(request, "reporting/return_sign_in.html", {"form": form}, status=status)


def _report_home(
    request: HttpRequest,
    report: Report,
    *,
    message_form: MessageForm | None = None,
    status: int = 200,
) -> HttpResponse:
    case = report.case
    status_label, status_text = case_selectors.case_status_for_reporter(case=case)
    thread = case_services.messages_for_reporter(case=case)
    return render(
        request,
        "reporting/return_home.html",
        {
            "report": report,
            "status_label": status_label,
            "status_text": status_text,
            "openings": case_selectors.case_openings_for_reporter(case=case),
            "thread": thread,
            "can_message": report.wants_messages and report.withdrawn_at is None,
            "message_form": message_form or MessageForm(),
            "summary": selectors.report_summary_for_reporter(report),
            "additions": selectors.additions_for_reporter(report=report),
            "evidence": selectors.evidence_for_owner(report=report),
            "has_log": IncidentLog.objects.filter(report=report).exists(),
        },
        status=status,
    )


@reporter_required
@require_POST
def message_view(request: HttpRequest, report: Report) -> HttpResponseBase:
    form = MessageForm(request.POST)
    if not form.is_valid():
        return _report_home(request, report, message_form=form, status=400)
    if ratelimit.is_blocked(ratelimit.MESSAGE_PER_REPORT, key=str(report.id)):
        form.add_error(
            "body",
            "You have sent a lot of messages in a short time. Please wait a while before "
            "sending another. If you are in danger now, see Get help now, below.",
        )
        return _report_home(request, report, message_form=form, status=429)
    ratelimit.hit(ratelimit.MESSAGE_PER_REPORT, key=str(report.id))
    try:
        case_services.message_send_from_reporter(case=report.case, body=form.cleaned_data["body"])
    except ValueError as problem:
        form.add_error("body", str(problem))
        return _report_home(request, report, message_form=form, status=400)
    messages.success(request, "Your message has been sent to the team.")
    return redirect(reverse("reporting:return") + "#messages")


@reporter_required
@require_http_methods(["GET", "HEAD", "POST"])
def add_view(request: HttpRequest, report: Report) -> HttpResponseBase:
    form = AdditionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.report_add_information(report=report, body=form.cleaned_data["body"])
        messages.success(request, "Thank you. We have added this to your report.")
        return redirect("reporting:return")
    return render(
        request,
        "reporting/return_add.html",
        {"form": form, "report": report},
        status=400 if form.errors else 200,
    )


@reporter_required
@require_http_methods(["GET", "HEAD", "POST"])
def evidence_view(request: HttpRequest, report: Report) -> HttpResponseBase:
    return evidence_page(
        request,
        owner_report=report,
        template="reporting/return_evidence.html",
        here=reverse("reporting:return_evidence"),
        extra={"report": report},
    )


def _confirm_page(
    request: HttpRequest,
    report: Report,
    *,
    template: str,
    label: str,
    act: Callable[..., None],
    done: str,
) -> HttpResponseBase:
    form = ConfirmForm(request.POST if request.method == "POST" else None, label=label)
    if request.method == "POST" and form.is_valid():
        act(report=report)
        messages.success(request, done)
        return redirect("reporting:return")
    return render(
        request, template, {"form": form, "report": report}, status=400 if form.errors else 200
    )


@reporter_required
@require_http_methods(["GET", "HEAD", "POST"])
def withdraw_view(request: HttpRequest, report: Report) -> HttpResponseBase:
    return _confirm_page(
        request,
        report,
        template="reporting/return_withdraw.html",
        label="I want to withdraw my report",
        act=services.report_withdraw,
        done="Your report has been withdrawn. The team will not act on it any further.",
    )


@reporter_required
@require_http_methods(["GET", "HEAD", "POST"])
def delete_view(request: HttpRequest, report: Report) -> HttpResponseBase:
    return _confirm_page(
        request,
        report,
        template="reporting/return_delete.html",
        label="I want my report to be deleted",
        act=services.report_request_deletion,
        done=(
            "We have your request. The team will delete your report and tell you here when "
            "it is done, or why it cannot be yet."
        ),
    )


@reporter_required
@require_POST
def log_view(request: HttpRequest, report: Report) -> HttpResponseBase:
    """Keep a record under this report's receipt: start it (once), open it, go there.

    Nothing in it reaches the team until the person shares it (/log/record/share/)."""
    log = log_services.log_start_for_report(report=report)
    log_session.sign_in_from_report(request, log)
    return redirect("log:home")


@login_not_required
@require_POST
def sign_out_view(request: HttpRequest) -> HttpResponseBase:
    reporter_session.sign_out(request)
    response = redirect("reporting:signed_out")
    # Ask the browser to forget this site's data for this visit (shared devices).
    response["Clear-Site-Data"] = '"cache", "storage"'
    return response


@login_not_required
@never_cache
@require_safe
def signed_out_view(request: HttpRequest) -> HttpResponse:
    return render(request, "reporting/return_signed_out.html")
