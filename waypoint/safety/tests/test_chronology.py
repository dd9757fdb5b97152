"""The case's chronology: every incident in the order it happened, from the report, its
additions, what the person shared from their log and what staff recorded for them; never
anything they did not share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from waypoint.accounts.models import User
from waypoint.casework.models import Case, EntryKind, TimelineEntry
from waypoint.casework.tests.conftest import OpenCase
from waypoint.log.models import LogEntry, RecordedBy
from waypoint.log.services import entry_add, entry_correct
from waypoint.privacy.models import AuditEvent
from waypoint.safety.tests.chronology_support import (
    UNSHARED,
    addition_add,
    case_log,
    entry_content,
    log_with_entries,
    report_answers,
    share,
    staff_name,
)
from waypoint.safety.tests.processes_support import *  # noqa: F403  (fixtures)
from waypoint.safety.tests.processes_support import template_names

pytestmark = pytest.mark.django_db

SignIn = Callable[[User], Client]


def _url(case: Case, name: str = "safety:chronology") -> str:
    return reverse(name, args=[case.pk])


@pytest.fixture
def jordans_case(open_case: OpenCase, adviser: User) -> Case:
    """Jordan's case, assigned to the adviser: a report that says when, where and what."""
    return open_case(assign=[adviser], answers=report_answers())


def _rows(response: Any) -> list[Any]:
    return list(response.context["chronology"].rows)


# --- What the chronology shows -------------------------------------------------------------------


def test_the_assigned_adviser_sees_every_source_in_the_order_it_happened(
    jordans_case: Case, adviser: User, sign_in: SignIn
) -> None:
    log_with_entries(jordans_case, shared=2, unshared=1)
    addition_add(jordans_case)

    response = sign_in(adviser).get(_url(jordans_case))

    assert response.status_code == 200
    rows = _rows(response)
    assert [row.source for row in rows] == ["log", "log", "report", "addition"]
    assert [row.happened_sort.date().isoformat() for row in rows[:3]] == [
        "2026-11-01",
        "2026-11-04",
        "2026-11-20",
    ]
    page = response.content.decode()
    for words in (
        "Shared incident 1",
        "Report: he waits outside my lectures",
        "He was at the station again",
        "Crime reference: CR-REPORT-1",
        "Crime reference: CR-LOG-9",
        "Sam Sample",
        "Their log",
        "Addition to the report",
        'aria-current="page">Chronology</a>',
    ):
        assert words in page, words


def test_entries_the_person_did_not_share_never_reach_the_page(
    jordans_case: Case, adviser: User, sign_in: SignIn
) -> None:
    log_with_entries(jordans_case, shared=1, unshared=3)

    response = sign_in(adviser).get(_url(jordans_case))

    page = response.content.decode()
    assert UNSHARED not in page
    assert "Hidden Person" not in page  # named only in unshared entries
    assert "Threats" not in page  # a behaviour only unshared entries list
    assert response.context["chronology"].shared_entries == 1


def test_a_log_with_nothing_shared_is_not_mentioned_at_all(
    jordans_case: Case, adviser: User, sign_in: SignIn
) -> None:
    log_with_entries(jordans_case, shared=0, unshared=2)

    response = sign_in(adviser).get(_url(jordans_case))

    chronology = response.context["chronology"]
    assert chronology.integrity is None
    assert chronology.shared_entries == 0
    assert [row.source for row in chronology.rows] == ["report"]
    assert UNSHARED not in response.content.decode()


def test_a_correction_is_shown_right_after_the_entry_it_corrects(
    jordans_case: Case, adviser: User, sign_in: SignIn
) -> None:
    log = case_log(jordans_case)
    first = entry_add(log=log, content=entry_content(day="2026-11-02", text="First telling"))
    share(first)
    first.refresh_from_db()
    entry_add(log=log, content=entry_content(day="2026-11-10", text="Something later"))
    share(*LogEntry.objects.filter(log=log))
    entry_correct(
        log=log,
        entry=LogEntry.objects.get(pk=first.pk),
        content=entry_content(day="2026-11-25", text="Corrected telling"),
    )

    rows = _rows(sign_in(adviser).get(_url(jordans_case)))

    texts = [row.what.split("; ")[-1] for row in rows if row.source == "log"]
    assert texts == ["First telling", "Corrected telling", "Something later"]
    correction = next(row for row in rows if row.is_correction)
    assert correction.corrects == first.seq


