"""However malformed a request, the answer is Waypoint's own page with every header.

Found from outside (issue 13, item 2): a form posted with a non-UTF-8 charset and a valid
CSRF cookie answered 500 with Django's bare fallback page, without the security headers:
Django's error views read `request.POST` again inside the handler and failed there.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.test_error_pages import assert_generic, assert_offers_a_way_out
from waypoint.institution.demo import institution_load_demo

pytestmark = pytest.mark.django_db

CHARSETS = ["latin-1", "iso-8859-1", "cp1252", "ascii", "utf-16", "utf8"]


def assert_waypoints_own_page(response, status: int) -> None:
    assert response.status_code == status
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert "no-store" in response.headers["Cache-Control"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    body = response.content.decode()
    assert_generic(body)
    assert_offers_a_way_out(body)


@pytest.mark.parametrize("charset", CHARSETS)
@pytest.mark.parametrize("url", ["/report/", "/check/", "/my-report/", "/accounts/login/"])
def test_a_form_posted_in_another_charset_gets_our_400_page(charset: str, url: str) -> None:
    institution_load_demo()
    client = Client(enforce_csrf_checks=True, headers={"Sec-Fetch-Site": "same-origin"})
    client.raise_request_exception = False
    # A valid token and cookie, as a browser that loaded the form has them.
    form = client.get("/report/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert token is not None
    body = f"csrfmiddlewaretoken={token.group(1)}&route=anonymous".encode()

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
