"""The returning reporter's session, through the real session middleware and cookies.

The throwaway views below (this module is also the URLconf, via pytest.mark.urls) call
reporter_session the way the reporter views do.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from importlib import import_module

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.test import Client, RequestFactory
from django.urls import path

from waypoint.reporting import reporter_session
from waypoint.reporting.models import Report

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
REPORT_ID = uuid.UUID("6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b")
OTHER_REPORT_ID = uuid.UUID("0a9b8c7d-6e5f-4a3b-9c1d-2e3f4a5b6c7d")


@login_not_required
def visit(request: HttpRequest) -> HttpResponse:
    """Any page that puts something in the session (a draft, say) before sign-in."""
    request.session["waypoint.test.draft"] = "draft"
    return JsonResponse({})


@login_not_required
def sign_in(request: HttpRequest, report_id: uuid.UUID) -> HttpResponse:
    reporter_session.sign_in(request, Report(id=report_id))
    return JsonResponse({})


@login_not_required
def whoami(request: HttpRequest) -> HttpResponse:
    report_id = reporter_session.current_report_id(request)
    reason = reporter_session.expired_reason(request)
    return JsonResponse(
        {
            "report": str(report_id) if report_id else None,
            "expired": reason,
            "message": reporter_session.expired_message(reason) if reason else None,
        }
    )


@login_not_required
def sign_out(request: HttpRequest) -> HttpResponse:
    reporter_session.sign_out(request)
    return JsonResponse({})


@login_not_required
def submitted(request: HttpRequest, report_id: uuid.UUID) -> HttpResponse:
    reporter_session.mark_just_submitted(request, report_id)
    return JsonResponse({})


@login_not_required
def receipt(request: HttpRequest) -> HttpResponse:
    report_id = reporter_session.just_submitted_report_id(request)
    return JsonResponse({"report": str(report_id) if report_id else None})


@login_not_required
def receipt_done(request: HttpRequest) -> HttpResponse:
    reporter_session.clear_just_submitted(request)
    return JsonResponse({})


urlpatterns = [
    path("visit/", visit),
    path("sign-in/<uuid:report_id>/", sign_in),
    path("whoami/", whoami),
    path("sign-out/", sign_out),
    path("submitted/<uuid:report_id>/", submitted),
    path("receipt/", receipt),
    path("receipt/done/", receipt_done),
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@pytest.fixture
def traveller() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(START, tick=False) as coordinates:
        yield coordinates


def store(session_key: str | None) -> SessionBase:
    engine = import_module(settings.SESSION_ENGINE)
    return engine.SessionStore(session_key=session_key)  # type: ignore[no-any-return]


def session_key(client: Client) -> str | None:
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    return cookie.value if cookie and cookie.value else None


def whoami_of(client: Client) -> dict[str, str | None]:
    response = client.get("/whoami/")
    assert response.status_code == 200
    data: dict[str, str | None] = response.json()
    return data


# --- Signing in and out --------------------------------------------------------------------------


def test_signing_in_gives_a_new_session_key_and_the_old_one_stops_working(
    client: Client, traveller
) -> None:
    client.get("/visit/")
    before = session_key(client)
    assert before is not None and store(before).exists(before)

    client.get(f"/sign-in/{REPORT_ID}/")
    after = session_key(client)
    assert after is not None and after != before
    assert not store(before).exists(before)
    assert whoami_of(client)["report"] == str(REPORT_ID)

    # Someone still holding the old cookie is not signed in.
    planted = Client()
    planted.cookies[settings.SESSION_COOKIE_NAME] = before
    assert whoami_of(planted)["report"] is None


def test_the_session_holds_only_the_report_id_and_two_clocks(client: Client, traveller) -> None:
    client.get(f"/sign-in/{REPORT_ID}/")
    data = store(session_key(client)).load()
    assert data == {
        reporter_session.REPORT_ID: str(REPORT_ID),
        reporter_session.STARTED_AT: int(START.timestamp()),
        reporter_session.SEEN_AT: int(START.timestamp()),
    }
    # Anonymous: the staff login never sees a user here.
    assert "_auth_user_id" not in data


def test_signing_out_deletes_the_session_on_the_server(client: Client, traveller) -> None:
    client.get(f"/sign-in/{REPORT_ID}/")
    key = session_key(client)
    assert key is not None
    client.get("/sign-out/")
    assert not store(key).exists(key)
    assert session_key(client) is None  # the cookie is deleted too
    assert whoami_of(client) == {"report": None, "expired": None, "message": None}


def test_signing_in_again_for_another_report_replaces_the_first(client: Client, traveller) -> None:
    client.get(f"/sign-in/{REPORT_ID}/")
    client.get(f"/sign-in/{OTHER_REPORT_ID}/")
    assert whoami_of(client)["report"] == str(OTHER_REPORT_ID)


# --- Idle expiry ----------------------------------------------------------------------------------


def test_thirty_minutes_without_activity_signs_the_reporter_out_and_says_why(
    client: Client, traveller
) -> None:
    assert settings.WAYPOINT_REPORTER_IDLE_SECONDS == 30 * 60
    client.get(f"/sign-in/{REPORT_ID}/")
    key = session_key(client)
    assert key is not None

    traveller.shift(dt.timedelta(minutes=29, seconds=59))
    assert whoami_of(client)["report"] == str(REPORT_ID)

    traveller.shift(dt.timedelta(minutes=30))
    expired = whoami_of(client)
    assert expired["report"] is None
    assert expired["expired"] == "idle"
    assert expired["message"] is not None
    assert "signed out after 30 minutes without activity" in expired["message"]
    assert not store(key).exists(key)

    # Said once: the next page is simply signed out.
    assert whoami_of(client) == {"report": None, "expired": None, "message": None}


def test_activity_keeps_the_session_going(client: Client, traveller) -> None:
    client.get(f"/sign-in/{REPORT_ID}/")
    for _ in range(4):
        traveller.shift(dt.timedelta(minutes=25))
        assert whoami_of(client)["report"] == str(REPORT_ID)


def test_last_seen_is_written_at_most_once_a_minute(client: Client, traveller) -> None:
    client.get(f"/sign-in/{REPORT_ID}/")
    key = session_key(client)
    start = int(START.timestamp())

    traveller.shift(dt.timedelta(seconds=59))
    whoami_of(client)
    assert store(key).load()[reporter_session.SEEN_AT] == start

    traveller.shift(dt.timedelta(seconds=1))
    whoami_of(client)
    assert store(key).load()[reporter_session.SEEN_AT] == start + 60
    assert store(key).load()[reporter_session.STARTED_AT] == start


def session_request() -> HttpRequest:
    request = RequestFactory().get("/")
    SessionMiddleware(lambda _: HttpResponse()).process_request(request)
    return request


def test_a_session_not_made_by_sign_in_is_ended_rather_than_trusted(traveller) -> None:
    now = int(START.timestamp())
    for report_id, seen in (
        ("not-a-uuid", now),
        (str(REPORT_ID), "yesterday"),
        (str(REPORT_ID), None),
    ):
        request = session_request()
        request.session["waypoint.test.other"] = "kept until now"
        request.session[reporter_session.REPORT_ID] = report_id
        if seen is not None:
            request.session[reporter_session.SEEN_AT] = seen
        assert reporter_session.current_report_id(request) is None
        assert dict(request.session.items()) == {}
        assert reporter_session.expired_reason(request) is None


def test_a_fresh_visitor_has_no_reporter_session(traveller) -> None:
    request = session_request()
    assert reporter_session.current_report_id(request) is None
    assert not request.session.modified


# --- "This browser just submitted" ----------------------------------------------------------------


def test_the_submitting_browser_may_open_its_receipt_for_a_short_while(
    client: Client, traveller
) -> None:
    client.get("/visit/")
    before = session_key(client)
    client.get(f"/submitted/{REPORT_ID}/")
    assert session_key(client) != before  # a new right, a new key
    assert client.get("/receipt/").json() == {"report": str(REPORT_ID)}
    assert Client().get("/receipt/").json() == {"report": None}  # another browser

    traveller.shift(dt.timedelta(seconds=reporter_session.JUST_SUBMITTED_SECONDS - 1))
    assert client.get("/receipt/").json() == {"report": str(REPORT_ID)}
    traveller.shift(dt.timedelta(seconds=1))
    assert client.get("/receipt/").json() == {"report": None}
    assert reporter_session.JUST_SUBMITTED not in store(session_key(client)).load()


def test_clearing_the_marker_closes_the_receipt(client: Client, traveller) -> None:
    client.get(f"/submitted/{REPORT_ID}/")
    client.get("/receipt/done/")
    assert client.get("/receipt/").json() == {"report": None}
    # Being signed in as a reporter is a different thing from having just submitted.
    assert whoami_of(client)["report"] is None
