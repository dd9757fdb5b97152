"""Each event of a case writes its non-identifying facts, in the event's transaction
(issue 15 item 10, ADR 0045)."""

from __future__ import annotations

import datetime
from typing import Any, Final

import pytest
import time_machine
from django.db import transaction

from waypoint.accounts.models import User
from waypoint.casework.models import Case, CaseAssignment, CaseOutcome, CaseStatus
from waypoint.casework.services.walk_in import walk_in_report_create
from waypoint.casework.services.workflow import (
    ContactMethod,
    ContactOutcome,
    SupportGiven,
    case_close,
    case_reopen,
    case_status_change,
    contact_record,
)
from waypoint.insights.models import CaseFactEvent, CaseFacts, CaseFactTag, EventKind, TagKind
from waypoint.insights.tests.support import case_without_facts, submit_report
from waypoint.institution.models import Department
from waypoint.log import services as log_services
from waypoint.log import sharing
from waypoint.log.models import IncidentLog, LogEntry
from waypoint.log.tests.support import content as log_content
from waypoint.reporting.models import Report
from waypoint.safety.models import ConductStage, MeasureKind, MeasureStatus, PoliceStage
from waypoint.safety.services.plans import measure_create
from waypoint.safety.services.processes import process_save, referral_create
from waypoint.safety.services.risk import assessment_create
from waypoint.safety.tests.processes_support import consent_values
from waypoint.safety.tests.risk_support import SCREENING, answers, current_version

pytestmark = pytest.mark.django_db

# Words only a person could have typed: none may reach a fact.
MARKER: Final = "KESTREL-7731"

FULL_ANSWERS: Final[dict[str, dict[str, Any]]] = {
    "what": {
        "behaviours": ["following", "repeated-contact"],
        "what_text": f"They follow me {MARKER}",
    },
    "where": {
        "locations": ["library"],
        "platforms": ["instagram"],
        "off_campus": False,
        "where_text": f"Near the {MARKER} building",
    },
    "who": {
        "relationship": "ex-partner",
        "affiliation": "student",
        "person_name": f"Sam {MARKER}",
        "person_email": "sam.marker@demo-mail.test",
        "student_number": "",
        "staff_number": "",
        "person_phone": "",
        "handles": [],
        "description": MARKER,
    },
    "police": {"police_reported": "no", "crime_reference": ""},
}


def _facts(report: Report) -> CaseFacts:
    return CaseFacts.objects.get(case_id=Case.objects.get(report=report).pk)


def _assigned_case(adviser: User, **kwargs: Any) -> Case:
    case = Case.objects.get(report=submit_report(**kwargs))
    CaseAssignment.objects.create(case=case, user=adviser)
    return case


def _events(case: Case, kind: str) -> list[tuple[str, str]]:
    return list(
        CaseFactEvent.objects.filter(facts__case_id=case.pk, kind=kind)
        .order_by("id")
        .values_list("value", "department")
    )


def _every_stored_value(facts: CaseFacts) -> str:
    rows: list[Any] = list(CaseFacts.objects.filter(pk=facts.pk).values())
    rows += list(CaseFactTag.objects.filter(facts=facts).values())
    rows += list(CaseFactEvent.objects.filter(facts=facts).values())
    return repr(rows)


def test_a_submitted_report_records_its_case_facts_as_slugs_and_flags() -> None:
    # Alex reports online, as a student, naming an ex-partner who is a student.
    with time_machine.travel(datetime.datetime(2026, 3, 17, 11, tzinfo=datetime.UTC)):
        report = submit_report(route="support", role="student", steps=FULL_ANSWERS)

    facts = _facts(report)
    assert facts.opened_month == datetime.date(2026, 3, 1)
    assert (facts.route, facts.reporter_role) == ("support", "student")
    assert (facts.relationship, facts.affiliation) == ("ex-partner", "student")
    assert not facts.walk_in and not facts.from_log and not facts.urgent
    assert not facts.named_before and not facts.police_reported
    assert facts.first_contact_working_days is None and facts.closed_month is None
    tags = set(CaseFactTag.objects.filter(facts=facts).values_list("kind", "slug"))
    assert tags == {
        (TagKind.BEHAVIOUR, "following"),
        (TagKind.BEHAVIOUR, "repeated-contact"),
        (TagKind.LOCATION, "library"),
        (TagKind.PLATFORM, "instagram"),
    }


