"""Audit anchors: the chain's head, published where the database's owner cannot rewrite it.

Someone who can write to the database can delete the newest audit entries and move the
head back; the chain alone cannot show that (audit.py). So a scheduled job
(`manage.py anchor_audit`, deploy/README.md) appends the head's (seq, MAC) to a file
outside the database, opened append-only, one line per anchor:

    2026-12-03T14:00:00.000000Z 1234 <64 hex digits>

and every verification checks the chain against every anchor in that file: the entry at
each anchored seq must still be there with that MAC. A cut then goes unnoticed only if it
removes entries written since the last anchor. The file holds sequence numbers and MACs,
which reveal nothing about anyone. Deployments put it on storage the database's owner
cannot write (another account, `chattr +a`, or a host that ships it off).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from django.conf import settings
from django.core.mail import send_mail

from waypoint.privacy.audit import VerificationResult, verify_audit_chain
from waypoint.privacy.models import AuditHead

_LINE: Final = re.compile(r"^(?P<at>\S+) (?P<seq>[1-9][0-9]*) (?P<mac>[0-9a-f]{64})$")


class AnchorFileError(Exception):
    """The anchor file exists but cannot be read as anchors (damaged or tampered with)."""


@dataclass(frozen=True)
class Anchor:
    at: str
    seq: int
    mac: str


def anchor_path() -> Path:
    return Path(settings.WAYPOINT_AUDIT_ANCHOR_FILE)


def read_anchors(path: Path | None = None) -> list[Anchor]:
    """Every anchor in the file, oldest first; [] when there is no file yet."""
    path = path or anchor_path()
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as error:
        raise AnchorFileError(f"cannot read {path}: {error.__class__.__name__}") from None
    anchors = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _LINE.match(line)
        if match is None:
            raise AnchorFileError(f"line {number} of {path} is not an anchor")
        anchors.append(Anchor(at=match["at"], seq=int(match["seq"]), mac=match["mac"]))
    return anchors


def anchor_map(anchors: list[Anchor]) -> dict[int, str]:
    """seq -> MAC; two different MACs for one seq cannot both be true."""
    result: dict[int, str] = {}
    for anchor in anchors:
        if result.setdefault(anchor.seq, anchor.mac) != anchor.mac:
            raise AnchorFileError(f"two different anchors for seq {anchor.seq}")
    return result


def verify_against_anchors(path: Path | None = None) -> tuple[VerificationResult, list[Anchor]]:
    """Verify the whole chain against every published anchor."""
    anchors = read_anchors(path)
    return verify_audit_chain(anchors=anchor_map(anchors)), anchors


def publish_anchor(path: Path | None = None) -> tuple[VerificationResult, Anchor | None]:
    """Verify the chain, then append its head to the anchor file.

    Nothing is written when the chain is broken (a broken head must not become the new
    truth) or when the head is already the latest anchor (running twice is harmless).
    """
    path = path or anchor_path()
    result, anchors = verify_against_anchors(path)
    if not result.ok:
        return result, None
    head = AuditHead.objects.filter(pk=1).first()
    if head is None or head.seq == 0:
        return result, None
    if anchors and anchors[-1].seq == head.seq:
        return result, anchors[-1]
    at = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    anchor = Anchor(at=at, seq=head.seq, mac=head.mac)
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_APPEND: every write lands at the end, even with two writers; never truncated.
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(descriptor, f"{anchor.at} {anchor.seq} {anchor.mac}\n".encode("ascii"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    return result, anchor


ANCHOR_EMAIL_SUBJECT: Final = "Waypoint audit log: today's check value"


def email_anchor(anchor: Anchor) -> bool:
    """Send `anchor` to WAYPOINT_AUDIT_ANCHOR_EMAIL, if set (anchor_audit --email).

    The email holds a sequence number and a MAC: nothing about anyone. Kept by someone
    outside IT, it lets an auditor show later that no entry up to it was removed.
    """
    address = str(settings.WAYPOINT_AUDIT_ANCHOR_EMAIL or "")
    if not address:
        return False
    body = (
        "This is Waypoint's daily check value for its audit log. Please keep this email.\n\n"
        f"Time (UTC): {anchor.at}\n"
        f"Entry: {anchor.seq}\n"
        f"Check value: {anchor.mac}\n\n"
        "If anyone ever needs to show that the audit log has not been cut short, they can\n"
        "run `manage.py verify_audit --anchor "
        f"{anchor.seq}:{anchor.mac}`. It says nothing about any person or case.\n"
    )
    return bool(send_mail(ANCHOR_EMAIL_SUBJECT, body, None, [address]))
