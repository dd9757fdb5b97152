"""Check the audit chain end to end; exit 1 naming the first broken sequence number.

By default the chain is checked against every anchor published by `anchor_audit`
(privacy/anchors.py), so a tail cut off together with the head is caught.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from waypoint.privacy.anchors import AnchorFileError, anchor_map, anchor_path, read_anchors
from waypoint.privacy.audit import verify_audit_chain

_ANCHOR = re.compile(r"^(?P<seq>[1-9][0-9]*):(?P<mac>[0-9a-f]{64})$")


class Command(BaseCommand):
    help = "Verify the tamper-evident audit chain. Exits 1 if it is broken."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--anchor",
            help="SEQ:MAC printed by an earlier run and kept elsewhere; it must still match.",
        )
        parser.add_argument(
            "--without-anchor-file",
            action="store_true",
            help="Do not read the published anchors (WAYPOINT_AUDIT_ANCHOR_FILE).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        anchor = None
        if options["anchor"]:
            match = _ANCHOR.match(options["anchor"])
            if match is None:
                raise CommandError("--anchor must look like 123:<64 hex digits>.")
            anchor = (int(match["seq"]), match["mac"])
        anchors: dict[int, str] = {}
        if not options["without_anchor_file"]:
            try:
                published = read_anchors()
                anchors = anchor_map(published)
            except AnchorFileError as error:
                raise CommandError(f"Audit anchors unreadable: {error}.", returncode=1) from None
            if published:
                latest = published[-1]
                self.stdout.write(
                    f"Checking against {len(published)} published anchor(s); "
                    f"the latest is seq {latest.seq} from {latest.at}."
                )
            else:
                self.stdout.write(
                    f"No published anchors yet at {anchor_path()} "
                    "(schedule `manage.py anchor_audit`): a cut-off tail would not show."
                )
        result = verify_audit_chain(anchor=anchor, anchors=anchors)
        if not result.ok:
            raise CommandError(
                f"Audit chain BROKEN at seq {result.first_broken_seq}: {result.reason} "
                f"({result.count} entries read).",
                returncode=1,
            )
        self.stdout.write(f"Audit chain OK: {result.count} entries.")
        self.stdout.write(f"Head: {result.head_seq}:{result.head_mac}")
