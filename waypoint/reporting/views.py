"""The report flow at /report/: choose a route, answer one topic per page, review, submit.

Every page is public (@login_not_required) and works without JavaScript. Answers live
server side in a Draft whose id is kept only in the session; URLs carry step names,
never answers. Each step is POST-then-redirect, so Back, Forward and Reload are safe.
Nothing on these routes records an IP address or a user agent.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from waypoint.institution.models import Institution
from waypoint.institution.selectors import institution_get_current
from waypoint.reporting import evidence as evidence_services
from waypoint.reporting import ratelimit, receipts, reporter_session, selectors, services
from waypoint.reporting.forms import (
    ROLE_LABELS,
    ROUTE_HELP,
    ROUTE_LABELS,
    EvidenceUploadForm,
    MetadataChoiceForm,
    ReceiptCheckForm,
    StartForm,
)
from waypoint.reporting.models import Draft, Report, ReporterRole, Route
from waypoint.reporting.receipt_cookie import (
    clear_receipt_cookie,
    read_receipt_cookie,
    receipt_text_response,
    set_receipt_cookie,
)
from waypoint.reporting.steps import (
    EVIDENCE,
    REVIEW,
    Step,
    get_step,
    neighbours,
    position,
    steps_for,
)
from waypoint.reporting.uploads import upload_problems

DRAFT_SESSION_KEY = "waypoint.report.draft"
CHECK_POSITIONS_KEY = "waypoint.report.check_positions"


# --- Helpers -----------------------------------------------------------------------------------


def _institution() -> Institution | None:
    return institution_get_current()


def _current_draft(request: HttpRequest) -> Draft | None:
    """This browser's unfinished draft, or None (expired, submitted or never started)."""
    raw = request.session.get(DRAFT_SESSION_KEY)
    if not raw:
        return None
    draft = selectors.draft_get_open(draft_id=raw)
    if draft is None:
        request.session.pop(DRAFT_SESSION_KEY, None)
    return draft


def _step_url(slug: str) -> str:
    if slug == EVIDENCE:
        return reverse("reporting:evidence")
    if slug == REVIEW:
        return reverse("reporting:review")
    return reverse("reporting:step", kwargs={"step": slug})


def _free_text_allowed(draft: Draft, institution: Institution | None) -> bool:
    return not (draft.route == "anonymous" and institution and not institution.anonymous_free_text)


def _progress(draft: Draft, slug: str) -> dict[str, Any]:
    number, total = position(draft.route, slug)
    before, _ = neighbours(draft.route, slug)
    return {
        "step_number": number,
        "step_total": total,
        "back_url": _step_url(before.slug) if before else reverse("reporting:start"),
    }


def _binding(report: Report) -> str:
    return f"receipt-cookie|{report.id}"


@sensitive_variables("passphrase")
def _set_receipt_cookie(response: HttpResponseBase, report: Report, passphrase: str) -> None:
    """The passphrase travels to the receipt page sealed in a short-lived cookie (ADR 0016)."""
    set_receipt_cookie(response, binding=_binding(report), passphrase=passphrase)


def _read_receipt_cookie(request: HttpRequest, report: Report) -> str | None:
    return read_receipt_cookie(request, binding=_binding(report))


def _just_submitted(request: HttpRequest) -> Report | None:
    report_id = reporter_session.just_submitted_report_id(request)
    if report_id is None:
        return None
    return Report.objects.filter(pk=report_id).first()


# --- Start --------------------------------------------------------------------------------------


