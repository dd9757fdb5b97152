"""The content revision services: drafts, approval by a second administrator, history."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from waypoint.accounts.models import User
from waypoint.hub.forms import revision_data_validate
from waypoint.hub.models import (
    AwarenessPage,
    ContentRevision,
    SupportPhone,
    SupportService,
)
from waypoint.hub.selectors import support_service_get_for_public
from waypoint.hub.services import (
    ContentDataError,
    ContentError,
    content_snapshot,
    revision_approve,
    revision_create,
    revision_is_out_of_date,
    revision_reject,
    revision_restore,
    revision_submit,
    revision_update_draft,
    revision_withdraw,
)
from waypoint.hub.tests.content_support import (
    campaign_create,
    category_create,
    page_create,
    second_administrator_create,
    service_create,
)
from waypoint.privacy.models import AuditEvent

pytestmark = pytest.mark.django_db

Kind = ContentRevision.Kind
Status = ContentRevision.Status


@pytest.fixture
def reviewer(db: None) -> User:
    return second_administrator_create()


def _service_edit(service: SupportService, **changes: Any) -> dict[str, Any]:
    return {**content_snapshot(Kind.SERVICE, service), **changes}


def _submitted(author: User, service: SupportService, **changes: Any) -> ContentRevision:
    revision = revision_create(
        kind=Kind.SERVICE,
        object_id=service.pk,
        data=_service_edit(service, **changes),
        author=author,
        summary="Clearer summary",
    )
    return revision_submit(revision=revision, author=author)


def _is_published(service: SupportService) -> bool:
    return SupportService.objects.get(pk=service.pk).is_published


def _actions(revision: ContentRevision) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_id=str(revision.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


# --- Snapshots and the schema ----------------------------------------------------------------


def test_a_snapshot_of_a_live_item_is_valid_revision_data_unchanged() -> None:
    for kind, obj in (
        (Kind.SERVICE, service_create()),
        (Kind.PAGE, page_create()),
        (Kind.CAMPAIGN, campaign_create()),
    ):
        snapshot = content_snapshot(kind, obj)
        assert revision_data_validate(kind=kind, data=snapshot, object_id=obj.pk) == snapshot


def test_a_service_snapshot_holds_its_phones_in_order_and_categories_by_slug() -> None:
    snapshot = content_snapshot(Kind.SERVICE, service_create())
    assert snapshot["categories"] == ["safety"]
    assert snapshot["phones"] == [
        {"kind": "emergency", "number": "0116 252 2888", "note": ""},
        {"kind": "non_emergency", "number": "0116 252 2023", "note": ""},
    ]


def test_a_campaign_snapshot_holds_dates_and_event_times_in_utc() -> None:
    snapshot = content_snapshot(Kind.CAMPAIGN, campaign_create())
    assert snapshot["starts_on"] == "2024-04-22"
    assert snapshot["events"][0]["starts_at"] == "2024-04-23T11:00:00+00:00"
    assert snapshot["links"][0]["kind"] == "video"


def test_it_refuses_data_that_does_not_fit_the_schema(administrator: User) -> None:
    service = service_create()
    bad = [
        _service_edit(service, summary=""),  # required
        _service_edit(service, provider="moon"),  # not a choice
        _service_edit(service, website_url="not a web address at all"),
        _service_edit(service, categories=["no-such-category"]),
        _service_edit(service, phones=[{"kind": "helpline", "number": ""}]),
        _service_edit(service, colour="red"),  # not a field
        _service_edit(service, name=["a", "list"]),
        "not even an object",
    ]
    for data in bad:
        with pytest.raises(ContentDataError):
            revision_create(
                kind=Kind.SERVICE, object_id=service.pk, data=data, author=administrator
            )
    assert not ContentRevision.objects.exists()


def test_a_slug_taken_by_another_item_is_refused(administrator: User) -> None:
    service_create("security-team")
    other = service_create("victim-first", name="Victim First")
    with pytest.raises(ContentDataError) as error:
        revision_create(
            kind=Kind.SERVICE,
            object_id=other.pk,
            data=_service_edit(other, slug="security-team"),
            author=administrator,
        )
    assert "slug" in error.value.errors


def test_campaign_dates_must_not_end_before_they_start(administrator: User) -> None:
    campaign = campaign_create()
    data = {**content_snapshot(Kind.CAMPAIGN, campaign), "ends_on": "2024-04-01"}
    with pytest.raises(ContentDataError):
        revision_create(kind=Kind.CAMPAIGN, object_id=campaign.pk, data=data, author=administrator)


def test_only_an_administrator_can_write_a_draft(adviser: User) -> None:
    service = service_create()
    with pytest.raises(ContentError):
        revision_create(
            kind=Kind.SERVICE, object_id=service.pk, data=_service_edit(service), author=adviser
        )


# --- A draft never shows until approved ------------------------------------------------------


def test_a_draft_and_a_submitted_revision_leave_the_live_row_and_public_page_alone(
    administrator: User,
) -> None:
    service = service_create()
    revision = _submitted(administrator, service, summary="A brand new summary.")
    assert revision.status == Status.SUBMITTED
    service.refresh_from_db()
    assert service.summary.startswith("Campus security")
    public = support_service_get_for_public(slug="security-team")
    assert public.summary.startswith("Campus security")


def test_a_second_administrator_approves_and_the_live_row_changes(
    administrator: User, reviewer: User
) -> None:
    service = service_create()
    revision = _submitted(
        administrator,
        service,
        summary="Campus security at any hour.",
        phones=[{"kind": "helpline", "number": "0116 000 0000", "note": "Test line"}],
        categories=[],
    )
    revision_approve(revision=revision, reviewer=reviewer, note="Looks right")

    revision.refresh_from_db()
    assert revision.status == Status.APPROVED
    assert revision.reviewed_by == reviewer
    assert revision.reviewed_at is not None
    service.refresh_from_db()
    assert service.summary == "Campus security at any hour."
    assert list(service.categories.all()) == []
    assert [(p.kind, p.number, p.position) for p in service.phones.all()] == [
        (SupportPhone.Kind.HELPLINE, "0116 000 0000", 0)
    ]
    assert support_service_get_for_public(slug="security-team").summary == (
        "Campus security at any hour."
    )


def test_approving_a_new_item_creates_it_and_links_the_revision(
    administrator: User, reviewer: User
) -> None:
    data = {
        "title": "How to help a friend",
        "slug": "help-a-friend",
        "summary": "Listen, believe them, and help them find support.",
        "body": "## Listen\r\n\r\nBelieve them.",
        "position": 5,
        "is_published": True,
    }
    revision = revision_create(kind=Kind.PAGE, object_id=None, data=data, author=administrator)
    assert revision.data["body"] == "## Listen\n\nBelieve them."  # line endings normalised
    revision_submit(revision=revision, author=administrator)
    assert not AwarenessPage.objects.exists()

    revision_approve(revision=revision, reviewer=reviewer)
    page = AwarenessPage.objects.get(slug="help-a-friend")
    revision.refresh_from_db()
    assert revision.object_id == page.pk
    assert page.is_published


def test_approving_a_campaign_replaces_its_links_and_events(
    administrator: User, reviewer: User
) -> None:
    campaign = campaign_create()
    data = content_snapshot(Kind.CAMPAIGN, campaign)
    data["links"] = [
        {"kind": "blog", "label": "Read the blog post", "url": "https://example.org/blog"},
        *data["links"],
    ]
    data["events"] = [
        {
            "title": "Evening talk",
            "starts_at": "2024-04-24T18:30:00+01:00",
            "location": "",
            "description": "",
            "url": "",
        }
    ]
    revision = revision_create(
        kind=Kind.CAMPAIGN, object_id=campaign.pk, data=data, author=administrator
    )
    revision_submit(revision=revision, author=administrator)
    revision_approve(revision=revision, reviewer=reviewer)

    assert [(link.label, link.position) for link in campaign.links.all()] == [
        ("Read the blog post", 0),
        ("Watch the Alice Ruggles Trust film", 1),
    ]
    event = campaign.events.get()
    assert event.title == "Evening talk"
    assert event.starts_at == datetime.datetime(2024, 4, 24, 17, 30, tzinfo=datetime.UTC)


def test_unpublishing_is_a_revision_too(administrator: User, reviewer: User) -> None:
    service = service_create()
    revision = _submitted(administrator, service, is_published=False)
    assert _is_published(service)
    revision_approve(revision=revision, reviewer=reviewer)
    assert not _is_published(service)
    event = AuditEvent.objects.get(action="content.revision_approved")
    assert event.extra["published"] is False
    assert event.extra["publication_changed"] is True


# --- Four eyes --------------------------------------------------------------------------------


def test_the_author_cannot_approve_or_send_back_their_own_revision(administrator: User) -> None:
    revision = _submitted(administrator, service_create(), summary="Mine.")
    with pytest.raises(ContentError, match="another administrator"):
        revision_approve(revision=revision, reviewer=administrator)
    with pytest.raises(ContentError, match="another administrator"):
        revision_reject(revision=revision, reviewer=administrator, note="No")
    revision.refresh_from_db()
    assert revision.status == Status.SUBMITTED


def test_the_database_refuses_a_reviewer_who_is_the_author(administrator: User) -> None:
    revision = _submitted(administrator, service_create(), summary="Mine.")
    with pytest.raises(IntegrityError), transaction.atomic():
        ContentRevision.objects.filter(pk=revision.pk).update(reviewed_by=administrator)


def test_someone_who_is_not_an_administrator_cannot_approve(
    administrator: User, case_lead: User
) -> None:
    revision = _submitted(administrator, service_create(), summary="Mine.")
    with pytest.raises(ContentError):
        revision_approve(revision=revision, reviewer=case_lead)


def test_only_a_submitted_revision_can_be_approved(administrator: User, reviewer: User) -> None:
    service = service_create()
    draft = revision_create(
        kind=Kind.SERVICE,
        object_id=service.pk,
        data=_service_edit(service, summary="Draft."),
        author=administrator,
    )
    with pytest.raises(ContentError, match="draft"):
        revision_approve(revision=draft, reviewer=reviewer)


# --- Drafts, sending back, withdrawing ------------------------------------------------------


def test_only_the_author_can_change_submit_or_withdraw_a_draft(
    administrator: User, reviewer: User
) -> None:
    service = service_create()
    draft = revision_create(
        kind=Kind.SERVICE,
        object_id=service.pk,
        data=_service_edit(service, summary="Draft."),
        author=administrator,
    )
    with pytest.raises(ContentError, match="wrote this version"):
        revision_update_draft(
            revision=draft, author=reviewer, data=_service_edit(service), summary=""
        )
    with pytest.raises(ContentError):
        revision_submit(revision=draft, author=reviewer)
    with pytest.raises(ContentError):
        revision_withdraw(revision=draft, author=reviewer)

    revision_update_draft(
        revision=draft,
        author=administrator,
        data=_service_edit(service, summary="Two."),
        summary="x",
    )
    draft.refresh_from_db()
    assert draft.data["summary"] == "Two."


def test_a_draft_that_changes_nothing_cannot_be_submitted(administrator: User) -> None:
    service = service_create()
    draft = revision_create(
        kind=Kind.SERVICE, object_id=service.pk, data=_service_edit(service), author=administrator
    )
    with pytest.raises(ContentError, match="nothing to approve"):
        revision_submit(revision=draft, author=administrator)


def test_sending_back_needs_a_note_and_records_it(administrator: User, reviewer: User) -> None:
    revision = _submitted(administrator, service_create(), summary="Too short.")
    with pytest.raises(ContentError, match="note"):
        revision_reject(revision=revision, reviewer=reviewer, note="  ")
    revision_reject(revision=revision, reviewer=reviewer, note="Please keep the app name.")
    revision.refresh_from_db()
    assert revision.status == Status.REJECTED
    assert revision.review_note == "Please keep the app name."
    assert revision.reviewed_by == reviewer
    with pytest.raises(ContentError):
        revision_approve(revision=revision, reviewer=reviewer)


def test_a_submitted_revision_can_be_withdrawn_by_its_author(administrator: User) -> None:
    revision = _submitted(administrator, service_create(), summary="Oops.")
    revision_withdraw(revision=revision, author=administrator)
    revision.refresh_from_db()
    assert revision.status == Status.WITHDRAWN


# --- History, restore, out-of-date revisions -------------------------------------------------


def test_restoring_an_old_version_creates_a_draft_that_still_needs_approval(
    administrator: User, reviewer: User
) -> None:
    service = service_create()
    first = _submitted(administrator, service, summary="First wording.")
    revision_approve(revision=first, reviewer=reviewer)
    second = _submitted(administrator, service, summary="Second wording.")
    revision_approve(revision=second, reviewer=reviewer)

    restored = revision_restore(revision=first, author=reviewer)
    assert restored.status == Status.DRAFT
    assert restored.author == reviewer
    assert restored.data == first.data
    assert restored.based_on == second
    assert "Restored from the version of" in restored.summary
    service.refresh_from_db()
    assert service.summary == "Second wording."

    revision_submit(revision=restored, author=reviewer)
    revision_approve(revision=restored, reviewer=administrator)
    service.refresh_from_db()
    assert service.summary == "First wording."


def test_a_revision_started_before_another_went_live_is_out_of_date(
    administrator: User, reviewer: User
) -> None:
    service = service_create()
    mine = _submitted(administrator, service, summary="Mine.")
    theirs = _submitted(reviewer, service, phones=[{"kind": "helpline", "number": "999"}])
    revision_approve(revision=theirs, reviewer=administrator)

    mine.refresh_from_db()
    assert mine.status == Status.SUBMITTED  # it stays where it was, flagged
    assert revision_is_out_of_date(mine)
    with pytest.raises(ContentError, match="newer version"):
        revision_approve(revision=mine, reviewer=reviewer)
    service.refresh_from_db()
    assert [p.number for p in service.phones.all()] == ["999"]  # not undone

    again = revision_restore(revision=mine, author=administrator)
    assert not revision_is_out_of_date(again)
    assert again.based_on == theirs


# --- Audit ------------------------------------------------------------------------------------


def test_every_write_is_audited_without_the_content(administrator: User, reviewer: User) -> None:
    service = service_create()
    draft = revision_create(
        kind=Kind.SERVICE,
        object_id=service.pk,
        data=_service_edit(service, summary="Secret words here."),
        author=administrator,
        summary="Why: clearer",
    )
    revision_update_draft(
        revision=draft,
        author=administrator,
        data=_service_edit(service, summary="Secret words again."),
        summary="Why: clearer still",
    )
    revision_submit(revision=draft, author=administrator)
    revision_reject(revision=draft, reviewer=reviewer, note="Private note")
    restored = revision_restore(revision=draft, author=administrator)
    revision_submit(revision=restored, author=administrator)
    revision_approve(revision=restored, reviewer=reviewer, note="Fine")
    withdrawn = revision_create(
        kind=Kind.SERVICE,
        object_id=service.pk,
        data=_service_edit(service, summary="Other"),
        author=reviewer,
    )
    revision_withdraw(revision=withdrawn, author=reviewer)

    assert _actions(draft) == [
        "content.revision_created",
        "content.revision_updated",
        "content.revision_submitted",
        "content.revision_rejected",
    ]
    assert _actions(restored) == [
        "content.revision_restored",
        "content.revision_submitted",
        "content.revision_approved",
    ]
    assert _actions(withdrawn) == ["content.revision_created", "content.revision_withdrawn"]
    events = AuditEvent.objects.filter(action__startswith="content.")
    assert {e.object_type for e in events} == {"hub.contentrevision"}
    approved = events.get(action="content.revision_approved")
    assert approved.actor_id == str(reviewer.pk)
    assert approved.extra["kind"] == "service"
    assert approved.extra["item"] == str(service.pk)
    for event in events:
        flat = str(event.extra)
        for words in ("Secret", "Why", "Private", "Fine", "Campus"):
            assert words not in flat


def test_refused_writes_change_nothing_and_audit_nothing(administrator: User) -> None:
    revision = _submitted(administrator, service_create(), summary="Mine.")
    before = AuditEvent.objects.count()
    with pytest.raises(ContentError):
        revision_approve(revision=revision, reviewer=administrator)
    assert AuditEvent.objects.count() == before


def test_a_category_removed_meanwhile_makes_approval_fail_cleanly(
    administrator: User, reviewer: User
) -> None:
    service = service_create()
    extra = category_create("academic", "Academic")
    revision = _submitted(administrator, service, categories=["academic", "safety"])
    extra.delete()
    with pytest.raises(ContentDataError):
        revision_approve(revision=revision, reviewer=reviewer)
    revision.refresh_from_db()
    assert revision.status == Status.SUBMITTED
    assert list(service.categories.values_list("slug", flat=True)) == ["safety"]
