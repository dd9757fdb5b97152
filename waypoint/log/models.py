"""The private incident log: a person's own record of what happened, kept at the time.

A log belongs to whoever holds its receipt (a reference and a passphrase, exactly as a
report's: reporting/receipts.py), or to a report's receipt when someone who reported keeps
a log too. Nothing in it is visible to staff until the person shares it (issue 14).

Every entry is sealed with the log's own data key, so deleting the key erases the log.
Entries are never changed: a correction is a new entry that names the one it corrects.
Each entry's digest covers its content, the time it was recorded, its place and the
previous entry's digest (chain.py), so a change, deletion, reordering or back-dating made
in the database afterwards shows up when the chain is checked.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from waypoint.privacy.fields import EncryptedJSONField, EncryptedTextField


class IncidentLog(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Its own receipt, or none when it is kept under a report's receipt (`report`).
    reference = models.CharField(max_length=16, unique=True, null=True, blank=True)
    receipt_hash = models.CharField(max_length=200, blank=True)
    receipt_pepper_key_id = models.PositiveBigIntegerField(null=True, blank=True)
    report = models.OneToOneField(
        "reporting.Report",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="incident_log",
    )
    data_key = models.ForeignKey(
        "privacy.DataKey", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The chain's head: the last entry's place and digest (chain.py).
    head_seq = models.PositiveIntegerField(default=0)
    head_digest = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = "incident log"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reference__isnull=False) | models.Q(report__isnull=False),
                name="log_has_a_receipt",
            )
        ]

    def __str__(self) -> str:
        return f"Incident log {self.id}"


class LogPerson(models.Model):
    """Someone the person names in their log (who did it). Only their own words, sealed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    log = models.ForeignKey(IncidentLog, on_delete=models.CASCADE, related_name="people")
    name = EncryptedTextField(data_key="log.data_key")
    # {"email": ..., "phone": ..., "handle": ..., "student_number": ...}: kept sealed;
    # turned into keyed digests for matching only when the log is shared.
    identifiers = EncryptedJSONField(data_key="log.data_key", null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Person {self.id}"


class RecordedBy(models.TextChoices):
    PERSON = "person", "The person"
    STAFF = "staff", "Staff, on the person's behalf"


class LogEntry(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    log = models.ForeignKey(IncidentLog, on_delete=models.CASCADE, related_name="entries")
    seq = models.PositiveIntegerField()
    recorded_at = models.DateTimeField()
    recorded_by = models.CharField(max_length=10, choices=RecordedBy.choices)
    staff_member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The entry this one corrects (never changed itself; both stay visible).
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.RESTRICT, related_name="corrections"
    )
    # What happened, where, who, ... (forms.py ENTRY_FIELDS); plaintext never in SQL.
    content = EncryptedJSONField(data_key="log.data_key")
    digest = models.CharField(max_length=64)
    key_id = models.PositiveBigIntegerField()

    class Meta:
        verbose_name = "log entry"
        verbose_name_plural = "log entries"
        ordering = ["log", "seq"]
        constraints = [models.UniqueConstraint(fields=["log", "seq"], name="log_entry_seq")]

    def __str__(self) -> str:
        return f"Entry {self.seq} of {self.log_id}"
