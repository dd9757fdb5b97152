"""Evidence kept in the database (the default storage, ADR 0038): sealed as before,
readable from any app server, gone when deleted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from waypoint.privacy.models import StoredChunk
from waypoint.privacy.services import data_key_create
from waypoint.reporting.evidence import evidence_add, evidence_delete_files, evidence_read
from waypoint.reporting.models import Draft, Route

pytestmark = pytest.mark.django_db

CANARY = b"CANARY-evidence-in-the-database-4471"


def test_a_file_is_stored_as_ciphertext_chunks_read_back_and_deleted() -> None:
    draft = Draft.objects.create(
        route=Route.ANONYMOUS,
        data_key=data_key_create(purpose="report"),
        expires_at=timezone.now() + timedelta(hours=1),
    )
    content = b"What happened on Tuesday. " + CANARY + b"\n" * 10
    evidence = evidence_add(upload=SimpleUploadedFile("notes.txt", content), draft=draft)

    chunks = list(StoredChunk.objects.filter(name=evidence.storage_name))
    assert chunks
    assert all(CANARY not in bytes(chunk.data) for chunk in chunks)
    assert evidence_read(evidence=evidence) == content

    evidence_delete_files(evidence)
    assert not StoredChunk.objects.filter(name=evidence.storage_name).exists()
