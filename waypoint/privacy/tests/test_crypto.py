from __future__ import annotations

import hashlib
import io
import os
import uuid
from typing import BinaryIO, cast

import pytest

from waypoint.privacy import crypto
from waypoint.privacy.crypto import (
    DecryptionError,
    EncryptionError,
    decrypt_file,
    decrypt_with_kek,
    encrypt_file,
    encrypt_with_kek,
    seal,
    unseal,
)
from waypoint.privacy.models import DataKey
from waypoint.privacy.services import data_key_create, data_key_shred

pytestmark = pytest.mark.django_db


def flip(data: bytes, index: int) -> bytes:
    changed = bytearray(data)
    changed[index] ^= 0x01
    return bytes(changed)


def test_it_round_trips_with_the_same_key_and_context():
    data_key = data_key_create(purpose="report")
    ciphertext = seal(data_key=data_key, plaintext=b"he waits outside", context="ctx")
    assert b"he waits outside" not in ciphertext
    assert unseal(data_key=data_key, ciphertext=ciphertext, context="ctx") == b"he waits outside"


def test_it_gives_different_ciphertexts_for_equal_plaintexts():
    data_key = data_key_create(purpose="report")
    first = seal(data_key=data_key, plaintext=b"same", context="ctx")
    second = seal(data_key=data_key, plaintext=b"same", context="ctx")
    assert first != second


def test_it_fails_closed_on_a_different_context():
    data_key = data_key_create(purpose="report")
    ciphertext = seal(data_key=data_key, plaintext=b"secret", context="row-1")
    with pytest.raises(DecryptionError):
        unseal(data_key=data_key, ciphertext=ciphertext, context="row-2")


@pytest.mark.parametrize("index", [0, 3, 10, -1])
def test_it_fails_closed_on_one_flipped_byte(index):
    data_key = data_key_create(purpose="report")
    ciphertext = seal(data_key=data_key, plaintext=b"secret", context="ctx")
    with pytest.raises(DecryptionError):
        unseal(data_key=data_key, ciphertext=flip(ciphertext, index), context="ctx")


def test_it_fails_closed_with_another_records_key():
    ours = data_key_create(purpose="report")
    theirs = data_key_create(purpose="report")
    ciphertext = seal(data_key=ours, plaintext=b"secret", context="ctx")
    with pytest.raises(DecryptionError):
        unseal(data_key=theirs, ciphertext=ciphertext, context="ctx")


def test_it_fails_closed_on_empty_or_garbage_ciphertext():
    data_key = data_key_create(purpose="report")
    for garbage in (b"", b"\x01", os.urandom(64)):
        with pytest.raises(DecryptionError):
            unseal(data_key=data_key, ciphertext=garbage, context="ctx")


def test_it_binds_a_wrapped_key_to_its_own_row():
    data_key = data_key_create(purpose="report")
    ciphertext = seal(data_key=data_key, plaintext=b"secret", context="ctx")
    # The same wrapped bytes planted in another DataKey row do not unwrap there.
    impostor = DataKey.objects.create(id=uuid.uuid4(), purpose="report", wrapped=data_key.wrapped)
    with pytest.raises(DecryptionError):
        unseal(data_key=impostor, ciphertext=ciphertext, context="ctx")


def test_it_makes_data_unreadable_once_the_key_is_shredded():
    data_key = data_key_create(purpose="case")
    key_id = data_key.pk
    ciphertext = seal(data_key=data_key, plaintext=b"secret", context="ctx")

    data_key_shred(data_key=data_key)

    assert not DataKey.objects.filter(pk=key_id).exists()
    assert all(key[1] != str(key_id) for key in crypto._dek_cache._entries)
    with pytest.raises(DecryptionError):
        unseal(data_key=data_key, ciphertext=ciphertext, context="ctx")
    with pytest.raises(EncryptionError):
        seal(data_key=data_key, plaintext=b"more", context="ctx")


def test_it_refuses_an_unknown_purpose_label():
    with pytest.raises(ValueError, match="purpose"):
        data_key_create(purpose="Report With Spaces")


def test_it_encrypts_secrets_without_a_record_under_the_kek():
    ciphertext = encrypt_with_kek(b"JBSWY3DPEHPK3PXP", associated_data=b"mfa.totp|user-1")
    assert b"JBSWY3DPEHPK3PXP" not in ciphertext
    assert decrypt_with_kek(ciphertext, associated_data=b"mfa.totp|user-1") == b"JBSWY3DPEHPK3PXP"
    with pytest.raises(DecryptionError):
        decrypt_with_kek(ciphertext, associated_data=b"mfa.totp|user-2")
    with pytest.raises(DecryptionError):
        decrypt_with_kek(flip(ciphertext, 12), associated_data=b"mfa.totp|user-1")


