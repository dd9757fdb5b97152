"""Writes of the worker app: the outbox, its deliveries, the schedule and the heartbeat."""

from __future__ import annotations

import datetime as dt
import enum
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import make_msgid
from typing import Any, Final

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.mail import EmailMessage, EmailMultiAlternatives, mailers
from django.core.mail.utils import DNS_NAME
from django.db import transaction
from django.db.models import F
from django.tasks import default_task_backend
from django.utils import timezone

from waypoint.privacy.crypto import DecryptionError
from waypoint.privacy.models import DataKey
from waypoint.privacy.services import audit_record, data_key_create
from waypoint.worker import tasks
from waypoint.worker.models import OutboundEmail, ScheduledJob, WorkerHeartbeat
from waypoint.worker.schedule import SCHEDULE

logger = logging.getLogger(__name__)

OUTBOX_KEY_PURPOSE: Final = "outbox"
DELIVERY_MAILER: Final = "delivery"
# While one delivery is under way nobody else tries it; if its worker dies, the email is
# due again after this long (at least once, never lost).
CLAIM: Final = dt.timedelta(minutes=5)
BACKOFF_CAP_SECONDS: Final = 3600
SENT_KEPT: Final = dt.timedelta(days=30)
HEARTBEATS_KEPT: Final = dt.timedelta(days=1)
TASK_RESULTS_KEPT: Final = dt.timedelta(days=7)


class EmailNotAcceptedError(Exception):
    """The mail backend returned without raising but without sending."""


# --- The outbox -----------------------------------------------------------------------


def _outbox_key() -> DataKey:
    # One shared key: the content is wiped once sent, so there is nothing to shred later.
    key = DataKey.objects.filter(purpose=OUTBOX_KEY_PURPOSE).order_by("created_at", "id").first()
    return key or data_key_create(purpose=OUTBOX_KEY_PURPOSE)


def _serialise(message: EmailMessage) -> dict[str, Any]:
    if message.attachments:
        raise ValueError("Waypoint's emails carry no attachments.")
    alternatives = getattr(message, "alternatives", [])
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": str(message.from_email),
        "to": [str(a) for a in message.to],
        "cc": [str(a) for a in message.cc],
        "bcc": [str(a) for a in message.bcc],
        "reply_to": [str(a) for a in message.reply_to],
        "headers": _headers(message),
        "content_subtype": message.content_subtype,
        "alternatives": [[str(content), str(mimetype)] for content, mimetype in alternatives],
    }


def _headers(message: EmailMessage) -> dict[str, str]:
    headers = {str(k): str(v) for k, v in message.extra_headers.items()}
    # Every attempt sends the same Message-ID, so a server that took an earlier one can
    # tell it is the same email.
    if not any(name.lower() == "message-id" for name in headers):
        headers["Message-ID"] = make_msgid(domain=str(DNS_NAME))
    return headers


def _deserialise(data: dict[str, Any]) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
    )
    message.content_subtype = data["content_subtype"]
    for content, mimetype in data["alternatives"]:
        message.attach_alternative(content, mimetype)
    return message


def email_queue(*, messages: Sequence[EmailMessage]) -> int:
    """Store each message encrypted and hand it to the delivery task. Returns how many
    were queued (a message with no recipient is not)."""
    now = timezone.now()
    queued = 0
    for message in messages:
        if not message.recipients():
            continue
        with transaction.atomic():
            row = OutboundEmail(
                data_key=_outbox_key(), message=_serialise(message), next_attempt_at=now
            )
            row.save(force_insert=True)
            # With the database task backend the task row commits with the email's row.
            tasks.deliver_email.enqueue(email_id=str(row.pk))
        queued += 1
    return queued


class Delivery(enum.Enum):
    SENT = "sent"
    RETRY = "retry"  # failed; tried again later
    GAVE_UP = "gave_up"  # failed too often: kept for an administrator to send again
    NOT_DUE = "not_due"  # sent, given up, being tried elsewhere, or not due yet


def retry_delay(attempts: int) -> dt.timedelta:
    """30 s, 2 min, 8 min, 32 min, then hourly (settings.WAYPOINT_EMAIL_RETRY_SECONDS is
    the first delay)."""
    base = settings.WAYPOINT_EMAIL_RETRY_SECONDS
    return dt.timedelta(seconds=min(base * 4 ** max(attempts - 1, 0), BACKOFF_CAP_SECONDS))


def _error_kind(error: BaseException) -> str:
    kind = type(error)
    return f"{kind.__module__}.{kind.__qualname__}"[:200]


def email_deliver(*, email_id: str, now: dt.datetime | None = None) -> Delivery:
    """Try to send one queued email through the delivery mailer, once."""
    now = now or timezone.now()
    claimed = OutboundEmail.objects.filter(
        pk=email_id, state=OutboundEmail.State.WAITING, next_attempt_at__lte=now
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + CLAIM)
    if not claimed:
        return Delivery.NOT_DUE
    row = OutboundEmail.objects.select_related("data_key").get(pk=email_id)
    try:
        message = _deserialise(row.message)
        if not mailers[DELIVERY_MAILER].send_messages([message]):
            raise EmailNotAcceptedError
    except DecryptionError as error:
        return _give_up(row, error)
    except Exception as error:  # any failure of the mail server: try again later
        return _failed(row, error, now)
    row.state = OutboundEmail.State.SENT
    row.sent_at = timezone.now()
    row.message = None  # nothing of the email stays once the mail server has it
    row.last_error = ""
    row.save(update_fields=["state", "sent_at", "message", "last_error"])
    return Delivery.SENT


