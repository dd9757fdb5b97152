"""Writes for managed content: revisions of pages, campaigns and support services.

Nothing an administrator writes reaches the public site until a second administrator
approves it (ADR 0011). The life of a revision:

    draft --submit--> submitted --approve--> approved (applied to the live row)
      |                   |------send back--> rejected ("sent back", with a note)
      +--withdraw---------+--withdraw-------> withdrawn

Only the author changes, submits or withdraws a revision; only another administrator
approves or sends it back (accounts.policy "content.edit" / "content.review", checked
here too, and the database refuses a reviewer who is the author). A revision's `data` is
validated against its kind's schema (hub/forms.py) whenever it is written, submitted and
approved, so approval can always apply it.

`based_on` is the approved revision that was live when the draft was started (None if
the item had none). Once another revision of the same item goes live, every open
revision based on an older version is *out of date*: it stays as it is, is flagged in the
staff pages, and can be neither submitted nor approved, so a stale copy can never undo a
change (a phone number, say) approved in the meantime. Its author starts a new draft from
it (`revision_restore`), sees the differences against the new live version, and submits
that.

Every write records an audit event ("content.revision_<verb>") naming the revision, its
kind and the item; never the content, summary or notes.
"""

from __future__ import annotations

import uuid
from typing import Any, Final

from django.db import models, transaction
from django.utils import timezone

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.hub.forms import (
    Data,
    KindSpec,
    RevisionDataError,
    content_form_bind,
    content_json_value,
    content_spec,
    revision_data_validate,
)
from waypoint.hub.models import ContentRevision
from waypoint.notifications import services as notifications
from waypoint.privacy.services import audit_record

REVISION_OBJECT_TYPE: Final = "hub.contentrevision"
Status = ContentRevision.Status
OPEN_STATUSES: Final = (Status.DRAFT, Status.SUBMITTED)


class ContentError(Exception):
    """A change to content that Waypoint refuses (the message is safe to show)."""


class ContentDataError(ContentError):
    """The revision's data does not fit its kind. `errors`: field name -> messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("Some fields need attention: " + ", ".join(sorted(errors)) + ".")


# --- Reading the live row -------------------------------------------------------------------


def content_snapshot(kind: str, obj: models.Model) -> Data:
    """The live row `obj` as revision data (the same shape `revision_data_validate` returns).

    Nested rows come in their public order. Prefetch `categories`, `phones`, `links` and
    `events` where there are many rows to snapshot.
    """
    spec = content_spec(kind)
    data: Data = {}
    for name in spec.form.base_fields:
        value = getattr(obj, name)
        if isinstance(value, models.Manager):
            value = list(value.all())
        data[name] = content_json_value(value)
    for child in spec.children:
        rows = [
            {name: content_json_value(getattr(row, name)) for name in child.form.base_fields}
            for row in getattr(obj, child.name).all()
        ]
        if child.sort_key is not None:
            rows.sort(key=child.sort_key)
        data[child.name] = rows
    return data


def content_live_get(kind: str, object_id: uuid.UUID | None) -> models.Model | None:
    """The live row a revision changes (None for a new item or one that no longer exists)."""
    if object_id is None:
        return None
    spec = content_spec(kind)
    queryset = spec.model._default_manager.filter(pk=object_id)
    related = [child.name for child in spec.children]
    if "categories" in spec.form.base_fields:
        related.append("categories")
    return queryset.prefetch_related(*related).first()


def revision_live_get(*, kind: str, object_id: uuid.UUID | None) -> ContentRevision | None:
    """The approved revision that made the item what it is now (the latest approval)."""
    if object_id is None:
        return None
    return (
        ContentRevision.objects.filter(kind=kind, object_id=object_id, status=Status.APPROVED)
        .order_by("-reviewed_at", "-created_at")
        .first()
    )


def revision_is_out_of_date(revision: ContentRevision) -> bool:
    """True when a newer version of the item went live after this revision was started."""
    if revision.object_id is None or revision.status not in OPEN_STATUSES:
        return False
    live = revision_live_get(kind=revision.kind, object_id=revision.object_id)
    return live is not None and live.pk != revision.based_on_id


# --- Helpers --------------------------------------------------------------------------------


def _audit(
    *, actor: User, action: str, revision: ContentRevision, extra: dict[str, Any] | None = None
) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type=REVISION_OBJECT_TYPE,
        object_id=str(revision.pk),
        extra={
            "kind": revision.kind,
            "item": str(revision.object_id or ""),
            **(extra or {}),
        },
    )


def _validated(*, kind: str, data: object, object_id: uuid.UUID | None) -> Data:
    try:
        return revision_data_validate(kind=kind, data=data, object_id=object_id)
    except RevisionDataError as error:
        raise ContentDataError(error.errors) from None


def _locked(revision: ContentRevision) -> ContentRevision:
    """The revision's row, re-read under a row lock (a stale copy decides nothing)."""
    return ContentRevision.objects.select_for_update(of=("self",)).get(pk=revision.pk)


