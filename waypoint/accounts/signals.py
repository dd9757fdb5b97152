"""Receivers for sign-in events that Django and allauth announce.

Sign-in, sign-out and MFA changes happen inside Django and allauth, so their signals are
the only place to start the session clocks and to audit them; each receiver calls one
function from services.py or sessions.py.
"""

from __future__ import annotations

from typing import Any

from allauth.account.authentication import get_authentication_records
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest

from waypoint.accounts import services, sessions
from waypoint.accounts.models import User


@receiver(user_logged_in, dispatch_uid="waypoint.accounts.signed_in")
def on_signed_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None or not isinstance(user, User):
        return
    sessions.session_start(request)
    methods = [str(r.get("method", "")) for r in get_authentication_records(request, user)]
    mfa, evidence = sessions.session_mfa_summary(request, user)
    services.staff_sign_in_record(user=user, methods=methods, mfa=mfa, mfa_evidence=evidence)


@receiver(user_logged_out, dispatch_uid="waypoint.accounts.signed_out")
def on_signed_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if not isinstance(user, User):
        return
    if getattr(request, "waypoint_session_end_reason", None):
        return  # ended by StaffSessionMiddleware, which audited why
    services.staff_sign_out_record(user=user)


@receiver(mfa_signals.authenticator_added, dispatch_uid="waypoint.accounts.mfa_added")
def on_authenticator_added(
    sender: Any, request: HttpRequest | None, user: Any, authenticator: Authenticator, **kw: Any
) -> None:
    if not isinstance(user, User):
        return
    services.staff_mfa_change_record(user=user, change="enrolled", kind=authenticator.type)
    if (
        request is not None
        and authenticator.type == Authenticator.Type.TOTP
        and request.user.is_authenticated
        and request.user.pk == user.pk
    ):
        # Activation needs a valid code from the new authenticator: the second factor
        # has been shown in this session.
        sessions.session_record_enrolment(request, user, authenticator.pk)


@receiver(mfa_signals.authenticator_removed, dispatch_uid="waypoint.accounts.mfa_removed")
def on_authenticator_removed(
    sender: Any, request: HttpRequest | None, user: Any, authenticator: Authenticator, **kw: Any
) -> None:
    if isinstance(user, User):
        services.staff_mfa_change_record(user=user, change="removed", kind=authenticator.type)


@receiver(mfa_signals.authenticator_reset, dispatch_uid="waypoint.accounts.mfa_reset")
def on_authenticator_reset(
    sender: Any, request: HttpRequest | None, user: Any, authenticator: Authenticator, **kw: Any
) -> None:
    if isinstance(user, User):
        services.staff_mfa_change_record(user=user, change="reset", kind=authenticator.type)


@receiver(mfa_signals.authentication_failed, dispatch_uid="waypoint.accounts.mfa_failed")
def on_mfa_failed(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if isinstance(user, User):
        services.staff_mfa_failure_record(user=user)
