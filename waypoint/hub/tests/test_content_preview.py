"""The content editor's preview beside the text (issue 12, item 12): rendered by the hub's
own Markdown renderer, live with JavaScript (a POST endpoint) and with a "Preview" button
without it.

Persona: Alex, an administrator editing an awareness page (`administrator`).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from waypoint.accounts.models import User
from waypoint.hub.markdown import render_markdown
from waypoint.hub.models import AwarenessPage, ContentRevision
from waypoint.hub.services import content_snapshot
from waypoint.hub.tests.content_support import page_create, service_create
from waypoint.hub.tests.test_content_views import editor_post

pytestmark = pytest.mark.django_db

PREVIEW_URL = "/staff/content/preview/"
RISKY = "# Keep a log\n\n<script>alert(1)</script> [x](javascript:alert(1)) **bold**"


@pytest.fixture
def alex(signed_in_client: Callable[[User], Client], administrator: User) -> Client:
    return signed_in_client(administrator)


def test_the_preview_address_is_under_the_content_pages() -> None:
    assert reverse("content:markdown_preview") == PREVIEW_URL


def test_the_live_preview_is_exactly_what_the_public_page_renders(alex: Client) -> None:
    response = alex.post(PREVIEW_URL, {"text": RISKY})

    assert response.status_code == 200
    fragment = response.content.decode()
    assert str(render_markdown(RISKY)) in fragment
    assert "<h2>Keep a log</h2>" in fragment
    assert "<script>" not in fragment
    assert 'href="javascript:' not in fragment


def test_an_empty_text_says_what_the_preview_will_show(alex: Client) -> None:
    assert "Nothing to preview yet" in alex.post(PREVIEW_URL, {"text": ""}).content.decode()


def test_a_text_too_long_to_preview_is_refused_kindly(alex: Client) -> None:
    response = alex.post(PREVIEW_URL, {"text": "a" * 100_001})

    assert response.status_code == 400
    assert "too long to preview" in response.content.decode()


def test_the_live_preview_answers_405_to_a_get(alex: Client) -> None:
    assert alex.get(PREVIEW_URL).status_code == 405


def test_the_edit_page_shows_the_preview_beside_the_text_from_the_start(alex: Client) -> None:
    page = page_create()

    response = alex.get(reverse("content:page_edit", kwargs={"object_id": page.pk}))
    body = response.content.decode()

    assert response.status_code == 200
    assert 'id="content-preview"' in body
    assert "<h2>The FOUR signs</h2>" in body
    assert f'data-markdown-preview="{PREVIEW_URL}"' in body
    assert "js/content-preview.js" in body
    assert 'name="action" value="preview"' in body


def test_preview_without_javascript_shows_the_typed_text_rendered_and_saves_nothing(
    alex: Client,
) -> None:
    page = page_create()
    data = {**content_snapshot(ContentRevision.Kind.PAGE, page), "body": "## Changed heading"}

    response = alex.post(
        reverse("content:page_edit", kwargs={"object_id": page.pk}),
        editor_post(data, action="preview"),
    )
    body = response.content.decode()

    assert response.status_code == 200
    assert "<h2>Changed heading</h2>" in body
    assert "Nothing has been saved yet" in body
    assert "There is a problem" not in body
    assert not ContentRevision.objects.exists()
    assert AwarenessPage.objects.get(pk=page.pk).body.startswith("## The FOUR signs")


def test_preview_of_a_form_with_a_mistake_marks_it_without_the_error_summary(
    alex: Client,
) -> None:
    data = {"title": "", "slug": "new-page", "summary": "", "body": "Some **words**"}

    response = alex.post(reverse("content:page_create"), editor_post(data, action="preview"))
    body = response.content.decode()

    assert response.status_code == 200
    assert "<strong>words</strong>" in body
    assert "Some fields need changing before you can save" in body
    assert not ContentRevision.objects.exists()


def test_a_support_service_has_no_markdown_so_no_preview(alex: Client) -> None:
    service = service_create()

    body = alex.get(
        reverse("content:service_edit", kwargs={"object_id": service.pk})
    ).content.decode()

    assert 'id="content-preview"' not in body
    assert "content-preview.js" not in body


def test_only_administrators_may_ask_for_a_preview(
    adviser: User, case_lead: User, signed_in_client: Callable[[User], Client]
) -> None:
    for person in (adviser, case_lead):
        client = signed_in_client(person)
        assert client.post(PREVIEW_URL, {"text": "hi"}).status_code == 403
        client.logout()
    assert Client().post(PREVIEW_URL, {"text": "hi"}).status_code == 302
