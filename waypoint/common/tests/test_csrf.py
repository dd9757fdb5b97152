import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def csrf_client():
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/")
    return client


def _post_login(client: Client, **headers: str):
    token = client.cookies["waypoint-csrf"].value
    return client.post(
        "/accounts/login/",
        {"csrfmiddlewaretoken": token, "login": "nobody@example.org", "password": "x" * 16},
        headers=headers,
    )


def test_it_accepts_a_null_origin_from_our_own_page_said_by_fetch_metadata(csrf_client):
    # Browsers send Origin: null on same-origin posts under Referrer-Policy: no-referrer.
    response = _post_login(csrf_client, origin="null", sec_fetch_site="same-origin")
    assert response.status_code != 403


def test_it_refuses_a_null_origin_from_another_site(csrf_client):
    response = _post_login(csrf_client, origin="null", sec_fetch_site="cross-site")
    assert response.status_code == 403


def test_it_refuses_a_null_origin_without_fetch_metadata(csrf_client):
    response = _post_login(csrf_client, origin="null")
    assert response.status_code == 403


def test_it_refuses_another_origin_even_with_a_valid_token(csrf_client):
    response = _post_login(csrf_client, origin="https://evil.example", sec_fetch_site="same-origin")
    assert response.status_code == 403


def test_it_still_requires_the_token_from_our_own_page():
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/accounts/login/",
        {"login": "nobody@example.org", "password": "x" * 16},
        headers={"origin": "null", "sec_fetch_site": "same-origin"},
    )
    assert response.status_code == 403
