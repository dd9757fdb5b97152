"""Check the audit chain end to end; exit 1 naming the first broken sequence number."""

from __future__ import annotations

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from waypoint.privacy.audit import verify_audit_chain

_ANCHOR = re.compile(r"^(?P<seq>[1-9][0-9]*):(?P<mac>[0-9a-f]{64})$")


class Command(BaseCommand):
    help = "Verify the tamper-evident audit chain. Exits 1 if it is broken."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--anchor",
            help="SEQ:MAC printed by an earlier run and kept elsewhere; it must still match.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        anchor = None
        if options["anchor"]:
            match = _ANCHOR.match(options["anchor"])
            if match is None:
                raise CommandError("--anchor must look like 123:<64 hex digits>.")
            anchor = (int(match["seq"]), match["mac"])
        result = verify_audit_chain(anchor=anchor)
        if not result.ok:
            raise CommandError(
                f"Audit chain BROKEN at seq {result.first_broken_seq}: {result.reason} "
                f"({result.count} entries read).",
                returncode=1,
            )
        self.stdout.write(f"Audit chain OK: {result.count} entries.")
        self.stdout.write(f"Head: {result.head_seq}:{result.head_mac}")
