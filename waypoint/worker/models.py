"""What the background worker keeps: emails waiting to go, the schedule, its heartbeat.

An email is stored encrypted until it has been handed to the mail server, then its content
is wiped and only the bookkeeping (attempts, times, the kind of the last error) stays. The
task queue (django_tasks_db) stores task arguments in clear, so tasks get ids only.
"""

from __future__ import annotations

import uuid

from django.db import models

from waypoint.privacy.fields import EncryptedJSONField


class OutboundEmail(models.Model):
    class State(models.TextChoices):
        WAITING = "waiting", "Waiting to be sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Not delivered (gave up)"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # One shared "outbox" data key: content is wiped once sent (services.email_deliver).
    data_key = models.ForeignKey(
        "privacy.DataKey", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = EncryptedJSONField(data_key="data_key", null=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.WAITING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    # The exception's class only ("smtplib.SMTPServerDisconnected"): messages may quote
    # an address.
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = "outgoing email"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"Email {self.id} ({self.get_state_display()})"


class ScheduledJob(models.Model):
    """When each job in schedule.SCHEDULE is next due; the row lock makes one worker
    enqueue it, however many run."""

    name = models.CharField(max_length=60, primary_key=True)
    next_run_at = models.DateTimeField()
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class WorkerHeartbeat(models.Model):
    """Each running worker writes its row every few seconds; /readyz reads the newest."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.worker_id
