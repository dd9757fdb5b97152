"""Per-record data keys and the tamper-evident audit log.

The audit tables are *unmanaged*: Django keeps their fields in its migration state, but
the tables, constraints and append-only triggers come from hand-written migrations
(0002, 0003). That keeps `flush` (and so every TransactionTestCase teardown) from trying
to TRUNCATE or DELETE rows the database refuses to lose. Any change to these two models
needs a hand-written database migration as well as the generated state one.
"""

from __future__ import annotations

import uuid
from typing import Any, NoReturn

from django.db import models


class DataKey(models.Model):
    """One report's or case's data encryption key, wrapped by the key-encryption key.

    `wrapped` is a Tink AES256_GCM keyset encrypted with the KEK, with associated data
    naming this row, so the wrapped key cannot be moved to another DataKey. Deleting the
    row crypto-shreds every ciphertext sealed with it (services.data_key_shred).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wrapped = models.BinaryField()
    purpose = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "data key"

    def __str__(self) -> str:
        return f"{self.purpose} key {self.id}"


class AuditEvent(models.Model):
    """One entry of the hash chain: who did what to which object, never content.

    There is deliberately no field for an IP address or a user agent. `mac` is a keyed
    PRF (the audit keyset, key `key_id`) over a canonical serialisation of every other
    field, `prev_mac` included, so editing, deleting, reordering or forging an entry
    breaks the chain (waypoint.privacy.audit.verify_audit_chain).
    """

    class ActorKind(models.TextChoices):
        STAFF = "staff", "Staff"
        REPORTER = "reporter", "Reporter"
        SYSTEM = "system", "System"

    seq = models.PositiveBigIntegerField(primary_key=True)
    occurred_at = models.DateTimeField()
    actor_kind = models.CharField(max_length=16, choices=ActorKind.choices)
    actor_id = models.CharField(max_length=64, blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    extra = models.JSONField(default=dict, blank=True)
    prev_mac = models.CharField(max_length=64, blank=True)
    mac = models.CharField(max_length=64)
    key_id = models.PositiveBigIntegerField()

    class Meta:
        managed = False
        db_table = "privacy_auditevent"
        verbose_name = "audit event"

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Entries are written once, by services.audit_record; never updated.
        if not self._state.adding:
            raise AuditLogAppendOnlyError("Audit events cannot be changed.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditLogAppendOnlyError("Audit events cannot be deleted.")


class AuditHead(models.Model):
    """The single row recording the last entry's seq and mac.

    Appends lock it (select_for_update), so they serialise; verification compares it
    with the last entry, so cutting entries off the end is detected.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    mac = models.CharField(max_length=64, blank=True)

    class Meta:
        managed = False
        db_table = "privacy_audithead"
        verbose_name = "audit head"

    def __str__(self) -> str:
        return f"audit head at #{self.seq}"


class AuditLogAppendOnlyError(Exception):
    pass


class StoredChunk(models.Model):
    """A piece of an encrypted file kept in the database (blob_storage.py), so that every
    app server reads and writes the same files. Only ciphertext is ever stored here."""

    name = models.CharField(max_length=255)
    position = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "position"], name="storedchunk_name_position")
        ]
        verbose_name = "stored file chunk"

    def __str__(self) -> str:
        return f"{self.name} #{self.position}"
