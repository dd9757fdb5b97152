"""The tamper-evident audit chain: canonical form, MAC, append and verification.

Entry n's MAC is PRF_k(canonical(n)), where canonical(n) covers every field of the entry,
its seq and the previous entry's MAC, and k is the audit keyset key named by `key_id`
(so entries written before an audit key rotation still verify). The AuditHead row holds
the last seq and MAC. Verification walks the entries in seq order and reports the first
sequence number at which the chain stops being what was written:

- an edited entry fails its MAC (first broken = that seq);
- a deleted entry leaves a gap (first broken = the missing seq);
- two swapped entries fail their MACs, which cover seq (first broken = the lower seq);
- a forged entry fails its MAC, which needs the key (first broken = its seq);
- a cut-off tail no longer reaches the head (first broken = first missing seq).

An attacker who can write to the database can also move the head back; anchors.py
publishes the head outside the database on a schedule, and verification checks every
published anchor (`verify_audit` does by default).
"""

from __future__ import annotations

import datetime as dt
import hmac
import ipaddress
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from waypoint.privacy import keysets
from waypoint.privacy.models import AuditEvent, AuditHead

MAC_BYTES: Final = 32
_DOMAIN: Final = "waypoint-audit-v1|"
_ACTION_RE: Final = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
_MAX_EXTRA_BYTES: Final = 2048
_MAX_EXTRA_STRING: Final = 200
# Metadata we promise never to keep about anyone, reporters above all.
_FORBIDDEN_EXTRA_KEYS: Final = frozenset(
    {"ip", "ip_address", "remote_addr", "x_forwarded_for", "user_agent", "http_user_agent"}
)
_VERIFY_CHUNK: Final = 2000


class AuditError(Exception):
    pass


@dataclass(frozen=True)
class VerificationResult:
    ok: bool
    count: int
    first_broken_seq: int | None = None
    reason: str = ""
    head_seq: int | None = None
    head_mac: str = ""


