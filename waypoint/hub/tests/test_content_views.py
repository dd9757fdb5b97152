"""The content pages at /staff/content/, driven through the real sign-in and the test client."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from waypoint.accounts.models import User
from waypoint.accounts.tests.support import login_as
from waypoint.hub.models import AwarenessPage, ContentRevision, SupportPhone, SupportService
from waypoint.hub.services import (
    content_snapshot,
    revision_approve,
    revision_create,
    revision_submit,
)
from waypoint.hub.tests.content_support import (
    campaign_create,
    page_create,
    second_administrator_create,
    service_create,
)
from waypoint.privacy.models import AuditEvent

pytestmark = pytest.mark.django_db

Kind = ContentRevision.Kind
Status = ContentRevision.Status
SignIn = Callable[[User], Client]


@pytest.fixture
def reviewer(db: None) -> User:
    return second_administrator_create()


@pytest.fixture
def admin_client(signed_in_client: SignIn, administrator: User) -> Client:
    return signed_in_client(administrator)


def editor_post(data: dict[str, Any], *, summary: str = "", action: str = "save") -> dict[str, Any]:
    """What the edit form posts for revision `data` (rows as formsets, one empty row extra)."""
    post: dict[str, Any] = {"action": action, "revision-summary": summary}
    for name, value in data.items():
        if name in ("phones", "links", "events"):
            rows = [*value, {}]
            post[f"{name}-TOTAL_FORMS"] = str(len(rows))
            post[f"{name}-INITIAL_FORMS"] = str(len(value))
            for index, row in enumerate(rows):
                for key, cell in row.items():
                    post[f"{name}-{index}-{key}"] = cell
                if row and name != "events":
                    post[f"{name}-{index}-ORDER"] = str(index + 1)
        elif isinstance(value, bool):
            if value:
                post[name] = "on"
        elif isinstance(value, list):
            post[name] = value
        else:
            post[name] = "" if value is None else str(value)
    return post


def _submitted(author: User, service: SupportService, **changes: Any) -> ContentRevision:
    data = {**content_snapshot(Kind.SERVICE, service), **changes}
    revision = revision_create(
        kind=Kind.SERVICE, object_id=service.pk, data=data, author=author, summary="Tidy"
    )
    return revision_submit(revision=revision, author=author)


def _text(response: Any) -> str:
    """The page's words, without tags, as a person reads them."""
    words = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.unescape(words).split())


def _client_for(user: User) -> Client:
    """A second browser, signed in as `user` through the real sign-in pages."""
    client = Client()
    login_as(client, user)
    return client


# --- The list -------------------------------------------------------------------------------


def test_the_list_shows_every_item_with_what_is_in_progress(
    admin_client: Client, administrator: User, reviewer: User
) -> None:
    service = service_create()
    page_create()
    campaign_create(is_published=False)
    _submitted(reviewer, service, summary="Waiting.")
    response = admin_client.get(reverse("content:list"))
    assert response.status_code == 200
    text = _text(response)
    assert "Security Team" in text
    assert "What is stalking?" in text
    assert "National Stalking Awareness Week 2024" in text
    assert "1 waiting for approval" in text
    assert "Hidden" in text  # the unpublished campaign
    assert "1 change is waiting for review" in text
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_makes_the_same_number_of_queries_however_many_items(
    admin_client: Client,
    administrator: User,
    reviewer: User,
    django_assert_num_queries: DjangoAssertNumQueries,
    count: int,
) -> None:
    for index in range(count):
        service = service_create(f"service-{index}", name=f"Service {index}")
        page_create(f"page-{index}", title=f"Page {index}")
        campaign_create(f"campaign-{index}", name=f"Campaign {index}")
        _submitted(reviewer, service, summary=f"Changed {index}.")
        revision_create(
            kind=Kind.PAGE,
            object_id=None,
            data={**content_snapshot(Kind.PAGE, page_create(f"x-{index}")), "slug": f"n-{index}"},
            author=administrator,
        )
    admin_client.get(reverse("content:list"))  # session and cache warm
    # Session, user, two MFA checks (middleware), the institution (layout), then this page:
    # the open revisions with their authors, and the three live tables; the header's
    # notification count (ADR 0033).
    with django_assert_num_queries(10):
        response = admin_client.get(reverse("content:list"))
    assert response.status_code == 200
    assert _text(response).count("waiting for approval") == count


