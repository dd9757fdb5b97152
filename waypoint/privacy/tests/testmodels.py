"""Models that exist only in the privacy tests, to exercise the encrypted fields.

Their app label is not an installed app, so makemigrations, flush and the system checks
never see them; tests/conftest.py creates their tables once per test database. Foreign
keys have no database constraint so that `flush` can empty privacy_datakey around them.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.db import models

from waypoint.privacy.fields import EncryptedJSONField, EncryptedTextField
from waypoint.privacy.models import DataKey


class SealedRecord(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    data_key = models.ForeignKey(
        DataKey,
        on_delete=models.DO_NOTHING,
        null=True,
        db_constraint=False,
        related_name="+",
    )
    label = models.CharField(max_length=200, blank=True)  # plaintext, as a control
    secret = EncryptedTextField(data_key="data_key", null=True, blank=True)
    other = EncryptedTextField(data_key="data_key", null=True, blank=True)
    details = EncryptedJSONField(data_key="data_key", null=True, blank=True)

    # Declared because django-stubs only adds managers to installed apps' models.
    objects: ClassVar[models.Manager[SealedRecord]] = models.Manager()

    class Meta:
        app_label = "privacy_tests"

    def __str__(self) -> str:
        return str(self.id)


class SealedNote(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    record = models.ForeignKey(
        SealedRecord, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    secret = EncryptedTextField(data_key="record.data_key", null=True, blank=True)

    objects: ClassVar[models.Manager[SealedNote]] = models.Manager()

    class Meta:
        app_label = "privacy_tests"

    def __str__(self) -> str:
        return str(self.id)


TEST_MODELS = (SealedRecord, SealedNote)
