"""Recording facts decrypts nothing after submission (issue 15: "a test proves insights
run no decryption (count the privacy module's calls)")."""

from __future__ import annotations

import pytest

from waypoint.accounts.models import User
from waypoint.casework.models import Case, CaseAssignment, CaseOutcome
from waypoint.casework.services.workflow import (
    ContactMethod,
    ContactOutcome,
    SupportGiven,
    case_close,
    case_reopen,
    case_status_change,
    contact_record,
)
from waypoint.insights.models import CaseFactEvent, CaseFacts
from waypoint.insights.tests.support import count_decryptions, submit_report
from waypoint.institution.models import Department
from waypoint.log import services as log_services
from waypoint.log import sharing
from waypoint.log.tests.support import content
from waypoint.privacy.models import DataKey
from waypoint.reporting.models import Report
from waypoint.safety.models import MeasureKind, MeasureStatus
from waypoint.safety.services.plans import measure_create
from waypoint.safety.services.processes import process_save, referral_create
from waypoint.safety.services.risk import assessment_create
from waypoint.safety.tests.processes_support import consent_values
from waypoint.safety.tests.risk_support import SCREENING, answers, current_version

pytestmark = pytest.mark.django_db


def _fresh(case: Case) -> Case:
    # Loaded from the database, as a request would: sealed columns are ciphertext here.
    return Case.objects.get(pk=case.pk)


def test_the_counter_counts_a_real_decryption(monkeypatch: pytest.MonkeyPatch) -> None:
    report = submit_report(steps={"what": {"behaviours": ["following"], "what_text": "x"}})
    counted = count_decryptions(monkeypatch)

    assert Report.objects.get(pk=report.pk).answers["what"]["what_text"] == "x"

    assert counted.by_function["unseal"] == 1  # through privacy.fields' own import


def test_fact_events_after_submission_decrypt_nothing(
    monkeypatch: pytest.MonkeyPatch, adviser: User
) -> None:
    case = Case.objects.get(report=submit_report())
    CaseAssignment.objects.create(case=case, user=adviser)
    version = current_version(SCREENING)
    security = Department.objects.create(name="Security", slug="security")
    counted = count_decryptions(monkeypatch)

    case_status_change(case=_fresh(case), actor=adviser, to_status="triaged", reason="Read")
    contact_record(
        case=_fresh(case), actor=adviser, method=ContactMethod.PHONE, outcome=ContactOutcome.REACHED
    )
    case_status_change(case=_fresh(case), actor=adviser, to_status="in_contact", reason="Spoke")
    assessment_create(
        case=_fresh(case),
        actor=adviser,
        version=version,
        answers=answers(version, yes=2),
        judged_band="",
        judgement_reason="",
    )
    referral_create(case=_fresh(case), actor=adviser, **consent_values())
    measure_create(
        case=_fresh(case),
        actor=adviser,
        kind=MeasureKind.ESCORT,
        department=security,
        brief="Escort",
        detail="",
        status=MeasureStatus.AGREED,
        starts_on=None,
        review_on=None,
        ends_on=None,
    )
    process_save(case=_fresh(case), actor=adviser, kind="police", values={"stage": "reported"})
    case_close(
        case=_fresh(case),
        actor=adviser,
        outcome=CaseOutcome.REFERRED,
        support_given=[SupportGiven.EXTERNAL],
        reason="Done",
    )
    case_reopen(case=_fresh(case), actor=adviser, reason="More")

    # Every event reached the facts...
    facts = CaseFacts.objects.get(case_id=case.pk)
    assert CaseFactEvent.objects.filter(facts=facts).count() == 8  # the contact: no event
    # ...and nothing was decrypted on the way, by insights or by the services themselves.
    assert counted.from_insights == 0
    assert counted.total == 0, dict(counted.by_function)


def test_a_walk_in_flag_and_an_erased_keys_case_decrypt_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    report = submit_report()
    counted = count_decryptions(monkeypatch)

    fresh = Report.objects.get(pk=report.pk)
    fresh.made_by_staff = True
    fresh.save(update_fields=["made_by_staff"])

    assert CaseFacts.objects.get().walk_in
    assert counted.total == 0
    assert DataKey.objects.exists()


def test_recording_a_log_share_decrypts_nothing_in_insights(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Sharing reads the log (its own sealed entries): that is the log's and casework's
    # part. Insights' part, counting the share, reads no sealed column.
    report = submit_report()
    log = log_services.log_start_for_report(report=report)
    entry = log_services.entry_add(log=log, content=content())
    counted = count_decryptions(monkeypatch)

    sharing.log_share(log=log, entries=[entry])

    assert CaseFacts.objects.get().logs_shared == 1
    assert counted.total > 0  # the log and casework did decrypt: the counter is live
    assert counted.from_insights == 0