# --- Writing a draft --------------------------------------------------------------------------


def test_saving_an_edit_makes_a_draft_and_changes_nothing_public(
    admin_client: Client, administrator: User
) -> None:
    service = service_create()
    url = reverse("content:service_edit", kwargs={"object_id": service.pk})
    page = admin_client.get(url)
    assert page.status_code == 200
    assert 'value="0116 252 2888"' in page.content.decode()

    data = {**content_snapshot(Kind.SERVICE, service), "summary": "Day and night, on campus."}
    response = admin_client.post(url, editor_post(data, summary="Shorter"))
    revision = ContentRevision.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("content:revision", kwargs={"revision_id": revision.pk})
    assert revision.status == Status.DRAFT
    assert revision.author == administrator
    assert revision.summary == "Shorter"
    assert revision.data["summary"] == "Day and night, on campus."
    assert revision.data["phones"] == content_snapshot(Kind.SERVICE, service)["phones"]

    service.refresh_from_db()
    assert service.summary.startswith("Campus security")
    public = Client().get("/support/security-team/")
    assert public.status_code == 200
    assert "Campus security" in public.content.decode()
    assert "Day and night, on campus." not in public.content.decode()


def test_phone_rows_can_be_added_removed_and_reordered_without_javascript(
    admin_client: Client,
) -> None:
    service = service_create()
    url = reverse("content:service_edit", kwargs={"object_id": service.pk})
    data = content_snapshot(Kind.SERVICE, service)
    post = editor_post(data)
    post["phones-0-DELETE"] = "on"  # remove the emergency number
    post["phones-1-ORDER"] = "5"
    post["phones-2-kind"] = "helpline"  # the empty extra row, filled in
    post["phones-2-number"] = "0800 123 4567"
    post["phones-2-ORDER"] = "1"
    response = admin_client.post(url, post)
    assert response.status_code == 302
    phones = ContentRevision.objects.get().data["phones"]
    assert [(p["kind"], p["number"]) for p in phones] == [
        ("helpline", "0800 123 4567"),
        ("non_emergency", "0116 252 2023"),
    ]


def test_a_new_page_draft_is_not_on_the_public_site(admin_client: Client) -> None:
    data = {
        "title": "How to help a friend",
        "slug": "help-a-friend",
        "summary": "Listen and believe them.",
        "body": "## Listen\n\nBelieve them.",
        "position": 3,
        "is_published": True,
    }
    response = admin_client.post(reverse("content:page_create"), editor_post(data, action="submit"))
    assert response.status_code == 302
    revision = ContentRevision.objects.get()
    assert revision.status == Status.SUBMITTED
    assert revision.object_id is None
    assert not AwarenessPage.objects.exists()
    assert Client().get("/about/help-a-friend/").status_code == 404


def test_an_invalid_edit_shows_the_problems_and_saves_nothing(admin_client: Client) -> None:
    service = service_create()
    data = {**content_snapshot(Kind.SERVICE, service), "summary": "", "website_url": "nope nope"}
    response = admin_client.post(
        reverse("content:service_edit", kwargs={"object_id": service.pk}), editor_post(data)
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    assert 'aria-invalid="true"' in body
    assert not ContentRevision.objects.exists()


def test_opening_an_item_you_already_have_a_draft_of_continues_that_draft(
    admin_client: Client, administrator: User
) -> None:
    service = service_create()
    draft = revision_create(
        kind=Kind.SERVICE,
        object_id=service.pk,
        data=content_snapshot(Kind.SERVICE, service),
        author=administrator,
    )
    response = admin_client.get(reverse("content:service_edit", kwargs={"object_id": service.pk}))
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "content:revision_edit", kwargs={"revision_id": draft.pk}
    )
    edit = admin_client.get(response["Location"])
    assert edit.status_code == 200
    data = {**draft.data, "hours": "Always"}
    saved = admin_client.post(response["Location"], editor_post(data, action="submit"))
    assert saved.status_code == 302
    draft.refresh_from_db()
    assert draft.data["hours"] == "Always"
    assert draft.status == Status.SUBMITTED


