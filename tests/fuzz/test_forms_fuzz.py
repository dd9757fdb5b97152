"""Fuzzing every form in CI (issue 13, item 9): whatever arrives, Waypoint never answers
with a server error, and a request it refuses changes nothing in the database.

The forms are read from the pages themselves (tests/fuzz/forms.py), as a reporter, a
returning reporter, a case lead and an administrator see them, so a new form is fuzzed
without a new line here. Each form gets EXAMPLES_PER_FORM hostile bodies (8 in CI,
WAYPOINT_FUZZ_EXAMPLES for more), derandomised so a CI failure reproduces.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable, Iterable
from typing import Final

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.forms import EXAMPLES_PER_FORM, Form, bodies, forms_on
from waypoint.accounts.models import User
from waypoint.accounts.tests.support import login_as
from waypoint.reporting.steps import steps_for
from waypoint.reporting.tests.flow import make_report, reporter_client, sign_in, start

pytestmark = pytest.mark.django_db

# Forms that end the session or throw the draft or report away: fuzzed without a session
# (test_every_form_without_a_session), not in the middle of a signed-in walk.
ENDS_THE_VISIT: Final = re.compile(
    r"^/(exit/|accounts/logout/|my-report/(sign-out|delete|withdraw)/|report/start-again/)"
)
# What a refused request must leave exactly as it was.
STATE_APPS: Final = ("reporting", "casework", "safety", "hub", "accounts", "institution")
SAMPLE_CASE_PAGES: Final = 12  # links under the case page that are followed (sections, ...)


def _state_models() -> list[type[models.Model]]:
    return [m for label in STATE_APPS for m in apps.get_app_config(label).get_models()]


def fingerprint() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in _state_models()}


def fuzz(client: Client, forms: Iterable[Form]) -> int:
    """Send EXAMPLES_PER_FORM hostile bodies to each form; return how many were sent."""
    sent = [0]
    for form in forms:
        _fuzz_one(client, form, sent)()
    return sent[0]


def _fuzz_one(client: Client, form: Form, sent: list[int]) -> Callable[[], None]:
    @settings(
        max_examples=EXAMPLES_PER_FORM,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def one_form(data: st.DataObject) -> None:
        body, content_type = data.draw(bodies(form))
        before = fingerprint()
        response = client.generic("POST", form.action, body, content_type=content_type)
        sent[0] += 1
        assert response.status_code < 500, (form, response.status_code)
        if 400 <= response.status_code < 500:
            assert fingerprint() == before, f"{form} refused with a change"

    return one_form


def forms_of(client: Client, paths: Iterable[str], *, keep_ending: bool = False) -> list[Form]:
    found: dict[str, Form] = {}
    for path in paths:
        response = client.get(path, follow=True)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        final_path = response.request["PATH_INFO"]
        for form in forms_on(response.content.decode(), final_path):
            if not keep_ending and ENDS_THE_VISIT.match(form.action):
                continue
            found.setdefault(form.action + "|" + ",".join(sorted(form.fields)), form)
    return list(found.values())


def links_under(client: Client, path: str, prefix: str, limit: int) -> list[str]:
    html = client.get(path).content.decode()
    hrefs = re.findall(r'href="([^"#]+)"', html)
    paths = []
    for href in hrefs:
        target = urllib.parse.urlsplit(urllib.parse.urljoin(path, href)).path
        if target.startswith(prefix) and target not in paths:
            paths.append(target)
    return paths[:limit]


@pytest.fixture
def reporter() -> Client:
    return reporter_client()


def test_public_forms_and_every_report_step_never_fail(reporter: Client) -> None:
    pages = ["/", "/check/", "/support/", "/tell-us/", "/report/", "/my-report/"]
    sent = fuzz(reporter, forms_of(reporter, pages))
    start(reporter, "support")
    steps = [f"/report/{step.slug}/" for step in steps_for("support")]
    sent += fuzz(reporter, forms_of(reporter, [*steps, "/report/evidence/", "/report/review/"]))
    print(f"fuzz: {sent} hostile requests to public forms, 0 server errors")
    assert sent >= 10 * EXAMPLES_PER_FORM  # the pages really offered their forms


def test_a_returning_reporters_forms_never_fail(reporter: Client) -> None:
    made = make_report(reporter, "support")
    returning = reporter_client()
    sign_in(returning, made.reference, made.passphrase)
    pages = ["/my-report/", "/my-report/add/", "/my-report/evidence/", "/my-report/safety-plan/"]
    sent = fuzz(returning, forms_of(returning, pages))
    print(f"fuzz: {sent} hostile requests to a returning reporter's forms, 0 server errors")
    assert sent >= 2 * EXAMPLES_PER_FORM


def test_a_case_leads_forms_never_fail(client: Client, case_lead: User) -> None:
    made = make_report(reporter_client(), "support")
    login_as(client, case_lead)
    case_page = f"/staff/cases/{made.report.case.pk}/"
    pages = ["/staff/", "/staff/cases/", "/staff/work/", "/staff/matches/", "/staff/cases/new/"]
    pages += [case_page, *links_under(client, case_page, case_page, SAMPLE_CASE_PAGES)]
    sent = fuzz(client, forms_of(client, pages))
    print(f"fuzz: {sent} hostile requests to a case lead's forms, 0 server errors")
    assert sent >= 5 * EXAMPLES_PER_FORM


def test_an_administrators_content_forms_never_fail(client: Client, administrator: User) -> None:
    login_as(client, administrator)
    pages = ["/staff/content/", *links_under(client, "/staff/content/", "/staff/content/", 6)]
    sent = fuzz(client, forms_of(client, pages))
    print(f"fuzz: {sent} hostile requests to content forms, 0 server errors")
    assert sent >= EXAMPLES_PER_FORM


def test_every_form_without_a_session(reporter: Client, case_lead: User) -> None:
    made = make_report(reporter, "support")
    staff = Client()
    login_as(staff, case_lead)
    case_page = f"/staff/cases/{made.report.case.pk}/"
    forms = forms_of(staff, ["/staff/cases/", case_page], keep_ending=True)
    returning = reporter_client()
    sign_in(returning, made.reference, made.passphrase)
    forms += forms_of(returning, ["/my-report/"], keep_ending=True)
    forms += forms_of(reporter_client(), ["/", "/report/"], keep_ending=True)
    sent = fuzz(Client(), forms)
    print(f"fuzz: {sent} hostile requests without a session, 0 server errors")
    assert sent >= 5 * EXAMPLES_PER_FORM
