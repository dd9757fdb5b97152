"""Quick exit: forget this visit on the server, then leave for a neutral site.

The quick exit on every public page points here (`/exit/`), so that someone who picks up
the phone next finds nothing: an unsent report is destroyed, a `/my-report/` sign-in ends,
and the browser is asked to drop this site's cookies, storage and cache.

- Without JavaScript the link itself comes here (GET) and is redirected onwards.
- With JavaScript, quick-exit.js sends a beacon here (POST) and replaces the page with the
  neutral site at once, so a slow server never holds someone on the page (ADR 0025).

Nothing is logged or audited and no address is recorded: it is a reporter route.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from waypoint.common.templatetags.waypoint_ui import NEUTRAL_EXIT_URL
from waypoint.institution.selectors import institution_get_current
from waypoint.reporting import reporter_session, selectors, services
from waypoint.reporting.receipt_cookie import clear_receipt_cookie
from waypoint.reporting.views import DRAFT_SESSION_KEY

# Sent on every answer: Chromium and Firefox drop this origin's cookies, storage and cache.
CLEAR_SITE_DATA = '"cache", "cookies", "storage"'


def _destination() -> str:
    institution = institution_get_current()
    url = institution.quick_exit_url if institution else ""
    return url or NEUTRAL_EXIT_URL


def _from_this_site_or_typed(request: HttpRequest) -> bool:
    """A quick exit from our own page (or a typed address), not a link on another site.

    Another site could otherwise send someone here to throw their unsent report away.
    Browsers that send no Fetch Metadata are trusted: losing that check costs less than
    leaving a report readable.
    """
    site = request.headers.get("Sec-Fetch-Site", "")
    return site in ("", "same-origin", "none")


def _speculative(request: HttpRequest) -> bool:
    """A prefetch or prerender is not a person leaving: it must not end their visit."""
    purpose = request.headers.get("Sec-Purpose", "") or request.headers.get("Purpose", "")
    return "prefetch" in purpose or "prerender" in purpose


def forget_visit(request: HttpRequest) -> None:
    """Destroy what this browser has on the server: its unsent draft and its session."""
    draft_id = request.session.get(DRAFT_SESSION_KEY)
    if draft_id:
        draft = selectors.draft_get_open(draft_id=str(draft_id))
        if draft is not None:
            services.draft_discard(draft=draft)
    # flush() deletes the session row and, through SessionMiddleware, the cookie: a
    # /my-report/ sign-in and the "just submitted" right to the receipt page end with it.
    reporter_session.sign_out(request)


@login_not_required
# The JavaScript beacon cannot carry a CSRF token. A forged cross-site POST finds nothing to
# end: the session cookie is SameSite=Lax, so it is not sent with one.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def quick_exit_view(request: HttpRequest) -> HttpResponseBase:
    speculative = _speculative(request)
    if not speculative and _from_this_site_or_typed(request):
        forget_visit(request)
    response: HttpResponseBase
    if request.method == "POST" or speculative:
        response = HttpResponse(status=204)
    else:
        response = HttpResponseRedirect(_destination())
    if not speculative:
        response["Clear-Site-Data"] = CLEAR_SITE_DATA
        clear_receipt_cookie(response)
        response.delete_cookie(
            settings.CSRF_COOKIE_NAME, path=settings.CSRF_COOKIE_PATH, samesite="Lax"
        )
    return response
