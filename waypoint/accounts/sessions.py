"""Staff session state: when it started, when it was last used, whether it passed MFA.

Timestamps are stored in the session (server side) as whole seconds since the epoch.
Whether the session passed MFA is read from the authentication records allauth keeps in
the session for the signed-in user (one record per method: password, mfa,
socialaccount); Waypoint adds an "mfa" record when someone enrols TOTP, because typing a
valid code from the new authenticator proves the second factor.
"""

from __future__ import annotations

import time
from typing import Literal

from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.http import HttpRequest

from waypoint.accounts.models import User

STARTED_AT = "waypoint.staff.started_at"
SEEN_AT = "waypoint.staff.seen_at"
# last-seen is written at most this often, so that most requests do not save the session.
SEEN_RESOLUTION_SECONDS = 60

ExpiryReason = Literal["idle", "absolute"]

# Authenticator types that count as a second factor (recovery codes only back them up).
SECOND_FACTOR_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def now_seconds() -> int:
    return int(time.time())


def session_start(request: HttpRequest) -> None:
    """Called when a staff member signs in: both clocks start now."""
    now = now_seconds()
    request.session[STARTED_AT] = now
    request.session[SEEN_AT] = now


def session_expiry_reason(request: HttpRequest) -> ExpiryReason | None:
    """Why this signed-in session must end now, or None if it may go on."""
    now = now_seconds()
    started = request.session.get(STARTED_AT)
    seen = request.session.get(SEEN_AT)
    if not isinstance(started, int) or not isinstance(seen, int):
        # A session signed in without going through session_start (which every sign-in
        # does): start the clocks now rather than let it run unbounded.
        session_start(request)
        return None
    if now - started >= settings.WAYPOINT_STAFF_ABSOLUTE_SECONDS:
        return "absolute"
    if now - seen >= settings.WAYPOINT_STAFF_IDLE_SECONDS:
        return "idle"
    return None


def session_touch(request: HttpRequest) -> None:
    """Record activity, at most once a minute."""
    now = now_seconds()
    seen = request.session.get(SEEN_AT)
    if not isinstance(seen, int) or now - seen >= SEEN_RESOLUTION_SECONDS:
        request.session[SEEN_AT] = now


def user_has_second_factor(user: User) -> bool:
    return bool(
        Authenticator.objects.filter(user_id=user.pk, type__in=SECOND_FACTOR_TYPES).exists()
    )


def session_passed_mfa(request: HttpRequest, user: User) -> bool:
    """Did this session authenticate `user` with Waypoint's own second factor? (The
    provider's, recorded as type "identity_provider", counts only through
    session_passed_sso_mfa, which asks the setting each time.)"""
    return any(
        record.get("method") == "mfa" and record.get("type") != "identity_provider"
        for record in get_authentication_records(request, user)
    )


def session_passed_sso_mfa(request: HttpRequest, user: User) -> bool:
    """Did this session sign in through SSO with a second factor the provider reported,
    and does that count as MFA here? (stages.AuthenticateStage records it.)"""
    if not settings.WAYPOINT_SSO_SATISFIES_MFA:
        return False
    return any(
        record.get("method") == "mfa" and record.get("type") == "identity_provider"
        for record in get_authentication_records(request, user)
    )


def session_mfa_summary(request: HttpRequest, user: User) -> tuple[str, str]:
    """How this session showed a second factor, for the sign-in audit entry:
    ("identity_provider", evidence), ("waypoint_totp", "") or ("none", "")."""
    records = get_authentication_records(request, user)
    for record in records:
        if record.get("method") == "mfa" and record.get("type") == "identity_provider":
            return "identity_provider", str(record.get("evidence", ""))
    if any(record.get("method") == "mfa" for record in records):
        return "waypoint_totp", ""
    return "none", ""


def session_is_mfa_verified(request: HttpRequest) -> bool:
    """The request's user is signed in and this session passed MFA (or trusted SSO)."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        return False
    if session_passed_sso_mfa(request, user):
        return True
    return user_has_second_factor(user) and session_passed_mfa(request, user)


def session_may_enrol_without_reauthentication(request: HttpRequest) -> bool:
    """First enrolment, within the re-authentication window of signing in."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        return False
    if user_has_second_factor(user):
        return False
    now = time.time()
    return any(
        record.get("method") in ("password", "socialaccount")
        and now - float(record.get("at", 0)) < settings.ACCOUNT_REAUTHENTICATION_TIMEOUT
        for record in get_authentication_records(request, user)
    )


def session_record_enrolment(request: HttpRequest, user: User, authenticator_id: int) -> None:
    """Note in the session that `user` just proved the second factor by enrolling it.

    Marked as a re-authentication too, so the recovery codes allauth shows next open
    without asking again.
    """
    record_authentication(
        request,
        user,
        "mfa",
        id=authenticator_id,
        type="totp",
        enrolled=True,
        reauthenticated=True,
    )
