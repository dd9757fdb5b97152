"""Every email goes through the outbox: stored encrypted, sent by the worker, retried with
backoff when the mail server fails, never lost (issue 13, item 12; ADR 0039)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core import mail
from django.core.mail import EmailMessage, send_mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pytest_django.fixtures import Settings

from waypoint.accounts.models import User
from waypoint.privacy.models import AuditEvent
from waypoint.worker.models import OutboundEmail
from waypoint.worker.services import (
    Delivery,
    email_deliver,
    emails_deliver_due,
    emails_send_again,
    retry_delay,
)
from waypoint.worker.tests.conftest import use_mail_server
from waypoint.worker.tests.mail_backends import delivered

ADDRESS = "sam.reporter@example.org"
SUBJECT = "A new message is waiting for you"

worker_db = pytest.mark.django_db(transaction=True)
DUMMY_TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


def run_worker() -> None:
    call_command("run_worker", "--batch", "--no-schedule")


@worker_db
@pytest.mark.usefixtures("queue")
def test_a_reporters_email_waits_encrypted_until_the_worker_sends_it(
    settings: Settings, mail_dir: Path
) -> None:
    use_mail_server(settings, mail_dir, failures=0)
    assert send_mail(SUBJECT, "Sign in with your receipt to read it.", None, [ADDRESS]) == 1

    assert delivered(mail_dir) == []  # nothing is sent inside the request
    row = OutboundEmail.objects.get()
    assert row.state == OutboundEmail.State.WAITING
    with connection.cursor() as cursor:
        cursor.execute("SELECT message FROM worker_outboundemail")
        (stored,) = cursor.fetchone()
    assert ADDRESS.encode() not in bytes(stored)
    assert b"receipt" not in bytes(stored)
    task = DBTaskResult.objects.get()
    assert task.args_kwargs == {"args": [], "kwargs": {"email_id": str(row.pk)}}

    run_worker()

    [sent] = delivered(mail_dir)
    assert (sent["subject"], sent["to"], sent["attempt"]) == (SUBJECT, [ADDRESS], 1)
    row.refresh_from_db()
    assert row.state == OutboundEmail.State.SENT
    assert row.message is None  # nothing of it stays once the mail server has it
    assert row.attempts == 1


@worker_db
@pytest.mark.usefixtures("queue")
def test_a_mail_server_that_fails_twice_still_gets_the_email_on_the_third_try(
    settings: Settings, mail_dir: Path
) -> None:
    settings.WAYPOINT_EMAIL_RETRY_SECONDS = 0  # retries are due at once, for the test
    use_mail_server(settings, mail_dir, failures=2)
    send_mail(SUBJECT, "Sign in with your receipt to read it.", None, [ADDRESS])

    run_worker()

    [sent] = delivered(mail_dir)
    assert sent["attempt"] == 3
    row = OutboundEmail.objects.get()
    assert (row.state, row.attempts, row.last_error) == (OutboundEmail.State.SENT, 3, "")
    # Each retry was its own task, deferred by the backoff.
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 3


@pytest.mark.django_db
def test_a_failed_email_is_tried_again_later_and_keeps_no_error_text(
    settings: Settings, mail_dir: Path
) -> None:
    # Tasks run in process here: the retry waits for the scheduled deliver_due_emails.
    use_mail_server(settings, mail_dir, failures=1)
    send_mail(SUBJECT, "Body", None, [ADDRESS])
    row = OutboundEmail.objects.get()
    assert row.state == OutboundEmail.State.WAITING
    assert row.attempts == 1
    assert row.last_error == "smtplib.SMTPRecipientsRefused"  # the kind, never the address
    assert row.next_attempt_at > timezone.now()
    assert emails_deliver_due().sent == 0  # not due yet

    later = row.next_attempt_at + dt.timedelta(seconds=1)
    assert emails_deliver_due(now=later).sent == 1
    assert [m["attempt"] for m in delivered(mail_dir)] == [2]


@pytest.mark.django_db
def test_an_email_whose_worker_died_mid_send_is_sent_once_its_claim_runs_out(
    settings: Settings, mail_dir: Path
) -> None:
    use_mail_server(settings, mail_dir, failures=0)
    settings.TASKS = DUMMY_TASKS  # the delivery task is lost: queued, never run
    send_mail(SUBJECT, "Body", None, [ADDRESS])
    row = OutboundEmail.objects.get()
    now = timezone.now()
    # A worker claims it and is killed before it can record anything.
    OutboundEmail.objects.filter(pk=row.pk).update(
        attempts=1, next_attempt_at=now + dt.timedelta(minutes=5)
    )

    assert email_deliver(email_id=str(row.pk), now=now) == Delivery.NOT_DUE  # still claimed
    assert emails_deliver_due(now=now + dt.timedelta(minutes=6)).sent == 1
    assert len(delivered(mail_dir)) == 1


@pytest.mark.django_db
def test_after_the_last_attempt_the_email_waits_for_an_administrator_to_send_it_again(
    settings: Settings, mail_dir: Path, administrator: User
) -> None:
    settings.WAYPOINT_EMAIL_MAX_ATTEMPTS = 2
    use_mail_server(settings, mail_dir, failures=2)
    send_mail(SUBJECT, "Body", None, [ADDRESS])
    row = OutboundEmail.objects.get()
    emails_deliver_due(now=row.next_attempt_at)
    row.refresh_from_db()
    assert row.state == OutboundEmail.State.FAILED
    assert row.message is not None  # kept, encrypted, so that it is not lost
    assert emails_deliver_due(now=timezone.now() + dt.timedelta(days=2)).sent == 0

    assert emails_send_again(email_ids=[str(row.pk)], actor=administrator) == 1

    row.refresh_from_db()
    assert row.state == OutboundEmail.State.SENT
    assert [m["attempt"] for m in delivered(mail_dir)] == [3]
    assert AuditEvent.objects.filter(action="email.send_again").count() == 1


def test_the_backoff_grows_fourfold_and_stops_at_an_hour(settings: Settings) -> None:
    settings.WAYPOINT_EMAIL_RETRY_SECONDS = 30
    delays = [retry_delay(n).total_seconds() for n in range(1, 8)]
    assert delays == [30, 120, 480, 1920, 3600, 3600, 3600]


@pytest.mark.django_db
def test_an_email_with_an_attachment_is_refused_rather_than_sent_without_it(
    settings: Settings, mail_dir: Path
) -> None:
    use_mail_server(settings, mail_dir, failures=0)
    message = EmailMessage(SUBJECT, "Body", None, [ADDRESS])
    message.attach("notes.txt", "a file", "text/plain")
    with pytest.raises(ValueError, match="no attachments"):
        message.send()
    assert not OutboundEmail.objects.exists()


@pytest.mark.django_db
def test_staff_password_reset_emails_go_through_the_outbox_too(
    settings: Settings, mail_dir: Path, client, adviser: User
) -> None:
    use_mail_server(settings, mail_dir, failures=0)
    client.post("/accounts/password/reset/", {"email": adviser.email})
    assert OutboundEmail.objects.filter(state=OutboundEmail.State.SENT).count() == 1
    [sent] = delivered(mail_dir)
    assert sent["to"] == [adviser.email]
    assert mail.outbox == []  # not around the outbox
