"""Let Django's CSRF protection work with `Referrer-Policy: no-referrer`.

With no-referrer, browsers send `Origin: null` on same-origin form posts (Fetch spec), and
Django's origin check rejects them. Fetch Metadata tells us what Origin no longer does:
`Sec-Fetch-Site` is set by the browser itself (pages cannot forge it), so a null Origin
with `Sec-Fetch-Site: same-origin` is our own page posting to us. This middleware, placed
just before Django's CsrfViewMiddleware, restores the real origin in that one case; the
CSRF token is still required, and production cookies are `__Host-` prefixed.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse


class FetchMetadataOriginMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.META.get("HTTP_ORIGIN") == "null"
            and request.headers.get("Sec-Fetch-Site") == "same-origin"
        ):
            try:
                host = request.get_host()
            except DisallowedHost:
                host = None
            if host is not None:
                scheme = "https" if request.is_secure() else "http"
                request.META["HTTP_ORIGIN"] = f"{scheme}://{host}"
        return self.get_response(request)