def test_it_fails_closed_when_the_kek_file_is_missing(settings, tmp_path):
    data_key = data_key_create(purpose="report")
    ciphertext = seal(data_key=data_key, plaintext=b"secret", context="ctx")
    crypto.reset_key_caches()
    settings.WAYPOINT_KEYSETS = {**settings.WAYPOINT_KEYSETS, "kek": tmp_path / "gone.json"}
    with pytest.raises(DecryptionError, match=r"gone\.json"):
        unseal(data_key=data_key, ciphertext=ciphertext, context="ctx")
    with pytest.raises(EncryptionError):
        data_key_create(purpose="report")


class RecordingReader(io.RawIOBase):
    """A file that remembers the largest read asked of it."""

    def __init__(self, data: bytes) -> None:
        self._inner = io.BytesIO(data)
        self.largest_read = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        self.largest_read = max(self.largest_read, size if size >= 0 else 1 << 62)
        return self._inner.read(size)


def test_it_encrypts_files_in_a_stream_and_reports_the_plaintext_digest():
    data_key = data_key_create(purpose="report")
    canary = f"CANARY-{uuid.uuid4()}".encode()
    plaintext = os.urandom(300_000) + canary + os.urandom(123)
    source = RecordingReader(plaintext)
    encrypted = io.BytesIO()

    wrapped_key = encrypt_file(
        data_key=data_key,
        source=cast(BinaryIO, source),
        destination=encrypted,
        context="evidence|e1",
    )

    assert isinstance(wrapped_key, bytes)
    assert wrapped_key.sha256 == hashlib.sha256(plaintext).hexdigest()
    assert wrapped_key.size == len(plaintext)
    assert source.largest_read <= 64 * 1024  # streamed, never read whole
    assert not encrypted.closed
    assert canary not in encrypted.getvalue()

    decrypted = io.BytesIO()
    encrypted.seek(0)
    digest = decrypt_file(
        data_key=data_key,
        wrapped_key=bytes(wrapped_key),
        source=encrypted,
        destination=decrypted,
        context="evidence|e1",
    )
    assert decrypted.getvalue() == plaintext
    assert digest == wrapped_key.sha256
    assert not encrypted.closed


def test_it_uses_a_fresh_key_for_every_file():
    data_key = data_key_create(purpose="report")
    first = encrypt_file(
        data_key=data_key, source=io.BytesIO(b"x"), destination=io.BytesIO(), context="c"
    )
    second = encrypt_file(
        data_key=data_key, source=io.BytesIO(b"x"), destination=io.BytesIO(), context="c"
    )
    assert bytes(first) != bytes(second)


@pytest.mark.parametrize("tamper", ["flip", "truncate", "context", "key", "other_record"])
def test_it_fails_closed_on_a_tampered_file(tamper):
    data_key = data_key_create(purpose="report")
    other_key = data_key_create(purpose="report")
    encrypted = io.BytesIO()
    wrapped_key = encrypt_file(
        data_key=data_key,
        source=io.BytesIO(os.urandom(20_000)),
        destination=encrypted,
        context="evidence|e1",
    )
    ciphertext = encrypted.getvalue()
    context = "evidence|e1"
    key_bytes = bytes(wrapped_key)
    key = data_key
    if tamper == "flip":
        ciphertext = flip(ciphertext, len(ciphertext) // 2)
    elif tamper == "truncate":
        ciphertext = ciphertext[:-4096]
    elif tamper == "context":
        context = "evidence|e2"
    elif tamper == "key":
        key_bytes = flip(key_bytes, len(key_bytes) - 1)
    else:
        key = other_key
    with pytest.raises(DecryptionError):
        decrypt_file(
            data_key=key,
            wrapped_key=key_bytes,
            source=io.BytesIO(ciphertext),
            destination=io.BytesIO(),
            context=context,
        )


def test_it_keeps_a_bounded_cache_of_unwrapped_keys():
    cache = crypto._DekCache(2)
    cache.put(("kek", "a", b"1"), "A")
    cache.put(("kek", "b", b"2"), "B")
    assert cache.get(("kek", "a", b"1")) == "A"  # now most recently used
    cache.put(("kek", "c", b"3"), "C")
    assert cache.get(("kek", "b", b"2")) is None
    cache.discard("a")
    assert cache.get(("kek", "a", b"1")) is None
    assert cache.get(("kek", "c", b"3")) == "C"
