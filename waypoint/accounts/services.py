"""Writes for staff accounts: creation, role changes, MFA enrolment, audit of sign-ins.

Every function here records its own audit event (waypoint.privacy.services.audit_record).
Audit entries name the account by id, never by email, and carry no IP address or user
agent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from waypoint.accounts.models import AccessRequest, User
from waypoint.accounts.roles import Role
from waypoint.institution.models import Department
from waypoint.privacy.identifiers import EMAIL, identifier_digest
from waypoint.privacy.services import audit_record

USER_OBJECT_TYPE: Final = "accounts.user"
# Changing these changes what someone may see: each change is audited as a role change.
_ACCESS_FIELDS: Final = ("role", "department_id", "case_access_granted")


class StaffAccountError(Exception):
    """A change to a staff account that Waypoint refuses (message is safe to show)."""


def _user_audit(
    *, actor: User | None, action: str, user: User, extra: dict[str, object] | None = None
) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type=USER_OBJECT_TYPE,
        object_id=str(user.pk),
        extra=extra,
    )


@transaction.atomic
def staff_user_create(
    *,
    email: str,
    role: Role | str,
    department: Department | None = None,
    display_name: str = "",
    password: str | None = None,
    actor: User | None = None,
) -> User:
    """Create a staff account (administrators, the demo loader and tests call this).

    Without a password the account gets an unusable one: the person sets theirs through
    "forgotten password", then must enrol MFA at first sign-in. A given password must
    pass the password validators.
    """
    user = User(
        email=User.objects.normalize_email(email).lower(),
        role=str(role),
        department=department,
        display_name=display_name,
    )
    if password is None:
        user.set_unusable_password()
    else:
        validate_password(password, user)
        user.set_password(password)
    user.full_clean()
    user.save(force_insert=True)
    _user_audit(
        actor=actor,
        action="staff.account_created",
        user=user,
        extra={"role": user.role, "department": str(user.department_id or "")},
    )
    return user


@transaction.atomic
def case_reach(role: str, case_access_granted: bool) -> int:
    """How many cases an account could read: 0 none, 1 those assigned, 2 any unrestricted.

    Mirrors accounts.policy's case rule (an administrator reads cases as a lead only when
    granted); used to tell a change that widens access from one that does not.
    """
    if role == Role.CASE_LEAD or (role == Role.ADMINISTRATOR and case_access_granted):
        return 2
    return 1 if role == Role.ADVISER else 0


@transaction.atomic
def staff_user_save(*, user: User, actor: User) -> User:
    """Save an account edited by an administrator (the admin site calls this).

    Audits creation, role, department and case-access changes, and (de)activation. An
    administrator cannot take the administrator role away from themselves or deactivate
    their own account, so a deployment cannot lose its last way in by accident.

    A change that would let the account read more cases (a new adviser or case lead, an
    adviser made a lead, case access for an administrator) is not applied: it is kept as
    an AccessRequest that another administrator approves (staff_access_decide). The rest
    of the edit is saved; `user.pending_access` tells the caller.
    """
    previous = None if user._state.adding else User.objects.filter(pk=user.pk).first()
    if user.pk == actor.pk and (user.role != Role.ADMINISTRATOR or not user.is_active):
        raise StaffAccountError(
            "You cannot remove your own administrator role or deactivate your own account."
        )
    user.email = User.objects.normalize_email(user.email).lower()
    if previous is None and not user.password:
        user.set_unusable_password()
    user.full_clean()
    asked_role, asked_access = user.role, user.case_access_granted
    before_role = previous.role if previous is not None else ""
    before_access = previous.case_access_granted if previous is not None else False
    widens = case_reach(asked_role, asked_access) > case_reach(before_role, before_access)
    if widens:
        # Keep what the account had (nothing, for a new one) until someone else approves.
        user.role, user.case_access_granted = before_role, before_access
    user.save()
    user.pending_access = None  # type: ignore[attr-defined]
    if previous is None:
        _user_audit(
            actor=actor,
            action="staff.account_created",
            user=user,
            extra={"role": user.role, "department": str(user.department_id or "")},
        )
    else:
        if any(getattr(previous, f) != getattr(user, f) for f in _ACCESS_FIELDS):
            _user_audit(
                actor=actor,
                action="staff.role_changed",
                user=user,
                extra=_access_change(previous, user.role, user.case_access_granted, user),
            )
        if previous.is_active != user.is_active:
            action = "staff.account_reactivated" if user.is_active else "staff.account_deactivated"
            _user_audit(actor=actor, action=action, user=user)
    if widens:
        user.pending_access = _access_request(  # type: ignore[attr-defined]
            user=user, actor=actor, role=asked_role, case_access_granted=asked_access
        )
    return user


def _access_change(
    previous: User, role_to: str, case_access_to: bool, user: User
) -> dict[str, object]:
    return {
        "role_from": previous.role,
        "role_to": role_to,
        "department_from": str(previous.department_id or ""),
        "department_to": str(user.department_id or ""),
        "case_access_from": previous.case_access_granted,
        "case_access_to": case_access_to,
    }


def _access_request(
    *, user: User, actor: User, role: str, case_access_granted: bool
) -> AccessRequest:
    # One pending request per account: a newer ask replaces the older one.
    AccessRequest.objects.filter(user=user, state=AccessRequest.State.PENDING).update(
        state=AccessRequest.State.REPLACED
    )
    request = AccessRequest.objects.create(
        user=user, role=role, case_access_granted=case_access_granted, requested_by=actor
    )
    audit_record(
        actor=actor,
        action="staff.access_requested",
        object_type=USER_OBJECT_TYPE,
        object_id=str(user.pk),
        extra={
            "request": str(request.pk),
            "role_to": role,
            "case_access_to": case_access_granted,
            "for_self": user.pk == actor.pk,
        },
    )
    return request


@transaction.atomic
def staff_access_decide(*, request: AccessRequest, actor: User, approve: bool) -> AccessRequest:
    """Approve or refuse a pending access request: only an administrator who neither asked
    for it nor would receive it (four eyes, as for content, ADR 0011)."""
    locked = AccessRequest.objects.select_for_update().get(pk=request.pk)
    if actor.role != Role.ADMINISTRATOR or not actor.is_active:
        raise StaffAccountError("Only an administrator can decide a case access request.")
    if actor.pk in (locked.requested_by_id, locked.user_id):
        raise StaffAccountError(
            "Another administrator must decide this: not the one who asked for it, "
            "and not the person it is for."
        )
    if locked.state != AccessRequest.State.PENDING:
        raise StaffAccountError("This request has already been decided.")
    locked.state = AccessRequest.State.APPROVED if approve else AccessRequest.State.REFUSED
    locked.decided_by, locked.decided_at = actor, timezone.now()
    locked.save(update_fields=["state", "decided_by", "decided_at"])
    user = User.objects.select_for_update().get(pk=locked.user_id)
    extra = _access_change(user, locked.role, locked.case_access_granted, user)
    extra |= {"request": str(locked.pk), "requested_by": str(locked.requested_by_id)}
    if approve:
        user.role, user.case_access_granted = locked.role, locked.case_access_granted
        user.full_clean()
        user.save(update_fields=["role", "case_access_granted"])
    _user_audit(
        actor=actor,
        action="staff.access_approved" if approve else "staff.access_refused",
        user=user,
        extra=extra,
    )
    return locked


@transaction.atomic
def staff_totp_enrol(*, user: User, secret: str) -> Authenticator:
    """Enrol `user` in TOTP with a known base32 secret, plus recovery codes.

    For the demo loader and tests (and an import from another system): people enrol
    themselves through allauth's pages. The secret is stored encrypted by the MFA adapter.
    """
    Authenticator.objects.filter(
        user_id=user.pk,
        type__in=[Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES],
    ).delete()
    totp = TOTP.activate(user, secret).instance
    RecoveryCodes.activate(user)
    _user_audit(actor=None, action="staff.mfa_enrolled", user=user, extra={"type": "totp"})
    return totp


@transaction.atomic
def staff_mfa_reset(*, user: User, actor: User) -> int:
    """Remove every authenticator of `user`: they must enrol again at next sign-in.

    For an administrator helping someone who lost their phone and recovery codes.
    """
    deleted: int = Authenticator.objects.filter(user_id=user.pk).delete()[0]
    _user_audit(actor=actor, action="staff.mfa_reset", user=user)
    return deleted


# --- Audit of sign-in events (called from adapters, signals and the middleware) ---------


def staff_sign_in_record(
    *, user: User, methods: Iterable[str], mfa: str = "", mfa_evidence: str = ""
) -> None:
    """`mfa`: how the second factor was shown: "waypoint_totp", "identity_provider"
    (with the provider's `mfa_evidence`, e.g. "amr:mfa+pwd") or "none"."""
    extra: dict[str, object] = {"methods": ",".join(sorted(set(methods)))}
    if mfa:
        extra["mfa"] = mfa
    if mfa_evidence:
        extra["mfa_evidence"] = mfa_evidence[:200]
    _user_audit(actor=user, action="staff.signed_in", user=user, extra=extra)


SSO_OBJECT_TYPE: Final = "accounts.sso"


def staff_sso_refusal_record(*, provider: str, reason: str, emails: Iterable[str]) -> None:
    """An SSO sign-in that matched no account, or whose address was not verified.

    Named by a keyed digest of each address the provider sent, never the address: an
    administrator who is told "I could not sign in" can compute the digest of the
    address they expect and find the entry, and nobody else learns who tried.
    """
    digests = sorted({identifier_digest(EMAIL, e) for e in emails if e.strip()})
    audit_record(
        actor=None,
        action="staff.sso_refused",
        object_type=SSO_OBJECT_TYPE,
        object_id=provider,
        extra={"reason": reason, "email_digests": ",".join(digests)},
    )


def staff_sso_link_record(*, user: User, provider: str, how: str, case_differs: bool) -> None:
    """An SSO identity was linked to a staff account by its email address (first use)."""
    _user_audit(
        actor=None,
        action="staff.sso_linked",
        user=user,
        extra={"provider": provider, "matched_by": how, "case_differs": case_differs},
    )


def staff_sign_in_failure_record(*, email: str) -> None:
    """A wrong password. Recorded against the account if it exists, otherwise not at all
    (an unknown address is not ours to keep, and must not fill the log)."""
    user = User.objects.filter(email__iexact=email.strip()).only("pk").first() if email else None
    if user is not None:
        _user_audit(actor=None, action="staff.sign_in_failed", user=user)


def staff_mfa_failure_record(*, user: User) -> None:
    _user_audit(actor=None, action="staff.mfa_failed", user=user)


def staff_sign_out_record(*, user: User) -> None:
    _user_audit(actor=user, action="staff.signed_out", user=user)


def staff_session_end_record(*, user: User, reason: str) -> None:
    """The session is being ended by Waypoint: idle, absolute, or MFA not verified."""
    action = "staff.session_rejected" if reason == "mfa_not_verified" else "staff.session_expired"
    _user_audit(actor=user, action=action, user=user, extra={"reason": reason})


def staff_mfa_change_record(*, user: User, change: str, kind: str) -> None:
    """`change`: "enrolled", "removed" or "reset"; `kind`: authenticator type."""
    action = {
        "enrolled": "staff.mfa_enrolled",
        "removed": "staff.mfa_removed",
        "reset": "staff.recovery_codes_regenerated",
    }[change]
    _user_audit(actor=user, action=action, user=user, extra={"type": kind})


# --- Demo accounts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: str  # the role's label, for printing
    password: str
    totp_secret: str


# Demo only: these are published in the README. WAYPOINT_DEMO is refused in production.
DEMO_PASSWORD: Final = "waypoint-demo-staff"  # noqa: S105
_DEMO_STAFF: Final = (
    # email, role, department slug, display name, TOTP secret (base32, 160 bits)
    ("adviser@demo.waypoint.test", Role.ADVISER, None, "Demo Adviser",
     "WAYPOINTADVISERDEMOTOTPSECRET234"),
    ("lead@demo.waypoint.test", Role.CASE_LEAD, None, "Demo Case Lead",
     "WAYPOINTCASELEADDEMOTOTPSECRET23"),
    ("security@demo.waypoint.test", Role.PARTNER, "security", "Demo Security",
     "WAYPOINTSECURITYDEMOTOTPSECRET23"),
    ("insights@demo.waypoint.test", Role.INSIGHTS, None, "Demo Insights",
     "WAYPOINTINSIGHTSDEMOTOTPSECRET23"),
    ("admin@demo.waypoint.test", Role.ADMINISTRATOR, None, "Demo Administrator",
     "WAYPOINTADMINDEMOTOTPSECRET23456"),
    # A second administrator, because public content goes live only when someone other
    # than its author approves it.
    ("reviewer@demo.waypoint.test", Role.ADMINISTRATOR, None, "Demo Reviewer",
     "WAYPOINTREVIEWERDEMOTOTPSECRET23"),
)  # fmt: skip


def demo_sign_in_table(*, base_url: str) -> str:
    """How to sign in to the demo, with every address on `base_url` (the port served on)."""
    base = base_url.rstrip("/")
    lines = [
        f"Demo staff accounts (demo only). Sign in at {base}/accounts/login/",
        f"Every password is {DEMO_PASSWORD}. Get the six-digit code by adding the TOTP "
        "secret to an authenticator app, or run `oathtool --totp -b SECRET`.",
        "",
    ]
    for email, role, _department, _name, secret in _DEMO_STAFF:
        lines.append(f"  {role.label:<20} {email:<30} TOTP secret: {secret}")
    lines += ["", f"The public site: {base}/   The staff area: {base}/staff/"]
    return "\n".join(lines)


_DEMO_FIRST_NAMES: Final = {
    "adviser@demo.waypoint.test": "Alex",
    "lead@demo.waypoint.test": "Jordan",
    "security@demo.waypoint.test": "Sam",
    "insights@demo.waypoint.test": "Robin",
    "admin@demo.waypoint.test": "Morgan",
    "reviewer@demo.waypoint.test": "Chris",
}


def _demo_department(slug: str | None) -> Department | None:
    if slug is None:
        return None
    department, _ = Department.objects.get_or_create(
        slug=slug, defaults={"name": slug.replace("-", " ").title()}
    )
    return department


def _has_totp_secret(user: User, secret: str) -> bool:
    totp = Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).first()
    has_codes = Authenticator.objects.filter(
        user_id=user.pk, type=Authenticator.Type.RECOVERY_CODES
    ).exists()
    return totp is not None and has_codes and decrypt(totp.data["secret"]) == secret


