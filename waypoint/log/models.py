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
    # Once an entry naming them is shared: the person as the case's report names them
    # (their identifiers then join matching as keyed digests, like any report's).
    shared_as = models.ForeignKey(
        "reporting.ReportedPerson",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

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
    # When the person shared it with the team (None: only they can see it). Not part of
    # the chain: sharing is something done with an entry, not what it says. Entries
    # recorded by staff are shared from the start. Every staff read filters on this.
    shared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "log entry"
        verbose_name_plural = "log entries"
        ordering = ["log", "seq"]
        constraints = [models.UniqueConstraint(fields=["log", "seq"], name="log_entry_seq")]

    def __str__(self) -> str:
        return f"Entry {self.seq} of {self.log_id}"


class LogEvidence(models.Model):
    """A file kept with an entry: the same encrypted storage and metadata choice as a
    report's evidence (reporting/evidence.py), owned by the log and sealed with its key.

    Stored before the entry that lists it (the entry's content names each file with its
    SHA-256, so the chain covers the files too); `entry` is set in the same transaction.
    Deleting the log deletes the files and shreds the key that wraps their file keys.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    log = models.ForeignKey(IncidentLog, on_delete=models.CASCADE, related_name="evidence")
    entry = models.ForeignKey(
        LogEntry, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    kind = models.CharField(max_length=10)  # reporting.models.EvidenceKind
    content_type = models.CharField(max_length=100)
    original_name = EncryptedTextField(data_key="log.data_key", null=True, blank=True)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=100)
    file_key = models.BinaryField()
    clean_storage_name = models.CharField(max_length=100, blank=True)
    clean_file_key = models.BinaryField(null=True, blank=True)
    clean_size = models.PositiveBigIntegerField(null=True, blank=True)
    metadata_found = EncryptedJSONField(data_key="log.data_key", null=True, blank=True)
    keep_metadata = models.BooleanField(null=True, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "log evidence file"
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"Log evidence {self.id}"