def test_filtering_by_behaviour_and_by_person_works_as_a_plain_get_form(
    jordans_case: Case, adviser: User, sign_in: SignIn
) -> None:
    log_with_entries(jordans_case, shared=2, unshared=0)
    client = sign_in(adviser)
    everything = client.get(_url(jordans_case)).context["chronology"]
    sam = next(choice for choice in everything.people if choice.label == "Sam Sample")

    by_behaviour = client.get(_url(jordans_case), {"behaviour": "following"})
    by_person = client.get(_url(jordans_case), {"person": sam.value})
    unknown = client.get(_url(jordans_case), {"behaviour": "nonsense"})

    assert [row.source for row in _rows(by_behaviour)] == ["report"]
    assert [row.source for row in _rows(by_person)] == ["log", "log"]
    assert len(_rows(unknown)) == everything.total  # an unknown value filters nothing
    page = by_behaviour.content.decode()
    assert "Selected filters" in page
    assert "Remove filter: </span>Following" in page
    assert by_behaviour.context["chronology"].filtered


def test_the_log_integrity_warning_shows_when_the_chain_check_fails(
    jordans_case: Case, adviser: User, sign_in: SignIn
) -> None:
    log = log_with_entries(jordans_case, shared=2, unshared=0)
    # Someone with database access back-dates the first entry.
    first = LogEntry.objects.get(log=log, seq=1)
    LogEntry.objects.filter(pk=first.pk).update(recorded_at=first.recorded_at.replace(year=2025))

    response = sign_in(adviser).get(_url(jordans_case))

    page = response.content.decode()
    assert 'id="integrity-warning"' in page
    assert "Their log was changed after it was written" in page
    assert any(row.doubtful for row in _rows(response))


def test_an_intact_log_says_it_was_checked(
    jordans_case: Case, adviser: User, sign_in: SignIn
) -> None:
    log_with_entries(jordans_case, shared=1, unshared=1)

    page = sign_in(adviser).get(_url(jordans_case)).content.decode()

    assert 'id="integrity-ok"' in page
    assert "integrity-warning" not in page


def test_each_viewing_is_audited_with_ids_and_counts_only(
    jordans_case: Case, adviser: User, sign_in: SignIn
) -> None:
    log_with_entries(jordans_case, shared=2, unshared=1)

    sign_in(adviser).get(_url(jordans_case), {"behaviour": "following"})

    event = AuditEvent.objects.get(action="case.chronology_viewed")
    assert event.object_id == str(jordans_case.pk)
    assert event.extra == {"rows": 1, "shared_entries": 2, "filtered": True}
    assert "following" not in str(event.extra)


# --- Who may see it -------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["adviser", "partner"])
@pytest.mark.parametrize("name", ["safety:chronology", "safety:chronology_add", "safety:bundle"])
def test_an_unassigned_adviser_and_a_partner_get_the_404_of_a_missing_case(
    open_case: OpenCase,
    other_adviser: User,
    sign_in: SignIn,
    request: pytest.FixtureRequest,
    *,
    persona: str,
    name: str,
) -> None:
    theirs = open_case(assign=[other_adviser], answers=report_answers())
    log_with_entries(theirs, shared=1, unshared=0)
    client = sign_in(request.getfixturevalue(persona))

    refused = client.get(_url(theirs, name))
    missing = client.get(reverse(name, args=["00000000-0000-4000-8000-000000000000"]))

    expected = 404 if persona == "adviser" else 403  # partners never pass the gate
    assert refused.status_code == missing.status_code == expected
    assert template_names(refused) == template_names(missing)
    assert not AuditEvent.objects.filter(action="case.chronology_viewed").exists()


# --- Recording an incident for them ---------------------------------------------------------------


def _incident_form(**extra: Any) -> dict[str, Any]:
    return {
        "when_kind": "exact",
        "date": "2026-11-29",
        "time": "18:30",
        "behaviours": ["following"],
        "what_text": "He followed her to the bus stop, she told me on the phone",
        **extra,
    }


