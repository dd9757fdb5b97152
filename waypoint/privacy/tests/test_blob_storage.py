"""Encrypted files in the database (blob_storage.py): what every app server shares."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages

from waypoint.privacy.blob_storage import CHUNK_BYTES, DatabaseBlobStorage
from waypoint.privacy.models import StoredChunk

pytestmark = pytest.mark.django_db


def test_the_default_storage_keeps_files_in_the_database() -> None:
    assert isinstance(storages["default"], DatabaseBlobStorage)


def test_a_file_larger_than_a_chunk_comes_back_byte_for_byte() -> None:
    storage = DatabaseBlobStorage()
    data = bytes(range(256)) * ((CHUNK_BYTES * 2 + 1000) // 256)
    name = storage.save("evidence/abc123", ContentFile(data))
    assert name == "evidence/abc123"
    assert StoredChunk.objects.filter(name=name).count() == 3
    assert storage.size(name) == len(data)
    with storage.open(name) as stored:
        assert stored.read() == data


def test_an_empty_file_exists_and_is_empty() -> None:
    storage = DatabaseBlobStorage()
    storage.save("evidence/empty", ContentFile(b""))
    assert storage.exists("evidence/empty")
    assert storage.size("evidence/empty") == 0
    with storage.open("evidence/empty") as stored:
        assert stored.read() == b""


def test_a_name_in_use_gets_another_name_and_deleting_removes_every_chunk() -> None:
    storage = DatabaseBlobStorage()
    first = storage.save("evidence/same", ContentFile(b"one"))
    second = storage.save("evidence/same", ContentFile(b"two"))
    assert first != second
    storage.delete(first)
    assert not storage.exists(first)
    assert not StoredChunk.objects.filter(name=first).exists()
    with pytest.raises(FileNotFoundError):
        storage.open(first)
    assert storage.listdir("evidence") == ([], [second.removeprefix("evidence/")])
    assert storage.listdir("") == (["evidence"], [])


def test_stored_files_cannot_be_opened_for_writing_or_given_a_public_address() -> None:
    storage = DatabaseBlobStorage()
    storage.save("evidence/x", ContentFile(b"x"))
    with pytest.raises(ValueError, match="never opened for writing"):
        storage.open("evidence/x", "wb")
    with pytest.raises(NotImplementedError):
        storage.url("evidence/x")


def test_evidence_saved_through_default_storage_is_shared_by_any_process() -> None:
    # What one server wrote, another reads: the only state is in the database.
    name = default_storage.save("evidence/shared", io.BytesIO(b"ciphertext"))
    assert DatabaseBlobStorage().open(name).read() == b"ciphertext"
