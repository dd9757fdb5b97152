"""Insights downloads (issue 15, item 5) as Ines, the insights viewer, makes them: every
table as CSV and the period as a PDF report, each carrying exactly the page's figures."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from waypoint.accounts.models import User
from waypoint.insights.demo import demo_facts_load
from waypoint.insights.downloads import table_csv
from waypoint.insights.selectors import SECTIONS
from waypoint.insights.tables import ProtectedTable, ShownCell
from waypoint.institution.demo import institution_load_demo
from waypoint.privacy.models import AuditEvent
from waypoint.reporting.default_options import load_default_options
from waypoint.reporting.models import ReportOption

pytestmark = pytest.mark.django_db

SignIn = Callable[[User], Client]
Rows = list[list[str]]


class _Tables(HTMLParser):
    """The page's figure tables, by key (from each caption's id "<key>-caption"): every
    row's header and data cells, as text."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, Rows] = {}
        self._key: str | None = None
        self._rows: Rows = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._in_caption = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table":
            self._key, self._rows = None, []
        elif tag == "caption":
            caption_id = found.get("id") or ""
            self._key = caption_id.removesuffix("-caption") or None
        elif tag == "tr":
            self._row = []
        elif tag in ("th", "td") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td") and self._row is not None and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._rows.append(self._row)
            self._row = None
        elif tag == "table" and self._key:
            self.tables[self._key] = self._rows

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def page_tables(client: Client, section: str) -> dict[str, Rows]:
    response = client.get(reverse("insights:section", args=[section]))
    assert response.status_code == 200
    parser = _Tables()
    parser.feed(response.content.decode())
    parser.tables.pop("insights-statistics", None)
    return parser.tables


def csv_rows(content: bytes) -> Rows:
    text = content.decode("utf-8").removeprefix("\ufeff")
    return [row for row in csv.reader(io.StringIO(text)) if not row[0].startswith("Note: ")]


@pytest.fixture
def demo_facts() -> None:
    institution_load_demo()
    load_default_options(ReportOption)
    demo_facts_load()


def test_every_csv_carries_exactly_the_page_figures_hidden_ones_included(
    demo_facts: None, insights_viewer: User, signed_in_client: SignIn
) -> None:
    client = signed_in_client(insights_viewer)
    texts: set[str] = set()
    compared = 0
    for section, _ in SECTIONS:
        for key, rows in page_tables(client, section).items():
            response = client.get(reverse("insights:table_csv", args=[section, key]))

            assert response.status_code == 200, key
            assert response["Content-Type"] == "text/csv; charset=utf-8"
            assert response["Content-Disposition"].startswith(
                f'attachment; filename="insights-{key}-'
            )
            assert csv_rows(response.content) == rows, key
            texts |= {cell for row in rows[1:] for cell in row[1:]}
            compared += 1
    assert compared >= 15
    assert "fewer than 10" in texts  # the demo keeps some groups small: suppression shows


def test_the_pdf_report_carries_every_figure_of_every_section_page(
    demo_facts: None, insights_viewer: User, signed_in_client: SignIn, tmp_path: Path
) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    client = signed_in_client(insights_viewer)

    response = client.get(reverse("insights:report_pdf"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.content)
    raw = subprocess.run(  # noqa: S603
        ["pdftotext", "-raw", str(pdf), "-"],  # noqa: S607
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    text = " ".join(raw.split())
    for section, title in SECTIONS:
        assert title in text
        for key, rows in page_tables(client, section).items():
            for row in rows[1:]:  # each row: its label, then its figures, in order
                assert " ".join(row) in text, (key, row)


def test_a_download_is_audited_with_the_section_and_the_period_only(
    demo_facts: None, insights_viewer: User, signed_in_client: SignIn
) -> None:
    client = signed_in_client(insights_viewer)

    client.get(reverse("insights:table_csv", args=["reports", "reports_by_route"]), {"year": ""})
    client.get(reverse("insights:report_pdf"))

    events = AuditEvent.objects.filter(action="insights.downloaded").order_by("seq")
    assert [(e.object_id, e.extra["format"]) for e in events] == [
        ("reports", "csv"),
        ("all", "pdf"),
    ]
    for event in events:
        assert set(event.extra) == {"format", "period_start", "period_end"}
        assert re.fullmatch(r"\d{4}-\d{2}-01", event.extra["period_start"])


def test_a_table_that_does_not_exist_is_not_found_and_a_bad_period_goes_back_to_the_page(
    insights_viewer: User, signed_in_client: SignIn
) -> None:
    client = signed_in_client(insights_viewer)

    missing = client.get(reverse("insights:table_csv", args=["reports", "no_such_table"]))
    bad = client.get(
        reverse("insights:table_csv", args=["reports", "reports_by_route"]), {"year": "1900"}
    )

    assert missing.status_code == 404
    assert bad.status_code == 302
    assert bad["Location"].startswith(reverse("insights:section", args=["reports"]))
    assert not AuditEvent.objects.filter(action="insights.downloaded").exists()


def test_a_label_a_spreadsheet_would_run_as_a_formula_is_made_inert() -> None:
    cell = ShownCell(text="fewer than 10", number=None, hidden=True, reason="small")
    table = ProtectedTable(
        key="reports_by_place",
        title="Where",
        row_heading="Place",
        rows=('=HYPERLINK("x")',),
        columns=("This year", "A year before"),
        cells=((cell, cell),),
        totals=None,
        notes=("Some figures are hidden.",),
    )

    rows = list(csv.reader(io.StringIO(table_csv(table).decode().removeprefix("\ufeff"))))

    assert rows == [
        ["Place", "This year", "A year before"],
        ['\'=HYPERLINK("x")', "fewer than 10", "fewer than 10"],
        ["Note: Some figures are hidden."],
    ]


def test_each_table_and_the_whole_period_are_offered_as_downloads_from_the_page(
    demo_facts: None, insights_viewer: User, signed_in_client: SignIn
) -> None:
    client = signed_in_client(insights_viewer)
    page = client.get(reverse("insights:section", args=["reports"]) + "?year=2025")
    html = page.content.decode()
    links = re.findall(r'href="([^"]+)">Download “[^”]+” as a spreadsheet \(CSV\)', html)
    assert len(links) >= 5
    assert all(link.endswith("?year=2025") for link in links)  # the page's period goes too
    first = client.get(links[0].replace("&amp;", "&"))
    assert first.status_code == 200 and first["Content-Type"].startswith("text/csv")
    report = re.search(r'href="([^"]+)">Download the report for this period \(PDF', html)
    assert report is not None and report.group(1).startswith(reverse("insights:report_pdf"))