def _require_author(revision: ContentRevision, user: User) -> None:
    if not policy.can(user, "content.edit", revision):
        raise ContentError("Only the administrator who wrote this version can change it.")


def _require_reviewer(revision: ContentRevision, reviewer: User) -> None:
    if revision.author_id == reviewer.pk:
        raise ContentError("You wrote this version, so another administrator needs to review it.")
    if not policy.can(reviewer, "content.review", revision):
        raise ContentError("Only an administrator can review content.")


def _require_status(revision: ContentRevision, *statuses: str, doing: str) -> None:
    if revision.status not in statuses:
        raise ContentError(
            f"This version is {revision.get_status_display().lower()}, so it cannot be {doing}."
        )


def _require_current(revision: ContentRevision, *, doing: str) -> None:
    if revision_is_out_of_date(revision):
        raise ContentError(
            "A newer version of this item went live after this one was started, so it cannot "
            f"be {doing}. Start a new draft from it and check the differences."
        )


def _resolve_based_on(
    *, kind: str, object_id: uuid.UUID | None, based_on: ContentRevision | None
) -> ContentRevision | None:
    if based_on is None:
        return revision_live_get(kind=kind, object_id=object_id)
    if (
        based_on.kind != kind
        or based_on.object_id != object_id
        or based_on.status != Status.APPROVED
    ):
        raise ValueError("based_on must be an approved revision of the same item.")
    return based_on


# --- Writing revisions ----------------------------------------------------------------------


def _draft_create(
    *,
    kind: str,
    object_id: uuid.UUID | None,
    data: object,
    author: User,
    summary: str,
    based_on: ContentRevision | None,
) -> ContentRevision:
    if not policy.can(author, "content.edit"):
        raise ContentError("Only an administrator can edit content.")
    spec = content_spec(kind)
    if object_id is not None and not spec.model._default_manager.filter(pk=object_id).exists():
        raise ContentError("This item no longer exists.")
    revision = ContentRevision(
        kind=kind,
        object_id=object_id,
        data=_validated(kind=kind, data=data, object_id=object_id),
        summary=summary.strip(),
        based_on=_resolve_based_on(kind=kind, object_id=object_id, based_on=based_on),
        author=author,
    )
    revision.full_clean()
    revision.save(force_insert=True)
    return revision


@transaction.atomic
def revision_create(
    *,
    kind: str,
    object_id: uuid.UUID | None,
    data: object,
    author: User,
    summary: str = "",
    based_on: ContentRevision | None = None,
) -> ContentRevision:
    """A new draft changing the item `object_id` (None: a new item) to `data`.

    `based_on` defaults to the revision live now (see the module docstring).
    """
    revision = _draft_create(
        kind=kind,
        object_id=object_id,
        data=data,
        author=author,
        summary=summary,
        based_on=based_on,
    )
    _audit(actor=author, action="content.revision_created", revision=revision)
    return revision


@transaction.atomic
def revision_update_draft(
    *, revision: ContentRevision, author: User, data: object, summary: str
) -> ContentRevision:
    """Replace a draft's data and summary (its author only; drafts only)."""
    revision = _locked(revision)
    _require_author(revision, author)
    _require_status(revision, Status.DRAFT, doing="edited")
    revision.data = _validated(kind=revision.kind, data=data, object_id=revision.object_id)
    revision.summary = summary.strip()
    revision.full_clean()
    revision.save(update_fields=["data", "summary"])
    _audit(actor=author, action="content.revision_updated", revision=revision)
    return revision


@transaction.atomic
def revision_submit(*, revision: ContentRevision, author: User) -> ContentRevision:
    """Ask for approval. The draft must be valid now, current, and change something."""
    revision = _locked(revision)
    _require_author(revision, author)
    _require_status(revision, Status.DRAFT, doing="submitted")
    _require_current(revision, doing="submitted")
    revision.data = _validated(kind=revision.kind, data=revision.data, object_id=revision.object_id)
    live = content_live_get(revision.kind, revision.object_id)
    if live is not None and content_snapshot(revision.kind, live) == revision.data:
        raise ContentError(
            "This draft is the same as the live version: there is nothing to approve."
        )
    revision.status = Status.SUBMITTED
    revision.submitted_at = timezone.now()
    revision.save(update_fields=["data", "status", "submitted_at"])
    _audit(actor=author, action="content.revision_submitted", revision=revision)
    notifications.notify_content_submitted(revision=revision)
    return revision


