"""The Django admin at /staff/admin/, for administrators with an MFA-verified session.

- Who may enter is decided by accounts.policy ("admin.site"), and the session must have
  passed MFA. What they may do on each model is answered by the policy too, through
  User.has_perm (stored Django permissions and is_superuser grant nothing).
- The admin has no sign-in form of its own: its login page sends people to allauth's,
  so the admin cannot be used to get around MFA or the sign-in rate limits.
- A signed-in person who may not use the admin gets 403 rather than being bounced
  between sign-in pages.

Apps register their ModelAdmins with `admin_site` in their own admin.py.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import update_wrapper
from typing import Any, TypeVar, cast

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import URLPattern, URLResolver, reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache

from waypoint.accounts import policy
from waypoint.accounts.sessions import session_is_mfa_verified

_View = TypeVar("_View", bound=Callable[..., HttpResponseBase])


class WaypointAdminSite(admin.AdminSite):
    site_header = "Waypoint administration"
    site_title = "Waypoint administration"
    index_title = "Administration"
    # Case content is never shown here; the link would point at the public site.
    site_url = None

    def has_permission(self, request: HttpRequest) -> bool:
        return policy.can(request.user, "admin.site") and session_is_mfa_verified(request)

    def get_urls(self) -> list[URLResolver | URLPattern]:
        patterns = super().get_urls()
        for pattern in patterns:
            # Django points LoginRequiredMiddleware at the admin's own login page; go
            # straight to allauth's instead.
            if isinstance(pattern, URLPattern) and hasattr(pattern.callback, "login_url"):
                pattern.callback.login_url = settings.LOGIN_URL
        return patterns

    def admin_view(self, view: _View, cacheable: bool = False) -> _View:
        checked = super().admin_view(view, cacheable)

        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied
            return checked(request, *args, **kwargs)

        return cast(_View, update_wrapper(guarded, checked))

    @method_decorator(never_cache)
    @login_not_required
    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        if request.user.is_authenticated:
            if self.has_permission(request):
                return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
            raise PermissionDenied
        next_url = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return redirect_to_login(next_url)

    # Django types these as TemplateResponse; a redirect is the point here.
    def password_change(  # type: ignore[override]
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # One place to change a password: allauth's, which is rate limited and audited.
        return HttpResponseRedirect(reverse("account_change_password"))

    def password_change_done(  # type: ignore[override]
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return HttpResponseRedirect(reverse("account_change_password"))


admin_site = WaypointAdminSite(name="admin")
