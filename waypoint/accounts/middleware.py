"""Staff sessions: MFA is required, and sessions end after 15 minutes idle or 8 hours.

For a signed-in user, on every request that reaches a view:

1. An expired session (idle or absolute limit) is ended and audited. A public page is
   then served to an anonymous visitor; any other page redirects to sign-in.
2. A session of an account that has a second factor but did not use it in this session
   (for example a session made without the TOTP step) is ended: sign in again.
3. An account with no second factor reaches only the MFA enrolment pages and sign-out;
   every other staff page redirects to TOTP activation. Public pages are unaffected.
4. allauth's own signed-in pages (password change, MFA settings) need the policy action
   "account.security"; the enrolment pages and sign-out are open to every account.

Public pages are the views marked @login_not_required. Everything else needs a signed-in,
MFA-verified session; what the person may then do is decided by accounts.policy.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Final

import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.csp import CSP

from waypoint.accounts import policy, sessions, sso
from waypoint.accounts.models import User
from waypoint.accounts.selectors import user_is_sso_only
from waypoint.accounts.services import staff_session_end_record

logger = logging.getLogger(__name__)

# Reachable by a signed-in account that has no second factor yet.
ENROLMENT_VIEWS: Final = frozenset(
    {
        "mfa_index",
        "mfa_activate_totp",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
        # TOTP activation asks for the password again once the sign-in is 5 minutes old.
        "account_reauthenticate",
        "account_logout",
    }
)
# allauth pages every signed-in account may use, whatever its role.
OPEN_ACCOUNT_VIEWS: Final = frozenset(
    {"account_logout", "account_reauthenticate", "mfa_activate_totp", "mfa_view_recovery_codes"}
)

# allauth's password pages, which an account that signs in only through SSO never sees.
PASSWORD_VIEWS: Final = frozenset({"account_change_password", "account_set_password"})

_MFA_MISSING_MESSAGE: Final = (
    "For your security, please sign in again and enter the code from your authenticator app."
)


def _expiry_message(reason: sessions.ExpiryReason) -> str:
    if reason == "idle":
        minutes = settings.WAYPOINT_STAFF_IDLE_SECONDS // 60
        return (
            f"You were signed out because Waypoint was not used for {minutes} minutes, "
            "to keep the information here safe. Please sign in again to carry on."
        )
    hours = settings.WAYPOINT_STAFF_ABSOLUTE_SECONDS // 3600
    return (
        f"You were signed out because staff sessions last at most {hours} hours, "
        "to keep the information here safe. Please sign in again to carry on."
    )


def _end_session(request: HttpRequest, user: User, *, reason: str, message: str) -> None:
    staff_session_end_record(user=user, reason=reason)
    # Tells the sign-out receiver that this ending is already audited.
    request.waypoint_session_end_reason = reason  # type: ignore[attr-defined]
    logout(request)
    messages.info(request, message)


class StaffSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        user = request.user
        if not isinstance(user, User) or not user.is_authenticated:
            return None
        public = not getattr(view_func, "login_required", True)
        if _ended_invalid_session(request, user):
            return None if public else redirect_to_login(request.get_full_path())
        if public:
            return None
        if _needs_enrolment(request, user):
            if _view_name(request) in ENROLMENT_VIEWS:
                return None
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        if (
            _is_allauth_view(view_func)
            and _view_name(request) not in OPEN_ACCOUNT_VIEWS
            and not policy.can(user, "account.security")
        ):
            raise PermissionDenied
        if _view_name(request) in PASSWORD_VIEWS and user_is_sso_only(user):
            # Signs in only through the identity provider: no password to change or set.
            raise Http404
        return None


class SSOFormActionMiddleware:
    """CSP `form-action` that also allows the configured identity providers' origins.

    Only where a form can lead to a provider: the sign-in pages under /accounts/ and the
    signed-in staff pages (their "Sign out" may go on to the provider). Public pages and
    a deployment without SSO keep `form-action 'self'`. Runs inside Django's CSP
    middleware, which builds the header from the config left on the response.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if hasattr(response, "_csp_config") or not sso.sso_is_configured():
            return response
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if not (signed_in or request.path.startswith("/accounts/")):
            return response
        origins = sso.form_action_origins()
        if origins:
            config: dict[str, Any] = dict(settings.SECURE_CSP)
            config["form-action"] = [*config.get("form-action", [CSP.SELF]), *origins]
            response._csp_config = config  # type: ignore[attr-defined]
        return response


def _ended_invalid_session(request: HttpRequest, user: User) -> bool:
    """End the session if it expired, or if it skipped a second factor the account has."""
    reason = sessions.session_expiry_reason(request)
    if reason is not None:
        _end_session(request, user, reason=reason, message=_expiry_message(reason))
        return True
    sessions.session_touch(request)
    if (
        not sessions.session_passed_sso_mfa(request, user)
        and sessions.user_has_second_factor(user)
        and not sessions.session_passed_mfa(request, user)
    ):
        _end_session(request, user, reason="mfa_not_verified", message=_MFA_MISSING_MESSAGE)
        return True
    return False


def _needs_enrolment(request: HttpRequest, user: User) -> bool:
    return not sessions.session_passed_sso_mfa(request, user) and not (
        sessions.user_has_second_factor(user)
    )


def _view_name(request: HttpRequest) -> str:
    match = request.resolver_match
    return match.view_name if match is not None else ""


def _is_allauth_view(view_func: Callable[..., Any]) -> bool:
    return str(getattr(view_func, "__module__", "")).startswith("allauth.")


class SSOUnavailableMiddleware:
    """When the identity provider cannot be reached mid-sign-in (discovery, token or
    metadata request), say so on a calm page (503) instead of a server error."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponseBase | None:
        if not isinstance(exception, requests.RequestException):
            return None
        if not request.path.startswith("/accounts/"):
            return None
        logger.warning("The identity provider could not be reached during sign-in.")
        return render(request, "accounts/sso_unavailable.html", status=503)