def test_nothing_identifying_is_stored_in_the_facts() -> None:
    report = submit_report(route="anonymous", steps=FULL_ANSWERS)
    facts = _facts(report)
    stored = _every_stored_value(facts)

    assert MARKER not in stored
    assert "sam.marker" not in stored
    assert report.reference not in stored
    assert str(report.pk) not in stored  # the case id is kept; the report's is not


def test_free_text_where_a_slug_belongs_is_not_stored() -> None:
    steps = {**FULL_ANSWERS, "who": {**FULL_ANSWERS["who"], "relationship": f"My {MARKER}"}}
    facts = _facts(submit_report(steps=steps))

    assert facts.relationship == ""


def test_a_report_naming_someone_named_before_is_marked_named_before() -> None:
    first = submit_report(steps=FULL_ANSWERS)
    # Jo reports the same person, the email address written differently.
    who = {**FULL_ANSWERS["who"], "person_email": "Sam.Marker@Demo-Mail.test"}
    second = submit_report(route="anonymous", steps={**FULL_ANSWERS, "who": who})

    assert not _facts(first).named_before
    assert _facts(second).named_before


def test_a_reporter_who_told_the_police_counts_as_police_reported() -> None:
    steps = {**FULL_ANSWERS, "police": {"police_reported": "yes", "crime_reference": MARKER}}

    assert _facts(submit_report(steps=steps)).police_reported


def test_an_urgent_report_is_recorded_as_urgent() -> None:
    facts = _facts(submit_report(steps={"danger": {"immediate_danger": "yes"}}))

    assert facts.urgent


def test_a_walk_in_recorded_by_an_adviser_is_a_walk_in(adviser: User) -> None:
    # Priya, an adviser, records a report for a student who came to the office.
    report, _ = walk_in_report_create(
        actor=adviser,
        route="support",
        reporter_role="student",
        answers={
            "danger": {"immediate_danger": "no"},
            "contact": {"name": "Robin", "preferred_method": "email", "email": "r@x.test"},
        },
        issue_receipt=False,
    )

    assert _facts(report).walk_in


def test_status_changes_and_first_contact_are_recorded_in_working_days(adviser: User) -> None:
    # Opened on a Monday; first contact on the Wednesday: two working days.
    with time_machine.travel(datetime.datetime(2026, 3, 16, 10, tzinfo=datetime.UTC), tick=False):
        case = _assigned_case(adviser)
    with time_machine.travel(datetime.datetime(2026, 3, 16, 12, tzinfo=datetime.UTC), tick=False):
        case_status_change(case=case, actor=adviser, to_status="triaged", reason="Read it")
    with time_machine.travel(datetime.datetime(2026, 3, 18, 9, tzinfo=datetime.UTC), tick=False):
        contact_record(
            case=case,
            actor=adviser,
            method=ContactMethod.PHONE,
            outcome=ContactOutcome.REACHED,
        )
        case_status_change(case=case, actor=adviser, to_status="in_contact", reason="Spoke")

    facts = CaseFacts.objects.get(case_id=case.pk)
    assert facts.first_contact_working_days == 2
    assert facts.first_contact_within_target is True  # due Wednesday 10:00 (2 working days)
    assert _events(case, EventKind.STATUS) == [("triaged", ""), ("in_contact", "")]


def test_a_late_first_contact_is_outside_the_target(adviser: User) -> None:
    with time_machine.travel(datetime.datetime(2026, 3, 16, 10, tzinfo=datetime.UTC), tick=False):
        case = _assigned_case(adviser)
    with time_machine.travel(datetime.datetime(2026, 3, 20, 10, tzinfo=datetime.UTC), tick=False):
        case_status_change(case=case, actor=adviser, to_status="in_contact", reason="Spoke")

    facts = CaseFacts.objects.get(case_id=case.pk)
    assert (facts.first_contact_working_days, facts.first_contact_within_target) == (4, False)