def canonical(
    *,
    seq: int,
    occurred_at: dt.datetime,
    actor_kind: str,
    actor_id: str,
    action: str,
    object_type: str,
    object_id: str,
    extra: Mapping[str, Any],
    prev_mac: str,
    key_id: int,
) -> bytes:
    """The exact bytes the MAC covers: sorted-key, ASCII-only JSON with fixed time format."""
    document = {
        "seq": seq,
        "occurred_at": occurred_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor_kind": actor_kind,
        "actor_id": actor_id,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "extra": extra,
        "prev_mac": prev_mac,
        "key_id": key_id,
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return (_DOMAIN + text).encode("ascii")


def _mac(prf: Any, data: bytes) -> str:
    return bytes(prf.compute(data, MAC_BYTES)).hex()


def resolve_actor(actor: AbstractBaseUser | str | None, actor_kind: str | None) -> tuple[str, str]:
    """(actor_kind, actor_id) from a staff User, a reporter's reference, or None."""
    if isinstance(actor, AbstractBaseUser):
        kind = actor_kind or AuditEvent.ActorKind.STAFF
        actor_id = str(actor.pk)
    elif isinstance(actor, str):
        kind = actor_kind or AuditEvent.ActorKind.REPORTER
        actor_id = actor
    elif actor is None:
        kind = actor_kind or AuditEvent.ActorKind.SYSTEM
        actor_id = ""
    else:
        # AnonymousUser and anything else: an unauthenticated request is not an actor.
        raise AuditError(f"Cannot audit an action by {type(actor).__name__}.")
    if kind not in AuditEvent.ActorKind.values:
        raise AuditError(f"Unknown actor kind {kind!r}.")
    if len(actor_id) > 64:
        raise AuditError("actor_id is longer than 64 characters.")
    if _looks_like_ip_address(actor_id):
        raise AuditError("An IP address is not an actor id.")
    return str(kind), actor_id


def _looks_like_ip_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def clean_extra(extra: Mapping[str, Any] | None) -> dict[str, Any]:
    """Small, flat, deterministic metadata: no content, no floats, no request metadata."""
    cleaned: dict[str, Any] = {}
    for key, value in (extra or {}).items():
        if not isinstance(key, str) or not key or len(key) > 64:
            raise AuditError("extra keys must be non-empty strings of up to 64 characters.")
        if key.lower() in _FORBIDDEN_EXTRA_KEYS:
            raise AuditError(f"extra must not record {key!r}.")
        items = value if isinstance(value, list) else [value]
        for item in items:
            if not (item is None or isinstance(item, (bool, int, str))):
                raise AuditError(
                    f"extra[{key!r}] must be a string, integer, boolean, None or a list of them."
                )
            if isinstance(item, str) and len(item) > _MAX_EXTRA_STRING:
                raise AuditError(f"extra[{key!r}] is too long to be metadata.")
        cleaned[key] = list(value) if isinstance(value, list) else value
    size = len(json.dumps(cleaned, sort_keys=True, separators=(",", ":"), ensure_ascii=True))
    if size > _MAX_EXTRA_BYTES:
        raise AuditError("extra is too large to be metadata.")
    return cleaned


def append(
    *,
    actor_kind: str,
    actor_id: str,
    action: str,
    object_type: str,
    object_id: str,
    extra: dict[str, Any],
) -> AuditEvent:
    if not _ACTION_RE.match(action) or len(action) > 64:
        raise AuditError(f"Action {action!r} is not of the form 'noun.verb'.")
    if len(object_type) > 64 or len(object_id) > 64:
        raise AuditError("object_type and object_id are limited to 64 characters.")
    audit_keys = keysets.load_keyset(keysets.AUDIT)
    key_id = audit_keys.primary_key_id
    prf = audit_keys.primitive.primary()
    # Joins the caller's transaction: the entry exists only if the action it records does.
    with transaction.atomic():
        head = AuditHead.objects.select_for_update(of=("self",)).filter(pk=1).first()
        if head is None:
            raise AuditError("The audit head row is missing; run the privacy migrations.")
        fields: dict[str, Any] = {
            "seq": head.seq + 1,
            "occurred_at": timezone.now(),
            "actor_kind": actor_kind,
            "actor_id": actor_id,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "extra": extra,
            "prev_mac": head.mac,
            "key_id": key_id,
        }
        mac = _mac(prf, canonical(**fields))
        event = AuditEvent(**fields, mac=mac)
        event.save()
        AuditHead.objects.filter(pk=1).update(seq=event.seq, mac=mac)
    return event


def verify_audit_chain(
    *, anchor: tuple[int, str] | None = None, anchors: Mapping[int, str] | None = None
) -> VerificationResult:
    """Walk the whole chain in seq order (streamed) and report the first break.

    `anchor` is a (seq, mac) pair exported earlier, `anchors` many (seq -> mac): the
    entry at each seq must still be there with that MAC, which catches a tail cut off
    together with the head.
    """
    expected = dict(anchors or {})
    if anchor is not None:
        expected[anchor[0]] = anchor[1]
    latest = max(expected.items()) if expected else None
    prfs = keysets.load_keyset(keysets.AUDIT).primitive.all()
    prev_mac = ""
    count = 0
    rows = (
        AuditEvent.objects.order_by("seq")
        .values_list(*_CHAIN_FIELDS)
        .iterator(chunk_size=_VERIFY_CHUNK)
    )
    for row in rows:
        entry = dict(zip(_CHAIN_FIELDS, row, strict=True))
        count += 1
        problem = _entry_problem(entry, expected_seq=count, prev_mac=prev_mac, prfs=prfs)
        anchored = expected.get(entry["seq"])
        if (
            problem is None
            and anchored is not None
            and not hmac.compare_digest(entry["mac"], anchored)
        ):
            problem = (count, "the entry at the anchor has a different MAC")
        if problem is not None:
            seq, reason = problem
            return VerificationResult(ok=False, count=count, first_broken_seq=seq, reason=reason)
        prev_mac = entry["mac"]
    head = AuditHead.objects.filter(pk=1).first()
    problem = _end_problem(head, last_seq=count, last_mac=prev_mac, anchor=latest)
    if problem is not None or head is None:
        seq, reason = problem or (1, "the audit head row is missing")
        return VerificationResult(ok=False, count=count, first_broken_seq=seq, reason=reason)
    return VerificationResult(
        ok=True, count=count, head_seq=head.seq, head_mac=head.mac, reason="chain intact"
    )


_CHAIN_FIELDS: Final = (
    "seq",
    "occurred_at",
    "actor_kind",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "extra",
    "prev_mac",
    "mac",
    "key_id",
)


def _entry_problem(
    entry: dict[str, Any], *, expected_seq: int, prev_mac: str, prfs: Mapping[int, Any]
) -> tuple[int, str] | None:
    seq = entry["seq"]
    if seq != expected_seq:
        return expected_seq, f"entry {expected_seq} is missing (the next one is {seq})"
    if not hmac.compare_digest(entry["prev_mac"], prev_mac):
        return seq, "prev_mac does not match the previous entry's MAC"
    prf = prfs.get(entry["key_id"])
    if prf is None:
        return seq, f"MAC key {entry['key_id']} is not in the audit keyset"
    fields = {name: entry[name] for name in _CHAIN_FIELDS if name != "mac"}
    if not hmac.compare_digest(_mac(prf, canonical(**fields)), entry["mac"]):
        return seq, "MAC mismatch: the entry was altered, moved or forged"
    return None


def _end_problem(
    head: AuditHead | None, *, last_seq: int, last_mac: str, anchor: tuple[int, str] | None
) -> tuple[int, str] | None:
    if head is None:
        return 1, "the audit head row is missing"
    if anchor is not None and anchor[0] > last_seq:
        return last_seq + 1, f"the log ends at {last_seq}, before anchor {anchor[0]}"
    if head.seq > last_seq:
        return last_seq + 1, f"the log ends at {last_seq} but the head is at {head.seq}"
    if head.seq < last_seq:
        return head.seq + 1, f"entries after the head ({head.seq})"
    if not hmac.compare_digest(head.mac, last_mac):
        return max(last_seq, 1), "the head's MAC does not match the last entry"
    return None
