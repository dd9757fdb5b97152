"""Tink keysets that live outside the database: creation, loading and rotation.

Five keysets, each in its own file (JSON, Tink's format):
- the key-encryption keyset (AEAD) that wraps every per-record data key;
- the identifier keyset (PRF) for keyed hashes used in matching;
- the audit keyset (PRF) for the audit log's hash chain;
- the receipt keyset (PRF): the pepper mixed into receipt passphrases before Argon2id;
- the signing keyset (Ed25519 signatures) for exports anyone can verify (privacy/signing.py).

In development they are generated on first use under var/keys/. In production they are
mounted from a secret store and the app refuses to start without them (config/settings.py).
"""

from __future__ import annotations

import io
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tink
from django.conf import settings
from tink import aead, cleartext_keyset_handle, prf, signature, streaming_aead

aead.register()
prf.register()
signature.register()
streaming_aead.register()

KEK = "kek"
IDENTIFIER = "identifier"
AUDIT = "audit"
RECEIPT = "receipt"
SIGNING = "signing"
KINDS = (KEK, IDENTIFIER, AUDIT, RECEIPT, SIGNING)

_TEMPLATES = {
    KEK: aead.aead_key_templates.AES256_GCM,
    IDENTIFIER: prf.prf_key_templates.HMAC_SHA256,
    AUDIT: prf.prf_key_templates.HMAC_SHA256,
    RECEIPT: prf.prf_key_templates.HMAC_SHA256,
    # Ed25519 (ADR 0041): short signatures for a printed code, no nonce to get wrong.
    SIGNING: signature.signature_key_templates.ED25519,
}


def new_keyset_json(kind: str) -> str:
    handle = tink.new_keyset_handle(_TEMPLATES[kind])
    return keyset_to_json(handle)


def keyset_to_json(handle: tink.KeysetHandle) -> str:
    buffer = io.StringIO()
    cleartext_keyset_handle.write(tink.JsonKeysetWriter(buffer), handle)
    return buffer.getvalue()


def read_keyset(path: Path) -> tink.KeysetHandle:
    try:
        text = path.read_text()
    except OSError as exc:
        raise KeysetError(f"Cannot read keyset {path}: {exc.strerror}") from None
    try:
        return cleartext_keyset_handle.read(tink.JsonKeysetReader(text))
    except tink.TinkError:
        raise KeysetError(f"{path} is not a valid Tink keyset.") from None


def rotated_keyset_json(path: Path, kind: str) -> str:
    """The keyset at `path` with a new primary key added; old keys stay for decryption."""
    # Tink for Python has no keyset manager, so merge at the JSON level: take the key of a
    # freshly generated one-key keyset, append it and make it primary.
    current = json.loads(keyset_to_json(read_keyset(path)))
    fresh = json.loads(new_keyset_json(kind))
    new_key = fresh["key"][0]
    taken = {key["keyId"] for key in current["key"]}
    while new_key["keyId"] in taken:
        fresh = json.loads(new_keyset_json(kind))
        new_key = fresh["key"][0]
    current["key"].append(new_key)
    current["primaryKeyId"] = new_key["keyId"]
    text = json.dumps(current, indent=2)
    cleartext_keyset_handle.read(tink.JsonKeysetReader(text))  # validate before returning
    return text


def write_private_file(path: Path, text: str, *, exclusive: bool) -> bool:
    """Write `text` to `path` readable by the owner only.

    With exclusive=True an existing file is left alone and False is returned, so that
    parallel test workers never overwrite each other's freshly generated keys.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if exclusive:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return False
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        return True
    tmp = path.with_suffix(path.suffix + f".{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.replace(tmp, path)
    return True


class KeysetError(Exception):
    pass


_PRIMITIVES: dict[str, Any] = {
    KEK: aead.Aead,
    IDENTIFIER: prf.PrfSet,
    AUDIT: prf.PrfSet,
    RECEIPT: prf.PrfSet,
    SIGNING: signature.PublicKeySign,
}


@dataclass(frozen=True)
class LoadedKeyset:
    """A keyset read from its file, with the primitive built from it.

    `token` identifies the file version (path, inode, mtime, size): caches of anything
    derived from this keyset key on it, so a rotated or replaced file is picked up by
    every process without a restart.
    """

    kind: str
    token: tuple[str, int, int, int]
    handle: tink.KeysetHandle
    primitive: Any

    @property
    def primary_key_id(self) -> int:
        return int(self.handle.keyset_info().primary_key_id)


_loaded: dict[str, LoadedKeyset] = {}
_loaded_lock = threading.Lock()


def load_keyset(kind: str) -> LoadedKeyset:
    """The keyset configured in settings.WAYPOINT_KEYSETS[kind], cached per process.

    One stat() per call keeps the cache honest after `rotate_keyset` replaced the file
    (os.replace gives a new inode), in this process or any other.
    """
    path = Path(settings.WAYPOINT_KEYSETS[kind])
    try:
        stat = path.stat()
    except OSError as exc:
        raise KeysetError(f"Cannot read keyset {path}: {exc.strerror}") from None
    token = (str(path), stat.st_ino, stat.st_mtime_ns, stat.st_size)
    cached = _loaded.get(kind)
    if cached is not None and cached.token == token:
        return cached
    handle = read_keyset(path)
    try:
        primitive = handle.primitive(_PRIMITIVES[kind])
    except tink.TinkError:
        raise KeysetError(f"{path} is not a {kind} keyset.") from None
    loaded = LoadedKeyset(kind=kind, token=token, handle=handle, primitive=primitive)
    with _loaded_lock:
        _loaded[kind] = loaded
    return loaded


def reset_keyset_cache() -> None:
    """Forget every loaded keyset (tests, and after a rotation in this process)."""
    with _loaded_lock:
        _loaded.clear()


@dataclass(frozen=True)
class DevSecrets:
    secret_key: str
    kek_file: Path
    identifier_file: Path
    audit_file: Path
    receipt_file: Path
    signing_file: Path


def ensure_dev_secrets(var_dir: Path) -> DevSecrets:
    """Create development secrets under var_dir once; later calls reuse them."""
    keys = var_dir / "keys"
    secret_file = keys / "django_secret_key"
    write_private_file(secret_file, secrets.token_urlsafe(64), exclusive=True)
    files = {kind: keys / f"{kind}.json" for kind in KINDS}
    for kind, path in files.items():
        write_private_file(path, new_keyset_json(kind), exclusive=True)
    return DevSecrets(
        secret_key=_read_nonempty(secret_file),
        kek_file=files[KEK],
        identifier_file=files[IDENTIFIER],
        audit_file=files[AUDIT],
        receipt_file=files[RECEIPT],
        signing_file=files[SIGNING],
    )


def _read_nonempty(path: Path) -> str:
    # A parallel writer may have created the file but not yet filled it.
    for _ in range(100):
        text = path.read_text().strip()
        if text:
            return text
        time.sleep(0.01)
    raise KeysetError(f"{path} is empty.")