def test_closing_records_month_whole_days_outcome_and_support_and_reopening_clears_them(
    adviser: User,
) -> None:
    with time_machine.travel(datetime.datetime(2026, 1, 30, 10, tzinfo=datetime.UTC), tick=False):
        case = _assigned_case(adviser)
    with time_machine.travel(datetime.datetime(2026, 2, 9, 16, tzinfo=datetime.UTC), tick=False):
        case_close(
            case=case,
            actor=adviser,
            outcome=CaseOutcome.SUPPORTED,
            support_given=[SupportGiven.ONE_TO_ONE, SupportGiven.SAFETY_PLAN],
            reason=f"Summary {MARKER}",
        )

    facts = CaseFacts.objects.get(case_id=case.pk)
    assert facts.closed_month == datetime.date(2026, 2, 1)
    assert facts.days_to_close == 10
    assert facts.outcome == "supported"
    support = set(facts.tags.filter(kind=TagKind.SUPPORT_GIVEN).values_list("slug", flat=True))
    assert support == {"one_to_one", "safety_plan"}
    assert MARKER not in _every_stored_value(facts)

    case_reopen(case=case, actor=adviser, reason="More to do")

    reopened = CaseFacts.objects.get(case_id=case.pk)
    assert (reopened.closed_month, reopened.days_to_close, reopened.outcome) == (None, None, "")
    assert not reopened.tags.filter(kind=TagKind.SUPPORT_GIVEN).exists()
    assert _events(case, EventKind.STATUS) == [("closed", ""), ("new", "")]


def test_the_first_assessment_gives_the_first_band_and_every_one_an_event(adviser: User) -> None:
    case = _assigned_case(adviser)
    version = current_version(SCREENING)
    first = assessment_create(
        case=case,
        actor=adviser,
        version=version,
        answers=answers(version),
        judged_band="",
        judgement_reason="",
    )
    second = assessment_create(
        case=case,
        actor=adviser,
        version=version,
        answers=answers(version, yes=len(answers(version))),
        judged_band="",
        judgement_reason="",
    )

    facts = CaseFacts.objects.get(case_id=case.pk)
    assert facts.first_risk_band == first.band
    assert _events(case, EventKind.ASSESSMENT) == [(first.band, ""), (second.band, "")]


def test_a_referral_records_the_kind_of_recipient(adviser: User) -> None:
    case = _assigned_case(adviser)
    department = Department.objects.create(name="Wellbeing", slug="wellbeing")
    referral_create(case=case, actor=adviser, **consent_values())
    referral_create(
        case=case, actor=adviser, **consent_values(organisation="", department=department)
    )

    assert _events(case, EventKind.REFERRAL) == [("organisation", ""), ("department", "wellbeing")]
    assert not CaseFacts.objects.get(case_id=case.pk).police_reported


def test_a_measure_records_its_kind_and_department(adviser: User) -> None:
    case = _assigned_case(adviser)
    security = Department.objects.create(name="Security", slug="security")
    measure_create(
        case=case,
        actor=adviser,
        kind=MeasureKind.ESCORT,
        department=security,
        brief=f"Escort {MARKER}",
        detail=MARKER,
        status=MeasureStatus.AGREED,
        starts_on=None,
        review_on=None,
        ends_on=None,
    )

    assert _events(case, EventKind.MEASURE) == [("escort", "security")]


