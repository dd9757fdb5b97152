"""Rows for tests/access_matrix.py (see its docstring for what each cell means): the
insights pages at /staff/insights/ (issue 15).

Policy "insights.view": the insights viewer, case leads and administrators. Advisers,
partners and outsiders are refused. The section address only matches a section that
exists (its sample is the first, "reports").
"""

from __future__ import annotations

from typing import Final

from tests.access_matrix import OK, Row, staff_page

ROWS: Final[dict[str, Row]] = {
    "insights:overview": staff_page(insights_viewer=OK, case_lead=OK, administrator=OK),
    "insights:section": staff_page(insights_viewer=OK, case_lead=OK, administrator=OK),
    # Downloads: the sample table key ("sample") names no table, so those past the gate
    # get a 404; the report is the whole period as a PDF.
    "insights:table_csv": staff_page(insights_viewer=404, case_lead=404, administrator=404),
    "insights:report_pdf": staff_page(insights_viewer=OK, case_lead=OK, administrator=OK),
}
