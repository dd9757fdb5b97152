"""Writes for casework: opening a case from a report, recording who opened it, messages.

Every write is atomic and audited with ids only (never content, never a reporter's
reference). Side effects, the emails, happen only once the transaction commits: an
on_commit callback enqueues a task from tasks.py, with ids as its only arguments.

Messages are the two-way channel between a reporter (signed in with their receipt) and
the team. Bodies are sealed with the case's data key. A message from the team that still
holds a placeholder such as "[your first name]" is refused, whatever path it comes by
(placeholders.py, ADR 0029). Reading messages marks the other
side's messages read; a member of staff reading them is audited ("message.read"), a
reporter reading their own conversation is not (we keep no record of when a reporter
visits: see LOGGING in settings).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from django.db import transaction
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.casework import tasks
from waypoint.casework.models import Case, EntryKind, Message, MessageDirection
from waypoint.casework.placeholders import placeholders_in, placeholders_refusal
from waypoint.casework.services.drafts import draft_discard_on_send
from waypoint.casework.services.intake import (
    CASE_OBJECT_TYPE,
    MESSAGE_MAX_CHARS,
    MESSAGE_OBJECT_TYPE,
)
from waypoint.casework.services.timeline import timeline_add
from waypoint.notifications import services as notifications
from waypoint.privacy.models import AuditEvent
from waypoint.privacy.services import audit_record
from waypoint.reporting.models import Report, Route


class MessageError(ValueError):
    """A message Waypoint will not send (the text is safe to show to the person).

    `field` names the form field the problem is about ("body": the message's words), or
    is None when it is about the conversation as a whole.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# --- Messages -------------------------------------------------------------------------------


def _clean_body(body: str) -> str:
    text = body.strip()
    if not text:
        raise MessageError("Write a message before sending it.", field="body")
    if len(text) > MESSAGE_MAX_CHARS:
        raise MessageError(
            f"This message is {len(text):,} characters long, and the limit is "
            f"{MESSAGE_MAX_CHARS:,}. You could send it in two or more parts.",
            field="body",
        )
    return text


def message_placeholders_check(body: str) -> None:
    """MessageError (on "body") naming every placeholder left in a message from the team.

    The rule for every way a member of staff sends (the reply form, a walk-in, an API):
    the reporter must never read "[your first name]".
    """
    found = placeholders_in(body)
    if found:
        raise MessageError(placeholders_refusal(found), field="body")


def _report_for_messages(case: Case, *, by_reporter: bool) -> Report:
    """The case's report, re-read under a row lock, if its channel is open."""
    report = Report.objects.select_for_update(of=("self",)).get(pk=case.report_id)
    if report.withdrawn_at is not None:
        raise MessageError(
            "This report has been withdrawn, so messages can no longer be sent."
            if by_reporter
            else "The reporter withdrew this report, so they cannot be sent messages."
        )
    if not report.wants_messages:
        raise MessageError(
            "Messages are turned off for this report."
            if by_reporter
            else "The reporter chose not to receive messages."
        )
    if case.data_key_id is None:
        raise MessageError("This case has been erased, so messages can no longer be sent.")
    return report


def _message_create(*, case: Case, direction: str, author: User | None, body: str) -> Message:
    message = Message(
        case=case,
        data_key_id=case.data_key_id,
        direction=direction,
        author=author,
        body=body,
    )
    message.save(force_insert=True)
    timeline_add(
        case=case,
        kind=EntryKind.MESSAGE,
        actor=author,
        message=message,
        detail={"direction": direction},
    )
    return message


def _audit_sent(*, message: Message, actor: User | None) -> None:
    audit_record(
        actor=actor,
        actor_kind=None if actor is not None else AuditEvent.ActorKind.REPORTER,
        action="message.sent",
        object_type=MESSAGE_OBJECT_TYPE,
        object_id=str(message.pk),
        extra={"case_id": str(message.case_id), "direction": message.direction},
    )


@transaction.atomic
def message_send_from_reporter(*, case: Case, body: str) -> Message:
    """The reporter writes to the team. MessageError (a ValueError) when refused.

    Refused when the text is empty or longer than 10,000 characters, the report was
    withdrawn, or the reporter turned messages off. Audited as a reporter, with no id.
    """
    text = _clean_body(body)
    _report_for_messages(case, by_reporter=True)
    message = _message_create(
        case=case, direction=MessageDirection.FROM_REPORTER, author=None, body=text
    )
    _audit_sent(message=message, actor=None)
    notifications.notify_reporter_message(message=message)  # the case's team, or the leads
    return message


def _enqueue_nudge(message_id: str) -> None:
    tasks.message_nudge_send.enqueue(message_id=message_id)


@transaction.atomic
def message_send_from_staff(*, case: Case, author: User, body: str) -> Message:
    """A member of the team writes to the reporter ("case.message"; Http404 if not allowed).

    MessageError (a ValueError) when the text is empty or too long, still holds a
    placeholder in square brackets (message_placeholders_check), or the reporter
    withdrew the report or turned messages off. Once committed, a named reporter who
    asked for email nudges gets one (no content) at their safe address if they gave one.
    """
    policy.require(author, "case.message", case)
    text = _clean_body(body)
    message_placeholders_check(text)
    report = _report_for_messages(case, by_reporter=False)
    message = _message_create(
        case=case, direction=MessageDirection.FROM_STAFF, author=author, body=text
    )
    _audit_sent(message=message, actor=author)
    # The message is sent: the draft kept of it has done its job (ADR 0034).
    draft_discard_on_send(case=case, user=author, kind="message")
    if report.route == Route.SUPPORT:
        # Whether they asked for nudges is in their encrypted contact details: the task
        # decides, so no address ever sits in the task queue.
        transaction.on_commit(partial(_enqueue_nudge, str(message.pk)))
    return message


def _mark_read(case: Case, direction: str) -> int:
    return Message.objects.filter(case=case, direction=direction, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def _conversation(case: Case) -> list[Message]:
    return list(
        Message.objects.filter(case=case).select_related("data_key").order_by("sent_at", "pk")
    )


@dataclass(frozen=True)
class Conversation:
    """The part of a conversation shown to staff, oldest first."""

    messages: list[Message]
    # Older messages exist that are not in `messages` (only when a `latest` was asked for).
    has_earlier: bool


def _latest_of_conversation(case: Case, latest: int) -> Conversation:
    """The newest `latest` messages, and every message from the reporter not yet read
    however old: one query, whatever the length of the conversation (the rank is a window
    over the case's rows, so no sealed body outside the result is read or decrypted)."""
    ranked = (
        Message.objects.filter(case=case)
        .select_related("data_key")
        .annotate(newest_rank=Window(RowNumber(), order_by=(F("sent_at").desc(), F("pk").desc())))
        .filter(
            Q(newest_rank__lte=latest + 1)
            | Q(direction=MessageDirection.FROM_REPORTER, read_at__isnull=True)
        )
        .order_by("sent_at", "pk")
    )
    found = list(ranked)
    has_earlier = any(m.newest_rank > latest for m in found)
    shown: list[Message] = [
        m
        for m in found
        if m.newest_rank <= latest
        or (m.direction == MessageDirection.FROM_REPORTER and m.read_at is None)
    ]
    return Conversation(messages=shown, has_earlier=has_earlier)


def _with_read_marked(messages: list[Message], direction: str) -> list[Message]:
    now = timezone.now()
    for message in messages:
        if message.direction == direction and message.read_at is None:
            message.read_at = now
    return messages


@transaction.atomic
def messages_for_reporter(*, case: Case) -> list[Message]:
    """The whole conversation, oldest first; marks the team's messages read.

    The returned messages carry the new read_at (compare with sent_at, or call
    selectors.unread_count_for_reporter first, to highlight what was new).
    """
    messages = _conversation(case)
    _mark_read(case, MessageDirection.FROM_STAFF)
    return _with_read_marked(messages, MessageDirection.FROM_STAFF)


@transaction.atomic
def messages_for_staff(*, user: User, case: Case) -> list[Message]:
    """The whole conversation for a member of staff ("case.view"; Http404 if not allowed).

    Marks the reporter's messages read (by the team as a whole) and records one
    "message.read" audit event with the number of messages shown.
    """
    return messages_latest_for_staff(user=user, case=case, latest=None).messages


@transaction.atomic
def messages_latest_for_staff(*, user: User, case: Case, latest: int | None) -> Conversation:
    """As messages_for_staff, but only the newest `latest` messages (None: all of them),
    plus every message from the reporter that nobody in the team had read yet, so that
    marking them read never hides one. The case page shows a long conversation this way:
    its cost then stays the same however many messages a case gathers."""
    policy.require(user, "case.view", case)
    if latest is None:
        conversation = Conversation(messages=_conversation(case), has_earlier=False)
    else:
        conversation = _latest_of_conversation(case, latest)
    marked = _mark_read(case, MessageDirection.FROM_REPORTER)
    audit_record(
        actor=user,
        action="message.read",
        object_type=CASE_OBJECT_TYPE,
        object_id=str(case.pk),
        extra={"count": len(conversation.messages), "marked_read": marked},
    )
    return Conversation(
        messages=_with_read_marked(conversation.messages, MessageDirection.FROM_REPORTER),
        has_earlier=conversation.has_earlier,
    )
