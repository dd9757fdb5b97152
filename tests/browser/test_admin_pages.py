"""The Django admin, as an administrator uses it: every kind of admin page gets an axe check.

The admin's own stylesheet and scripts are served from our origin (no CDN); the fixtures
fail the test on any CSP violation or request to another host.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.mail import EmailMessage

from tests.browser.support import DESKTOP, BrowserSession, assert_no_axe_violations
from tests.browser.test_content_management import sign_in
from waypoint.accounts.models import User
from waypoint.institution.models import Department, Institution
from waypoint.worker.models import OutboundEmail
from waypoint.worker.services import email_queue

pytestmark = pytest.mark.browser


def test_the_admin_pages_an_administrator_uses_have_no_accessibility_violations(
    browser_session: BrowserSession,
    demo_institution: Institution,
    administrator: User,
    adviser: User,
    totp_code: Callable[[User], str],
) -> None:
    page, _ = browser_session.new_page(viewport=DESKTOP)
    sign_in(page, administrator, totp_code)
    department = Department.objects.order_by("name").first()
    assert department is not None
    email_queue(messages=[EmailMessage("Subject", "Body", None, ["someone@example.org"])])
    email = OutboundEmail.objects.get()
    for url in [
        "/staff/admin/",
        "/staff/admin/accounts/user/",
        f"/staff/admin/accounts/user/{adviser.pk}/change/",
        "/staff/admin/institution/institution/",
        f"/staff/admin/institution/institution/{demo_institution.pk}/change/",
        "/staff/admin/institution/department/",
        f"/staff/admin/institution/department/{department.pk}/change/",
        "/staff/admin/institution/department/add/",
        "/staff/admin/worker/outboundemail/",
        f"/staff/admin/worker/outboundemail/{email.pk}/change/",
    ]:
        page.goto(url)
        assert page.locator("h1").count() >= 1, url
        assert_no_axe_violations(page)
