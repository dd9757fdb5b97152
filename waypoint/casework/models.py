"""Cases and the two-way messages between a reporter and the team.

Every report opens one case in the triage queue (services.case_open_from_report). The
case shares the report's DataKey, so shredding that key erases the report, its messages
and its evidence together. The staff screens (triage, assignment, timeline) come with
the casework issue; the models here are what reporting needs on day one.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from waypoint.privacy.fields import EncryptedTextField
from waypoint.privacy.models import DataKey


class CaseStatus(models.TextChoices):
    NEW = "new", "New"
    TRIAGED = "triaged", "Triaged"
    IN_CONTACT = "in_contact", "In contact"
    ACTIVE_SUPPORT = "active_support", "Active support"
    CLOSED = "closed", "Closed"


class Case(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    report = models.OneToOneField("reporting.Report", on_delete=models.PROTECT, related_name="case")
    data_key = models.ForeignKey(DataKey, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(
        max_length=20, choices=CaseStatus.choices, default=CaseStatus.NEW, db_index=True
    )
    # Urgency flags, set at intake from the answers (never from free text).
    immediate_danger = models.BooleanField(default=False)
    threat_of_violence = models.BooleanField(default=False)
    high_risk_indicator = models.BooleanField(default=False)
    is_urgent = models.BooleanField(default=False, db_index=True)
    restricted = models.BooleanField(default=False)
    opened_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    assignees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="CaseAssignment",
        through_fields=("case", "user"),
        related_name="assigned_cases",
    )

    class Meta:
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return f"Case {self.id}"

    def has_assignee(self, user_id: uuid.UUID | str) -> bool:
        """Is this user assigned to the case? (asked by accounts.policy)"""
        return self.assignments.filter(user_id=user_id).exists()


class CaseAssignment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_assignments"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="caseassignment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.case_id}"


class CaseOpening(models.Model):
    """Which roles have opened a case, for the returning reporter (access transparency).

    One row per case and role: the first and the latest opening. Who exactly opened it,
    and every time, is in the audit log ("case.view").
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="openings")
    role = models.CharField(max_length=20)
    first_opened_at = models.DateTimeField()
    last_opened_at = models.DateTimeField()

    class Meta:
        ordering = ["first_opened_at"]
        constraints = [
            models.UniqueConstraint(fields=["case", "role"], name="caseopening_case_role_unique")
        ]

    def __str__(self) -> str:
        return f"{self.role} opened {self.case_id}"


class MessageDirection(models.TextChoices):
    FROM_REPORTER = "from_reporter", "From the reporter"
    FROM_STAFF = "from_staff", "From the team"


class Message(models.Model):
    """One message in the two-way channel; the body is sealed with the case's key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    data_key = models.ForeignKey(DataKey, null=True, on_delete=models.SET_NULL, related_name="+")
    direction = models.CharField(max_length=20, choices=MessageDirection.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = EncryptedTextField(data_key="data_key", null=True, blank=True)
    sent_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # When the other side first saw it (the reporter, or any member of the team).
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sent_at"]

    def __str__(self) -> str:
        return f"Message {self.id}"
