"""Notifications: "something happened that you may want to act on", one row per person.

A row holds ids and a kind, never content: the page builds a plain sentence from the
kind and shows the case reference only to someone who may still see the case
(selectors.py asks the policy's rule again when it reads). ADR 0033.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class NotificationKind(models.TextChoices):
    REPORTER_MESSAGE = "reporter_message", "New message from the reporter"
    UNASSIGNED_MESSAGE = "unassigned_message", "New message on a case nobody has taken"
    NEW_CASE = "new_case", "New case"
    URGENT_TARGET_MISSED = "urgent_target_missed", "Urgent case past its target"
    TASK_ASSIGNED = "task_assigned", "Task given to you"
    DEPARTMENT_TASK = "department_task", "Task for your department"
    DEPARTMENT_MEASURE = "department_measure", "Safety measure for your department"
    MEASURE_REVIEW_DUE = "measure_review_due", "Safety measure due for review"
    CONTENT_TO_REVIEW = "content_to_review", "Content waiting for your review"
    CONTENT_APPROVED = "content_approved", "Your content approved"
    CONTENT_SENT_BACK = "content_sent_back", "Your content sent back"
    ASSESSMENT_REVIEW_DUE = "assessment_review_due", "Risk assessment due for review"
    ORDER_EXPIRING = "order_expiring", "Protective order ending soon"
    LOG_SHARED = "log_shared", "The reporter shared incidents from their record"


class Notification(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=30, choices=NotificationKind.choices)
    # The case it is about (none for content review); erasing a case removes its rows.
    case = models.ForeignKey(
        "casework.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The task, measure, revision, assessment, order or message it is about, if any.
    object_id = models.UUIDField(null=True, blank=True)
    # For "falling due" kinds: the date that is due (one notification per item per date).
    due_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # When an email (immediate or the daily summary) covered it; never emailed twice.
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The header's unread count and the list, newest first.
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notification_newest"),
        ]
        constraints = [
            # The scheduled job may run any number of times: one row per item and due date.
            models.UniqueConstraint(
                fields=["recipient", "kind", "object_id", "due_on"],
                condition=models.Q(due_on__isnull=False),
                name="notification_once_per_due_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"


class EmailChoice(models.TextChoices):
    IMMEDIATELY = "immediately", "Email me straight away"
    DAILY = "daily", "Email me a daily summary"
    NONE = "none", "Do not email me"


class NotificationPreference(models.Model):
    """How a person wants to hear about notifications by email (no row: straight away)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email = models.CharField(
        max_length=20, choices=EmailChoice.choices, default=EmailChoice.IMMEDIATELY
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.email}"
