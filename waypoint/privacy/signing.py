"""Signatures anyone can check: the institution's signing keyset (ADR 0041).

The keyset (settings.WAYPOINT_KEYSETS["signing"]) holds Ed25519 private keys. Signing uses
its primary key; verifying uses the public keyset derived from it, so a signature made
with any key still in the keyset keeps verifying after a rotation. The public keyset is
published (public_keyset_json) for anyone who wants to check a signature themselves.

Tink prefixes each signature with its key's id (5 bytes), which is how verification
finds the right key and how key_id_of() can say which key made a signature.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from typing import Any

import tink
from tink import signature

from waypoint.privacy import keysets

signature.register()

# Tink's TINK output prefix: one version byte, then the key id (4 bytes, big-endian).
_TINK_PREFIX_VERSION = 0x01
_PREFIX_SIZE = 5


@dataclass(frozen=True)
class _Public:
    token: tuple[str, int, int, int]
    verifier: Any
    keyset_json: str


_public: dict[str, _Public] = {}  # one entry, replaced when the keyset file changes
_public_lock = threading.Lock()


@dataclass(frozen=True)
class Signer:
    """The primary key as it is now: its id, to put inside what it then signs."""

    key_id: int
    _primitive: Any

    def sign(self, data: bytes) -> bytes:
        return bytes(self._primitive.sign(data))


def signer() -> Signer:
    """The current primary key. Use one Signer for one document, so that the key id
    written into it is the id of the key that signs it, even during a rotation."""
    loaded = keysets.load_keyset(keysets.SIGNING)
    return Signer(key_id=loaded.primary_key_id, _primitive=loaded.primitive)


def sign(data: bytes) -> bytes:
    """A signature over `data` with the primary signing key."""
    return signer().sign(data)


def verify(data: bytes, signature_bytes: bytes) -> bool:
    """True only if `signature_bytes` is a signature over `data` by a key in the keyset."""
    try:
        _public_keys().verifier.verify(signature_bytes, data)
    except tink.TinkError:
        return False
    return True


def public_keyset_json() -> str:
    """The public half of the signing keyset, in Tink's JSON format (safe to publish)."""
    return _public_keys().keyset_json


def primary_key_id() -> int:
    return keysets.load_keyset(keysets.SIGNING).primary_key_id


def key_id_of(signature_bytes: bytes) -> int | None:
    """The id of the key that made a Tink-prefixed signature, or None if it has no prefix."""
    if len(signature_bytes) <= _PREFIX_SIZE or signature_bytes[0] != _TINK_PREFIX_VERSION:
        return None
    return int.from_bytes(signature_bytes[1:_PREFIX_SIZE], "big")


def _public_keys() -> _Public:
    """The verifier and JSON of the public keyset, rebuilt when the keyset file changes."""
    loaded = keysets.load_keyset(keysets.SIGNING)
    cached = _public.get(keysets.SIGNING)
    if cached is not None and cached.token == loaded.token:
        return cached
    try:
        public_handle = loaded.handle.public_keyset_handle()
        verifier = public_handle.primitive(signature.PublicKeyVerify)
    except tink.TinkError:
        raise keysets.KeysetError("The signing keyset has no public keys.") from None
    buffer = io.StringIO()
    public_handle.write_no_secret(tink.JsonKeysetWriter(buffer))
    fresh = _Public(token=loaded.token, verifier=verifier, keyset_json=buffer.getvalue())
    with _public_lock:
        _public[keysets.SIGNING] = fresh
    return fresh