@login_not_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def start_view(request: HttpRequest) -> HttpResponse:
    institution = _institution()
    routes = selectors.routes_offered(institution)
    roles = selectors.reporter_roles_offered(institution)
    draft = _current_draft(request)
    form = StartForm(
        request.POST if request.method == "POST" else None,
        routes=[(r, ROUTE_LABELS[Route(r)]) for r in routes],
        roles=[(r, ROLE_LABELS[ReporterRole(r)]) for r in roles],
    )
    if request.method == "POST" and routes and form.is_valid():
        if draft is not None:
            services.draft_discard(draft=draft)
        draft = services.draft_start(
            route=form.cleaned_data["route"],
            reporter_role=form.cleaned_data["reporter_role"],
            institution=institution,
        )
        request.session[DRAFT_SESSION_KEY] = str(draft.id)
        return redirect(_step_url(steps_for(draft.route)[0].slug))
    return render(
        request,
        "reporting/start.html",
        {
            "form": form,
            "route_help": {r: ROUTE_HELP[Route(r)] for r in routes},
            "draft": draft,
            "resume_url": _step_url(selectors.draft_resume_step(draft)) if draft else "",
            "routes_offered": routes,
        },
        status=400 if form.errors else 200,
    )


@login_not_required
@require_POST
def discard_view(request: HttpRequest) -> HttpResponse:
    draft = _current_draft(request)
    if draft is not None:
        services.draft_discard(draft=draft)
    request.session.pop(DRAFT_SESSION_KEY, None)
    return redirect("reporting:start")


# --- Steps --------------------------------------------------------------------------------------


@login_not_required
@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "HEAD", "POST"])
def step_view(request: HttpRequest, step: str) -> HttpResponse:
    draft = _current_draft(request)
    if draft is None:
        return redirect("reporting:start")
    current: Step | None = get_step(draft.route, step)
    if current is None or current.form_class is None:
        raise Http404
    institution = _institution()
    free_text = _free_text_allowed(draft, institution)
    saved = services.draft_step_answers(draft, current.slug)
    if request.method == "POST":
        form = current.make_form(data=request.POST, free_text=free_text)
        if form.is_valid():
            services.draft_save_step(
                draft=draft, step=current.slug, data=form.cleaned_data, institution=institution
            )
            from_review = request.POST.get("then") == "review"
            # Danger: the emergency contacts show at once on the same page, then they go
            # on (back to the summary if that is where they came from).
            if current.slug == "danger" and form.cleaned_data.get("immediate_danger") == "yes":
                suffix = "&from=review" if from_review else ""
                return redirect(f"{_step_url(current.slug)}?shown=help{suffix}")
            if from_review:
                return redirect("reporting:review")
            _, after = neighbours(draft.route, current.slug)
            return redirect(_step_url(after.slug if after else REVIEW))
    else:
        form = current.make_form(initial=saved, free_text=free_text)
    _, after = neighbours(draft.route, current.slug)
    context = {
        "draft": draft,
        "step": current,
        "form": form,
        "next_url": _step_url(REVIEW)
        if request.GET.get("from") == "review" or after is None
        else _step_url(after.slug),
        "from_review": request.GET.get("from") == "review",
        "danger_yes": current.slug == "danger" and (saved or {}).get("immediate_danger") == "yes",
        "shown_help": request.GET.get("shown") == "help",
        **_progress(draft, current.slug),
    }
    return render(request, "reporting/step.html", context, status=400 if form.errors else 200)


# --- Evidence -----------------------------------------------------------------------------------


@login_not_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def evidence_view(request: HttpRequest) -> HttpResponse:
    draft = _current_draft(request)
    if draft is None:
        return redirect("reporting:start")
    return evidence_page(
        request,
        owner_draft=draft,
        template="reporting/evidence.html",
        here=reverse("reporting:evidence"),
        extra={
            "draft": draft,
            **_progress(draft, EVIDENCE),
            "next_url": reverse("reporting:review"),
        },
    )


