from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.test import RequestFactory

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.accounts.roles import Role

# The table this test pins, written out again on purpose: changing who may do what must
# change this file, the policy module's docstring and ADR 0006 together.
EXPECTED: dict[str, set[str]] = {
    "staff.home": {"adviser", "case_lead", "partner", "insights", "administrator"},
    "account.security": {"adviser", "case_lead", "partner", "insights", "administrator"},
    "admin.site": {"administrator"},
    "admin.users": {"administrator"},
    "admin.content": {"administrator"},
    "audit.view": {"administrator"},
    "content.edit": {"administrator"},
    "content.review": {"administrator"},
    "case.list": {"adviser", "case_lead"},
    "case.view": {"adviser", "case_lead"},
    "case.message": {"adviser", "case_lead"},
    "case.note": {"adviser", "case_lead"},
    "case.task": {"adviser", "case_lead"},
    "case.close": {"adviser", "case_lead"},
    "case.claim": {"adviser", "case_lead"},
    "case.assign": {"case_lead"},
    "case.match": {"case_lead"},
    "case.walk_in": {"adviser", "case_lead"},
    "task.department": {"partner"},
    "safety.assess": {"adviser", "case_lead"},
    "safety.plan": {"adviser", "case_lead"},
    "safety.refer": {"adviser", "case_lead"},
    "safety.process": {"adviser", "case_lead"},
    "measure.department": {"partner"},
    "work.mine": {"adviser", "case_lead", "partner"},
    "case.preview": {"adviser", "case_lead"},
    "case.search": {"adviser", "case_lead"},
    "case.bulk": {"case_lead"},
    "lead.overview": {"case_lead"},
    "notifications.mine": {"adviser", "case_lead", "partner", "insights", "administrator"},
    "case.chronology": {"adviser", "case_lead"},
    "case.police_bundle": {"adviser", "case_lead"},
    "insights.view": {"case_lead", "insights", "administrator"},
}


def staff(role: str, **extra: object) -> User:
    return User(email=f"{role or 'nobody'}@example.test", role=role, **extra)


def test_the_table_covers_every_action() -> None:
    assert policy.actions() == set(EXPECTED)


@pytest.mark.parametrize("action", sorted(EXPECTED))
@pytest.mark.parametrize("role", [*Role.values, ""])
def test_each_role_may_do_exactly_what_the_table_says(role: str, action: str) -> None:
    assert policy.can(staff(role), action) is (role in EXPECTED[action])


def test_the_documented_table_matches_the_rules() -> None:
    doc = policy.__doc__ or ""
    header = re.search(r"^action\s+(.+)$", doc, re.MULTILINE)
    assert header is not None
    columns = header.group(1).split()
    rows = {}
    for action in EXPECTED:
        line = re.search(rf"^{re.escape(action)}\s+(.+)$", doc, re.MULTILINE)
        assert line is not None, action
        cells = dict(zip(columns, line.group(1).split(), strict=True))
        rows[action] = {column for column, cell in cells.items() if cell == "yes"}
    assert rows == EXPECTED


def test_the_adr_lists_every_action() -> None:
    adr = (Path(__file__).parents[3] / "docs/decisions/0006-roles-and-policy.md").read_text()
    for action in EXPECTED:
        assert f"`{action}`" in adr, action


def test_an_unknown_action_is_denied_to_everyone() -> None:
    assert not policy.can(staff(Role.ADMINISTRATOR), "admin.everything")
    assert not policy.can(staff(Role.ADMINISTRATOR), "")


def test_anonymous_inactive_and_outsiders_may_do_nothing() -> None:
    for action in EXPECTED:
        assert not policy.can(AnonymousUser(), action)
        assert not policy.can(None, action)
        assert not policy.can(staff(Role.ADMINISTRATOR, is_active=False), action)
        assert not policy.can(staff(""), action)
        assert not policy.can(staff("superhero"), action)


def test_superuser_and_staff_flags_grant_nothing() -> None:
    user = staff(Role.ADVISER, is_superuser=True, is_staff=True)
    assert not policy.can(user, "admin.site")
    assert not user.has_perm("hub.change_supportservice")
    assert not user.has_module_perms("hub")


def test_admin_permissions_follow_the_policy() -> None:
    administrator = staff(Role.ADMINISTRATOR)
    assert administrator.has_perm("accounts.change_user")
    assert administrator.has_perm("hub.add_supportservice")
    assert administrator.has_module_perms("institution")
    # The audit log can be read, never changed; unlisted apps are closed to everyone.
    assert administrator.has_perm("privacy.view_auditevent")
    assert not administrator.has_perm("privacy.change_auditevent")
    assert not administrator.has_perm("mfa.view_authenticator")
    assert not administrator.has_module_perms("mfa")
    assert not administrator.has_perm("nonsense")


def test_require_raises_403_without_an_object_and_404_with_one() -> None:
    adviser = staff(Role.ADVISER)
    policy.require(adviser, "staff.home")
    with pytest.raises(PermissionDenied):
        policy.require(adviser, "admin.site")
    with pytest.raises(Http404):
        policy.require(adviser, "admin.site", obj=object())


def test_staff_view_refuses_an_unknown_action_when_it_is_declared() -> None:
    with pytest.raises(ImproperlyConfigured, match=r"case\.teleport"):
        policy.staff_view("case.teleport")


def _view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("secret")


def test_staff_view_sends_anonymous_visitors_to_sign_in(rf: RequestFactory) -> None:
    request = rf.get("/somewhere/")
    request.user = AnonymousUser()
    response = policy.staff_view("staff.home")(_view)(request)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/somewhere/"


def test_staff_view_refuses_people_the_policy_does_not_allow(rf: RequestFactory) -> None:
    request = rf.get("/somewhere/")
    request.user = staff(Role.ADVISER)
    view = policy.staff_view("admin.site")(_view)
    with pytest.raises(PermissionDenied):
        view(request)
    request.user = staff(Role.ADMINISTRATOR)
    response = view(request)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert view.policy_action == "admin.site"  # type: ignore[attr-defined]
