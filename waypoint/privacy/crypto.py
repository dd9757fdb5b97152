"""Envelope encryption with Tink.

- The key-encryption key (KEK) keyset lives in a file outside the database
  (settings.WAYPOINT_KEYSETS["kek"]). It wraps every data key and nothing else, apart
  from the few secrets that belong to no record (encrypt_with_kek).
- Each report or case has a DataKey row: its own AES256_GCM keyset, wrapped by the KEK.
  seal/unseal encrypt small values with it; encrypt_file/decrypt_file encrypt files with
  a fresh streaming key per file, itself sealed with the record's data key.
- Every ciphertext carries associated data (a context string) saying where it belongs;
  a ciphertext presented anywhere else fails.
- Every failure raises DecryptionError (or EncryptionError): nothing here ever returns
  ciphertext, an empty string or a partial value in place of plaintext.

Tink ciphertexts start with a version byte and the 4-byte id of the key that made them,
so after a KEK rotation old wrapped keys still open with the old key while new ones use
the new primary; rewrap_data_keys moves every data key to the primary.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, BinaryIO, Final, cast

import tink
from tink import aead, streaming_aead
from tink.proto import tink_pb2

from waypoint.privacy import keysets

if TYPE_CHECKING:
    from waypoint.privacy.models import DataKey

_DEK_TEMPLATE: Final = aead.aead_key_templates.AES256_GCM
_FILE_TEMPLATE: Final = streaming_aead.streaming_aead_key_templates.AES256_GCM_HKDF_4KB
_CHUNK: Final = 64 * 1024
_DEK_CACHE_SIZE: Final = 256


class CryptoError(Exception):
    """Base class; messages never contain key material, plaintext or ciphertext."""


class DecryptionError(CryptoError):
    pass


class EncryptionError(CryptoError):
    pass


def data_key_associated_data(data_key_id: object) -> bytes:
    # Binds a wrapped key to its row: a wrapped key copied into another row won't open.
    return f"waypoint:v1|privacy.datakey|{data_key_id}".encode()


# --- KEK ---------------------------------------------------------------------------------


def _kek() -> keysets.LoadedKeyset:
    return keysets.load_keyset(keysets.KEK)


def _kek_or(error: type[CryptoError]) -> keysets.LoadedKeyset:
    # A missing or unreadable keyset file is one more way to fail closed.
    try:
        return _kek()
    except keysets.KeysetError as exc:
        raise error(str(exc)) from exc


def encrypt_with_kek(plaintext: bytes, *, associated_data: bytes) -> bytes:
    """Encrypt a secret that belongs to no record (e.g. a staff member's TOTP seed)."""
    kek = _kek_or(EncryptionError)
    try:
        return cast(bytes, kek.primitive.encrypt(bytes(plaintext), associated_data))
    except tink.TinkError:
        raise EncryptionError("Encryption with the key-encryption key failed.") from None


def decrypt_with_kek(ciphertext: bytes, *, associated_data: bytes) -> bytes:
    kek = _kek_or(DecryptionError)
    try:
        return cast(bytes, kek.primitive.decrypt(bytes(ciphertext), associated_data))
    except tink.TinkError:
        raise DecryptionError("Decryption with the key-encryption key failed.") from None


def wrap_new_data_key(data_key_id: object) -> bytes:
    """A fresh AES256_GCM keyset for a record, encrypted with the current KEK."""
    handle = tink.new_keyset_handle(_DEK_TEMPLATE)
    return _wrap(handle, data_key_id)


def _wrap(handle: tink.KeysetHandle, data_key_id: object) -> bytes:
    try:
        return cast(
            bytes,
            tink.proto_keyset_format.serialize_encrypted(
                handle, _kek_or(EncryptionError).primitive, data_key_associated_data(data_key_id)
            ),
        )
    except tink.TinkError:
        raise EncryptionError("Wrapping a data key failed.") from None


def wrapping_key_id(wrapped: bytes | memoryview) -> int | None:
    """The id of the KEK key that wrapped this data key (None if unreadable)."""
    try:
        encrypted = tink_pb2.EncryptedKeyset.FromString(bytes(wrapped)).encrypted_keyset
    except Exception:  # protobuf's DecodeError; its package ships no type stubs
        return None
    if len(encrypted) < 5 or encrypted[0] != 1:
        return None
    return int.from_bytes(encrypted[1:5], "big")


def rewrap(*, data_key_id: object, wrapped: bytes) -> bytes | None:
    """`wrapped` re-encrypted under the primary KEK, or None if it already is."""
    kek = _kek()
    if wrapping_key_id(wrapped) == kek.primary_key_id:
        return None
    return _wrap(_unwrap_handle(data_key_id=data_key_id, wrapped=wrapped), data_key_id)


def _unwrap_handle(*, data_key_id: object, wrapped: bytes) -> tink.KeysetHandle:
    try:
        return tink.proto_keyset_format.parse_encrypted(
            bytes(wrapped),
            _kek_or(DecryptionError).primitive,
            data_key_associated_data(data_key_id),
        )
    except tink.TinkError:
        raise DecryptionError("The data key cannot be unwrapped.") from None


# --- Data keys ---------------------------------------------------------------------------


class _DekCache:
    """A small LRU of unwrapped data-key primitives.

    Keyed by the KEK file version, the DataKey id and the wrapped bytes themselves: a
    shredded key can only be found by someone who still holds its wrapped bytes, and a
    replaced KEK file invalidates every entry.
    """

    def __init__(self, maxsize: int) -> None:
        self._maxsize = maxsize
        self._entries: OrderedDict[tuple[object, str, bytes], Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[object, str, bytes]) -> Any:
        with self._lock:
            primitive = self._entries.get(key)
            if primitive is not None:
                self._entries.move_to_end(key)
            return primitive

    def put(self, key: tuple[object, str, bytes], primitive: Any) -> None:
        with self._lock:
            self._entries[key] = primitive
            self._entries.move_to_end(key)
            while len(self._entries) > self._maxsize:
                self._entries.popitem(last=False)

    def discard(self, data_key_id: str) -> None:
        with self._lock:
            for key in [key for key in self._entries if key[1] == data_key_id]:
                del self._entries[key]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_dek_cache = _DekCache(_DEK_CACHE_SIZE)


def reset_key_caches() -> None:
    """Forget loaded keysets and unwrapped data keys (tests; after rotating in-process)."""
    keysets.reset_keyset_cache()
    _dek_cache.clear()


def forget_data_key(data_key_id: object) -> None:
    _dek_cache.discard(str(data_key_id))


def _dek_primitive(data_key: DataKey | None, error: type[CryptoError]) -> Any:
    # A deleted DataKey keeps its Python object but loses its pk (Django sets it to None).
    if data_key is None or data_key.pk is None or not data_key.wrapped:
        raise error("The record's data key is missing (shredded?).")
    wrapped = bytes(data_key.wrapped)
    key = (_kek_or(error).token, str(data_key.pk), wrapped)
    primitive = _dek_cache.get(key)
    if primitive is None:
        try:
            handle = _unwrap_handle(data_key_id=data_key.pk, wrapped=wrapped)
            primitive = handle.primitive(aead.Aead)
        except (DecryptionError, tink.TinkError):
            raise error("The record's data key cannot be unwrapped.") from None
        _dek_cache.put(key, primitive)
    return primitive


def seal(*, data_key: DataKey, plaintext: bytes, context: str) -> bytes:
    """Encrypt `plaintext` with the record's data key; `context` is associated data."""
    primitive = _dek_primitive(data_key, EncryptionError)
    try:
        return cast(bytes, primitive.encrypt(bytes(plaintext), context.encode()))
    except tink.TinkError:
        raise EncryptionError("Encryption failed.") from None


def unseal(*, data_key: DataKey, ciphertext: bytes, context: str) -> bytes:
    """Decrypt, or raise DecryptionError: wrong key, wrong context or altered bytes."""
    primitive = _dek_primitive(data_key, DecryptionError)
    try:
        return cast(bytes, primitive.decrypt(bytes(ciphertext), context.encode()))
    except tink.TinkError:
        raise DecryptionError("Decryption failed.") from None


# --- Files -------------------------------------------------------------------------------


class WrappedFileKey(bytes):
    """The sealed per-file key to store beside the file (it is bytes).

    Also carries the SHA-256 (hex) and size of the plaintext, for chain of custody.
    """

    sha256: str
    size: int

    def __new__(cls, wrapped: bytes, *, sha256: str, size: int) -> WrappedFileKey:
        instance = super().__new__(cls, wrapped)
        instance.sha256 = sha256
        instance.size = size
        return instance


class _Unclosable(io.RawIOBase):
    """Tink's streams close the file they wrap; the caller's file stays the caller's."""

    def __init__(self, inner: BinaryIO) -> None:
        super().__init__()
        self._inner = inner

    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        written = 0
        while written < len(view):
            # Raw files may take part of a write; file-likes that return None took it all.
            count = self._inner.write(view[written:])
            written += len(view) - written if count is None else count
        return written

    def readinto(self, buffer: Any) -> int:
        data = self._inner.read(len(buffer))
        size = len(data)
        buffer[:size] = data
        return size


def _file_key_associated_data(context: str) -> bytes:
    return f"waypoint:v1|file-key|{context}".encode()


def encrypt_file(
    *, data_key: DataKey, source: BinaryIO, destination: BinaryIO, context: str
) -> WrappedFileKey:
    """Stream `source` into `destination` encrypted; return the sealed file key.

    A fresh AES256_GCM_HKDF_4KB streaming keyset per file, sealed with the record's data
    key, so one file's key opens nothing else. Reads 64 KiB at a time.
    """
    dek = _dek_primitive(data_key, EncryptionError)
    handle = tink.new_keyset_handle(_FILE_TEMPLATE)
    digest = hashlib.sha256()
    size = 0
    try:
        wrapped = tink.proto_keyset_format.serialize_encrypted(
            handle, dek, _file_key_associated_data(context)
        )
        stream_aead = handle.primitive(streaming_aead.StreamingAead)
        with stream_aead.new_encrypting_stream(
            _Unclosable(destination), context.encode()
        ) as encrypting:
            while chunk := source.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
                encrypting.write(chunk)
    except tink.TinkError:
        raise EncryptionError("File encryption failed.") from None
    return WrappedFileKey(wrapped, sha256=digest.hexdigest(), size=size)


def decrypt_file(
    *,
    data_key: DataKey,
    wrapped_key: bytes,
    source: BinaryIO,
    destination: BinaryIO,
    context: str,
) -> str:
    """Stream the plaintext of `source` into `destination`; return its SHA-256 (hex).

    Each 4 KiB segment is authenticated before it is written, and truncation is detected
    at the end; on DecryptionError discard whatever reached `destination`.
    """
    dek = _dek_primitive(data_key, DecryptionError)
    digest = hashlib.sha256()
    try:
        handle = tink.proto_keyset_format.parse_encrypted(
            bytes(wrapped_key), dek, _file_key_associated_data(context)
        )
        stream_aead = handle.primitive(streaming_aead.StreamingAead)
        with stream_aead.new_decrypting_stream(
            cast(BinaryIO, _Unclosable(source)), context.encode()
        ) as decrypting:
            while chunk := decrypting.read(_CHUNK):
                digest.update(chunk)
                destination.write(chunk)
    except tink.TinkError:
        raise DecryptionError("File decryption failed.") from None
    return digest.hexdigest()
