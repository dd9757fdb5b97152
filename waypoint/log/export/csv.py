"""The chronology as CSV: the PDF's table, one row per entry, for a spreadsheet.

UTF-8 with a byte-order mark, so that Excel reads accents and names correctly. Every cell
that a spreadsheet would read as a formula (it starts with = + - @, a tab or a carriage
return) gets a leading apostrophe: the person's own words and the names they typed must
never run as formulas on an officer's computer (CSV injection).

The CSV is not signed: it is for reading and sorting. The signed PDF is the copy to rely
on, and each evidence cell carries the file's SHA-256 so the two can be compared.
"""

from __future__ import annotations

import csv
import io
from typing import Final

from waypoint.log.chronology import Chronology, EvidenceItem
from waypoint.log.export.rows import human_size, rows

HEADER: Final = (
    "Entry",
    "Happened",
    "Recorded",
    "Recorded by",
    "Where",
    "What happened",
    "Who",
    "Witnesses",
    "How it affected them",
    "Evidence",
    "Police",
    "Correction of entry",
    "Corrected by entries",
    "Chain digest",
    "Note",
)
_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """`value`, made inert for spreadsheets if it could be read as a formula."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _evidence_cell(numbers: tuple[int, ...], items: dict[int, EvidenceItem]) -> str:
    parts = []
    for number in numbers:
        item = items.get(number)
        if item is None:
            parts.append(f"Evidence {number}")
        else:
            parts.append(
                f"Evidence {number}: {item.name} ({item.content_type}, "
                f"{human_size(item.size)}, SHA-256 {item.sha256})"
            )
    return "; ".join(parts)


def export_csv(chronology: Chronology) -> bytes:
    items = {item.number: item for item in chronology.evidence}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in rows(chronology):
        note = "Cannot be confirmed: the record was altered" if row.doubtful else ""
        cells = (
            str(row.seq),
            row.happened,
            row.recorded,
            row.recorded_by,
            row.where,
            row.what,
            row.who,
            row.witnesses,
            row.affected,
            _evidence_cell(row.evidence_numbers, items),
            row.police,
            str(row.corrects) if row.corrects is not None else "",
            ", ".join(str(seq) for seq in row.corrected_by),
            row.digest,
            note,
        )
        writer.writerow([safe_cell(cell) for cell in cells])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")