def _failed(row: OutboundEmail, error: BaseException, now: dt.datetime) -> Delivery:
    if row.attempts >= settings.WAYPOINT_EMAIL_MAX_ATTEMPTS:
        return _give_up(row, error)
    row.last_error = _error_kind(error)
    row.next_attempt_at = now + retry_delay(row.attempts)
    row.save(update_fields=["last_error", "next_attempt_at"])
    logger.warning(
        "An email could not be sent (attempt %d, %s); trying again later.",
        row.attempts,
        row.last_error,
    )
    if default_task_backend.supports_defer:
        tasks.deliver_email.using(run_after=row.next_attempt_at).enqueue(email_id=str(row.pk))
    # Otherwise the scheduled deliver_due_emails picks it up when it is due.
    return Delivery.RETRY


def _give_up(row: OutboundEmail, error: BaseException) -> Delivery:
    row.state = OutboundEmail.State.FAILED
    row.last_error = _error_kind(error)
    row.save(update_fields=["state", "last_error"])
    logger.error(
        "An email was not delivered after %d attempts (%s): an administrator can send it "
        "again from Outgoing emails.",
        row.attempts,
        row.last_error,
    )
    return Delivery.GAVE_UP


@dataclass(frozen=True)
class DueRun:
    sent: int
    retrying: int
    gave_up: int


def emails_deliver_due(*, now: dt.datetime | None = None, limit: int = 500) -> DueRun:
    """Deliver every waiting email that is due: retries, and any whose task was lost."""
    now = now or timezone.now()
    due = OutboundEmail.objects.filter(
        state=OutboundEmail.State.WAITING, next_attempt_at__lte=now
    ).order_by("next_attempt_at")
    outcomes = [
        email_deliver(email_id=str(pk), now=now) for pk in due.values_list("pk", flat=True)[:limit]
    ]
    return DueRun(
        sent=outcomes.count(Delivery.SENT),
        retrying=outcomes.count(Delivery.RETRY),
        gave_up=outcomes.count(Delivery.GAVE_UP),
    )


def emails_send_again(*, email_ids: Sequence[str], actor: AbstractBaseUser) -> int:
    """An administrator asks for emails that were given up on to be tried again."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            OutboundEmail.objects.filter(
                pk__in=email_ids, state=OutboundEmail.State.FAILED, message__isnull=False
            ).values_list("pk", flat=True)
        )
        OutboundEmail.objects.filter(pk__in=ids).update(
            state=OutboundEmail.State.WAITING, attempts=0, next_attempt_at=now
        )
        audit_record(
            actor=actor,
            action="email.send_again",
            object_type="worker.outboundemail",
            extra={"emails": len(ids)},
        )
        for pk in ids:
            tasks.deliver_email.enqueue(email_id=str(pk))
    return len(ids)


# --- The schedule and the heartbeat ----------------------------------------------------


def schedule_tick(*, now: dt.datetime | None = None) -> list[str]:
    """Enqueue every scheduled job that is due; returns their names. Any number of workers
    may tick at once: the job's row lock lets one of them enqueue it."""
    now = now or timezone.now()
    next_runs = dict(ScheduledJob.objects.values_list("name", "next_run_at"))
    enqueued = []
    for job in SCHEDULE:
        if job.name in next_runs and next_runs[job.name] > now:
            continue
        with transaction.atomic():
            row, _ = ScheduledJob.objects.get_or_create(
                name=job.name, defaults={"next_run_at": job.first_run(now)}
            )
            row = ScheduledJob.objects.select_for_update().get(pk=row.pk)
            if row.next_run_at > now:
                continue
            row.next_run_at = job.next_run(now)
            row.last_enqueued_at = now
            row.save(update_fields=["next_run_at", "last_enqueued_at"])
            tasks.scheduled_job_run.enqueue(name=job.name)
        enqueued.append(job.name)
    return enqueued


def worker_heartbeat_record(
    *, worker_id: str, started_at: dt.datetime, now: dt.datetime | None = None
) -> None:
    now = now or timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"seen_at": now},
        create_defaults={"started_at": started_at, "seen_at": now},
    )


def worker_heartbeat_forget(*, worker_id: str) -> None:
    """A worker that stops cleanly takes its heartbeat with it."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


@dataclass(frozen=True)
class PruneRun:
    emails: int
    heartbeats: int
    task_results: int


def worker_records_prune(*, now: dt.datetime | None = None) -> PruneRun:
    """Forget sent emails' bookkeeping, old heartbeats and finished task results."""
    from django_tasks_db.models import DBTaskResult  # noqa: PLC0415

    now = now or timezone.now()
    emails, _ = OutboundEmail.objects.filter(
        state=OutboundEmail.State.SENT, sent_at__lt=now - SENT_KEPT
    ).delete()
    heartbeats, _ = WorkerHeartbeat.objects.filter(seen_at__lt=now - HEARTBEATS_KEPT).delete()
    results, _ = DBTaskResult.objects.filter(
        finished_at__isnull=False, finished_at__lt=now - TASK_RESULTS_KEPT
    ).delete()
    return PruneRun(emails=emails, heartbeats=heartbeats, task_results=results)