def test_processes_record_each_stage_once_and_police_ones_mark_police_reported(
    adviser: User,
) -> None:
    case = _assigned_case(adviser)
    police = process_save(
        case=case,
        actor=adviser,
        kind="police",
        values={"stage": PoliceStage.REPORTED, "crime_reference": f"CR {MARKER}"},
    )
    process_save(
        case=case,
        actor=adviser,
        kind="police",
        row=police,
        values={"stage": PoliceStage.REPORTED, "crime_reference": "CR 2"},
    )
    process_save(
        case=case,
        actor=adviser,
        kind="police",
        row=police,
        values={"stage": PoliceStage.INVESTIGATING, "crime_reference": "CR 2"},
    )
    process_save(
        case=case, actor=adviser, kind="conduct", values={"stage": ConductStage.INVESTIGATION}
    )

    assert _events(case, EventKind.PROCESS) == [
        ("police:reported", ""),
        ("police:investigating", ""),
        ("conduct:investigation", ""),
    ]
    assert CaseFacts.objects.get(case_id=case.pk).police_reported


def test_a_rolled_back_event_leaves_no_facts(adviser: User) -> None:
    case = _assigned_case(adviser)

    with pytest.raises(RuntimeError), transaction.atomic():
        case_status_change(case=case, actor=adviser, to_status="in_contact", reason="Spoke")
        raise RuntimeError("the request failed after the change")

    facts = CaseFacts.objects.get(case_id=case.pk)
    assert facts.first_contact_working_days is None
    assert not CaseFactEvent.objects.filter(facts=facts).exists()


def test_a_rolled_back_submission_leaves_no_facts() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        submit_report(steps=FULL_ANSWERS)
        raise RuntimeError("the submission failed after the report")

    assert not CaseFacts.objects.exists()
    assert not CaseFactTag.objects.exists()


def test_an_event_on_a_case_without_facts_is_left_for_the_backfill(adviser: User) -> None:
    case = case_without_facts()
    CaseAssignment.objects.create(case=case, user=adviser)

    case_status_change(case=case, actor=adviser, to_status="triaged", reason="Read it")

    assert Case.objects.get(pk=case.pk).status == CaseStatus.TRIAGED
    assert not CaseFacts.objects.exists()


def _entries(log: IncidentLog, count: int) -> list[LogEntry]:
    return [
        log_services.entry_add(
            log=log,
            content=log_content(
                when={"kind": "exact", "date": f"2026-11-{10 + day}"},
                what={"behaviours": [], "text": f"{MARKER} {day}"},
            ),
        )
        for day in range(count)
    ]


def test_each_log_share_counts_once_on_the_case_it_reaches() -> None:
    # Sam reported, then shares incidents from the record kept under his receipt, twice.
    report = submit_report()
    log = log_services.log_start_for_report(report=report)
    entries = _entries(log, 3)

    sharing.log_share(log=log, entries=entries[:2])
    sharing.log_share(log=log, entries=entries[2:])

    facts = _facts(report)
    assert facts.logs_shared == 2
    assert not facts.from_log
    assert len(_events(Case.objects.get(report=report), EventKind.LOG_SHARED)) == 2
    assert MARKER not in _every_stored_value(facts)


def test_a_log_shared_without_a_report_opens_a_case_from_the_log() -> None:
    # Kit kept a record without reporting, then shared it: that share opened the case.
    log = log_services.log_start().log
    entries = _entries(log, 2)

    report = sharing.log_share(log=log, entries=entries)

    facts = _facts(report)
    assert facts.from_log
    assert facts.logs_shared == 1
    assert facts.route == "support"


def test_a_person_named_in_a_shared_log_can_make_the_case_named_before() -> None:
    submit_report(steps=FULL_ANSWERS)  # names sam.marker@demo-mail.test
    report = submit_report(route="anonymous")
    log = log_services.log_start_for_report(report=report)
    person = log_services.person_add(
        log=log, name="Sam", identifiers={"email": "sam.marker@demo-mail.test"}
    )
    entry = log_services.entry_add(
        log=log,
        content=log_content(
            when={"kind": "exact", "date": "2026-11-10"},
            what={"behaviours": [], "text": "x"},
            who=[str(person.pk)],
        ),
    )
    assert not _facts(report).named_before

    sharing.log_share(log=log, entries=[entry])

    assert _facts(report).named_before
