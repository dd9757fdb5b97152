"""The demo's past cases: enough for every insights chart, some groups kept small."""

from __future__ import annotations

import datetime
import io
from collections import Counter

import pytest
from django.core.management import call_command
from pytest_django.fixtures import Settings

from waypoint.insights.demo import DEMO_PAST_CASES, demo_case_ids, demo_facts_load
from waypoint.insights.models import CaseFactEvent, CaseFacts, CaseFactTag, EventKind, TagKind

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 3)


def test_the_demo_writes_about_300_past_cases_once() -> None:
    assert demo_facts_load(today=TODAY) == DEMO_PAST_CASES
    tags, events = CaseFactTag.objects.count(), CaseFactEvent.objects.count()

    assert demo_facts_load(today=TODAY) == 0  # loading the demo again adds nothing
    assert CaseFacts.objects.count() == DEMO_PAST_CASES
    assert (CaseFactTag.objects.count(), CaseFactEvent.objects.count()) == (tags, events)


def test_the_past_cases_span_this_academic_year_and_the_two_before_and_none_is_future() -> None:
    demo_facts_load(today=TODAY)
    months = set(CaseFacts.objects.values_list("opened_month", flat=True))

    assert min(months) >= datetime.date(2024, 8, 1)
    assert max(months) <= datetime.date(2026, 12, 1)
    for first, last in (
        (datetime.date(2024, 8, 1), datetime.date(2025, 7, 1)),
        (datetime.date(2025, 8, 1), datetime.date(2026, 7, 1)),
        (datetime.date(2026, 8, 1), datetime.date(2026, 12, 1)),
    ):
        assert CaseFacts.objects.filter(opened_month__range=(first, last)).count() >= 40
    assert not CaseFactEvent.objects.filter(month__gt=datetime.date(2026, 12, 1)).exists()


def test_every_kind_of_fact_has_something_and_some_groups_stay_under_the_threshold() -> None:
    demo_facts_load(today=TODAY)
    facts = CaseFacts.objects.all()

    for kind in TagKind.values:
        assert CaseFactTag.objects.filter(kind=kind).exists(), kind
    for kind in EventKind.values:
        assert CaseFactEvent.objects.filter(kind=kind).exists(), kind
    assert facts.filter(closed_month__isnull=False).count() > facts.count() // 2
    assert facts.filter(closed_month__isnull=True).exists()  # an open caseload to show
    assert facts.filter(first_contact_within_target=True).exists()
    assert facts.filter(first_contact_within_target=False).exists()
    assert facts.filter(walk_in=True).exists() and facts.filter(police_reported=True).exists()

    by_reporter = Counter(facts.values_list("reporter_role", flat=True))
    assert 0 < by_reporter["visitor"] < 10  # shown as "fewer than 10"
    behaviours = Counter(
        CaseFactTag.objects.filter(kind=TagKind.BEHAVIOUR).values_list("slug", flat=True)
    )
    assert max(behaviours.values()) >= 50
    assert any(0 < count < 10 for count in behaviours.values())


def test_load_demo_loads_the_past_cases_beside_the_demo_reports(settings: Settings) -> None:
    settings.WAYPOINT_DEMO = True

    call_command("load_demo", "--no-sign-in-table", stdout=io.StringIO())
    call_command("load_demo", "--no-sign-in-table", stdout=io.StringIO())

    assert CaseFacts.objects.filter(case_id__in=demo_case_ids()).count() == DEMO_PAST_CASES
