"""Recording risk assessments: scoring and banding through the service, the professional
judgement rule, review dates, versions, the alert to case leads, access, audit and the
case timeline."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.http import Http404
from django.utils import timezone

from waypoint.accounts.models import User
from waypoint.accounts.roles import Role
from waypoint.accounts.tests.factories import UserFactory
from waypoint.casework.models import Case, CaseConflict, EntryKind, TimelineEntry
from waypoint.privacy.models import AuditEvent
from waypoint.safety.models import Assessment
from waypoint.safety.selectors.risk import assessment_detail_for_staff, assessments_for_case
from waypoint.safety.services.risk import (
    ALERT_SUBJECT,
    AssessmentError,
    alert_recipients,
    assessment_create,
)
from waypoint.safety.tests.risk_support import (  # noqa: F401  (fixtures)
    DASH,
    MARKER,
    SCREENING,
    OpenCase,
    answers,
    assess,
    current_version,
    fixture_assigned_case,
    fixture_open_case,
    fixture_tasks_must_succeed,
    load_changed,
)

pytestmark = pytest.mark.django_db


def _today_plus(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def _errors(caught: pytest.ExceptionInfo[AssessmentError]) -> dict[str, str]:
    return caught.value.errors


# --- Scoring and banding ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("yes", "band", "review_days"),
    [(9, "standard", 28), (10, "medium", 14), (13, "medium", 14), (14, "high", 7)],
)
def test_a_dash_assessment_records_the_score_band_and_review_date(
    assigned_case: Case, adviser: User, yes: int, band: str, review_days: int
) -> None:
    assessment = assess(assigned_case, adviser, yes=yes)

    assessment.refresh_from_db()
    assert assessment.score == yes
    assert assessment.computed_band == band
    assert assessment.band == band
    assert assessment.judgement_reason is None
    assert assessment.next_review_on == _today_plus(review_days)
    assert assessment.version == current_version(DASH)
    assert assessment.assessed_by == adviser
    assert assessment.data_key_id == assigned_case.data_key_id


def test_answers_and_comments_are_kept_sealed(assigned_case: Case, adviser: User) -> None:
    assessment = assess(assigned_case, adviser, yes=2, comment=f"Said so {MARKER}")

    stored = Assessment.objects.filter(pk=assessment.pk).values_list("answers", flat=True).get()
    assert isinstance(stored, bytes)
    assert MARKER.encode() not in stored
    assessment.refresh_from_db()
    assert assessment.answers["injury"] == {"answer": "yes", "comment": f"Said so {MARKER}"}
    assert assessment.answers["fears"] == {"answer": "no", "comment": f"Said so {MARKER}"}


def test_judgement_may_raise_the_band_with_a_reason(assigned_case: Case, adviser: User) -> None:
    assessment = assess(
        assigned_case, adviser, yes=12, band="high", reason="Extremely frightened; escalating."
    )

    assessment.refresh_from_db()
    assert (assessment.computed_band, assessment.band) == ("medium", "high")
    assert assessment.judgement_reason == "Extremely frightened; escalating."
    # The raised band's shorter review interval applies.
    assert assessment.next_review_on == _today_plus(7)


def test_raising_the_band_needs_a_reason(assigned_case: Case, adviser: User) -> None:
    with pytest.raises(AssessmentError) as caught:
        assess(assigned_case, adviser, yes=12, band="high", reason="   ")

    assert _errors(caught) == {
        "judgement_reason": "Say why you chose this band: a reason is needed whenever it "
        "differs from the band the answers give."
    }
    assert not Assessment.objects.exists()


def test_judgement_never_lowers_the_band_even_with_a_reason(
    assigned_case: Case, adviser: User
) -> None:
    with pytest.raises(AssessmentError) as caught:
        assess(assigned_case, adviser, yes=14, band="medium", reason="They seem fine.")

    assert _errors(caught) == {
        "band": "Professional judgement can raise the band, never lower it: the answers give "
        "High. Choose that band or a higher one."
    }
    assert not Assessment.objects.exists()


def test_choosing_the_band_the_answers_give_needs_no_reason(
    assigned_case: Case, adviser: User
) -> None:
    assessment = assess(assigned_case, adviser, yes=13, band="medium")

    assert (assessment.computed_band, assessment.band) == ("medium", "medium")


def test_an_unknown_band_is_refused(assigned_case: Case, adviser: User) -> None:
    with pytest.raises(AssessmentError) as caught:
        assess(assigned_case, adviser, yes=3, band="severe", reason="x")

    assert _errors(caught) == {"band": "Choose one of the bands listed."}


# --- The stalking screening (no cut-off) ----------------------------------------------------


def test_a_screening_records_the_count_and_no_computed_band(
    assigned_case: Case, adviser: User
) -> None:
    assessment = assess(assigned_case, adviser, SCREENING, yes=4)

    assert assessment.score == 4
    assert assessment.computed_band == ""
    assert assessment.band == ""
    assert assessment.next_review_on is None


def test_a_screening_band_chosen_by_judgement_needs_a_reason(
    assigned_case: Case, adviser: User
) -> None:
    with pytest.raises(AssessmentError) as caught:
        assess(assigned_case, adviser, SCREENING, yes=4, band="medium")
    assert set(_errors(caught)) == {"judgement_reason"}

    assessment = assess(
        assigned_case, adviser, SCREENING, yes=4, band="medium", reason="Turns up weekly."
    )
    assert (assessment.computed_band, assessment.band) == ("", "medium")
    assert assessment.next_review_on == _today_plus(14)


def test_a_screening_names_the_high_concern_items_answered_yes(
    assigned_case: Case, adviser: User
) -> None:
    version = current_version(SCREENING)
    assessment = assessment_create(
        case=assigned_case,
        actor=adviser,
        version=version,
        answers=answers(version, yes_keys=("turns_up", "substances", "violence")),
        judged_band="",
        judgement_reason="",
    )

    detail = assessment_detail_for_staff(user=adviser, assessment_id=assessment.pk)

    assert detail.score == 3
    assert detail.count_only
    assert detail.computed_band is None
    assert detail.high_concern_yes == (
        "Does the other person turn up where they live, study or work more than three "
        "times a week?",
        "Has the other person been violent to anyone since this began?",
    )


# --- Answers -------------------------------------------------------------------------------


def test_every_question_must_be_answered(assigned_case: Case, adviser: User) -> None:
    version = current_version(DASH)
    given = answers(version, yes=3)
    del given["weapons"]
    given["pregnancy"] = {"answer": "maybe", "comment": ""}

    with pytest.raises(AssessmentError) as caught:
        assessment_create(
            case=assigned_case,
            actor=adviser,
            version=version,
            answers=given,
            judged_band="",
            judgement_reason="",
        )

    assert _errors(caught) == {
        "pregnancy": "Question 9: choose yes, no or don't know.",
        "weapons": "Question 13: choose yes, no or don't know.",
    }


def test_a_comment_longer_than_the_limit_is_refused(assigned_case: Case, adviser: User) -> None:
    with pytest.raises(AssessmentError) as caught:
        assess(assigned_case, adviser, yes=1, comment="x" * 2_001)

    assert _errors(caught)["injury"] == (
        "Question 1: keep the comment to 2,000 characters (it has 2,001)."
    )


def test_answers_to_questions_the_version_does_not_have_are_refused(
    assigned_case: Case, adviser: User
) -> None:
    version = current_version(DASH)
    given = answers(version, yes=1)
    given["not_a_question"] = {"answer": "yes", "comment": ""}

    with pytest.raises(AssessmentError) as caught:
        assessment_create(
            case=assigned_case,
            actor=adviser,
            version=version,
            answers=given,
            judged_band="",
            judgement_reason="",
        )

    assert set(_errors(caught)) == {"version"}


# --- Review dates ---------------------------------------------------------------------------


def test_a_sooner_review_date_is_kept(assigned_case: Case, adviser: User) -> None:
    assessment = assess(assigned_case, adviser, yes=14, next_review_on=_today_plus(2))

    assert assessment.next_review_on == _today_plus(2)


def test_a_review_later_than_the_band_allows_or_in_the_past_is_refused(
    assigned_case: Case, adviser: User
) -> None:
    latest = _today_plus(7)
    with pytest.raises(AssessmentError) as caught:
        assess(assigned_case, adviser, yes=14, next_review_on=_today_plus(8))
    assert _errors(caught) == {
        "next_review_on": "A high band is reviewed within 7 days: choose "
        f"{latest.day} {latest:%B %Y} or earlier."
    }

    with pytest.raises(AssessmentError) as caught:
        assess(assigned_case, adviser, yes=1, next_review_on=_today_plus(-1))
    assert _errors(caught) == {"next_review_on": "The next review must be today or later."}


# --- Versions ---------------------------------------------------------------------------------


def test_an_old_assessment_keeps_its_version_and_wording_after_a_new_version(
    assigned_case: Case, adviser: User
) -> None:
    old = assess(assigned_case, adviser, yes=14)

    load_changed(DASH, version=2, label="New wording of the first question")
    new = assess(assigned_case, adviser, yes=3)

    old.refresh_from_db()
    assert old.version.version == 1
    assert new.version.version == 2
    old_detail = assessment_detail_for_staff(user=adviser, assessment_id=old.pk)
    new_detail = assessment_detail_for_staff(user=adviser, assessment_id=new.pk)
    assert old_detail.answers[0].label == "Were they hurt in what happened most recently?"
    assert old_detail.version == 1
    assert not old_detail.is_current_version
    assert old_detail.band is not None and old_detail.band.key == "high"
    assert new_detail.answers[0].label == "New wording of the first question"
    assert new_detail.is_current_version
    rows = assessments_for_case(user=adviser, case=assigned_case)
    assert [(row.version, row.band) for row in rows] == [(2, "Standard"), (1, "High")]


def test_an_assessment_cannot_use_a_version_that_is_no_longer_current(
    assigned_case: Case, adviser: User
) -> None:
    old = current_version(DASH)
    load_changed(DASH, version=2, label="Changed")

    with pytest.raises(AssessmentError) as caught:
        assessment_create(
            case=assigned_case,
            actor=adviser,
            version=old,
            answers=answers(old, yes=1),
            judged_band="",
            judgement_reason="",
        )

    assert set(_errors(caught)) == {"version"}


def test_a_retired_instrument_cannot_be_used(assigned_case: Case, adviser: User) -> None:
    version = current_version(SCREENING)
    version.instrument.is_active = False
    version.instrument.save()

    with pytest.raises(AssessmentError):
        assess(assigned_case, adviser, SCREENING, yes=1)


def test_an_erased_case_takes_no_assessment(assigned_case: Case, adviser: User) -> None:
    Case.objects.filter(pk=assigned_case.pk).update(data_key=None)
    assigned_case.refresh_from_db()

    with pytest.raises(AssessmentError) as caught:
        assess(assigned_case, adviser, yes=1)

    assert _errors(caught) == {
        "version": "This case has been erased, so no assessment can be added to it."
    }
    assert not Assessment.objects.exists()


def test_an_assessment_of_an_erased_case_shows_only_what_is_in_clear(
    assigned_case: Case, adviser: User
) -> None:
    assessment = assess(assigned_case, adviser, yes=14, comment=MARKER)
    Case.objects.filter(pk=assigned_case.pk).update(data_key=None)
    Assessment.objects.filter(pk=assessment.pk).update(data_key=None)

    detail = assessment_detail_for_staff(user=adviser, assessment_id=assessment.pk)

    assert detail.erased
    assert detail.score == 14
    assert detail.band is not None and detail.band.key == "high"
    assert {row.answer for row in detail.answers} == {"Not answered"}
    assert all(MARKER not in row.comment for row in detail.answers)


def test_there_is_no_way_to_change_an_assessment() -> None:
    from waypoint.safety.services import risk  # noqa: PLC0415

    assert not [name for name in dir(risk) if name.startswith("assessment_update")]


# --- Alerting case leads ------------------------------------------------------------------------


def _lead(email: str, **fields: Any) -> User:
    user: User = UserFactory.create(email=email, role=Role.CASE_LEAD, **fields)
    return user


def test_a_high_band_emails_each_case_lead_with_nothing_that_identifies_the_case(
    assigned_case: Case,
    adviser: User,
    case_lead: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    _lead("second-lead@personas.waypoint.test")
    _lead("inactive-lead@personas.waypoint.test", is_active=False)
    conflicted = _lead("conflicted-lead@personas.waypoint.test")
    CaseConflict.objects.create(case=assigned_case, user=conflicted)

    with django_capture_on_commit_callbacks(execute=True):
        assessment = assess(
            assigned_case,
            adviser,
            yes=12,
            band="high",
            reason=f"Reason {MARKER}",
            comment=f"Comment {MARKER}",
        )

    assert sorted(message.to[0] for message in mail.outbox) == [
        "case-lead@personas.waypoint.test",
        "second-lead@personas.waypoint.test",
    ]
    for message in mail.outbox:
        assert len(message.to) == 1
        assert message.subject == ALERT_SUBJECT
        text = f"{message.subject}\n{message.body}"
        for secret in (
            MARKER,
            assigned_case.report.reference,
            str(assigned_case.pk),
            str(assessment.pk),
            "High",
            "high",
            DASH,
            adviser.email,
        ):
            assert secret not in text
        assert "/staff/" in message.body


def test_a_band_that_does_not_alert_leads_sends_no_email(
    assigned_case: Case, adviser: User, case_lead: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        assess(assigned_case, adviser, yes=13)
        assess(assigned_case, adviser, SCREENING, yes=11)

    assert mail.outbox == []


def test_a_restricted_case_alerts_only_the_leads_named_on_it(
    open_case: OpenCase, adviser: User, case_lead: User
) -> None:
    named = _lead("named-lead@personas.waypoint.test")
    case = open_case(assign=[adviser, named], restricted=True)

    assert alert_recipients(case=case) == ["named-lead@personas.waypoint.test"]


def test_nothing_is_emailed_when_the_assessment_is_rolled_back(
    assigned_case: Case, adviser: User, case_lead: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(AssessmentError):
        assess(assigned_case, adviser, yes=14, next_review_on=_today_plus(-3))

    assert mail.outbox == []


# --- Audit and timeline -------------------------------------------------------------------------


def test_an_assessment_is_audited_and_added_to_the_case_timeline(
    assigned_case: Case, adviser: User
) -> None:
    assessment = assess(assigned_case, adviser, yes=12, band="high", reason=f"Why {MARKER}")

    event = AuditEvent.objects.get(action="assessment.create")
    assert event.actor_id == str(adviser.pk)
    assert event.object_type == "safety.assessment"
    assert event.object_id == str(assessment.pk)
    assert event.extra == {
        "case": str(assigned_case.pk),
        "instrument": DASH,
        "version": 1,
        "score": 12,
        "computed_band": "medium",
        "band": "high",
        "alerts_leads": True,
    }
    entry = TimelineEntry.objects.get(case=assigned_case, kind=EntryKind.ASSESSMENT)
    assert entry.actor == adviser
    assert entry.detail == {
        "instrument": DASH,
        "version": 1,
        "band": "high",
        "assessment": str(assessment.pk),
    }
    assert entry.text is None
    assert MARKER not in str(event.extra)


def test_reading_assessments_is_audited(assigned_case: Case, adviser: User) -> None:
    assessment = assess(assigned_case, adviser, yes=1)

    assessments_for_case(user=adviser, case=assigned_case)
    assessment_detail_for_staff(user=adviser, assessment_id=assessment.pk)

    listed = AuditEvent.objects.get(action="assessment.list")
    assert listed.extra == {"case": str(assigned_case.pk), "count": 1}
    viewed = AuditEvent.objects.get(action="assessment.view")
    assert viewed.object_id == str(assessment.pk)


# --- Access -------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["partner", "insights_viewer", "administrator", "outsider"])
def test_people_without_case_access_cannot_record_or_read_an_assessment(
    request: pytest.FixtureRequest, open_case: OpenCase, adviser: User, persona: str
) -> None:
    user: User = request.getfixturevalue(persona)
    case = open_case(assign=[adviser, user])  # even an assignment made by mistake opens nothing
    existing = assess(case, adviser, yes=1)

    with pytest.raises(Http404):
        assess(case, user, yes=1)
    with pytest.raises(Http404):
        assessments_for_case(user=user, case=case)
    with pytest.raises(Http404):
        assessment_detail_for_staff(user=user, assessment_id=existing.pk)
    assert Assessment.objects.filter(case=case).count() == 1


def test_a_case_lead_cannot_assess_a_restricted_case_they_are_not_named_on(
    open_case: OpenCase, adviser: User, case_lead: User
) -> None:
    case = open_case(assign=[adviser], restricted=True)
    existing = assess(case, adviser, yes=1)

    with pytest.raises(Http404):
        assess(case, case_lead, yes=1)
    with pytest.raises(Http404):
        assessment_detail_for_staff(user=case_lead, assessment_id=existing.pk)
    assert assess(open_case(), case_lead, yes=1).assessed_by == case_lead


def test_an_adviser_not_assigned_to_the_case_gets_a_404(open_case: OpenCase, adviser: User) -> None:
    other_adviser: User = UserFactory.create(role=Role.ADVISER)
    case = open_case(assign=[other_adviser])
    existing = assess(case, other_adviser, yes=1)

    with pytest.raises(Http404):
        assess(case, adviser, yes=1)
    with pytest.raises(Http404):
        assessment_detail_for_staff(user=adviser, assessment_id=existing.pk)
    assert Assessment.objects.filter(case=case).count() == 1


def test_an_administrator_granted_case_access_works_as_a_case_lead(
    open_case: OpenCase, administrator: User
) -> None:
    administrator.case_access_granted = True
    administrator.save(update_fields=["case_access_granted"])
    case = open_case()

    assessment = assess(case, administrator, yes=1)

    assert assessment.assessed_by == administrator


def test_a_conflict_of_interest_outranks_an_assignment(open_case: OpenCase, adviser: User) -> None:
    case = open_case(assign=[adviser])
    CaseConflict.objects.create(case=case, user=adviser)

    with pytest.raises(Http404):
        assess(case, adviser, yes=1)
