"""/verify/: anyone (an officer, a court, the person) checks an exported record.

Two ways in: upload the PDF, or type the verification code printed on its last page. The
answer is "genuine" or "not genuine" in plain words, with what the signature vouches for.
Nothing from the request is kept: the upload is read into memory by our own handler (not
the project's encrypting one, which spools to disk), checked and dropped; nothing is
logged but the route and status, and nothing is written to the database.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from waypoint.log.export.signature import Verdict, verify_code, verify_pdf
from waypoint.log.export.verification import (
    TOO_BIG_ATTRIBUTE,
    InMemoryVerifyUploadHandler,
    VerifyCodeForm,
    VerifyFileForm,
)
from waypoint.privacy import signing

TEMPLATE = "log/verify.html"
BY_FILE = "file"
BY_CODE = "code"


# Django's documented pattern for changing upload handlers: CSRF checking reads the body,
# so the outer view is exempt, swaps the handlers, and the inner view does the check.
@login_not_required
@never_cache
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def verify_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        request.upload_handlers = [InMemoryVerifyUploadHandler(request)]
    return _verify(request)


@csrf_protect
def _verify(request: HttpRequest) -> HttpResponse:
    file_form = VerifyFileForm(prefix=BY_FILE)
    code_form = VerifyCodeForm(prefix=BY_CODE)
    verdict: Verdict | None = None
    checked = ""
    if request.method == "POST":
        if request.POST.get("how") == BY_CODE:
            code_form = VerifyCodeForm(request.POST, prefix=BY_CODE)
            if code_form.is_valid():
                verdict, checked = verify_code(code_form.cleaned_data["code"]), BY_CODE
        else:
            file_form = VerifyFileForm(
                request.POST,
                request.FILES,
                prefix=BY_FILE,
                too_big=bool(getattr(request, TOO_BIG_ATTRIBUTE, False)),
            )
            if file_form.is_valid():
                verdict, checked = verify_pdf(file_form.cleaned_data["pdf"]), BY_FILE
    form = code_form if code_form.errors else file_form
    return render(
        request,
        TEMPLATE,
        {
            "form": form,  # the one with errors, for the error summary
            "file_form": file_form,
            "code_form": code_form,
            "verdict": verdict,
            "checked": checked,
            "public_keyset": signing.public_keyset_json(),
        },
        status=400 if form.errors else 200,
    )
