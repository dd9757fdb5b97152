"""`manage.py insights_backfill`: facts for the cases that have none (issue 15 item 11)."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from waypoint.accounts.models import User
from waypoint.casework.models import Case, CaseAssignment, CaseOutcome
from waypoint.casework.services.workflow import SupportGiven, case_close, case_status_change
from waypoint.insights.models import CaseFactEvent, CaseFacts, CaseFactTag
from waypoint.insights.tests.support import case_without_facts, count_decryptions, submit_report
from waypoint.safety.services.processes import process_save
from waypoint.safety.services.risk import assessment_create
from waypoint.safety.tests.risk_support import SCREENING, answers, current_version

pytestmark = pytest.mark.django_db


def _backfill(*args: str) -> str:
    out = StringIO()
    call_command("insights_backfill", *args, stdout=out)
    return out.getvalue()


def _snapshot(case_id: Any) -> tuple[Any, ...]:
    """Everything insights holds about a case, without its own row ids."""
    facts = dict(CaseFacts.objects.filter(case_id=case_id).values().get())
    del facts["id"]
    tags = sorted(CaseFactTag.objects.filter(facts__case_id=case_id).values_list("kind", "slug"))
    events = sorted(
        CaseFactEvent.objects.filter(facts__case_id=case_id).values_list(
            "kind", "month", "value", "department"
        )
    )
    return facts, tags, events


def _worked_case(adviser: User) -> Case:
    """A case with a history: triaged, in contact, assessed, a police process, closed."""
    steps: dict[str, dict[str, Any]] = {
        "what": {"behaviours": ["following"], "what_text": "Words"},
        "where": {"locations": ["library"], "platforms": [], "where_text": ""},
        "who": {"relationship": "ex-partner", "affiliation": "outside", "person_name": "Sam"},
    }
    with time_machine.travel(datetime.datetime(2026, 1, 12, 10, tzinfo=datetime.UTC), tick=False):
        case = Case.objects.get(
            report=submit_report(route="third_party", role="staff", steps=steps)
        )
        CaseAssignment.objects.create(case=case, user=adviser)
    with time_machine.travel(datetime.datetime(2026, 1, 14, 9, tzinfo=datetime.UTC), tick=False):
        case_status_change(case=case, actor=adviser, to_status="in_contact", reason="Spoke")
        version = current_version(SCREENING)
        assessment_create(
            case=case,
            actor=adviser,
            version=version,
            answers=answers(version, yes=3),
            judged_band="",
            judgement_reason="",
        )
        process_save(case=case, actor=adviser, kind="police", values={"stage": "reported"})
    with time_machine.travel(datetime.datetime(2026, 2, 3, 15, tzinfo=datetime.UTC), tick=False):
        case_close(
            case=case,
            actor=adviser,
            outcome=CaseOutcome.FORMAL_PROCESS,
            support_given=[SupportGiven.POLICE],
            reason="Summary",
        )
    return case


def test_the_backfill_rebuilds_exactly_the_facts_the_events_recorded(adviser: User) -> None:
    case = _worked_case(adviser)
    recorded = _snapshot(case.pk)
    CaseFacts.objects.all().delete()  # as a database from before insights would be

    _backfill()

    assert _snapshot(case.pk) == recorded


def test_the_backfill_builds_facts_for_cases_without_and_shows_its_progress() -> None:
    for _ in range(5):
        case_without_facts()

    output = _backfill("--batch-size", "2")

    assert output.splitlines() == [
        "2 of 5 cases",
        "4 of 5 cases",
        "5 of 5 cases",
        "Facts built for 5 cases.",
    ]
    assert CaseFacts.objects.count() == 5
    facts = CaseFacts.objects.first()
    assert facts is not None
    assert (facts.route, facts.reporter_role) == ("anonymous", "staff")
    assert list(facts.tags.values_list("slug", flat=True)) == ["following"]


def test_running_the_backfill_again_changes_nothing() -> None:
    case_without_facts()
    _backfill()
    before = _snapshot(CaseFacts.objects.get().case_id)

    output = _backfill()

    assert output.strip() == "Every case has its facts: nothing to do."
    assert CaseFacts.objects.count() == 1
    assert _snapshot(CaseFacts.objects.get().case_id) == before


def test_the_backfill_leaves_cases_that_already_have_facts_alone() -> None:
    submit_report()
    case_without_facts()
    live = CaseFacts.objects.get()

    output = _backfill()

    assert "1 of 1 cases" in output
    assert CaseFacts.objects.count() == 2
    assert CaseFacts.objects.filter(pk=live.pk).exists()


def test_the_backfill_decrypts_each_report_once(monkeypatch: pytest.MonkeyPatch) -> None:
    for _ in range(3):
        case_without_facts()
    counted = count_decryptions(monkeypatch)

    _backfill()

    assert counted.by_function["unseal"] == 3
    assert counted.total == 3
    assert counted.from_insights == 3  # the backfill (insights code) made them


def test_an_erased_case_gets_the_facts_its_plain_columns_give(adviser: User) -> None:
    case = case_without_facts()
    report = case.report
    assert report.data_key is not None
    key = report.data_key
    Case.objects.filter(pk=case.pk).update(data_key=None)
    report.data_key = None
    report.save(update_fields=["data_key"])
    key.delete()

    _backfill()

    facts = CaseFacts.objects.get(case_id=case.pk)
    assert facts.route == "anonymous"
    assert not facts.tags.exists()
