"""Formal processes: police, protective orders, the conduct process and its precautionary
measures, civil routes. Saved and updated only within their own case."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from waypoint.accounts.models import User
from waypoint.casework.models import Case, CaseConflict, EntryKind, TimelineEntry
from waypoint.casework.tests.conftest import OpenCase
from waypoint.privacy.models import AuditEvent
from waypoint.safety.models import (
    CivilKind,
    CivilRoute,
    ConductProcess,
    ConductStage,
    OrderKind,
    PoliceProcess,
    PoliceStage,
    PrecautionaryMeasure,
    ProtectiveOrder,
)
from waypoint.safety.services.processes import NON_FIELD, ProcessError, process_save
from waypoint.safety.tests.processes_support import *  # noqa: F403  (fixtures)
from waypoint.safety.tests.processes_support import (
    MARKER,
    REFUSED_PERSONAS,
    civil_make,
    conduct_make,
    missing_id,
    order_make,
    police_make,
    precaution_make,
    template_names,
)

pytestmark = pytest.mark.django_db

SignIn = Callable[[User], Client]


def _save_url(case: Case, kind: str) -> str:
    return reverse("safety:process_save", args=[case.pk, kind])


def _entries(case: Case) -> list[TimelineEntry]:
    return list(TimelineEntry.objects.filter(case=case, kind=EntryKind.PROCESS))


def _raw(table: str, column: str, pk: uuid.UUID) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk.hex])  # noqa: S608
        row = cursor.fetchone()
    return bytes(row[0]) if row and row[0] is not None else b""


def _iso(days: int = 0) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


POLICE_FORM = {
    "reported_on": _iso(-10),
    "crime_reference": f"CR-{MARKER}",
    "officer": f"DC {MARKER}",
    "stage": PoliceStage.INVESTIGATING,
    "bail_conditions": f"Not to enter the campus {MARKER}",
    "bail_until": _iso(20),
    "outcome": "",
}
ORDER_FORM = {
    "kind": OrderKind.SPO_FULL,
    "made_on": _iso(-3),
    "expires_on": _iso(200),
    "conditions": f"No contact {MARKER}",
}
CONDUCT_FORM = {
    "reference": f"SC-{MARKER}",
    "stage": ConductStage.INVESTIGATION,
    "paused_on": "",
    "pause_reason": "",
    "hearing_on": "",
    "outcome": "",
    "appeal": "",
    "reporting_student_adviser": "",
    "responding_student_adviser": f"Union adviser {MARKER}",
}
PRECAUTION_FORM = {
    "description": f"No entry to the library after 6pm {MARKER}",
    "reason": f"Both study there {MARKER}",
    "imposed_on": _iso(-1),
    "review_on": _iso(27),
    "ended_on": "",
}
CIVIL_FORM = {"kind": CivilKind.PHA_INJUNCTION, "status": "advice", "notes": f"Firm {MARKER}"}


# --- The page ---------------------------------------------------------------------------------


def test_the_processes_page_shows_every_section_with_its_forms(
    open_case: OpenCase, adviser: User, sign_in: SignIn
) -> None:
    case = open_case(assign=[adviser])
    conduct = conduct_make(case)
    precaution_make(conduct, review_on=timezone.localdate())
    police_make(case)
    order_make(case, expires_on=datetime.date(2026, 12, 4))
    civil_make(case)
    client = sign_in(adviser)

    response = client.get(reverse("safety:processes", args=[case.pk]))

    assert response.status_code == 200
    body = response.content.decode()
    for heading in ("Police", "Protective orders", "Student conduct process", "Civil routes"):
        assert f">{heading}</h2>" in body
    assert "4 December 2026" in body
    assert f"CR-{MARKER}" in body  # sealed text is opened for those allowed
    assert "Taking legal advice" in body
    for button in (
        "Record police report",
        "Record order",
        "Record conduct process",
        "Record measure",
        "Record civil route",
        "Save police report",
    ):
        assert button in body
    event = AuditEvent.objects.get(action="process.list")
    assert event.extra == {"case_id": str(case.pk), "count": 5}


# --- Police -----------------------------------------------------------------------------------


def test_an_adviser_records_and_updates_a_police_report(
    open_case: OpenCase, adviser: User, sign_in: SignIn
) -> None:
    case = open_case(assign=[adviser])
    client = sign_in(adviser)

    response = client.post(_save_url(case, "police"), POLICE_FORM)

    assert response.status_code == 302
    assert response["Location"].endswith("#police")
    police = PoliceProcess.objects.get()
    assert police.case == case
    assert police.crime_reference == f"CR-{MARKER}"
    assert police.stage == PoliceStage.INVESTIGATING
    assert MARKER.encode() not in _raw("safety_policeprocess", "crime_reference", police.pk)
    assert MARKER.encode() not in _raw("safety_policeprocess", "bail_conditions", police.pk)

    client.post(
        _save_url(case, "police"),
        {**POLICE_FORM, "id": str(police.pk), "stage": PoliceStage.CHARGED},
    )

    police.refresh_from_db()
    assert police.stage == PoliceStage.CHARGED
    assert PoliceProcess.objects.count() == 1
    created, updated = _entries(case)
    assert created.detail == {
        "kind": "police",
        "stage": PoliceStage.INVESTIGATING,
        "event": "created",
        "id": str(police.pk),
    }
    assert updated.detail["stage"] == PoliceStage.CHARGED
    assert updated.detail["event"] == "updated"
    event = AuditEvent.objects.get(action="process.updated")
    assert event.extra["changed"] == ["stage"]
    assert MARKER not in str(event.extra)


def test_bail_until_a_date_needs_the_conditions(open_case: OpenCase, adviser: User) -> None:
    case = open_case(assign=[adviser])

    with pytest.raises(ProcessError) as refused:
        process_save(
            case=case,
            actor=adviser,
            kind="police",
            values={"bail_until": timezone.localdate(), "bail_conditions": ""},
        )

    assert "bail_conditions" in refused.value.errors
    assert not PoliceProcess.objects.exists()


def test_a_save_that_changes_nothing_is_refused(open_case: OpenCase, adviser: User) -> None:
    case = open_case(assign=[adviser])
    civil = civil_make(case, status="advice")

    with pytest.raises(ProcessError) as refused:
        process_save(
            case=case,
            actor=adviser,
            kind="civil",
            row=civil,
            values={"kind": civil.kind, "status": "advice", "notes": civil.notes},
        )

    assert NON_FIELD in refused.value.errors
    assert _entries(case) == []


# --- Protective orders ------------------------------------------------------------------------


def test_an_adviser_records_a_protective_order(
    open_case: OpenCase, adviser: User, sign_in: SignIn
) -> None:
    case = open_case(assign=[adviser])
    client = sign_in(adviser)

    response = client.post(_save_url(case, "order"), ORDER_FORM)

    assert response.status_code == 302
    order = ProtectiveOrder.objects.get()
    assert order.kind == OrderKind.SPO_FULL
    assert order.expires_on == timezone.localdate() + datetime.timedelta(days=200)
    assert order.conditions == f"No contact {MARKER}"
    assert MARKER.encode() not in _raw("safety_protectiveorder", "conditions", order.pk)
    [entry] = _entries(case)
    assert entry.detail["kind"] == "order"
    assert entry.detail["stage"] == OrderKind.SPO_FULL


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"kind": ""}, "kind"),
        ({"made_on": timezone.localdate() + datetime.timedelta(days=1)}, "made_on"),
        (
            {
                "made_on": timezone.localdate(),
                "expires_on": timezone.localdate() - datetime.timedelta(days=1),
            },
            "expires_on",
        ),
    ],
)
def test_an_order_needs_a_kind_and_sensible_dates(
    open_case: OpenCase, adviser: User, values: dict[str, Any], field: str
) -> None:
    case = open_case(assign=[adviser])

    with pytest.raises(ProcessError) as refused:
        process_save(
            case=case, actor=adviser, kind="order", values={"kind": OrderKind.RESTRAINING, **values}
        )

    assert field in refused.value.errors
    assert not ProtectiveOrder.objects.exists()


def test_changing_an_orders_expiry_date_sets_its_reminder_going_again(
    open_case: OpenCase, adviser: User
) -> None:
    case = open_case(assign=[adviser])
    order = order_make(case, expires_on=datetime.date(2026, 12, 4))
    ProtectiveOrder.objects.filter(pk=order.pk).update(expiry_reminded_at=timezone.now())
    order.refresh_from_db()
    values = {"kind": order.kind, "made_on": order.made_on, "conditions": order.conditions}

    process_save(
        case=case,
        actor=adviser,
        kind="order",
        row=order,
        values={**values, "expires_on": datetime.date(2026, 12, 4), "conditions": "Changed"},
    )
    order.refresh_from_db()
    assert order.expiry_reminded_at is not None  # same date: the reminder stands

    process_save(
        case=case,
        actor=adviser,
        kind="order",
        row=order,
        values={**values, "expires_on": datetime.date(2027, 6, 4)},
    )
    order.refresh_from_db()
    reset = AuditEvent.objects.filter(action="process.updated").order_by("seq").last()
    assert reset is not None
    assert reset.extra["reminder_reset"] is True
    assert order.expiry_reminded_at is None


# --- The student conduct process --------------------------------------------------------------


def test_an_adviser_records_a_conduct_process_with_both_students_advisers(
    open_case: OpenCase, adviser: User, sign_in: SignIn
) -> None:
    case = open_case(assign=[adviser])
    client = sign_in(adviser)

    response = client.post(
        _save_url(case, "conduct"),
        {**CONDUCT_FORM, "reporting_student_adviser": str(adviser.pk)},
    )

    assert response.status_code == 302
    conduct = ConductProcess.objects.get()
    assert conduct.reporting_student_adviser == adviser
    assert conduct.responding_student_adviser == f"Union adviser {MARKER}"
    assert MARKER.encode() not in _raw(
        "safety_conductprocess", "responding_student_adviser", conduct.pk
    )
    assert conduct.stage == ConductStage.INVESTIGATION


def test_pausing_the_conduct_process_for_a_criminal_case_needs_a_date_and_a_reason(
    open_case: OpenCase, adviser: User, sign_in: SignIn
) -> None:
    case = open_case(assign=[adviser])
    conduct = conduct_make(case)
    client = sign_in(adviser)
    paused = {**CONDUCT_FORM, "id": str(conduct.pk), "stage": ConductStage.PAUSED}

    refused = client.post(_save_url(case, "conduct"), paused)

    assert refused.status_code == 400
    body = refused.content.decode()
    assert f'href="#conduct-{conduct.pk}-paused_on"' in body
    assert f'href="#conduct-{conduct.pk}-pause_reason"' in body
    conduct.refresh_from_db()
    assert conduct.stage == ConductStage.INVESTIGATION

    accepted = client.post(
        _save_url(case, "conduct"),
        {**paused, "paused_on": _iso(-1), "pause_reason": f"Police investigating {MARKER}"},
    )

    assert accepted.status_code == 302
    conduct.refresh_from_db()
    assert conduct.stage == ConductStage.PAUSED
    assert conduct.paused_on == timezone.localdate() - datetime.timedelta(days=1)
    assert conduct.pause_reason == f"Police investigating {MARKER}"
    assert _entries(case)[-1].detail["stage"] == ConductStage.PAUSED


def test_the_reporting_students_adviser_must_be_able_to_see_the_case(
    open_case: OpenCase, adviser: User, other_adviser: User
) -> None:
    case = open_case(assign=[adviser])

    with pytest.raises(ProcessError) as refused:
        process_save(
            case=case,
            actor=adviser,
            kind="conduct",
            values={"stage": ConductStage.HEARING, "reporting_student_adviser": other_adviser},
        )

    assert "reporting_student_adviser" in refused.value.errors
    assert not ConductProcess.objects.exists()


def test_an_adviser_not_on_the_case_is_not_offered_and_cannot_be_posted(
    open_case: OpenCase, adviser: User, other_adviser: User, sign_in: SignIn
) -> None:
    case = open_case(assign=[adviser])
    conflicted = open_case(assign=[adviser])
    CaseConflict.objects.create(case=conflicted, user=adviser, source="declared")
    client = sign_in(adviser)

    page = client.get(reverse("safety:processes", args=[case.pk])).content.decode()
    response = client.post(
        _save_url(case, "conduct"),
        {**CONDUCT_FORM, "reporting_student_adviser": str(other_adviser.pk)},
    )

    assert str(other_adviser.pk) not in page
    assert str(adviser.pk) in page
    assert response.status_code == 400
    assert not ConductProcess.objects.exists()


# --- Precautionary measures -------------------------------------------------------------------


def test_an_adviser_records_and_reviews_a_precautionary_measure(
    open_case: OpenCase, adviser: User, sign_in: SignIn
) -> None:
    case = open_case(assign=[adviser])
    conduct = conduct_make(case)
    client = sign_in(adviser)

    response = client.post(
        _save_url(case, "precaution"), {**PRECAUTION_FORM, "process": str(conduct.pk)}
    )

    assert response.status_code == 302
    measure = PrecautionaryMeasure.objects.get()
    assert measure.process == conduct
    assert measure.description == f"No entry to the library after 6pm {MARKER}"
    assert MARKER.encode() not in _raw("safety_precautionarymeasure", "reason", measure.pk)
    PrecautionaryMeasure.objects.filter(pk=measure.pk).update(review_notified_at=timezone.now())

    client.post(
        _save_url(case, "precaution"),
        {**PRECAUTION_FORM, "id": str(measure.pk), "review_on": _iso(40), "ended_on": _iso()},
    )

    measure.refresh_from_db()
    assert measure.review_on == timezone.localdate() + datetime.timedelta(days=40)
    assert measure.ended_on == timezone.localdate()
    assert measure.review_notified_at is None
    assert [e.detail["stage"] for e in _entries(case)] == ["in_place", "ended"]


def test_a_precautionary_measure_needs_a_reason_and_a_start(
    open_case: OpenCase, adviser: User
) -> None:
    case = open_case(assign=[adviser])
    conduct = conduct_make(case)

    with pytest.raises(ProcessError) as refused:
        process_save(
            case=case,
            actor=adviser,
            kind="precaution",
            conduct=conduct,
            values={"description": "No entry", "reason": "", "imposed_on": None},
        )

    assert set(refused.value.errors) >= {"reason", "imposed_on"}
    assert not PrecautionaryMeasure.objects.exists()


def test_a_precautionary_measure_cannot_hang_off_another_cases_conduct_process(
    open_case: OpenCase, adviser: User, other_adviser: User, sign_in: SignIn
) -> None:
    case = open_case(assign=[adviser])
    foreign = conduct_make(open_case(assign=[other_adviser]))
    client = sign_in(adviser)

    for_foreign = client.post(
        _save_url(case, "precaution"), {**PRECAUTION_FORM, "process": str(foreign.pk)}
    )
    for_missing = client.post(
        _save_url(case, "precaution"), {**PRECAUTION_FORM, "process": missing_id()}
    )
    for_nothing = client.post(_save_url(case, "precaution"), PRECAUTION_FORM)

    assert for_foreign.status_code == for_missing.status_code == for_nothing.status_code == 404
    assert template_names(for_foreign) == template_names(for_missing)
    assert not PrecautionaryMeasure.objects.exists()
    with pytest.raises(Http404):
        process_save(
            case=case,
            actor=adviser,
            kind="precaution",
            conduct=foreign,
            values={"description": "x", "reason": "y", "imposed_on": timezone.localdate()},
        )


# --- Civil routes -----------------------------------------------------------------------------


def test_an_adviser_records_a_civil_route_with_a_fixed_status(
    open_case: OpenCase, adviser: User, sign_in: SignIn
) -> None:
    case = open_case(assign=[adviser])
    client = sign_in(adviser)

    response = client.post(_save_url(case, "civil"), CIVIL_FORM)
    typed = client.post(_save_url(case, "civil"), {**CIVIL_FORM, "status": f"free {MARKER}"})

    assert response.status_code == 302
    assert typed.status_code == 400  # the status column is clear: never typed words
    civil = CivilRoute.objects.get()
    assert civil.status == "advice"
    assert civil.notes == f"Firm {MARKER}"
    assert _entries(case)[0].detail == {
        "kind": "civil",
        "stage": "advice",
        "event": "created",
        "id": str(civil.pk),
    }


def test_no_process_detail_ever_holds_typed_words(
    open_case: OpenCase, adviser: User, sign_in: SignIn
) -> None:
    case = open_case(assign=[adviser])
    conduct = conduct_make(case)
    client = sign_in(adviser)

    for kind, form in (
        ("police", POLICE_FORM),
        ("order", ORDER_FORM),
        ("conduct", CONDUCT_FORM),
        ("precaution", {**PRECAUTION_FORM, "process": str(conduct.pk)}),
        ("civil", CIVIL_FORM),
    ):
        assert client.post(_save_url(case, kind), form).status_code == 302, kind

    entries = _entries(case)
    assert len(entries) == 5
    assert all(entry.text is None for entry in entries)
    assert MARKER not in str([entry.detail for entry in entries])
    events = AuditEvent.objects.filter(action="process.created")
    assert events.count() == 5
    assert MARKER not in str([event.extra for event in events])


# --- IDOR: records of another case ------------------------------------------------------------


def _foreign_rows(case: Case) -> dict[str, Any]:
    conduct = conduct_make(case)
    return {
        "police": police_make(case),
        "order": order_make(case, expires_on=datetime.date(2026, 12, 4)),
        "conduct": conduct,
        "precaution": precaution_make(conduct),
        "civil": civil_make(case),
    }


FORMS = {
    "police": POLICE_FORM,
    "order": ORDER_FORM,
    "conduct": CONDUCT_FORM,
    "precaution": PRECAUTION_FORM,
    "civil": CIVIL_FORM,
}


def _snapshot() -> list[Any]:
    return [
        sorted(PoliceProcess.objects.values_list("id", "stage", "updated_at")),
        sorted(ProtectiveOrder.objects.values_list("id", "kind", "expires_on")),
        sorted(ConductProcess.objects.values_list("id", "stage", "updated_at")),
        sorted(PrecautionaryMeasure.objects.values_list("id", "review_on", "imposed_on")),
        sorted(CivilRoute.objects.values_list("id", "status", "updated_at")),
        TimelineEntry.objects.filter(kind=EntryKind.PROCESS).count(),
    ]


@pytest.mark.parametrize("kind", list(FORMS))
def test_an_id_from_another_case_is_a_404_and_changes_nothing(
    open_case: OpenCase, adviser: User, other_adviser: User, sign_in: SignIn, kind: str
) -> None:
    case = open_case(assign=[adviser])
    foreign = _foreign_rows(open_case(assign=[other_adviser]))
    own_conduct = conduct_make(case)
    client = sign_in(adviser)
    before = _snapshot()
    data = {**FORMS[kind], "process": str(own_conduct.pk)}

    for_foreign = client.post(_save_url(case, kind), {**data, "id": str(foreign[kind].pk)})
    for_missing = client.post(_save_url(case, kind), {**data, "id": missing_id()})
    malformed = client.post(_save_url(case, kind), {**data, "id": "1 OR 1=1"})

    assert for_foreign.status_code == for_missing.status_code == malformed.status_code == 404
    assert template_names(for_foreign) == template_names(for_missing)
    assert _snapshot() == before


def test_a_row_of_another_kind_is_a_404(
    open_case: OpenCase, adviser: User, sign_in: SignIn
) -> None:
    case = open_case(assign=[adviser])
    police = police_make(case)
    client = sign_in(adviser)

    response = client.post(_save_url(case, "order"), {**ORDER_FORM, "id": str(police.pk)})

    assert response.status_code == 404
    assert not ProtectiveOrder.objects.exists()


def test_an_unknown_kind_is_a_404(open_case: OpenCase, adviser: User, sign_in: SignIn) -> None:
    case = open_case(assign=[adviser])
    client = sign_in(adviser)

    assert client.post(_save_url(case, "sample"), POLICE_FORM).status_code == 404
    assert client.get(_save_url(case, "police")).status_code == 405


def test_the_service_refuses_a_row_of_another_case(
    open_case: OpenCase, adviser: User, other_adviser: User
) -> None:
    case = open_case(assign=[adviser])
    foreign = order_make(open_case(assign=[other_adviser]), expires_on=datetime.date(2026, 12, 4))

    with pytest.raises(Http404):
        process_save(
            case=case,
            actor=adviser,
            kind="order",
            row=foreign,
            values={"kind": OrderKind.RESTRAINING},
        )

    foreign.refresh_from_db()
    assert foreign.kind == OrderKind.SPO_INTERIM


@pytest.mark.parametrize("persona", REFUSED_PERSONAS)
def test_a_person_who_may_not_see_the_case_gets_what_a_missing_case_gets(
    request: pytest.FixtureRequest,
    open_case: OpenCase,
    other_adviser: User,
    sign_in: SignIn,
    persona: str,
) -> None:
    user: User = request.getfixturevalue(persona)
    case = open_case(assign=[other_adviser])
    rows = _foreign_rows(case)
    client = sign_in(user)
    before = _snapshot()
    missing = missing_id()

    real_page = client.get(reverse("safety:processes", args=[case.pk]))
    missing_page = client.get(reverse("safety:processes", args=[missing]))
    assert real_page.status_code == missing_page.status_code
    assert real_page.status_code in (403, 404)
    assert template_names(real_page) == template_names(missing_page)
    for kind, form in FORMS.items():
        data = {**form, "id": str(rows[kind].pk), "process": str(rows["conduct"].pk)}
        for_real = client.post(reverse("safety:process_save", args=[case.pk, kind]), data)
        for_missing = client.post(reverse("safety:process_save", args=[missing, kind]), data)
        assert for_real.status_code == for_missing.status_code, kind
        assert for_real.status_code in (403, 404)
        assert template_names(for_real) == template_names(for_missing)

    assert _snapshot() == before
    assert not AuditEvent.objects.filter(action__startswith="process.").exists()


# --- Query counts -----------------------------------------------------------------------------


# Since the case frame (ADR 0031): also the identity bar and sub navigation (clock, holidays,
# assignees, latest risk band, the claim and section policy checks) and the recorded opening
# of the case (case.view audit entry and CaseOpening), and the staff header's own queries.
PROCESS_PAGE_QUERIES = 40


@pytest.mark.parametrize("copies", [1, 3])
def test_the_processes_page_takes_the_same_number_of_queries_however_much_is_recorded(
    open_case: OpenCase,
    adviser: User,
    sign_in: SignIn,
    django_assert_num_queries: Any,
    copies: int,
) -> None:
    case = open_case(assign=[adviser])
    for n in range(copies):
        conduct = conduct_make(case, reporting_student_adviser=adviser)
        for _ in range(copies):
            precaution_make(conduct, review_on=datetime.date(2026, 12, 4))
        police_make(case)
        order_make(case, expires_on=datetime.date(2026, 12, 4) + datetime.timedelta(days=n))
        civil_make(case)
    client = sign_in(adviser)
    url = reverse("safety:processes", args=[case.pk])

    with django_assert_num_queries(PROCESS_PAGE_QUERIES):
        response = client.get(url)

    assert response.status_code == 200
