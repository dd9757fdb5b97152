"""The contract between counting (selectors.py) and showing (disclosure.py, the pages and
the downloads): raw tables go in, protected tables come out (issue 15).

A RawTable's counts are true counts and must never reach a page, a file or a log: only
disclosure.protect() turns them into a ProtectedTable, whose cells are what may be shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RawTable:
    """True counts: rows x columns (for example behaviours x [this period, a year before])."""

    key: str  # stable id: "reports_by_route", used in URLs and file names
    title: str  # "Reports by route"
    row_heading: str  # "Route"
    rows: tuple[str, ...]  # row labels in display order
    columns: tuple[str, ...]  # column labels ("1 Aug 2026 to 31 Jul 2027", "A year before")
    counts: tuple[tuple[int, ...], ...]  # len(rows) x len(columns)
    # Rows are parts of one whole (each case in exactly one row): a total row is shown and
    # must not give a hidden cell away. False for multi-choice tables (behaviours), where
    # one case can count in several rows and no total is shown.
    additive: bool = True


@dataclass(frozen=True)
class ShownCell:
    text: str  # exactly what the page, the CSV and the PDF show: "25", "fewer than 10", "hidden"
    number: int | None  # the rounded figure when one is shown (for charts), else None
    hidden: bool = False
    reason: str = ""  # "small" (under the threshold) or "secondary" (would give one away)


@dataclass(frozen=True)
class ProtectedTable:
    key: str
    title: str
    row_heading: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: tuple[tuple[ShownCell, ...], ...]
    totals: tuple[ShownCell, ...] | None  # one per column, when the table is additive
    notes: tuple[str, ...] = field(default_factory=tuple)  # plain words on what is hidden

    @property
    def any_hidden(self) -> bool:
        return any(cell.hidden for row in self.cells for cell in row) or any(
            cell.hidden for cell in self.totals or ()
        )


@dataclass(frozen=True)
class ShownStatistic:
    """A median, an average or a percentage: shown, or hidden with a reason."""

    text: str  # "3 working days", "64%", "hidden (based on 7 or fewer cases)"
    value: float | None
    hidden: bool = False
