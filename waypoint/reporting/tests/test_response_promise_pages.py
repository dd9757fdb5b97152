"""After sending a report, and on /my-report/ until the team replies, the person is told
when to expect to hear back and what to do if things get worse (ADR 0028).

Each report is made through the real views at a fixed moment in December 2025 (Monday
the 1st), London time.
"""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Final

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from waypoint.accounts.models import User
from waypoint.casework.services import message_send_from_staff
from waypoint.institution.models import Institution
from waypoint.reporting.models import Report
from waypoint.reporting.tests.flow import (
    answer_steps,
    answers_for,
    confirm_receipt,
    reporter_client,
    sign_in,
    start,
)

pytestmark = pytest.mark.django_db

LONDON: Final = zoneinfo.ZoneInfo("Europe/London")
TITLE: Final = 'id="response-promise-title"'
WEEK: Final = "Monday to Friday, 9am to 5pm"


def _at(day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(2025, 12, day, hour, tzinfo=LONDON)


def _send(client: Client, route: str, **changes: dict[str, str]) -> tuple[Report, str, str]:
    """Send a report through the views; returns it, the receipt page and its passphrase."""
    answers = answers_for(route, "PROMISE")
    answers.update(changes)
    start(client, route)
    answer_steps(client, route, answers)
    token = client.get(reverse("reporting:review")).context["draft"].id
    assert client.post(reverse("reporting:submit"), {"token": str(token)}).status_code == 302
    receipt = client.get(reverse("reporting:receipt"))
    assert receipt.status_code == 200
    return (
        Report.objects.get(draft_token=token),
        receipt.content.decode(),
        str(receipt.context["passphrase"]),
    )


def _what_to_do_meanwhile(html: str, institution: Institution) -> None:
    assert "If things get worse" in html
    assert 'href="tel:999"' in html
    assert institution.security_emergency_phone in html


def test_a_named_reporter_is_told_when_the_team_will_be_in_touch_until_it_replies(
    institution: Institution, adviser: User
) -> None:
    client = reporter_client()
    with time_machine.travel(_at(1, 10), tick=True):
        report, receipt, passphrase = _send(client, "support")
        confirm_receipt(client, passphrase)
        sent = client.get(reverse("reporting:sent")).content.decode()
        returning = Client()
        sign_in(returning, report.reference, passphrase)
        home = returning.get(reverse("reporting:return")).content.decode()

        promise = "The team aims to get in touch with you by the end of Wednesday 3 December."
        assert TITLE in receipt and promise in receipt
        assert f"The team works {WEEK}" in receipt
        _what_to_do_meanwhile(receipt, institution)
        # The thank-you page gives the promise too (the usual targets when it no longer
        # knows which report was sent).
        assert TITLE in sent and f"The team works {WEEK}" in sent
        _what_to_do_meanwhile(sent, institution)
        assert promise in home
        _what_to_do_meanwhile(home, institution)

        report.case.assignments.create(user=adviser)
        message_send_from_staff(case=report.case, author=adviser, body="Hello, it's the team.")
        replied = returning.get(reverse("reporting:return")).content.decode()

    assert TITLE not in replied
    assert promise not in replied


def test_someone_in_danger_who_wants_no_replies_is_told_when_it_will_be_read_not_contacted(
    institution: Institution,
) -> None:
    client = reporter_client()
    # Friday evening: the team is next at work on Monday.
    with time_machine.travel(_at(5, 19), tick=True):
        _, receipt, _ = _send(
            client,
            "anonymous",
            danger={"immediate_danger": "yes"},
            replies={"wants_messages": "no"},
        )

    assert (
        "Because you told us someone is in danger, the team will look at your report on "
        "Monday 8 December, by 1pm."
    ) in receipt
    assert "You chose not to get replies, so you will not hear back from the team." in receipt
    assert f"The team is not at work now. They work {WEEK}" in receipt
    assert "will try to contact you" not in receipt
    assert "get in touch with you" not in receipt
    _what_to_do_meanwhile(receipt, institution)


def test_an_anonymous_reporter_who_wants_replies_is_told_they_will_be_on_this_site(
    institution: Institution,
) -> None:
    client = reporter_client()
    with time_machine.travel(_at(1, 10), tick=True):
        report, _, passphrase = _send(client, "anonymous")
        confirm_receipt(client, passphrase)
        returning = Client()
        sign_in(returning, report.reference, passphrase)
        home = returning.get(reverse("reporting:return")).content.decode()

    assert "The team aims to reply by the end of Wednesday 3 December." in home
    assert "You told us anonymously, so the team has no way to contact you." in home
