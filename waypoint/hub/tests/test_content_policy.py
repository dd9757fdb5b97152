"""The policy rules for content: administrators only, and four eyes on every revision."""

from __future__ import annotations

import uuid

import pytest

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.accounts.roles import Role
from waypoint.hub.models import AwarenessPage, ContentRevision


def staff(role: str, **extra: object) -> User:
    return User(id=uuid.uuid4(), email=f"{role or 'nobody'}@example.test", role=role, **extra)


def revision_by(author: User) -> ContentRevision:
    return ContentRevision(kind=ContentRevision.Kind.PAGE, data={}, author=author)


@pytest.mark.parametrize("action", ["content.edit", "content.review"])
@pytest.mark.parametrize("role", [*Role.values, ""])
def test_only_administrators_may_manage_content(role: str, action: str) -> None:
    assert policy.can(staff(role), action) is (role == Role.ADMINISTRATOR)


def test_a_revision_may_be_reviewed_by_any_administrator_but_its_author() -> None:
    author, other = staff(Role.ADMINISTRATOR), staff(Role.ADMINISTRATOR)
    revision = revision_by(author)
    assert not policy.can(author, "content.review", revision)
    assert policy.can(other, "content.review", revision)


def test_a_revision_may_be_changed_only_by_its_author() -> None:
    author, other = staff(Role.ADMINISTRATOR), staff(Role.ADMINISTRATOR)
    revision = revision_by(author)
    assert policy.can(author, "content.edit", revision)
    assert not policy.can(other, "content.edit", revision)


def test_an_author_who_is_no_longer_an_administrator_may_not_touch_their_revision() -> None:
    author = staff(Role.ADMINISTRATOR)
    revision = revision_by(author)
    author.role = Role.ADVISER
    assert not policy.can(author, "content.edit", revision)
    author.role = Role.ADMINISTRATOR
    author.is_active = False
    assert not policy.can(author, "content.edit", revision)


def test_a_live_item_may_be_edited_by_any_administrator() -> None:
    page = AwarenessPage(title="What is stalking?")
    assert policy.can(staff(Role.ADMINISTRATOR), "content.edit", page)
    assert not policy.can(staff(Role.CASE_LEAD), "content.edit", page)
