"""Reporting tells casework of a sent report through an event, in the same transaction
(reporting/events.py, ADR 0040): the report and its case are kept together or not at all."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from waypoint.casework.models import Case
from waypoint.casework.services import receivers
from waypoint.institution.models import Institution
from waypoint.reporting import events
from waypoint.reporting.models import Draft, Report
from waypoint.reporting.services import report_submit
from waypoint.reporting.tests.flow import answer_steps, answers_for, reporter_client, start


def _ready_draft(marker: str) -> uuid.UUID:
    """Alex has answered every question and is on the review page."""
    client = reporter_client()
    start(client, "anonymous")
    answer_steps(client, "anonymous", answers_for("anonymous", marker))
    token: uuid.UUID = client.get(reverse("reporting:review")).context["draft"].id
    return token


@pytest.fixture
def nobody_listening() -> Iterator[None]:
    uid = "casework.on_report_submitted"
    assert events.report_submitted.disconnect(sender=Report, dispatch_uid=uid)
    try:
        yield
    finally:
        receivers.connect()


def test_alex_s_report_opens_its_case_as_it_is_sent(institution: Institution) -> None:
    submission = report_submit(draft_id=_ready_draft("CANARY-EVENT"))
    assert Case.objects.filter(report=submission.report).count() == 1


def test_when_the_case_cannot_be_opened_alex_s_report_is_not_kept_half_made(
    institution: Institution,
) -> None:
    token = _ready_draft("CANARY-ROLLBACK")

    def fails_after_casework(**_: Any) -> None:
        raise RuntimeError("a receiver failed after the case was opened")

    events.report_submitted.connect(fails_after_casework, sender=Report)
    try:
        with pytest.raises(RuntimeError):
            report_submit(draft_id=token)
    finally:
        events.report_submitted.disconnect(fails_after_casework, sender=Report)
    # Casework's receiver had opened the case: the rollback took it away with the report.
    assert not Report.objects.filter(draft_token=token).exists()
    assert not Case.objects.exists()
    assert Draft.objects.get(pk=token).report_id is None  # Alex can send it again
    assert report_submit(draft_id=token).created


def test_with_casework_not_listening_a_report_is_refused_rather_than_lost(
    institution: Institution, nobody_listening: None
) -> None:
    token = _ready_draft("CANARY-UNHEARD")
    with pytest.raises(ImproperlyConfigured):
        report_submit(draft_id=token)
    assert not Report.objects.filter(draft_token=token).exists()