def _evidence_item_action(
    request: HttpRequest, action: str, *, draft: Draft | None, report: Report | None
) -> list[str]:
    """Remove a file, or record the keep/strip choice; problems in plain words."""
    kind, _, raw_id = action.partition(":")
    item = selectors.evidence_get_for_owner(evidence_id=raw_id, draft=draft, report=report)
    if item is None or (kind == "remove" and report is not None):
        # Not theirs, or evidence on a submitted report (kept for the team).
        raise Http404
    if kind == "remove":
        evidence_services.evidence_remove(evidence=item)
        return []
    choice = MetadataChoiceForm(request.POST, prefix=str(item.id))
    if not choice.is_valid():
        return ["Choose whether to keep or remove the details."]
    try:
        evidence_services.evidence_choose_metadata(
            evidence=item, keep=choice.cleaned_data["keep"] == "keep"
        )
    except evidence_services.EvidenceRejected as rejected:
        return [str(rejected)]
    return []


def _evidence_upload(
    request: HttpRequest, form: EvidenceUploadForm, *, draft: Draft | None, report: Report | None
) -> list[str]:
    problems = []
    if form.is_valid():
        for upload in form.cleaned_data["files"]:
            try:
                if report is not None:
                    services.report_evidence_add(report=report, upload=upload)
                else:
                    evidence_services.evidence_add(upload=upload, draft=draft)
            except evidence_services.EvidenceRejected as rejected:
                problems.append(str(rejected))
    else:
        problems.append("We could not read the files. Please choose them again.")
    return problems


def evidence_page(
    request: HttpRequest,
    *,
    template: str,
    here: str,
    extra: dict[str, Any],
    owner_draft: Draft | None = None,
    owner_report: Report | None = None,
) -> HttpResponse:
    """The upload page for a draft or, after submitting, for the report (shared with the
    return pages, casework/views/reporter.py)."""
    problems: list[str] = [p.message for p in upload_problems(request)]
    form = EvidenceUploadForm()
    if request.method == "POST":
        action = request.POST.get("action", "upload")
        if action.startswith(("remove:", "metadata:")):
            problems += _evidence_item_action(
                request, action, draft=owner_draft, report=owner_report
            )
        else:
            form = EvidenceUploadForm(request.POST, request.FILES)
            problems += _evidence_upload(request, form, draft=owner_draft, report=owner_report)
        if not problems:
            return redirect(here)
    items = selectors.evidence_for_owner(draft=owner_draft, report=owner_report)
    for item in items:
        item.choice_form = MetadataChoiceForm(prefix=str(item.id))  # type: ignore[attr-defined]
    return render(
        request,
        template,
        {
            "form": form,
            "items": items,
            "problems": problems,
            "limits": selectors.upload_limits(),
            **extra,
        },
        status=400 if problems else 200,
    )


# --- Review and submit --------------------------------------------------------------------------


@login_not_required
@never_cache
@require_safe
def review_view(request: HttpRequest) -> HttpResponse:
    draft = _current_draft(request)
    if draft is None:
        report = _just_submitted(request)
        return redirect("reporting:receipt" if report else "reporting:start")
    return render(
        request,
        "reporting/review.html",
        {
            "draft": draft,
            "sections": selectors.draft_review_sections(draft),
            "evidence": selectors.evidence_for_owner(draft=draft),
            "missing": services.draft_missing_steps(draft),
            **_progress(draft, REVIEW),
        },
    )


@login_not_required
@never_cache
@require_POST
def submit_view(request: HttpRequest) -> HttpResponse:
    """Idempotent: the token is the draft id, so a second press finds the same report."""
    token = selectors.parse_uuid(request.POST.get("token", ""))
    # Only the browser that wrote the draft may submit it; a replay after success finds
    # the report through the just-submitted marker.
    if token is None or request.session.get(DRAFT_SESSION_KEY) != str(token):
        report = _just_submitted(request)
        replay = token is not None and report is not None and report.draft_token == token
        return redirect("reporting:receipt" if replay else "reporting:start")
    if ratelimit.is_blocked(ratelimit.SUBMIT_PER_NETWORK, request=request):
        return render(request, "reporting/slow_down.html", status=429)
    try:
        submission = services.report_submit(draft_id=token)
    except services.ReportNotReadyError as not_ready:
        return redirect(_step_url(not_ready.step))
    except Draft.DoesNotExist:
        return redirect("reporting:start")
    if submission.created:
        ratelimit.hit(ratelimit.SUBMIT_PER_NETWORK, request=request)
    # Reached only after the commit: the receipt is never shown for an unsaved report.
    request.session.pop(DRAFT_SESSION_KEY, None)
    reporter_session.mark_just_submitted(request, submission.report.id)
    response = redirect("reporting:receipt")
    if submission.passphrase:
        _set_receipt_cookie(response, submission.report, submission.passphrase)
    return response


