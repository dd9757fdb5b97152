"""Facts survive erasure: last year's figures do not change when a case is deleted under
the retention policy (issue 15 item 10, "done when")."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.db import models
from django.db.models import Count

from waypoint.accounts.models import User
from waypoint.casework.models import Case, CaseAssignment, CaseOutcome
from waypoint.casework.services.workflow import SupportGiven, case_close
from waypoint.insights.models import CaseFactEvent, CaseFacts, CaseFactTag
from waypoint.insights.tests.support import submit_report
from waypoint.privacy.services import data_key_shred
from waypoint.reporting.models import Report

pytestmark = pytest.mark.django_db

PAST_YEAR = (datetime.date(2025, 8, 1), datetime.date(2026, 7, 31))


def _erase(case: Case) -> None:
    """Delete a case as retention will: the case (and everything hanging from it), its
    report's rows, and the data key that sealed them."""
    report = Report.objects.get(pk=case.report_id)
    key = report.data_key
    Case.objects.get(pk=case.pk).delete()
    report.delete()
    if key is not None:
        data_key_shred(data_key=key)


def _figures() -> dict[str, Any]:
    """The counts the insights pages make of the past academic year."""
    start, end = PAST_YEAR
    facts = CaseFacts.objects.filter(opened_month__range=(start, end))
    return {
        "by_month": sorted(facts.values_list("opened_month").annotate(n=Count("id"))),
        "by_route": sorted(facts.values_list("route").annotate(n=Count("id"))),
        "closed": sorted(
            facts.filter(closed_month__isnull=False)
            .values_list("outcome", "days_to_close")
            .annotate(n=Count("id"))
        ),
        "tags": sorted(
            CaseFactTag.objects.filter(facts__in=facts)
            .values_list("kind", "slug")
            .annotate(n=Count("id"))
        ),
        "events": sorted(
            CaseFactEvent.objects.filter(month__range=(start, end))
            .values_list("kind", "month", "value")
            .annotate(n=Count("id"))
        ),
    }


def _closed_case(adviser: User, route: str, opened: datetime.datetime) -> Case:
    steps = {"what": {"behaviours": ["following"], "what_text": "Words"}}
    with time_machine.travel(opened, tick=False):
        case = Case.objects.get(report=submit_report(route=route, steps=steps))
        CaseAssignment.objects.create(case=case, user=adviser)
    with time_machine.travel(opened + datetime.timedelta(days=20), tick=False):
        case_close(
            case=case,
            actor=adviser,
            outcome=CaseOutcome.SUPPORTED,
            support_given=[SupportGiven.ONE_TO_ONE],
            reason="Summary",
        )
    return case


def test_last_years_figures_are_unchanged_after_a_case_in_it_is_erased(adviser: User) -> None:
    # Three cases of the academic year 2025-26, closed; the retention period of one ends.
    erased = _closed_case(
        adviser, "support", datetime.datetime(2025, 10, 6, 10, tzinfo=datetime.UTC)
    )
    _closed_case(adviser, "anonymous", datetime.datetime(2025, 10, 8, 10, tzinfo=datetime.UTC))
    _closed_case(adviser, "support", datetime.datetime(2026, 2, 2, 10, tzinfo=datetime.UTC))
    before = _figures()
    assert dict(before["by_route"]) == {"support": 2, "anonymous": 1}

    _erase(erased)

    assert not Case.objects.filter(pk=erased.pk).exists()
    assert not Report.objects.filter(pk=erased.report_id).exists()
    assert _figures() == before


def test_case_facts_have_no_relation_to_a_case_or_a_report() -> None:
    # A foreign key would cascade (or block) the erasure; the facts must do neither.
    for model in (CaseFacts, CaseFactTag, CaseFactEvent):
        related = {
            field.related_model
            for field in model._meta.get_fields()
            if isinstance(field, models.ForeignKey | models.OneToOneField)
        }
        assert related <= {CaseFacts}, model
