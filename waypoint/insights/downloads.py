"""Insights downloads: each table as CSV, the whole period as a PDF annual report (issue 15).

Both are made from the same SectionView the page shows (selectors.section_tables), so a
download carries exactly the page's figures: each cell's ShownCell.text, "fewer than 10"
and "hidden" included, and the same two period columns. Nothing here sees a true count.

The PDF is made like the incident log's export (log/export/pdf.py, ADR 0041): a template
engine of its own (no request, no context processors), WeasyPrint with a URL fetcher that
refuses everything, fonts from the system. It is not signed: it is a report to read, and
anyone can make it again from the same facts.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from django.template import Context, Engine
from django.utils import timezone

from waypoint.insights.periods import Period
from waypoint.insights.selectors import SectionView, TableView
from waypoint.insights.tables import ProtectedTable

logger = logging.getLogger(__name__)

TOTAL_LABEL: Final = "Total"
TEMPLATE: Final = "insights/report/annual.html"
_TEMPLATE_DIR: Final = Path(__file__).resolve().parent / "templates"
_engine = Engine(dirs=[str(_TEMPLATE_DIR)], autoescape=True)
_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


# --- CSV ---------------------------------------------------------------------------------


def safe_cell(value: str) -> str:
    """`value`, made inert for spreadsheets if it could be read as a formula. Labels come
    from option lists administrators edit, so they are treated like any typed text."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def table_rows(table: ProtectedTable) -> list[list[str]]:
    """The table as the page shows it: heading row, one row per label, then the total."""
    rows = [[table.row_heading, *table.columns]]
    rows += [
        [label, *(cell.text for cell in cells)]
        for label, cells in zip(table.rows, table.cells, strict=True)
    ]
    if table.totals is not None:
        rows.append([TOTAL_LABEL, *(cell.text for cell in table.totals)])
    return rows


def table_csv(table: ProtectedTable) -> bytes:
    """UTF-8 with a byte-order mark (Excel reads it right); notes on hidden figures after
    the table, one a row, so a reader of the file knows why a cell says "hidden"."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in table_rows(table):
        writer.writerow([safe_cell(cell) for cell in row])
    for note in table.notes:
        writer.writerow([safe_cell(f"Note: {note}")])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def find_table(view: SectionView, key: str) -> TableView | None:
    return next((table for table in view.tables if table.table.key == key), None)


def file_name(period: Period, *, stem: str, suffix: str) -> str:
    """ "insights-reports_by_route-2026-08-to-2027-07.csv": what, and when; nobody's name."""
    return f"insights-{stem}-{period.start:%Y-%m}-to-{period.last_day:%Y-%m}.{suffix}"


# --- PDF ---------------------------------------------------------------------------------


class FetchRefusedError(Exception):
    """Raised for every URL WeasyPrint asks for: the report loads nothing."""


def _refusing_fetcher() -> Any:
    import weasyprint.urls  # type: ignore[import-untyped]  # noqa: PLC0415

    class RefuseEveryURL(weasyprint.urls.URLFetcher):  # type: ignore[misc]
        """Never opens anything: no network, no file, no data: URL."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            logger.warning("The insights report asked for a URL and was refused.")
            raise FetchRefusedError("The insights report fetches nothing.")

    return RefuseEveryURL()


@dataclass(frozen=True)
class _Row:
    label: str
    cells: tuple[str, ...]
    hidden: tuple[bool, ...]


@dataclass(frozen=True)
class _Table:
    key: str
    title: str
    row_heading: str
    columns: tuple[str, ...]
    rows: tuple[_Row, ...]
    total: _Row | None
    summary: str
    notes: tuple[str, ...]


def _row(label: str, cells: Sequence[Any]) -> _Row:
    return _Row(
        label=label,
        cells=tuple(cell.text for cell in cells),
        hidden=tuple(cell.hidden for cell in cells),
    )


def _report_table(view: TableView) -> _Table:
    table = view.table
    return _Table(
        key=table.key,
        title=table.title,
        row_heading=table.row_heading,
        columns=table.columns,
        rows=tuple(
            _row(label, cells) for label, cells in zip(table.rows, table.cells, strict=True)
        ),
        total=_row(TOTAL_LABEL, table.totals) if table.totals is not None else None,
        summary=view.summary,
        notes=table.notes,
    )


def render_html(
    sections: Sequence[SectionView], *, institution: str, period: Period, threshold: int
) -> str:
    context = {
        "institution": institution,
        "period": period,
        "before": period.year_before(),
        "threshold": threshold,
        "made_on": f"{timezone.localdate():%-d %B %Y}",
        "sections": [
            {
                "slug": section.slug,
                "title": section.title,
                "any_hidden": section.any_hidden,
                "statistics": section.statistics,
                "tables": [_report_table(view) for view in section.tables],
            }
            for section in sections
        ],
    }
    return _engine.get_template(TEMPLATE).render(Context(context))


def html_to_pdf(html: str) -> bytes:
    # Imported here: WeasyPrint loads Pango through cffi, which only the report needs.
    import weasyprint  # noqa: PLC0415

    document = weasyprint.HTML(string=html, base_url=None, url_fetcher=_refusing_fetcher())
    pdf: bytes = document.write_pdf(pdf_tags=True)
    return pdf


def annual_report_pdf(
    sections: Sequence[SectionView], *, institution: str, period: Period, threshold: int
) -> bytes:
    """The period's annual report: a cover, then each section from a new page."""
    html = render_html(sections, institution=institution, period=period, threshold=threshold)
    return html_to_pdf(html)