def test_only_the_author_can_open_a_draft_for_editing(
    signed_in_client: SignIn, administrator: User, reviewer: User
) -> None:
    service = service_create()
    draft = revision_create(
        kind=Kind.SERVICE,
        object_id=service.pk,
        data=content_snapshot(Kind.SERVICE, service),
        author=administrator,
    )
    client = signed_in_client(reviewer)
    url = reverse("content:revision_edit", kwargs={"revision_id": draft.pk})
    assert client.get(url).status_code == 403
    assert client.post(url, editor_post(draft.data)).status_code == 403
    for name in ("revision_submit", "revision_withdraw"):
        response = client.post(reverse(f"content:{name}", kwargs={"revision_id": draft.pk}))
        assert response.status_code == 403, name
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


# --- Review ---------------------------------------------------------------------------------


def test_the_author_gets_403_when_approving_their_own_revision(
    admin_client: Client, administrator: User
) -> None:
    revision = _submitted(administrator, service_create(), summary="Mine.")
    page = admin_client.get(reverse("content:revision", kwargs={"revision_id": revision.pk}))
    assert "Approve and publish" not in page.content.decode()
    assert "You cannot approve your own changes" in _text(page)
    for name in ("revision_approve", "revision_send_back"):
        response = admin_client.post(
            reverse(f"content:{name}", kwargs={"revision_id": revision.pk}),
            {"approve-note": "ok", "send_back-note": "ok"},
        )
        assert response.status_code == 403, name
    revision.refresh_from_db()
    assert revision.status == Status.SUBMITTED


def test_a_second_administrator_reviews_the_differences_and_approves(
    signed_in_client: SignIn, administrator: User, reviewer: User
) -> None:
    service = service_create()
    revision = _submitted(
        administrator,
        service,
        summary="Day and night, on campus.",
        phones=[{"kind": "emergency", "number": "0116 252 2888", "note": "Internal"}],
    )
    client = signed_in_client(reviewer)
    queue = client.get(reverse("content:queue"))
    assert queue.status_code == 200
    assert "Security Team" in _text(queue)

    page = client.get(reverse("content:revision", kwargs={"revision_id": revision.pk}))
    text = _text(page)
    assert "Approve and publish" in text
    assert "Campus security, day and night, if you feel unsafe on campus." in text  # live
    assert "Day and night, on campus." in text  # proposed
    assert "Removed: Non-emergency: 0116 252 2023" in text
    assert "Added: Emergency: 0116 252 2888 (Internal)" in text

    response = client.post(
        reverse("content:revision_approve", kwargs={"revision_id": revision.pk}),
        {"approve-note": "Checked the numbers"},
    )
    assert response.status_code == 302
    revision.refresh_from_db()
    assert revision.status == Status.APPROVED
    assert revision.review_note == "Checked the numbers"
    service.refresh_from_db()
    assert service.summary == "Day and night, on campus."
    assert list(service.phones.values_list("kind", "number")) == [
        (SupportPhone.Kind.EMERGENCY, "0116 252 2888")
    ]
    assert "Day and night, on campus." in Client().get("/support/security-team/").content.decode()


def test_sending_back_needs_a_note_and_the_author_sees_it(
    signed_in_client: SignIn, administrator: User, reviewer: User
) -> None:
    revision = _submitted(administrator, service_create(), summary="Too short.")
    client = signed_in_client(reviewer)
    url = reverse("content:revision_send_back", kwargs={"revision_id": revision.pk})
    client.post(url, {"send_back-note": ""})
    revision.refresh_from_db()
    assert revision.status == Status.SUBMITTED
    client.post(url, {"send_back-note": "Please keep the Safezone app in the summary."})
    revision.refresh_from_db()
    assert revision.status == Status.REJECTED

    page = _client_for(administrator).get(
        reverse("content:revision", kwargs={"revision_id": revision.pk})
    )
    text = _text(page)
    assert "Sent back" in text
    assert "Please keep the Safezone app in the summary." in text
    assert "Start a new draft from this version" in text


def test_restoring_an_old_version_from_the_history_creates_a_draft(
    admin_client: Client, administrator: User, reviewer: User
) -> None:
    service = service_create()
    first = _submitted(reviewer, service, summary="First wording.")
    revision_approve(revision=first, reviewer=administrator)
    second = _submitted(reviewer, service, summary="Second wording.")
    revision_approve(revision=second, reviewer=administrator)

    history = admin_client.get(reverse("content:service_history", kwargs={"object_id": service.pk}))
    assert history.status_code == 200
    text = _text(history)
    assert text.count("Approved") == 2
    assert text.count("Live now") == 2  # the badge and the actions cell of the live one

    response = admin_client.post(
        reverse("content:revision_restore", kwargs={"revision_id": first.pk})
    )
    restored = ContentRevision.objects.get(status=Status.DRAFT)
    assert response["Location"] == reverse("content:revision", kwargs={"revision_id": restored.pk})
    assert restored.author == administrator
    assert restored.data["summary"] == "First wording."
    service.refresh_from_db()
    assert service.summary == "Second wording."


