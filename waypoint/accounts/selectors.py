"""Reads for staff accounts."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.socialaccount.models import SocialAccount
from django.urls import reverse

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.accounts.roles import Role
from waypoint.institution.selectors import institution_get_current


@dataclass(frozen=True)
class StaffLink:
    label: str
    url: str
    description: str


def staff_home_links_for_user(*, user: User) -> list[StaffLink]:
    """What `user` can do next from /staff/: only pages that exist and they may open."""
    links = []
    if policy.can(user, "content.edit"):
        links.append(
            StaffLink(
                label="Public content",
                url=reverse("content:list"),
                description="Awareness pages, campaigns and the support directory. "
                "Changes go live when another administrator approves them.",
            )
        )
    if policy.can(user, "admin.site"):
        links.append(
            StaffLink(
                label="Administration",
                url=reverse("admin:index"),
                description="Staff accounts and roles, the institution and departments.",
            )
        )
    if policy.can(user, "account.security"):
        links.append(
            StaffLink(
                label="Two-factor authentication",
                url=reverse("mfa_index"),
                description="Your authenticator app and recovery codes.",
            )
        )
        links.append(
            StaffLink(
                label="Change password",
                url=reverse("account_change_password"),
                description="Choose a new password for your account.",
            )
        )
    return links


def user_is_sso_only(user: User) -> bool:
    """Signs in only through the identity provider: linked to it, and no password."""
    return not user.has_usable_password() and (
        SocialAccount.objects.filter(user_id=user.pk).exists()
    )


def password_sign_in_allowed(user: User) -> bool:
    """The institution's setting; its break-glass administrators may always use one."""
    institution = institution_get_current()
    if institution is None or institution.staff_password_sign_in:
        return True
    named = {
        line.strip().lower()
        for line in institution.break_glass_administrators.splitlines()
        if line.strip()
    }
    return user.role == Role.ADMINISTRATOR and user.email.lower() in named
