"""However malformed a request, the answer is Waypoint's own page with every header.

Found from outside (issue 13, item 2): a form posted with a non-UTF-8 charset and a valid
CSRF cookie answered 500 with Django's bare fallback page, without the security headers:
Django's error views read `request.POST` again inside the handler and failed there.

A body too big to take gets Waypoint's 413 page: a form body over
DATA_UPLOAD_MAX_MEMORY_SIZE once Django refuses it, and a request announcing more than
the cap (error_views.request_size_cap) before a byte of its body is read.
"""

from __future__ import annotations

import re
import socket
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from tests.test_error_pages import (
    assert_every_security_header,
    assert_generic,
    assert_offers_a_way_out,
)
from waypoint.common.error_views import MiB, RequestTooLargeMiddleware, request_size_cap
from waypoint.institution.demo import institution_load_demo

pytestmark = pytest.mark.django_db

CHARSETS = ["latin-1", "iso-8859-1", "cp1252", "ascii", "utf-16", "utf8"]
FORMS = ["/report/", "/check/", "/my-report/", "/accounts/login/"]


def browser_with_a_form_open() -> tuple[Client, str]:
    """A client with a valid CSRF token and cookie, as a browser that loaded a form has."""
    client = Client(enforce_csrf_checks=True, headers={"Sec-Fetch-Site": "same-origin"})
    client.raise_request_exception = False
    form = client.get("/report/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert token is not None
    return client, token.group(1)


class UnreadBody:
    """A request body that records any attempt to read it (wsgi.input)."""

    def __init__(self) -> None:
        self.reads: list[str] = []

    def read(self, size: int = -1) -> bytes:
        self.reads.append(f"read({size})")
        return b""

    def readline(self, size: int = -1) -> bytes:
        self.reads.append(f"readline({size})")
        return b""


def announcing(length: str, body: UnreadBody) -> dict[str, Any]:
    """WSGI environ that claims `length` bytes of body and hands over `body` as the input."""
    return {"CONTENT_LENGTH": length, "wsgi.input": body}


def assert_waypoints_own_page(response: Any, status: int) -> None:
    assert response.status_code == status
    assert_every_security_header(response)
    body = response.content.decode()
    assert_generic(body)
    assert_offers_a_way_out(body)


@pytest.mark.parametrize("charset", CHARSETS)
@pytest.mark.parametrize("url", FORMS)
def test_a_form_posted_in_another_charset_gets_our_400_page(charset: str, url: str) -> None:
    institution_load_demo()
    client, token = browser_with_a_form_open()
    body = f"csrfmiddlewaretoken={token}&route=anonymous".encode()

    response = client.generic(
        "POST", url, body, content_type=f"application/x-www-form-urlencoded; charset={charset}"
    )

    assert_waypoints_own_page(response, 400)


def test_a_broken_multipart_body_gets_our_400_page() -> None:
    institution_load_demo()
    client = Client()
    client.raise_request_exception = False
    response = client.generic(
        "POST", "/report/", b"--x\r\nnot a part", content_type="multipart/form-data; boundary=x"
    )
    assert response.status_code in (400, 403)
    assert_waypoints_own_page(response, response.status_code)


def test_a_method_the_page_does_not_take_gets_our_405_page() -> None:
    institution_load_demo()
    response = Client().get("/report/submit/")
    assert_waypoints_own_page(response, 405)
    assert response.headers["Allow"] == "POST"


@pytest.mark.parametrize("url", FORMS)
def test_a_form_body_over_the_form_limit_gets_our_413_page(url: str, settings: Settings) -> None:
    institution_load_demo()
    client, token = browser_with_a_form_open()
    # A real browser's post, CSRF token first, with a field past DATA_UPLOAD_MAX_MEMORY_SIZE.
    note = "a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    body = f"csrfmiddlewaretoken={token}&route=anonymous&note={note}".encode()
    assert len(body) < request_size_cap()  # Django's own limit refuses this one

    response = client.generic("POST", url, body, content_type="application/x-www-form-urlencoded")

    assert_waypoints_own_page(response, 413)
    assert "nothing from this attempt was saved" in response.content.decode()


@pytest.mark.parametrize("method", ["POST", "PUT", "GET"])
def test_a_body_announced_over_the_cap_gets_our_413_page_without_being_read(
    method: str,
) -> None:
    institution_load_demo()
    client, _ = browser_with_a_form_open()
    body = UnreadBody()

    response = client.generic(
        method,
        "/report/",
        content_type="multipart/form-data; boundary=x",
        **announcing(str(request_size_cap() + 1), body),
    )

    assert_waypoints_own_page(response, 413)
    assert body.reads == []


def test_an_upload_of_the_most_files_a_person_can_pick_is_still_read_for_the_form(
    rf: RequestFactory, settings: Settings
) -> None:
    # Ten files of 25 MB are over the 100 MB a report holds, but each is allowed: the
    # upload form says in place which were too much (reporting/uploads.py). Only a body
    # bigger than any such choice gets the 413 page straight away.
    settings.WAYPOINT_UPLOAD_MAX_FILE_BYTES = 25 * MiB
    settings.WAYPOINT_UPLOAD_MAX_FILES = 10
    settings.WAYPOINT_UPLOAD_MAX_REPORT_BYTES = 100 * MiB
    middleware = RequestTooLargeMiddleware(lambda request: HttpResponse("the form"))
    most = 10 * 25 * MiB + MiB

    within = middleware(rf.post("/report/", CONTENT_LENGTH=str(most)))
    over = middleware(rf.post("/report/", CONTENT_LENGTH=str(most + 1)))

    assert (within.status_code, within.content) == (200, b"the form")
    assert over.status_code == 413


@pytest.mark.parametrize("length", ["abc", "-1", "+5", " 5", "5_0", "1e9", "0x10"])
def test_a_nonsense_content_length_gets_our_400_page_without_the_body_being_read(
    length: str,
) -> None:
    institution_load_demo()
    client, _ = browser_with_a_form_open()
    body = UnreadBody()

    response = client.generic(
        "POST",
        "/report/",
        content_type="application/x-www-form-urlencoded",
        **announcing(length, body),
    )

    assert_waypoints_own_page(response, 400)
    assert body.reads == []


def test_a_huge_upload_is_refused_over_a_real_connection_before_its_body_is_sent(
    live_server: LiveServer,
) -> None:
    # Only the headers go out: if anything waited for the body, no answer would come.
    address = urlsplit(live_server.url)
    assert address.hostname is not None and address.port is not None
    announced = request_size_cap() + 1
    with socket.create_connection((address.hostname, address.port), timeout=10) as conn:
        conn.sendall(
            (
                f"POST /report/ HTTP/1.1\r\nHost: {address.netloc}\r\n"
                "Content-Type: multipart/form-data; boundary=x\r\n"
                f"Content-Length: {announced}\r\n\r\n"
            ).encode()
        )
        received = b""
        while b"</html>" not in received:
            chunk = conn.recv(65536)
            if not chunk:
                break
            received += chunk
    head, _, page = received.decode().partition("\r\n\r\n")
    assert head.startswith("HTTP/1.1 413")
    headers = head.lower()
    assert "content-security-policy: default-src 'none'" in headers
    assert "cache-control: no-store" in headers
    assert "x-content-type-options: nosniff" in headers
    assert "referrer-policy: no-referrer" in headers
    assert_generic(page)
    assert_offers_a_way_out(page)
