"""Load risk instrument files: `manage.py load_instrument [FILE ...]`.

With no FILE, every file shipped in waypoint/safety/instruments/ is loaded. Idempotent:
a file whose content is already loaded changes nothing; a changed file with a higher
version becomes the instrument's current version; a changed file that keeps a version
number already loaded (or goes back to an older one) is refused, so assessments made
with a version always read as they were recorded. An institution with a licence for the
official wording loads its own file the same way, with no code change.

Each file is loaded on its own: one refused file does not stop the others, and the
command ends with an error (exit status 1) listing every file that was not loaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from waypoint.safety.instruments import InstrumentError
from waypoint.safety.services.risk import (
    instrument_file_read,
    instrument_load,
    shipped_instrument_files,
)


class Command(BaseCommand):
    help = "Load risk instrument files (JSON); by default the instruments Waypoint ships."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "files",
            nargs="*",
            metavar="FILE",
            help="Instrument files to load (default: waypoint/safety/instruments/*.json).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        paths = [Path(name) for name in options["files"]] or shipped_instrument_files()
        if not paths:
            raise CommandError("No instrument files to load.")
        problems: list[str] = []
        for path in paths:
            try:
                document = instrument_file_read(path)
                version = instrument_load(document=document, source=f"file:{path.name}")
            except InstrumentError as error:
                problems.append(
                    str(error) if str(error).startswith(path.name) else f"{path.name}: {error}"
                )
                continue
            slug, number = document.get("slug"), document.get("version")
            if version is None:
                self.stdout.write(f"{path.name}: {slug} version {number} is already loaded.")
            else:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"{path.name}: loaded {slug} version {number}, now the current version."
                    )
                )
        if problems:
            raise CommandError("Not loaded:\n" + "\n".join(f"- {problem}" for problem in problems))
