"""Add a new primary key to one of the keysets, rewriting its file atomically.

Old keys stay in the keyset, so everything made with them still opens (or verifies).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from waypoint.privacy import keysets
from waypoint.privacy.crypto import reset_key_caches
from waypoint.privacy.services import audit_record

_AFTERWARDS = {
    keysets.KEK: (
        "Run `manage.py rewrap_data_keys` to move every data key to the new key. Keep "
        "the old key until every backup made before the rewrap has expired."
    ),
    keysets.AUDIT: "New audit entries use the new key; older entries verify with theirs.",
    keysets.RECEIPT: (
        "New receipts use the new pepper; existing receipts record the key they were "
        "made with and keep working. Keep the old key while any report can still be "
        "returned to."
    ),
    keysets.SIGNING: (
        "New exports are signed with the new key; exports signed before verify with the "
        "old one, so keep it in the keyset for as long as any of them may be checked. To "
        "retire a key that may have leaked, remove it: its exports then read as not genuine."
    ),
}
_IDENTIFIER_WARNING = (
    "WARNING: identifier digests already stored were made with the old key and will not "
    "equal new digests of the same identifier. Match with "
    "identifiers.identifier_digest_candidates() (every key in the keyset) until they have "
    "been replaced, and do not remove the old key before then."
)


class Command(BaseCommand):
    help = "Rotate a keyset: add a new primary key (old keys stay for decryption)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=list(keysets.KINDS))

    def handle(self, *args: Any, **options: Any) -> None:
        kind: str = options["kind"]
        path = Path(settings.WAYPOINT_KEYSETS[kind])
        try:
            text = keysets.rotated_keyset_json(path, kind)
            keysets.write_private_file(path, text, exclusive=False)
        except (keysets.KeysetError, OSError) as exc:
            raise CommandError(f"Could not rotate the {kind} keyset: {exc}") from None
        reset_key_caches()
        document = json.loads(text)
        primary = int(document["primaryKeyId"])
        audit_record(
            actor=None,
            action="privacy.keyset_rotated",
            object_type="privacy.keyset",
            object_id=kind,
            extra={"primary_key_id": primary, "keys": len(document["key"])},
        )
        self.stdout.write(
            f"Rotated the {kind} keyset at {path}: new primary key {primary}, "
            f"{len(document['key'])} keys in the keyset."
        )
        if kind == keysets.IDENTIFIER:
            self.stderr.write(_IDENTIFIER_WARNING)
        else:
            self.stdout.write(_AFTERWARDS[kind])
