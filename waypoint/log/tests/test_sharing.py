"""Sharing incidents from a record with the team (issue 14, item 7; ADR 0043).

Personas: Jo keeps a record on her own (no report): after a few weeks she shares some of
it, which opens a case she reads at /my-report/ with the same receipt. Sam reported first
and keeps a record under his report's receipt; what he shares joins his case.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from waypoint.casework.models import Case, CaseMatch, EntryKind, TimelineEntry
from waypoint.casework.services import case_open_from_report
from waypoint.institution.models import Institution
from waypoint.log import services, sharing
from waypoint.log.models import IncidentLog, LogEntry, LogPerson
from waypoint.log.tests.support import content
from waypoint.privacy.models import AuditEvent
from waypoint.privacy.services import data_key_create
from waypoint.reporting import receipts
from waypoint.reporting import services as reporting_services
from waypoint.reporting.models import PersonIdentifier, Report, ReportedPerson, Route

pytestmark = pytest.mark.django_db


def jos_record() -> tuple[IncidentLog, str]:
    started = services.log_start()
    return started.log, started.passphrase


def signed_in(log: IncidentLog, passphrase: str) -> Client:
    client = Client()
    response = client.post(
        reverse("log:sign_in"), {"reference": log.reference, "passphrase": passphrase}
    )
    assert response["Location"] == reverse("log:home")
    return client


def three_incidents(log: IncidentLog) -> list[LogEntry]:
    return [
        services.entry_add(
            log=log, content=content(when={"kind": "exact", "date": f"2026-11-{day}"})
        )
        for day in (10, 17, 24)
    ]


def sams_report() -> tuple[Report, str]:
    passphrase = receipts.new_passphrase()
    encoded, key_id = receipts.hash_passphrase(passphrase)
    report = Report(
        reference="WP-SAM00001",
        data_key=data_key_create(purpose="report"),
        route=Route.SUPPORT,
        receipt_hash=encoded,
        receipt_pepper_key_id=key_id,
    )
    report.answers = {"what": {"what_text": "Sam's report"}}
    report.save(force_insert=True)
    case_open_from_report(
        report=report, immediate_danger=False, threat_of_violence=False, high_risk_indicator=False
    )
    return report, passphrase


def shared_seqs(log: IncidentLog) -> list[int]:
    return list(
        LogEntry.objects.filter(log=log, shared_at__isnull=False)
        .order_by("seq")
        .values_list("seq", flat=True)
    )


def log_audit_rows(log: IncidentLog) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_id=str(log.pk)))


# --- Through the pages (JavaScript off: the forms as posted) ----------------------------------


def test_jo_shares_every_incident_and_a_case_opens_under_her_own_reference(
    institution: Institution,
) -> None:
    log, passphrase = jos_record()
    three_incidents(log)
    client = signed_in(log, passphrase)

    page = client.get(reverse("log:share"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "What sharing means" in text and "cannot be undone" in text

    done = client.post(reverse("log:share"), {"share": "all"})
    assert done["Location"] == reverse("log:shared")
    confirmation = client.get(reverse("log:shared")).content.decode()
    assert "Shared with the team" in confirmation
    assert "You shared 3 incidents" in confirmation

    log.refresh_from_db()
    assert shared_seqs(log) == [1, 2, 3]
    report = Report.objects.get()
    assert log.report == report
    assert report.reference == log.reference
    assert report.receipt_hash == log.receipt_hash
    assert report.route == Route.SUPPORT
    assert report.receipt_confirmed_at is not None
    assert report.data_key_id not in (None, log.data_key_id)
    case = Case.objects.get(report=report)
    kinds = list(case.timeline.order_by("occurred_at").values_list("kind", flat=True))
    assert kinds == [EntryKind.REPORTED, EntryKind.LOG_SHARED]
    entry = case.timeline.get(kind=EntryKind.LOG_SHARED)
    assert entry.detail == {
        "log_id": str(log.pk),
        "seqs": [1, 2, 3],
        "incidents": 3,
        "corrections": 0,
    }

    # The same receipt opens /my-report/, to read the team's messages.
    reporter = Client()
    signed = reporter.post(
        reverse("reporting:return"), {"reference": log.reference, "passphrase": passphrase}
    )
    assert signed["Location"] == reverse("reporting:return")
    assert "Your report" in reporter.get(reverse("reporting:return")).content.decode()

    home = client.get(reverse("log:home")).content.decode()
    assert home.count("Shared with the team on") == 3
    assert "read their messages and reply" in home
    assert "No one has opened it yet" in home


def test_jo_shares_the_incidents_she_chose_and_the_rest_stay_private(
    institution: Institution,
) -> None:
    log, passphrase = jos_record()
    three_incidents(log)
    client = signed_in(log, passphrase)

    response = client.post(reverse("log:share"), {"share": "chosen", "incidents": ["1", "3"]})

    assert response["Location"] == reverse("log:shared")
    assert shared_seqs(log) == [1, 3]
    assert "You shared 2 incidents" in client.get(reverse("log:shared")).content.decode()
    home = client.get(reverse("log:home")).content.decode()
    assert home.count("Shared with the team on") == 2
    assert "1 is still private" in home
    # The share page now lists what is shared apart from what can still be shared.
    again = client.get(reverse("log:share")).content.decode()
    assert "Already shared" in again
    assert 'value="2"' in again and 'value="1"' not in again


def test_choosing_nothing_says_what_to_do_and_shares_nothing(institution: Institution) -> None:
    log, passphrase = jos_record()
    three_incidents(log)
    client = signed_in(log, passphrase)

    response = client.post(reverse("log:share"), {"share": "chosen"})

    assert response.status_code == 400
    text = response.content.decode()
    assert "Choose at least one incident to share" in text
    assert 'href="#id_incidents_0"' in text
    assert shared_seqs(log) == []
    assert not Report.objects.exists()


def test_the_confirmation_page_is_only_shown_just_after_sharing(institution: Institution) -> None:
    log, passphrase = jos_record()
    client = signed_in(log, passphrase)
    assert client.get(reverse("log:shared"))["Location"] == reverse("log:home")


def test_an_empty_record_has_nothing_to_share(institution: Institution) -> None:
    log, passphrase = jos_record()
    client = signed_in(log, passphrase)
    page = client.get(reverse("log:share")).content.decode()
    assert "nothing in your record to share yet" in page
    refused = client.post(reverse("log:share"), {"share": "all"})
    assert refused.status_code == 400
    assert not Report.objects.exists()


# --- Families -------------------------------------------------------------------------------


def test_a_correction_and_what_it_corrects_are_shared_together(institution: Institution) -> None:
    log, _ = jos_record()
    first, *_ = three_incidents(log)
    corrected = services.entry_correct(log=log, entry=first, content=content())
    twice = services.entry_correct(log=log, entry=corrected, content=content())

    # Choosing only the latest correction brings the whole family.
    sharing.log_share(log=log, entries=[twice])

    assert shared_seqs(log) == [first.seq, corrected.seq, twice.seq]
    case = Case.objects.get(report=log.report)
    entry = case.timeline.get(kind=EntryKind.LOG_SHARED)
    assert entry.detail["seqs"] == [1, 4, 5]
    assert entry.detail["incidents"] == 1
    assert entry.detail["corrections"] == 2


def test_a_correction_of_a_shared_incident_reaches_the_team_with_whoever_it_names(
    institution: Institution,
) -> None:
    log, _ = jos_record()
    first, *_ = three_incidents(log)
    report = sharing.log_share(log=log, entries=[first])
    alex = services.person_add(log=log, name="Alex", identifiers={"email": "alex@example.test"})
    correction = services.entry_correct(log=log, entry=first, content=content(who=[str(alex.pk)]))
    # Shared as it was saved, and announced by entry_add itself: nothing more to call.
    assert correction.shared_at is not None

    latest = report.case.timeline.filter(kind=EntryKind.LOG_SHARED).order_by("-occurred_at")[0]
    assert latest.detail["seqs"] == [correction.seq]
    assert latest.detail["incidents"] == 0 and latest.detail["corrections"] == 1
    alex.refresh_from_db()
    assert alex.shared_as is not None
    assert [row.extra["entries"] for row in log_audit_rows(log)] == [1, 1]


def test_an_unshared_correction_is_never_announced(institution: Institution) -> None:
    log, _ = jos_record()
    first, *_ = three_incidents(log)
    correction = services.entry_correct(log=log, entry=first, content=content())
    sharing.log_correction_shared(log=log, entry=correction)
    assert not TimelineEntry.objects.filter(kind=EntryKind.LOG_SHARED).exists()
    assert log_audit_rows(log) == []


def test_sharing_what_is_already_shared_is_refused(institution: Institution) -> None:
    log, _ = jos_record()
    first, *_ = three_incidents(log)
    sharing.log_share(log=log, entries=[first])
    with pytest.raises(sharing.NothingToShareError):
        sharing.log_share(log=log, entries=[first])
    assert TimelineEntry.objects.filter(kind=EntryKind.LOG_SHARED).count() == 1


# --- Reports and cases ----------------------------------------------------------------------


def test_sams_record_kept_under_his_report_joins_its_case(institution: Institution) -> None:
    report, _ = sams_report()
    log = services.log_start_for_report(report=report)
    _, second = (services.entry_add(log=log, content=content()) for _ in range(2))
    assert shared_seqs(log) == []  # keeping a record under a report shares nothing

    returned = sharing.log_share(log=log, entries=[second])

    assert returned == report
    assert Report.objects.count() == 1
    assert shared_seqs(log) == [2]
    assert report.case.timeline.filter(kind=EntryKind.LOG_SHARED).count() == 1


def test_a_second_share_adds_to_the_same_case(institution: Institution) -> None:
    log, _ = jos_record()
    first, second, third = three_incidents(log)
    report = sharing.log_share(log=log, entries=[first])
    again = sharing.log_share(log=log, entries=[second, third])

    assert again == report
    assert Report.objects.count() == 1 and Case.objects.count() == 1
    shares = report.case.timeline.filter(kind=EntryKind.LOG_SHARED).order_by("occurred_at")
    assert [entry.detail["seqs"] for entry in shares] == [[1], [2, 3]]


def test_threats_in_what_is_shared_open_an_urgent_case(institution: Institution) -> None:
    log, _ = jos_record()
    entry = services.entry_add(
        log=log,
        content=content(what={"behaviours": [{"slug": "threats", "label": "Threats"}], "text": ""}),
    )
    report = sharing.log_share(log=log, entries=[entry])
    case = Case.objects.get(report=report)
    assert case.threat_of_violence and case.is_urgent


def test_a_share_is_audited_with_ids_and_a_count_and_an_unshared_record_never(
    institution: Institution,
) -> None:
    log, passphrase = jos_record()
    entries = three_incidents(log)
    client = signed_in(log, passphrase)
    client.get(reverse("log:home"))
    client.get(reverse("log:share"))
    assert log_audit_rows(log) == []

    report = sharing.log_share(log=log, entries=entries[:2])

    (row,) = log_audit_rows(log)
    assert row.action == "log.shared"
    assert not row.actor_id
    assert row.actor_kind == AuditEvent.ActorKind.REPORTER
    assert row.extra == {"report_id": str(report.pk), "entries": 2}


# --- People and matching --------------------------------------------------------------------


def _named(log: IncidentLog, *people: LogPerson, day: int = 20) -> LogEntry:
    return services.entry_add(
        log=log,
        content=content(
            when={"kind": "exact", "date": f"2026-11-{day}"}, who=[str(p.pk) for p in people]
        ),
    )


def test_people_named_in_shared_incidents_join_matching(institution: Institution) -> None:
    # Someone else reported Alex earlier, by email.
    earlier, _ = sams_report()
    reporting_services._record_person(
        earlier, {"person_name": "A. Other", "person_email": "alex.t@example.test"}
    )
    log, _ = jos_record()
    alex = services.person_add(
        log=log, name="Alex", identifiers={"email": "Alex.T@Example.test", "handle": "@alex_t"}
    )
    kim = services.person_add(log=log, name="Kim", identifiers={"phone": "07700 900123"})
    named_alex = _named(log, alex)
    _named(log, kim, day=21)  # Kim is only in an entry Jo keeps private

    report = sharing.log_share(log=log, entries=[named_alex])

    alex.refresh_from_db()
    kim.refresh_from_db()
    assert alex.shared_as is not None and kim.shared_as is None
    person = ReportedPerson.objects.get(report=report)
    assert person == alex.shared_as
    assert person.details["person_name"] == "Alex"
    assert person.details["from_log"] is True
    assert person.details["person_email"] == "Alex.T@Example.test"
    assert person.details["handles"] == ["@alex_t"]
    assert set(PersonIdentifier.objects.filter(person=person).values_list("kind", flat=True)) == {
        "email",
        "handle",
    }
    # The same keyed digest as the earlier report's: the two cases match.
    case = Case.objects.get(report=report)
    match = CaseMatch.objects.get()
    assert {match.case_a_id, match.case_b_id} == {case.pk, earlier.case.pk}
    assert match.kinds == ["email"]
    # Kim's phone is nowhere on the case.
    assert not PersonIdentifier.objects.filter(kind="phone").exists()


def test_a_person_is_added_to_the_case_once_however_often_they_are_shared(
    institution: Institution,
) -> None:
    log, _ = jos_record()
    alex = services.person_add(log=log, name="Alex", identifiers={"email": "alex@example.test"})
    first, second = _named(log, alex), _named(log, alex, day=22)
    report = sharing.log_share(log=log, entries=[first])
    sharing.log_share(log=log, entries=[second])
    assert ReportedPerson.objects.filter(report=report).count() == 1


def test_a_member_of_staff_named_by_email_never_sees_the_case(
    institution: Institution, adviser: Any
) -> None:
    log, _ = jos_record()
    named = services.person_add(log=log, name="My tutor", identifiers={"email": adviser.email})
    report = sharing.log_share(log=log, entries=[_named(log, named)])
    assert Case.objects.get(report=report).conflicts.filter(user=adviser).exists()


# --- Keeping a record from /my-report/ ---------------------------------------------------------


def test_sam_starts_a_record_from_his_report_and_nothing_is_shared(
    institution: Institution,
) -> None:
    report, passphrase = sams_report()
    client = Client()
    client.post(
        reverse("reporting:return"), {"reference": report.reference, "passphrase": passphrase}
    )
    page = client.get(reverse("reporting:return")).content.decode()
    assert "Keep a record" in page and "Start keeping a record" in page

    opened = client.post(reverse("reporting:return_log"))

    assert opened["Location"] == reverse("log:home")
    log = IncidentLog.objects.get(report=report)
    home = client.get(reverse("log:home"))
    assert home.status_code == 200
    assert f"Kept with your report {report.reference}" in home.content.decode()
    services.entry_add(log=log, content=content())
    assert shared_seqs(log) == []
    # Still signed in to the report; the button now opens the same record.
    page = client.get(reverse("reporting:return")).content.decode()
    assert "Open your record" in page
    client.post(reverse("reporting:return_log"))
    assert IncidentLog.objects.count() == 1
    # The same sharing page applies.
    client.post(reverse("log:share"), {"share": "all"})
    assert shared_seqs(log) == [1]
    assert Report.objects.count() == 1


def test_the_record_button_needs_a_signed_in_report(institution: Institution) -> None:
    response = Client().post(reverse("reporting:return_log"))
    assert response["Location"] == reverse("reporting:return")
    assert not IncidentLog.objects.exists()


def test_the_shared_date_is_the_day_of_the_share(institution: Institution) -> None:
    log, _ = jos_record()
    (entry, *_) = three_incidents(log)
    sharing.log_share(log=log, entries=[entry])
    entry.refresh_from_db()
    assert entry.shared_at is not None
    assert abs(entry.shared_at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)
