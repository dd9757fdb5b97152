"""What the team sees when someone shares incidents from their record (issue 14, item 7).

Persona: Sam reported, and kept a record under his report's receipt. He shares two of
his three incidents. Priya, the adviser assigned to his case, sees it on the timeline and
is told; Dev, an adviser not assigned, learns nothing, not even that the case exists.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from waypoint.accounts.models import User
from waypoint.accounts.roles import Role
from waypoint.accounts.tests.factories import UserFactory
from waypoint.casework.models import Case, EntryKind
from waypoint.casework.tests.conftest import OpenCase
from waypoint.institution.models import Institution
from waypoint.log import services as log_services
from waypoint.log import sharing
from waypoint.log.models import IncidentLog, LogEntry
from waypoint.log.tests.support import MARKER, content
from waypoint.notifications.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db


def _page(content: bytes) -> str:
    # The same page, apart from what changes with every response (nonce, CSRF token).
    return re.sub(r'(nonce|value)="[^"]*"', "", content.decode())


def sams_record(case: Case) -> tuple[IncidentLog, list[LogEntry]]:
    log = log_services.log_start_for_report(report=case.report)
    entries = [
        log_services.entry_add(
            log=log,
            content=content(
                when={"kind": "exact", "date": f"2026-11-{day}"},
                what={"behaviours": [], "text": f"{MARKER} {day}"},
            ),
        )
        for day in (10, 17, 24)
    ]
    return log, entries


def test_priya_sees_the_share_on_the_timeline_without_its_words(
    open_case: OpenCase,
    adviser: User,
    institution: Institution,
    signed_in_client: Callable[[User], Client],
) -> None:
    case = open_case(assign=[adviser])
    log, entries = sams_record(case)

    sharing.log_share(log=log, entries=entries[:2])

    entry = case.timeline.get(kind=EntryKind.LOG_SHARED)
    assert entry.detail == {
        "log_id": str(log.pk),
        "seqs": [1, 2],
        "incidents": 2,
        "corrections": 0,
    }
    assert entry.actor is None
    priya = signed_in_client(adviser)
    page = priya.get(reverse("casework:timeline", args=[case.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Shared 2 incidents from their incident log" in text
    assert reverse("safety:chronology", args=[case.pk]) in text
    assert MARKER not in text

    # A correction Sam writes later of a shared incident is shared as it is saved.
    correction = log_services.entry_correct(log=log, entry=entries[0], content=content())
    sharing.log_correction_shared(log=log, entry=correction)
    page = priya.get(reverse("casework:timeline", args=[case.pk]))
    assert "Shared 1 correction to incidents already shared" in page.content.decode()


def test_priya_is_told_and_the_leads_are_not(
    open_case: OpenCase, adviser: User, case_lead: User, institution: Institution
) -> None:
    case = open_case(assign=[adviser])
    log, entries = sams_record(case)

    sharing.log_share(log=log, entries=entries[:1])

    told = Notification.objects.filter(kind=NotificationKind.LOG_SHARED)
    assert list(told.values_list("recipient", flat=True)) == [adviser.pk]
    assert told.get().case == case


def test_the_leads_are_told_when_nobody_has_taken_the_case(
    open_case: OpenCase, case_lead: User, institution: Institution
) -> None:
    case = open_case()
    log, entries = sams_record(case)

    sharing.log_share(log=log, entries=entries)

    told = Notification.objects.filter(kind=NotificationKind.LOG_SHARED)
    assert list(told.values_list("recipient", flat=True)) == [case_lead.pk]


def test_a_share_that_opens_a_case_is_told_as_a_new_case_only(
    case_lead: User, institution: Institution
) -> None:
    log = log_services.log_start().log
    entry = log_services.entry_add(log=log, content=content())
    sharing.log_share(log=log, entries=[entry])
    assert not Notification.objects.filter(kind=NotificationKind.LOG_SHARED).exists()


def test_priyas_notification_reads_plainly_and_opens_the_timeline(
    open_case: OpenCase,
    adviser: User,
    institution: Institution,
    signed_in_client: Callable[[User], Client],
) -> None:
    case = open_case(assign=[adviser])
    log, entries = sams_record(case)
    sharing.log_share(log=log, entries=entries)

    page = signed_in_client(adviser).get(reverse("notifications:list"))

    text = page.content.decode()
    assert (
        f"The reporter shared incidents from their record on case {case.report.reference}." in text
    )
    assert reverse("casework:timeline", args=[case.pk]) in text
    assert MARKER not in text


def test_dev_not_assigned_gets_the_same_404_as_for_a_case_that_does_not_exist(
    open_case: OpenCase,
    adviser: User,
    institution: Institution,
    client: Client,
    login_as: Callable[..., object],
) -> None:
    case = open_case(assign=[adviser])
    log, entries = sams_record(case)
    sharing.log_share(log=log, entries=entries)
    dev = UserFactory.create(role=Role.ADVISER, display_name="Dev", totp_secret="JBSWY3DPEHPK3PXR")
    login_as(client, dev)
    client.get(reverse("casework:inbox"))  # shows (and so clears) "Signed in as Dev"

    for name in ("casework:timeline", "casework:case", "safety:chronology"):
        forbidden = client.get(reverse(name, args=[case.pk]))
        missing = client.get(reverse(name, args=[uuid.uuid4()]))
        assert forbidden.status_code == missing.status_code == 404
        assert _page(forbidden.content) == _page(missing.content)
    assert not Notification.objects.filter(recipient=dev).exists()