# --- Preview --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [Kind.PAGE, Kind.CAMPAIGN, Kind.SERVICE])
def test_a_preview_shows_the_revision_as_the_public_page_would_marked_and_uncached(
    admin_client: Client, administrator: User, kind: str
) -> None:
    makers: dict[str, Callable[[], Model]] = {
        Kind.PAGE: page_create,
        Kind.CAMPAIGN: campaign_create,
        Kind.SERVICE: service_create,
    }
    live = makers[kind]()
    data = {**content_snapshot(kind, live), "summary": "A preview-only summary."}
    revision = revision_create(kind=kind, object_id=live.pk, data=data, author=administrator)
    response = admin_client.get(
        reverse("content:revision_preview", kwargs={"revision_id": revision.pk})
    )
    assert response.status_code == 200
    text = _text(response)
    assert "Preview: this is not live." in text
    assert "A preview-only summary." in text
    assert "no-store" in response["Cache-Control"]
    assert 'name="robots" content="noindex, nofollow"' in response.content.decode()
    assert "quick-exit" in response.content.decode()  # the public layout
    if kind == Kind.SERVICE:
        assert 'href="tel:01162522888"' in response.content.decode()
        assert "Safety" in text  # its category
    if kind == Kind.CAMPAIGN:
        assert "Watch the Alice Ruggles Trust film" in text
        assert "Drop-in stall" in text
    if kind == Kind.PAGE:
        assert "<h2>The FOUR signs</h2>" in response.content.decode()


# --- Who may do what ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["adviser", "case_lead", "partner", "insights_viewer", "outsider"]
)
def test_nobody_but_an_administrator_gets_any_content_page_or_action(
    request: pytest.FixtureRequest, signed_in_client: SignIn, administrator: User, persona: str
) -> None:
    service = service_create()
    revision = _submitted(administrator, service, summary="Waiting.")
    client = signed_in_client(request.getfixturevalue(persona))
    ids = {"revision_id": revision.pk}
    gets = [
        reverse("content:list"),
        reverse("content:queue"),
        reverse("content:service_create"),
        reverse("content:service_edit", kwargs={"object_id": service.pk}),
        reverse("content:service_history", kwargs={"object_id": service.pk}),
        reverse("content:revision", kwargs=ids),
        reverse("content:revision_edit", kwargs=ids),
        reverse("content:revision_preview", kwargs=ids),
    ]
    actions = ("submit", "withdraw", "restore", "approve", "send_back")
    posts = [reverse(f"content:revision_{action}", kwargs=ids) for action in actions]
    posts += [reverse("content:service_create"), gets[3], gets[6]]
    for url in gets:
        assert client.get(url).status_code == 403, url
    for url in posts:
        assert client.post(url, {"send_back-note": "x"}).status_code == 403, url
    revision.refresh_from_db()
    assert revision.status == Status.SUBMITTED
    assert ContentRevision.objects.count() == 1


def test_reading_content_pages_never_writes(
    admin_client: Client, administrator: User, reviewer: User
) -> None:
    service = service_create()
    revision = _submitted(reviewer, service, summary="Waiting.")
    revisions = ContentRevision.objects.count()
    audited = AuditEvent.objects.count()
    for url in (
        reverse("content:list"),
        reverse("content:queue"),
        reverse("content:service_create"),
        reverse("content:service_edit", kwargs={"object_id": service.pk}),
        reverse("content:service_history", kwargs={"object_id": service.pk}),
        reverse("content:revision", kwargs={"revision_id": revision.pk}),
        reverse("content:revision_preview", kwargs={"revision_id": revision.pk}),
    ):
        assert admin_client.get(url).status_code == 200, url
    for name in ("submit", "withdraw", "restore", "approve", "send_back"):
        url = reverse(f"content:revision_{name}", kwargs={"revision_id": revision.pk})
        assert admin_client.get(url).status_code == 405, url
    assert ContentRevision.objects.count() == revisions
    assert AuditEvent.objects.count() == audited
