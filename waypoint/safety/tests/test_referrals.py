"""The referrals and disclosures register: nothing is shared without a recorded basis."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from waypoint.accounts.models import User
from waypoint.casework.models import Case, EntryKind, TimelineEntry
from waypoint.casework.tests.conftest import OpenCase
from waypoint.hub.models import SupportService
from waypoint.institution.models import Department
from waypoint.privacy.models import AuditEvent
from waypoint.safety.models import (
    ConsentMethod,
    Exemption,
    LawfulBasis,
    Referral,
    ReferralStatus,
)
from waypoint.safety.services import processes as processes_services
from waypoint.safety.services.processes import (
    NON_FIELD,
    ReferralError,
    referral_create,
    referral_update,
)
from waypoint.safety.tests.processes_support import *  # noqa: F403  (fixtures)
from waypoint.safety.tests.processes_support import (
    MARKER,
    REFUSED_PERSONAS,
    conduct_make,
    consent_values,
    department_make,
    missing_id,
    order_make,
    police_make,
    referral_make,
    service_make,
    template_names,
)

pytestmark = pytest.mark.django_db

SignIn = Callable[[User], Client]


def _referral_events() -> int:
    return AuditEvent.objects.filter(action__startswith="referral.").count()


def _referral_entries(case: Case) -> list[TimelineEntry]:
    return list(TimelineEntry.objects.filter(case=case, kind=EntryKind.REFERRAL))


def _raw(table: str, column: str, pk: uuid.UUID) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk.hex])  # noqa: S608
        row = cursor.fetchone()
    return bytes(row[0]) if row and row[0] is not None else b""


def _form(**overrides: Any) -> dict[str, str]:
    """What the referral form posts for a consented referral to another organisation."""
    data = {
        "recipient": "organisation",
        "service": "",
        "department": "",
        "organisation": f"Community project {MARKER}",
        "purpose": f"Advocacy {MARKER}",
        "shared": f"Safe phone number {MARKER}",
        "lawful_basis": LawfulBasis.CONSENT,
        "consent_given": "yes",
        "consent_at": (timezone.localtime() - datetime.timedelta(hours=1)).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        "consent_method": ConsentMethod.VERBAL,
        "exemption": "",
    }
    data.update(overrides)
    return data


# --- The service refuses a referral without a basis -------------------------------------------


REFUSALS = [
    pytest.param({"lawful_basis": ""}, "lawful_basis", id="no-lawful-basis"),
    pytest.param({"lawful_basis": "because"}, "lawful_basis", id="unknown-lawful-basis"),
    pytest.param(
        {
            "lawful_basis": LawfulBasis.PUBLIC_TASK,
            "consent_given": False,
            "consent_at": None,
            "consent_method": "",
            "exemption": "",
        },
        "exemption",
        id="neither-consent-nor-exemption",
    ),
    pytest.param({"consent_at": None}, "consent_at", id="consent-without-when"),
    pytest.param({"consent_method": ""}, "consent_method", id="consent-without-how"),
    pytest.param(
        {"consent_at": timezone.now() + datetime.timedelta(days=1)},
        "consent_at",
        id="consent-in-the-future",
    ),
    pytest.param(
        {
            "consent_given": False,
            "consent_at": None,
            "consent_method": "",
            "exemption": Exemption.SERIOUS_HARM,
        },
        "lawful_basis",
        id="consent-basis-without-consent",
    ),
    pytest.param({"consent_given": None}, "consent_given", id="consent-not-answered"),
    pytest.param({"exemption": Exemption.CRIME}, "exemption", id="consent-and-an-exemption"),
    pytest.param(
        {
            "lawful_basis": LawfulBasis.VITAL_INTERESTS,
            "consent_given": False,
            "exemption": Exemption.SERIOUS_HARM,
        },
        "consent_given",
        id="no-consent-but-a-time-and-method",
    ),
    pytest.param({"organisation": ""}, "recipient", id="no-recipient"),
    pytest.param({"purpose": "  "}, "purpose", id="no-purpose"),
    pytest.param({"shared": ""}, "shared", id="nothing-shared-named"),
    pytest.param({"organisation": "x" * 201}, "organisation", id="organisation-too-long"),
]


@pytest.mark.parametrize(("overrides", "field"), REFUSALS)
def test_a_referral_without_a_complete_basis_is_refused_and_nothing_is_saved(
    open_case: OpenCase, adviser: User, overrides: dict[str, Any], field: str
) -> None:
    case = open_case(assign=[adviser])
    events = _referral_events()

    with pytest.raises(ReferralError) as refused:
        referral_create(case=case, actor=adviser, **consent_values(**overrides))

    assert field in refused.value.errors
    assert refused.value.errors[field]
    assert not Referral.objects.exists()
    assert _referral_entries(case) == []
    assert _referral_events() == events


def test_a_referral_to_two_recipients_at_once_is_refused(
    open_case: OpenCase, adviser: User, directory_service: SupportService, department: Department
) -> None:
    case = open_case(assign=[adviser])

    with pytest.raises(ReferralError) as refused:
        referral_create(
            case=case,
            actor=adviser,
            **consent_values(service=directory_service, department=department),
        )

    assert set(refused.value.errors) == {"recipient"}
    assert not Referral.objects.exists()


def test_a_service_taken_out_of_the_directory_cannot_be_chosen(
    open_case: OpenCase, adviser: User, directory_service: SupportService
) -> None:
    case = open_case(assign=[adviser])
    directory_service.is_published = False
    directory_service.save(update_fields=["is_published"])

    with pytest.raises(ReferralError) as refused:
        referral_create(
            case=case, actor=adviser, **consent_values(organisation="", service=directory_service)
        )

    assert "service" in refused.value.errors
    assert not Referral.objects.exists()


def test_an_erased_case_takes_no_referral(open_case: OpenCase, adviser: User) -> None:
    case = open_case(assign=[adviser])
    Case.objects.filter(pk=case.pk).update(data_key=None)
    case.refresh_from_db()

    with pytest.raises(ReferralError) as refused:
        referral_create(case=case, actor=adviser, **consent_values())

    assert NON_FIELD in refused.value.errors
    assert not Referral.objects.exists()


@pytest.mark.parametrize("persona", REFUSED_PERSONAS)
def test_the_service_refuses_anyone_who_may_not_refer_the_case(
    request: pytest.FixtureRequest, open_case: OpenCase, other_adviser: User, persona: str
) -> None:
    user: User = request.getfixturevalue(persona)
    case = open_case(assign=[other_adviser])

    with pytest.raises(Http404):
        referral_create(case=case, actor=user, **consent_values())

    assert not Referral.objects.exists()


# --- The database refuses the same rows -------------------------------------------------------


def _row(case: Case, **fields: Any) -> Referral:
    values: dict[str, Any] = {
        "case": case,
        "data_key_id": case.data_key_id,
        "lawful_basis": LawfulBasis.CONSENT,
        "consent_given": True,
        "consent_at": timezone.now(),
        "consent_method": ConsentMethod.WRITTEN,
        **fields,
    }
    referral = Referral(**values)
    referral.recipient = "An organisation"
    return referral


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"lawful_basis": ""}, id="no-lawful-basis"),
        pytest.param(
            {"lawful_basis": LawfulBasis.PUBLIC_TASK, "consent_given": False},
            id="neither-consent-nor-exemption",
        ),
        pytest.param({"consent_at": None}, id="consent-without-when"),
        pytest.param({"consent_method": ""}, id="consent-without-how"),
        pytest.param(
            {"consent_given": False, "exemption": Exemption.CRIME},
            id="consent-basis-without-consent",
        ),
    ],
)
def test_the_database_refuses_a_referral_without_a_basis_written_around_the_service(
    open_case: OpenCase, fields: dict[str, Any]
) -> None:
    case = open_case()

    with pytest.raises(IntegrityError), transaction.atomic():
        _row(case, **fields).save(force_insert=True)

    assert not Referral.objects.exists()


def test_the_database_refuses_a_referral_without_a_recipient(open_case: OpenCase) -> None:
    case = open_case()
    referral = _row(case)
    referral.recipient = None

    with pytest.raises(IntegrityError), transaction.atomic():
        referral.save(force_insert=True)


def test_the_database_takes_a_referral_made_under_an_exemption(open_case: OpenCase) -> None:
    case = open_case()

    _row(
        case,
        lawful_basis=LawfulBasis.VITAL_INTERESTS,
        consent_given=False,
        consent_at=None,
        consent_method="",
        exemption=Exemption.SERIOUS_HARM,
    ).save(force_insert=True)

    assert Referral.objects.count() == 1


def test_a_direct_orm_create_without_a_basis_raises_integrity_error(open_case: OpenCase) -> None:
    case = open_case()

    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.create(case=case, department=None, service=None, consent_given=False)


# --- Recording referrals through the page -----------------------------------------------------


def test_an_adviser_records_a_referral_to_a_directory_service(
    open_case: OpenCase, adviser: User, directory_service: SupportService, sign_in: SignIn
) -> None:
    case = open_case(assign=[adviser])
    client = sign_in(adviser)

    response = client.post(
        reverse("safety:referrals", args=[case.pk]),
        _form(recipient="service", service=str(directory_service.pk), organisation="ignored"),
    )

    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("safety:referral", args=[referral.pk])
    assert referral.service == directory_service
    assert referral.department is None
    assert referral.recipient is None
    assert referral.sent_by == adviser
    assert referral.status == ReferralStatus.SENT
    assert referral.lawful_basis == LawfulBasis.CONSENT
    assert referral.consent_given and referral.consent_at is not None
    assert referral.consent_method == ConsentMethod.VERBAL
    assert referral.purpose == f"Advocacy {MARKER}"
    assert referral.data_key_id == case.data_key_id
    # Typed words are sealed: the column holds ciphertext.
    assert MARKER.encode() not in _raw("safety_referral", "purpose", referral.pk)
    assert MARKER.encode() not in _raw("safety_referral", "shared", referral.pk)

    page = client.get(reverse("safety:referral", args=[referral.pk]))
    assert page.status_code == 200
    assert "Stalking Advocacy Service" in page.content.decode()


def test_an_adviser_records_a_disclosure_to_another_organisation_under_an_exemption(
    open_case: OpenCase, adviser: User, sign_in: SignIn
) -> None:
    case = open_case(assign=[adviser])
    client = sign_in(adviser)

    response = client.post(
        reverse("safety:referrals", args=[case.pk]),
        _form(
            lawful_basis=LawfulBasis.VITAL_INTERESTS,
            consent_given="no",
            consent_at="",
            consent_method="",
            exemption=Exemption.SERIOUS_HARM,
        ),
    )

    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.recipient == f"Community project {MARKER}"
    assert MARKER.encode() not in _raw("safety_referral", "recipient", referral.pk)
    assert referral.consent_given is False
    assert referral.consent_at is None
    assert referral.exemption == Exemption.SERIOUS_HARM
    listing = client.get(reverse("safety:referrals", args=[case.pk])).content.decode()
    assert f"Community project {MARKER}" in listing
    assert "Risk of serious harm" in listing


def test_a_referral_to_a_university_department(
    open_case: OpenCase, adviser: User, department: Department
) -> None:
    case = open_case(assign=[adviser])

    referral = referral_create(
        case=case,
        actor=adviser,
        **consent_values(
            organisation="",
            department=department,
            lawful_basis=LawfulBasis.PUBLIC_TASK,
            consent_given=False,
            consent_at=None,
            consent_method="",
            exemption=Exemption.SAFEGUARDING,
        ),
    )

    assert referral.department == department
    assert referral.service is None


def test_the_page_refuses_a_referral_without_a_basis_and_says_why(
    open_case: OpenCase, adviser: User, sign_in: SignIn
) -> None:
    case = open_case(assign=[adviser])
    client = sign_in(adviser)

    response = client.post(reverse("safety:referrals", args=[case.pk]), _form(lawful_basis=""))

    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="error-summary"' in body
    assert 'href="#id_lawful_basis_0"' in body
    assert "Nothing can be shared outside the team without one" in body
    assert not Referral.objects.exists()
    assert _referral_entries(case) == []


def test_the_page_says_when_neither_consent_nor_an_exemption_is_given(
    open_case: OpenCase, adviser: User, sign_in: SignIn
) -> None:
    case = open_case(assign=[adviser])
    client = sign_in(adviser)

    response = client.post(
        reverse("safety:referrals", args=[case.pk]),
        _form(
            lawful_basis=LawfulBasis.LEGITIMATE_INTERESTS,
            consent_given="no",
            consent_at="",
            consent_method="",
        ),
    )

    assert response.status_code == 400
    assert "choose the exemption that allows sharing" in response.content.decode()
    assert not Referral.objects.exists()


def test_the_page_refuses_a_service_id_that_names_nothing(
    open_case: OpenCase, adviser: User, sign_in: SignIn
) -> None:
    case = open_case(assign=[adviser])
    client = sign_in(adviser)

    response = client.post(
        reverse("safety:referrals", args=[case.pk]),
        _form(recipient="service", service=missing_id()),
    )

    assert response.status_code == 400
    assert not Referral.objects.exists()


# --- Audit and timeline -----------------------------------------------------------------------


def test_recording_a_referral_is_audited_and_on_the_timeline_with_ids_only(
    open_case: OpenCase, adviser: User, directory_service: SupportService
) -> None:
    case = open_case(assign=[adviser])

    referral = referral_create(
        case=case, actor=adviser, **consent_values(organisation="", service=directory_service)
    )

    [entry] = _referral_entries(case)
    assert entry.actor == adviser
    assert entry.text is None
    assert entry.detail["referral_id"] == str(referral.pk)
    assert entry.detail["service_id"] == str(directory_service.pk)
    assert entry.detail["lawful_basis"] == LawfulBasis.CONSENT
    assert entry.detail["consent"] is True
    assert MARKER not in str(entry.detail)
    event = AuditEvent.objects.get(action="referral.created")
    assert event.object_id == str(referral.pk)
    assert event.extra["case_id"] == str(case.pk)
    assert MARKER not in str(event.extra)


def test_reading_the_register_and_a_referral_is_audited(
    open_case: OpenCase, adviser: User, sign_in: SignIn
) -> None:
    case = open_case(assign=[adviser])
    referral = referral_make(case)
    client = sign_in(adviser)

    client.get(reverse("safety:referrals", args=[case.pk]))
    client.get(reverse("safety:referral", args=[referral.pk]))

    listing = AuditEvent.objects.get(action="referral.list")
    assert listing.extra == {"case_id": str(case.pk), "count": 1}
    viewed = AuditEvent.objects.get(action="referral.view")
    assert viewed.object_id == str(referral.pk)


# --- Status and outcome -----------------------------------------------------------------------


def test_an_adviser_updates_a_referrals_status_and_outcome(
    open_case: OpenCase, adviser: User, sign_in: SignIn
) -> None:
    case = open_case(assign=[adviser])
    referral = referral_make(case)
    before = (referral.purpose, referral.shared, referral.lawful_basis, referral.sent_at)
    client = sign_in(adviser)

    response = client.post(
        reverse("safety:referral", args=[referral.pk]),
        {"status": ReferralStatus.ACCEPTED, "outcome": f"Advocate allocated {MARKER}"},
    )

    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    assert referral.outcome == f"Advocate allocated {MARKER}"
    assert MARKER.encode() not in _raw("safety_referral", "outcome", referral.pk)
    # The rest of the record is as it was sent.
    assert (referral.purpose, referral.shared, referral.lawful_basis, referral.sent_at) == before
    [entry] = _referral_entries(case)
    assert entry.detail == {
        "event": "updated",
        "referral_id": str(referral.pk),
        "status": ReferralStatus.ACCEPTED,
        "previous": ReferralStatus.SENT,
        "outcome_changed": True,
    }
    event = AuditEvent.objects.get(action="referral.updated")
    assert event.extra["status"] == ReferralStatus.ACCEPTED
    assert MARKER not in str(event.extra)


@pytest.mark.parametrize("status", [ReferralStatus.DECLINED, ReferralStatus.CLOSED])
def test_a_referral_can_be_declined_or_closed(
    open_case: OpenCase, adviser: User, status: str
) -> None:
    case = open_case(assign=[adviser])
    referral = referral_make(case)

    referral_update(referral=referral, actor=adviser, status=status, outcome="")

    referral.refresh_from_db()
    assert referral.status == status


def test_an_update_that_changes_nothing_is_refused(open_case: OpenCase, adviser: User) -> None:
    case = open_case(assign=[adviser])
    referral = referral_make(case)

    with pytest.raises(ReferralError) as refused:
        referral_update(referral=referral, actor=adviser, status=ReferralStatus.SENT, outcome="")

    assert NON_FIELD in refused.value.errors
    assert _referral_entries(case) == []


def test_an_unknown_status_is_refused_on_the_page(
    open_case: OpenCase, adviser: User, sign_in: SignIn
) -> None:
    case = open_case(assign=[adviser])
    referral = referral_make(case)
    client = sign_in(adviser)

    response = client.post(
        reverse("safety:referral", args=[referral.pk]), {"status": "deleted", "outcome": ""}
    )

    assert response.status_code == 400
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT


def test_referrals_are_never_deleted() -> None:
    assert not [name for name in dir(processes_services) if "delete" in name.lower()]


# --- Access: exactly what a missing id gets ---------------------------------------------------


def _same_as_missing(client: Client, method: str, real: str, missing: str, data: Any) -> None:
    send = client.post if method == "post" else client.get
    for_real = send(real, data) if method == "post" else send(real)
    for_missing = send(missing, data) if method == "post" else send(missing)
    assert for_real.status_code == for_missing.status_code
    assert for_real.status_code in (403, 404)
    assert template_names(for_real) == template_names(for_missing)


@pytest.mark.parametrize("persona", REFUSED_PERSONAS)
def test_a_person_who_may_not_refer_the_case_gets_what_a_missing_case_gets(
    request: pytest.FixtureRequest,
    open_case: OpenCase,
    other_adviser: User,
    sign_in: SignIn,
    persona: str,
) -> None:
    user: User = request.getfixturevalue(persona)
    case = open_case(assign=[other_adviser])
    referral = referral_make(case)
    client = sign_in(user)
    events = AuditEvent.objects.filter(action__startswith="referral.").count()

    for method, data in (("get", None), ("post", _form())):
        _same_as_missing(
            client,
            method,
            reverse("safety:referrals", args=[case.pk]),
            reverse("safety:referrals", args=[missing_id()]),
            data,
        )
        _same_as_missing(
            client,
            method,
            reverse("safety:referral", args=[referral.pk]),
            reverse("safety:referral", args=[missing_id()]),
            {"status": ReferralStatus.CLOSED, "outcome": "tampered"},
        )

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT
    assert referral.outcome is None
    assert Referral.objects.count() == 1
    assert _referral_entries(case) == []
    assert AuditEvent.objects.filter(action__startswith="referral.").count() == events


def test_a_case_lead_may_refer_any_unrestricted_case_but_not_a_restricted_one(
    open_case: OpenCase, case_lead: User, other_adviser: User, sign_in: SignIn
) -> None:
    case = open_case(assign=[other_adviser])
    restricted = open_case(assign=[other_adviser], restricted=True)
    client = sign_in(case_lead)

    assert client.get(reverse("safety:referrals", args=[case.pk])).status_code == 200
    assert client.get(reverse("safety:referrals", args=[restricted.pk])).status_code == 404


def test_an_administrator_granted_case_access_may_refer(
    open_case: OpenCase, administrator: User, sign_in: SignIn
) -> None:
    administrator.case_access_granted = True
    administrator.save(update_fields=["case_access_granted"])
    case = open_case()
    client = sign_in(administrator)

    assert client.get(reverse("safety:referrals", args=[case.pk])).status_code == 200


# --- Query counts -----------------------------------------------------------------------------


# Since the case frame (ADR 0031): also the identity bar and sub navigation (clock, holidays,
# assignees, latest risk band, the claim and section policy checks) and the recorded opening
# of the case (case.view audit entry and CaseOpening), and the staff header's own queries.
REFERRAL_LIST_QUERIES = 37


@pytest.mark.parametrize("referrals", [1, 6])
def test_the_referrals_list_takes_the_same_number_of_queries_however_many_referrals(
    open_case: OpenCase,
    adviser: User,
    sign_in: SignIn,
    django_assert_num_queries: Any,
    referrals: int,
) -> None:
    case = open_case(assign=[adviser])
    directory_service, department = service_make(), department_make()
    for n in range(referrals):
        if n % 3 == 0:
            referral_make(case, service=directory_service)
        elif n % 3 == 1:
            referral_make(case, department=department)
        else:
            referral_make(case)
    client = sign_in(adviser)
    url = reverse("safety:referrals", args=[case.pk])

    with django_assert_num_queries(REFERRAL_LIST_QUERIES):
        response = client.get(url)

    assert response.status_code == 200
    assert response.content.decode().count("<tr>") == referrals + 1


# --- The case page's panel --------------------------------------------------------------------


def _panel(user: User, case: Case) -> str:
    request = RequestFactory().get("/")
    request.user = user
    template = Template("{% load safety_processes %}{% case_process_panel case %}")
    return template.render(Context({"request": request, "case": case}))


PANEL_QUERIES = 9


@pytest.mark.parametrize("rows", [1, 4])
def test_the_case_panel_counts_referrals_by_status_in_a_fixed_number_of_queries(
    open_case: OpenCase, adviser: User, django_assert_num_queries: Any, rows: int
) -> None:
    case = open_case(assign=[adviser])
    today = timezone.localdate()
    for n in range(rows):
        referral_make(case, status=ReferralStatus.ACCEPTED if n else ReferralStatus.SENT)
        order_make(case, expires_on=today + datetime.timedelta(days=30 - n))
        police_make(case)
        conduct_make(case)

    with django_assert_num_queries(PANEL_QUERIES):
        html = _panel(adviser, case)

    assert "Sent: 1" in html
    if rows > 1:
        assert f"Accepted: {rows - 1}" in html
    assert "Under investigation" in html
    assert "Investigation" in html
    soonest = (today + datetime.timedelta(days=30 - rows + 1)).strftime("%-d %B %Y")
    assert (
        html.index(soonest)
        < html.index((today + datetime.timedelta(days=30)).strftime("%-d %B %Y"))
        or rows == 1
    )
    assert reverse("safety:referrals", args=[case.pk]) in html
    assert reverse("safety:processes", args=[case.pk]) in html
    assert MARKER not in html


@pytest.mark.parametrize("persona", REFUSED_PERSONAS)
def test_the_case_panel_shows_nothing_to_someone_who_may_not_see_it(
    request: pytest.FixtureRequest, open_case: OpenCase, other_adviser: User, persona: str
) -> None:
    user: User = request.getfixturevalue(persona)
    case = open_case(assign=[other_adviser])
    referral_make(case)

    assert _panel(user, case) == ""
