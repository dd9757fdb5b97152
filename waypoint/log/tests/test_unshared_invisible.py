"""What a person has not shared from their record reaches no member of staff (issue 14).

Persona: Jo keeps a record. Every field of the incidents she keeps private, and every
detail of the people named only in them, carries a unique marker; one incident, without
markers, she shares (which opens her case), and later another. Then the case lead and
the adviser assigned to her case open every staff page of that case and the lists around
it, every email that went out is read, and the audit log is read: the marker is in none
of them, and every count counts the shared incidents only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import NoReverseMatch, reverse

from waypoint.accounts.models import User
from waypoint.casework.models import Case, CaseAssignment, EntryKind
from waypoint.institution.models import Institution
from waypoint.log import services, sharing
from waypoint.log.models import IncidentLog, LogEntry, LogPerson
from waypoint.privacy.models import AuditEvent
from waypoint.worker import services as worker_services
from waypoint.worker.models import OutboundEmail

pytestmark = pytest.mark.django_db

UNSHARED: Final = "zq-unshared-8813"


def marked(field: str) -> str:
    return f"{UNSHARED}-{field}"


def private_content(person: LogPerson, day: int) -> dict[str, Any]:
    """An incident with the marker in every field that holds words."""
    return {
        "when": {"kind": "exact", "date": f"2026-11-{day:02d}", "time": "21:10", "end_date": ""},
        "where": {
            "places": [{"slug": marked("place-slug"), "label": marked("place")}],
            "platforms": [{"slug": marked("platform-slug"), "label": marked("platform")}],
            "text": marked("where"),
        },
        "what": {
            "behaviours": [{"slug": marked("behaviour-slug"), "label": marked("behaviour")}],
            "text": marked("what"),
        },
        "who": [str(person.pk)],
        "witnesses": marked("witnesses"),
        "affected": marked("affected"),
        "police": {"officer": marked("officer"), "reference": marked("police-ref")},
        "evidence": [],
    }


def clean_content(person: LogPerson, day: int) -> dict[str, Any]:
    return {
        "when": {"kind": "exact", "date": f"2026-11-{day:02d}", "time": "", "end_date": ""},
        "where": {"places": [], "platforms": [], "text": "Outside the library"},
        "what": {
            "behaviours": [{"slug": "following", "label": "Following me"}],
            "text": "Waited for me again",
        },
        "who": [str(person.pk)],
        "witnesses": "",
        "affected": "",
        "police": {"officer": "", "reference": ""},
        "evidence": [],
    }


def jos_record(capture: Callable[..., Any], adviser: User) -> tuple[IncidentLog, Case]:
    log = services.log_start().log
    hidden = services.person_add(
        log=log,
        name=marked("name"),
        identifiers={
            "email": f"{marked('email')}@example.test",
            "phone": f"07700 900 {marked('phone')}",
            "handle": f"@{marked('handle')}",
            "student_number": marked("number"),
        },
    )
    alex = services.person_add(log=log, name="Alex", identifiers={"email": "alex@example.test"})
    # A file kept with a private incident: its name and its words carry the marker too.
    kept = SimpleUploadedFile(
        f"{marked('file-name')}.txt", marked("file-body").encode(), content_type="text/plain"
    )
    first = services.entry_add_with_files(
        log=log, content=private_content(hidden, 3), uploads=[kept]
    )
    assert first.evidence.count() == 1  # kept, sealed, and never shared
    services.entry_correct(log=log, entry=first, content=private_content(hidden, 4))
    shared = services.entry_add(log=log, content=clean_content(alex, 10))
    with capture(execute=True):
        report = sharing.log_share(log=log, entries=[shared])
    case = Case.objects.get(report=report)
    CaseAssignment.objects.create(case=case, user=adviser)
    # More kept private after the first share, and a second share of a clean incident.
    services.entry_add(log=log, content=private_content(hidden, 12))
    again = services.entry_add(log=log, content=clean_content(alex, 14))
    with capture(execute=True):
        sharing.log_share(log=log, entries=[again])
    return log, case


def _url(name: str, *args: Any) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def staff_pages(case: Case) -> list[str]:
    per_case = (
        "casework:case",
        "casework:timeline",
        "casework:report",
        "casework:people",
        "casework:access",
        "casework:message_send",
        "safety:chronology",
        "safety:chronology_add",
        "safety:bundle",  # the files it offers are the shared entries' only
        "safety:assessments",
        "safety:plan",
        "safety:referrals",
        "safety:processes",
    )
    lists = ("casework:inbox", "casework:my_work", "casework:matches", "staff:home")
    pages = [_url(name, case.pk) for name in per_case] + [_url(name) for name in lists]
    pages += [
        f"{reverse('casework:search')}?q={UNSHARED}",
        f"{reverse('casework:search')}?q=alex%40example.test",
        _url("safety:lead_overview"),
        reverse("notifications:list"),
    ]
    return [page for page in pages if page]


def test_nothing_jo_kept_private_reaches_any_staff_page_email_or_audit_row(
    institution: Institution,
    case_lead: User,
    adviser: User,
    login_as: Callable[..., Any],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    log, case = jos_record(django_capture_on_commit_callbacks, adviser)
    # The setting up is right: three private incidents (one corrected), two shared.
    assert LogEntry.objects.filter(log=log, shared_at__isnull=True).count() == 3
    assert LogEntry.objects.filter(log=log, shared_at__isnull=False).count() == 2

    fetched = 0
    for user in (case_lead, adviser):
        client = Client()
        login_as(client, user)
        for page in staff_pages(case):
            response = client.get(page)
            assert response.status_code in (200, 403, 404), (user.role, page, response.status_code)
            fetched += response.status_code == 200
            text = response.content.decode()
            assert UNSHARED not in text, (user.role, page)
            if page.endswith("/timeline/"):
                # Each share counts only what it shared: one incident each time.
                assert text.count("Shared 1 incident from their incident log") == 2
                assert "incidents from their incident log" not in text
    assert fetched >= 20  # the pages were really read, not refused

    # Every email: sent (the test outbox) and queued (the worker's outbox, read as the
    # worker reads it).
    assert mail.outbox, "the shares were meant to notify someone"
    for message in mail.outbox:
        parts = [str(message.subject), str(message.body), *message.to]
        parts += [str(body) for body, _ in getattr(message, "alternatives", [])]
        assert UNSHARED not in " ".join(parts)
    for email in OutboundEmail.objects.all():
        if email.message is None:
            continue  # sent: its content was wiped
        queued = worker_services._deserialise(email.message)
        assert UNSHARED not in f"{queued.subject} {queued.body} {queued.alternatives}"

    # The audit log: the shares are there (ids and counts), nothing written is.
    rows = list(AuditEvent.objects.all())
    assert [r.extra["entries"] for r in rows if r.action == "log.shared"] == [1, 1]
    for row in rows:
        assert UNSHARED not in f"{row.action} {row.object_type} {row.object_id} {row.extra}"

    # What staff reads of the log is the shared entries only.
    entries = case.timeline.filter(kind=EntryKind.LOG_SHARED).order_by("occurred_at")
    assert [entry.detail["seqs"] for entry in entries] == [[3], [5]]
    assert [entry.seq for entry in LogEntry.objects.filter(log=log, shared_at__isnull=False)] == [
        3,
        5,
    ]
    # Only Alex joined the case; the person named in private incidents did not.
    joined = LogPerson.objects.filter(log=log, shared_as__isnull=False)
    assert [person.name for person in joined.select_related("log__data_key")] == ["Alex"]
    assert case.report.people.count() == 1
