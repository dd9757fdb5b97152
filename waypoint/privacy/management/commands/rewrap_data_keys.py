"""Re-encrypt every data key under the primary KEK (after `rotate_keyset kek`)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from waypoint.privacy.services import data_key_rewrap_all


class Command(BaseCommand):
    help = "Re-wrap every data key with the current primary key-encryption key. Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        result = data_key_rewrap_all(batch_size=options["batch_size"])
        self.stdout.write(
            f"Re-wrapped {result.rewrapped} data keys; {result.current} were already "
            f"under the primary key; {result.failed} could not be unwrapped."
        )
        if result.failed:
            raise CommandError(
                f"{result.failed} data keys could not be unwrapped with any key in the KEK keyset.",
                returncode=1,
            )
