"""Writes owned by the privacy app: data keys and the audit log."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from waypoint.privacy import audit, crypto
from waypoint.privacy.models import AuditEvent, DataKey

_PURPOSE_RE: Final = re.compile(r"^[a-z][a-z0-9_.-]{0,31}$")


def data_key_create(*, purpose: str) -> DataKey:
    """A new data key for one report or case (`purpose` is a short label: "report")."""
    if not _PURPOSE_RE.match(purpose):
        raise ValueError("purpose must be a short lowercase label such as 'report'.")
    key_id = uuid.uuid4()
    data_key = DataKey(id=key_id, purpose=purpose, wrapped=crypto.wrap_new_data_key(key_id))
    data_key.full_clean()
    data_key.save(force_insert=True)
    return data_key


@transaction.atomic
def data_key_shred(*, data_key: DataKey) -> None:
    """Delete the data key: everything sealed with it becomes unreadable.

    The wrapped key survives in backups until they expire, or until the KEK that wrapped
    it is retired (ADR 0004). Rows pointing at the key need on_delete=SET_NULL (or are
    deleted first); on_delete=PROTECT would prevent shredding.
    """
    key_id = str(data_key.pk)
    purpose = data_key.purpose
    data_key.delete()  # also sets data_key.pk to None, so this object opens nothing
    data_key.wrapped = b""
    # Other processes' caches can only find it with the wrapped bytes, now gone.
    crypto.forget_data_key(key_id)
    audit_record(
        actor=None,
        action="privacy.data_key_shredded",
        object_type="privacy.datakey",
        object_id=key_id,
        extra={"purpose": purpose},
    )


@dataclass(frozen=True)
class RewrapResult:
    rewrapped: int
    current: int
    failed: int


def data_key_rewrap_all(*, batch_size: int = 500) -> RewrapResult:
    """Re-encrypt every wrapped data key under the primary KEK; safe to run again.

    Works in primary-key order, one short transaction per batch. Each row is updated
    only if its wrapped bytes are still those that were read (a concurrent shred or
    rewrap wins), so it needs no long locks.
    """
    rewrapped = current = failed = 0
    last_id: uuid.UUID | None = None
    while True:
        batch = DataKey.objects.order_by("id").only("id", "wrapped")
        if last_id is not None:
            batch = batch.filter(id__gt=last_id)
        keys = list(batch[:batch_size])
        if not keys:
            break
        with transaction.atomic():
            for data_key in keys:
                try:
                    new_wrapped = crypto.rewrap(
                        data_key_id=data_key.pk, wrapped=bytes(data_key.wrapped)
                    )
                except crypto.CryptoError:
                    failed += 1
                    continue
                if new_wrapped is None:
                    current += 1
                    continue
                updated = DataKey.objects.filter(
                    pk=data_key.pk, wrapped=bytes(data_key.wrapped)
                ).update(wrapped=new_wrapped)
                rewrapped += updated
        last_id = keys[-1].pk
    if rewrapped:
        audit_record(
            actor=None,
            action="privacy.data_keys_rewrapped",
            object_type="privacy.keyset",
            object_id="kek",
            extra={"rewrapped": rewrapped, "failed": failed},
        )
    return RewrapResult(rewrapped=rewrapped, current=current, failed=failed)


def audit_record(
    *,
    actor: AbstractBaseUser | str | None,
    action: str,
    object_type: str = "",
    object_id: str = "",
    extra: Mapping[str, Any] | None = None,
    actor_kind: str | None = None,
) -> AuditEvent:
    """Append one entry to the audit chain, inside the caller's transaction.

    `actor`: a staff User, a reporter's report reference (str), or None for the system.
    `action`: "noun.verb", e.g. "case.viewed". `extra`: small non-content metadata
    (strings, integers, booleans); never content, IP addresses or user agents.
    """
    kind, actor_id = audit.resolve_actor(actor, actor_kind)
    return audit.append(
        actor_kind=kind,
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        extra=audit.clean_extra(extra),
    )