def test_staff_record_an_incident_into_the_persons_own_log_shared_at_once(
    jordans_case: Case, adviser: User, sign_in: SignIn
) -> None:
    client = sign_in(adviser)
    form = client.get(_url(jordans_case, "safety:chronology_add"))
    assert form.status_code == 200
    assert "evidence" not in form.context["form"].fields  # no uploads here

    response = client.post(
        _url(jordans_case, "safety:chronology_add"),
        _incident_form(new_person="The man from the gym"),
    )

    assert response.status_code == 302
    entry = LogEntry.objects.get(log__report=jordans_case.report)
    assert entry.recorded_by == RecordedBy.STAFF
    assert entry.staff_member == adviser
    assert entry.shared_at is not None
    timeline = TimelineEntry.objects.get(case=jordans_case, kind=EntryKind.LOG_RECORDED)
    assert timeline.detail == {"seq": entry.seq}
    event = AuditEvent.objects.get(action="case.chronology_recorded")
    assert event.object_id == str(entry.pk)
    assert "bus stop" not in str(event.extra)

    page = client.get(_url(jordans_case))
    row = next(r for r in _rows(page) if r.source == "staff")
    assert row.recorded_by == staff_name(adviser)
    assert row.who == ("The man from the gym",)
    assert "Recorded by staff" in page.content.decode()


def test_recording_offers_only_people_named_in_shared_entries(
    jordans_case: Case, adviser: User, sign_in: SignIn
) -> None:
    log_with_entries(jordans_case, shared=1, unshared=1)

    form = sign_in(adviser).get(_url(jordans_case, "safety:chronology_add")).context["form"]

    assert [label for _, label in form.fields["who"].choices] == ["Sam Sample"]


def test_a_recording_without_what_happened_is_sent_back_with_an_error_summary(
    jordans_case: Case, adviser: User, sign_in: SignIn
) -> None:
    response = sign_in(adviser).post(
        _url(jordans_case, "safety:chronology_add"),
        _incident_form(behaviours=[], what_text=""),
    )

    assert response.status_code == 400
    assert 'id="error-summary"' in response.content.decode()
    assert not LogEntry.objects.exists()


# --- Cost -----------------------------------------------------------------------------------------


def test_the_chronology_costs_the_same_queries_with_3_or_30_entries(
    open_case: OpenCase, adviser: User, sign_in: SignIn
) -> None:
    client = sign_in(adviser)
    counts = []
    for shared in (3, 30):
        case = open_case(assign=[adviser], answers=report_answers())
        log_with_entries(case, shared=shared, unshared=2)
        for _ in range(shared // 3):
            addition_add(case)
        client.get(_url(case))  # the first opening creates its row
        with CaptureQueriesContext(connection) as queries:
            response = client.get(_url(case))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_chronology_page_is_pinned_at_its_query_count(
    jordans_case: Case, adviser: User, sign_in: SignIn, django_assert_max_num_queries: Any
) -> None:
    log_with_entries(jordans_case, shared=12, unshared=3)
    client = sign_in(adviser)
    client.get(_url(jordans_case))

    with django_assert_max_num_queries(CHRONOLOGY_QUERIES):
        assert client.get(_url(jordans_case)).status_code == 200


# Session and user, the case and its policy facts, the opening, the identity bar, the
# audit event, and the chronology's own reads (report files, people, additions, the log,
# its entries for the chain, its shared entries, staff names, people, files). Re-pin when
# the page changes; it must never depend on the number of entries.
CHRONOLOGY_QUERIES = 46


# --- The risk page: counts from what they shared --------------------------------------------------


def _risk_url(case: Case) -> str:
    return reverse("safety:assessment_new", args=[case.pk, "stalking-screening"])


def test_the_risk_checklist_shows_counts_from_the_shared_log_beside_the_questions(
    jordans_case: Case, adviser: User, sign_in: SignIn
) -> None:
    log_with_entries(jordans_case, shared=3, unshared=4)

    response = sign_in(adviser).get(_risk_url(jordans_case))

    assert response.status_code == 200
    found = response.context["log_pattern"]
    assert found.incidents == 3  # never the unshared four
    assert found.top[0].label == "Repeated messages"
    page = response.content.decode()
    assert "From their incident log" in page
    assert "3 shared incidents over" in page
    assert reverse("safety:chronology", args=[jordans_case.pk]) in page
    assert "Threats" not in page
    event = AuditEvent.objects.get(action="case.log_pattern_viewed")
    assert event.extra == {"incidents": 3}


def test_the_risk_checklist_says_nothing_of_a_log_with_nothing_shared(
    jordans_case: Case, adviser: User, sign_in: SignIn
) -> None:
    log_with_entries(jordans_case, shared=0, unshared=2)

    response = sign_in(adviser).get(_risk_url(jordans_case))

    assert response.context["log_pattern"] is None
    assert "From their incident log" not in response.content.decode()
    assert not AuditEvent.objects.filter(action="case.log_pattern_viewed").exists()