# --- Receipt ------------------------------------------------------------------------------------


@login_not_required
@never_cache
@sensitive_variables("passphrase", "new_passphrase")
@require_http_methods(["GET", "HEAD", "POST"])
def receipt_view(request: HttpRequest) -> HttpResponseBase:
    report = _just_submitted(request)
    if report is None:
        return redirect("reporting:start")
    if report.receipt_confirmed_at is not None:
        return redirect("reporting:sent")
    if request.method == "POST":
        # The passphrase never reached this browser (the cookie is gone): issue a new one.
        new_passphrase = services.report_receipt_reissue(report=report)
        response = redirect("reporting:receipt")
        _set_receipt_cookie(response, report, new_passphrase)
        return response
    passphrase = _read_receipt_cookie(request, report)
    return render(
        request,
        "reporting/receipt.html",
        {
            "report": report,
            "passphrase": passphrase,
            "words": passphrase.split() if passphrase else [],
        },
    )


@login_not_required
@never_cache
@sensitive_variables("passphrase")
@require_safe
def receipt_download_view(request: HttpRequest) -> HttpResponse:
    report = _just_submitted(request)
    passphrase = _read_receipt_cookie(request, report) if report else None
    if report is None or passphrase is None:
        return redirect("reporting:receipt")
    return receipt_text_response(
        title="Your report receipt",
        reference=report.reference,
        passphrase=passphrase,
        use_at=request.build_absolute_uri(reverse("reporting:return")),
        to_do="to read replies and add information.",
    )


@login_not_required
@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "HEAD", "POST"])
def receipt_check_view(request: HttpRequest) -> HttpResponseBase:
    report = _just_submitted(request)
    if report is None:
        return redirect("reporting:start")
    if report.receipt_confirmed_at is not None:
        return redirect("reporting:sent")
    passphrase = _read_receipt_cookie(request, report)
    if passphrase is None:
        return redirect("reporting:receipt")
    stored = request.session.get(CHECK_POSITIONS_KEY)
    if isinstance(stored, list) and len(stored) == 2:
        positions = (int(stored[0]), int(stored[1]))
    else:
        positions = receipts.confirmation_positions(passphrase)
        request.session[CHECK_POSITIONS_KEY] = list(positions)
    form = ReceiptCheckForm(request.POST if request.method == "POST" else None, positions=positions)
    wrong = False
    if request.method == "POST" and form.is_valid():
        typed = {
            positions[0]: form.cleaned_data["first"],
            positions[1]: form.cleaned_data["second"],
        }
        if receipts.confirmation_matches(passphrase, positions, typed):
            services.report_receipt_confirm(report=report)
            request.session.pop(CHECK_POSITIONS_KEY, None)
            # The "just submitted" marker stays (it expires by itself) so that the thank-you
            # page can say when this report will be answered; the receipt page now sends
            # the browser there, and the passphrase's cookie goes.
            response = redirect("reporting:sent")
            clear_receipt_cookie(response)
            return response
        wrong = True
    return render(
        request,
        "reporting/receipt_check.html",
        {"form": form, "wrong": wrong, "report": report},
        status=400 if (wrong or form.errors) else 200,
    )


@login_not_required
@never_cache
@require_safe
def sent_view(request: HttpRequest) -> HttpResponse:
    return render(request, "reporting/sent.html", {"report": _just_submitted(request)})