@transaction.atomic
def revision_withdraw(*, revision: ContentRevision, author: User) -> ContentRevision:
    """The author no longer proposes this draft or submitted revision. Kept in history."""
    revision = _locked(revision)
    _require_author(revision, author)
    _require_status(revision, *OPEN_STATUSES, doing="withdrawn")
    revision.status = Status.WITHDRAWN
    revision.save(update_fields=["status"])
    _audit(actor=author, action="content.revision_withdrawn", revision=revision)
    return revision


def _apply(spec: KindSpec, data: Data, live: models.Model | None) -> models.Model:
    """Write `data` to the live row (a new one when `live` is None), nested rows included."""
    bound = content_form_bind(kind=spec.kind, data=data, instance=live)
    if bound.errors:
        raise ContentDataError(bound.errors)
    obj: models.Model = bound.form.save(commit=False)
    obj.full_clean()
    obj.save()
    bound.form.save_m2m()
    for child in spec.children:
        getattr(obj, child.name).all().delete()
        rows = []
        for position, child_form in enumerate(bound.children[child.name]):
            row = child_form.save(commit=False)
            setattr(row, child.fk, obj)
            if child.ordered:
                row.position = position
            rows.append(row)
        child.form._meta.model._default_manager.bulk_create(rows)
    return obj


@transaction.atomic
def revision_approve(
    *, revision: ContentRevision, reviewer: User, note: str = ""
) -> ContentRevision:
    """Put a submitted revision live: its data is applied to the live row atomically.

    The reviewer must be an administrator other than the author. A new item's row is
    created, and the revision then points at it.
    """
    revision = _locked(revision)
    _require_reviewer(revision, reviewer)
    _require_status(revision, Status.SUBMITTED, doing="approved")
    _require_current(revision, doing="approved")
    spec = content_spec(revision.kind)
    live = None
    if revision.object_id is not None:
        live = (
            spec.model._default_manager.select_for_update(of=("self",))
            .filter(pk=revision.object_id)
            .first()
        )
        if live is None:
            raise ContentError("This item no longer exists.")
    was_published = bool(getattr(live, "is_published", False))
    obj = _apply(spec, revision.data, live)
    revision.object_id = obj.pk
    revision.status = Status.APPROVED
    revision.reviewed_by = reviewer
    revision.reviewed_at = timezone.now()
    revision.review_note = note.strip()
    revision.full_clean()
    revision.save(
        update_fields=["object_id", "status", "reviewed_by", "reviewed_at", "review_note"]
    )
    is_published = bool(getattr(obj, "is_published", False))
    _audit(
        actor=reviewer,
        action="content.revision_approved",
        revision=revision,
        extra={
            "created": live is None,
            "published": is_published,
            "publication_changed": is_published != was_published,
        },
    )
    notifications.notify_content_decided(revision=revision, reviewer=reviewer)
    return revision


@transaction.atomic
def revision_reject(*, revision: ContentRevision, reviewer: User, note: str) -> ContentRevision:
    """Send a submitted revision back to its author with a note saying what to change."""
    revision = _locked(revision)
    _require_reviewer(revision, reviewer)
    _require_status(revision, Status.SUBMITTED, doing="sent back")
    if not note.strip():
        raise ContentError("Say what needs to change: the author sees this note.")
    revision.status = Status.REJECTED
    revision.reviewed_by = reviewer
    revision.reviewed_at = timezone.now()
    revision.review_note = note.strip()
    revision.full_clean()
    revision.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
    _audit(actor=reviewer, action="content.revision_rejected", revision=revision)
    notifications.notify_content_decided(revision=revision, reviewer=reviewer)
    return revision


@transaction.atomic
def revision_restore(*, revision: ContentRevision, author: User) -> ContentRevision:
    """A new draft with the data of `revision` (any status), based on the live version.

    Going live still needs a second administrator's approval. Used for "restore this
    version" in the history, and to carry on from a version sent back or out of date.
    """
    when = timezone.localtime(revision.created_at).strftime("%-d %B %Y, %H:%M")
    restored = _draft_create(
        kind=revision.kind,
        object_id=revision.object_id,
        data=revision.data,
        author=author,
        summary=f"Restored from the version of {when}",
        based_on=None,
    )
    _audit(
        actor=author,
        action="content.revision_restored",
        revision=restored,
        extra={"restored_from": str(revision.pk)},
    )
    return restored
