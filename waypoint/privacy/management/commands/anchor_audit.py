"""Publish the audit chain's head to the append-only anchor file (run on a schedule).

Verifies the chain against the anchors already published first; a broken chain is not
anchored and the command exits 1 (deploy/README.md: alert on it).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from waypoint.privacy.anchors import AnchorFileError, anchor_path, email_anchor, publish_anchor


class Command(BaseCommand):
    help = "Append the audit chain's head to WAYPOINT_AUDIT_ANCHOR_FILE after verifying it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--email",
            action="store_true",
            help="Also email the anchor to WAYPOINT_AUDIT_ANCHOR_EMAIL, if it is set.",
        )

    def handle(self, *args: Any, email: bool = False, **options: Any) -> None:
        try:
            result, anchor = publish_anchor()
        except AnchorFileError as error:
            raise CommandError(f"Audit anchors unreadable: {error}.", returncode=1) from None
        if not result.ok:
            raise CommandError(
                f"Audit chain BROKEN at seq {result.first_broken_seq}: {result.reason}. "
                "Nothing was anchored.",
                returncode=1,
            )
        if anchor is None:
            self.stdout.write("The audit log is empty: nothing to anchor yet.")
            return
        self.stdout.write(f"Anchored seq {anchor.seq} in {anchor_path()}.")
        if email and email_anchor(anchor):
            self.stdout.write("Emailed the anchor to the audit anchor address.")
