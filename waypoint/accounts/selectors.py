"""Reads for staff accounts."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from waypoint.accounts import policy
from waypoint.accounts.models import User


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