@transaction.atomic
def demo_staff_ensure() -> list[DemoAccount]:
    """One demo account per role, each pre-enrolled in TOTP with a fixed secret.

    Idempotent: running it again restores the published password, role and secret.
    Refuses to run unless settings.WAYPOINT_DEMO is true.
    """
    if not settings.WAYPOINT_DEMO:
        raise ImproperlyConfigured("Demo staff accounts exist only when WAYPOINT_DEMO is true.")
    accounts = []
    for email, role, department_slug, display_name, secret in _DEMO_STAFF:
        department = _demo_department(department_slug)
        user = User.objects.filter(email=email).first()
        if user is None:
            user = staff_user_create(
                email=email, role=role, department=department, display_name=display_name
            )
        user.role = role
        user.department = department
        user.display_name = display_name
        # Signs the demo's messages to reporters ("My name is Alex"): see ADR 0029.
        user.first_name = _DEMO_FIRST_NAMES.get(email, "")
        user.is_active = True
        user.set_password(DEMO_PASSWORD)
        user.full_clean()
        user.save()
        if not _has_totp_secret(user, secret):
            staff_totp_enrol(user=user, secret=secret)
        accounts.append(
            DemoAccount(email=email, role=role.label, password=DEMO_PASSWORD, totp_secret=secret)
        )
    return accounts
