"""Starting a record, its receipt, and signing in and out with it.

The receipt works as a report's (reporting/views.py): the passphrase reaches the receipt
page sealed in a short-lived cookie, the person retypes two of its words to show they kept
it, and only then are they signed in to the record.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from waypoint.log import receipt, services, session
from waypoint.log.forms import SignInForm
from waypoint.log.models import IncidentLog
from waypoint.log.views.common import current_log
from waypoint.reporting import receipts
from waypoint.reporting.forms import ReceiptCheckForm
from waypoint.reporting.receipt_cookie import receipt_text_response

# Sent when the person signs out: this site's cookies, storage and cache go.
CLEAR_SITE_DATA = '"cache", "cookies", "storage"'


def _just_started(request: HttpRequest) -> IncidentLog | None:
    log_id = session.just_started_log_id(request)
    if log_id is None:
        return None
    return IncidentLog.objects.filter(pk=log_id).first()


@login_not_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def start_view(request: HttpRequest) -> HttpResponseBase:
    """What a record is; "Start a record" makes one and shows its receipt."""
    if current_log(request) is not None:
        return redirect("log:home")
    if request.method == "POST":
        started = services.log_start()
        session.mark_just_started(request, started.log.pk)
        response = redirect("log:receipt")
        receipt.set_cookie(response, started.log, started.passphrase)
        return response
    return render(request, "log/start.html")


@login_not_required
@never_cache
@sensitive_variables("passphrase", "new_passphrase")
@require_http_methods(["GET", "HEAD", "POST"])
def receipt_view(request: HttpRequest) -> HttpResponseBase:
    log = _just_started(request)
    if log is None:
        return redirect("log:start")
    if request.method == "POST":
        # The passphrase never reached this browser (the cookie is gone): a new one.
        new_passphrase = services.log_receipt_reissue(log=log)
        session.clear_just_started(request)
        session.mark_just_started(request, log.pk)
        response = redirect("log:receipt")
        receipt.set_cookie(response, log, new_passphrase)
        return response
    passphrase = receipt.read_cookie(request, log)
    return render(
        request,
        "log/receipt.html",
        {
            "log": log,
            "passphrase": passphrase,
            "words": passphrase.split() if passphrase else [],
        },
    )


@login_not_required
@never_cache
@sensitive_variables("passphrase")
@require_safe
def receipt_download_view(request: HttpRequest) -> HttpResponseBase:
    log = _just_started(request)
    passphrase = receipt.read_cookie(request, log) if log else None
    if log is None or passphrase is None:
        return redirect("log:receipt")
    return receipt_text_response(
        title="Your record receipt",
        reference=str(log.reference),
        passphrase=passphrase,
        use_at=request.build_absolute_uri(reverse("log:sign_in")),
        to_do="to open your record.",
    )


def _positions(request: HttpRequest, passphrase: str) -> tuple[int, int]:
    stored = request.session.get(session.CHECK_POSITIONS)
    if isinstance(stored, list) and len(stored) == 2:
        return int(stored[0]), int(stored[1])
    positions = receipts.confirmation_positions(passphrase)
    request.session[session.CHECK_POSITIONS] = list(positions)
    return positions


@login_not_required
@never_cache
@sensitive_post_parameters()
@sensitive_variables("passphrase", "typed")
@require_http_methods(["GET", "HEAD", "POST"])
def receipt_check_view(request: HttpRequest) -> HttpResponseBase:
    """Retype two words of the passphrase; then the record opens."""
    log = _just_started(request)
    if log is None:
        return redirect("log:start")
    passphrase = receipt.read_cookie(request, log)
    if passphrase is None:
        return redirect("log:receipt")
    positions = _positions(request, passphrase)
    form = ReceiptCheckForm(request.POST if request.method == "POST" else None, positions=positions)
    wrong = False
    if request.method == "POST" and form.is_valid():
        typed = {
            positions[0]: form.cleaned_data["first"],
            positions[1]: form.cleaned_data["second"],
        }
        if receipts.confirmation_matches(passphrase, positions, typed):
            session.clear_just_started(request)
            session.sign_in(request, log)
            session.set_notice(
                request, "Your record is ready. Add an incident whenever you are ready."
            )
            response = redirect("log:home")
            receipt.clear_cookie(response)
            return response
        wrong = True
    return render(
        request,
        "log/receipt_check.html",
        {"form": form, "wrong": wrong},
        status=400 if (wrong or form.errors) else 200,
    )


@login_not_required
@never_cache
@sensitive_post_parameters("passphrase")
@sensitive_variables("passphrase")
@require_http_methods(["GET", "HEAD", "POST"])
def sign_in_view(request: HttpRequest) -> HttpResponseBase:
    if current_log(request) is not None and request.method != "POST":
        return redirect("log:home")
    expired = session.pop_expired_message(request)
    form = SignInForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        match = receipt.check(
            request,
            reference=form.cleaned_data["reference"],
            passphrase=form.cleaned_data["passphrase"],
        )
        if match.blocked:
            form.add_error(
                None,
                "There have been too many attempts to sign in. To keep records safe, please "
                "wait 15 minutes and try again.",
            )
            status = 429
        elif match.log is None:
            form.add_error(
                None,
                "We could not find a record with that reference and passphrase. Check "
                "both and try again: type every word of the passphrase, with spaces "
                "between them.",
            )
            status = 400
        else:
            session.sign_in(request, match.log)
            return redirect("log:home")
    elif form.errors:
        status = 400
    return render(request, "log/sign_in.html", {"form": form, "expired": expired}, status=status)


@login_not_required
@require_POST
def sign_out_view(request: HttpRequest) -> HttpResponseBase:
    session.sign_out(request)
    response = redirect("log:signed_out")
    # Shared devices: ask the browser to forget this site's data as well.
    response["Clear-Site-Data"] = CLEAR_SITE_DATA
    receipt.clear_cookie(response)
    return response


@login_not_required
@never_cache
@require_safe
def signed_out_view(request: HttpRequest) -> HttpResponse:
    return render(request, "log/signed_out.html")
