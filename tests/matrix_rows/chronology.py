"""Rows for tests/access_matrix.py (see its docstring for what each cell means).

The case's chronology, recording an incident and the police-ready bundle (issue 14;
"case.chronology" and "case.police_bundle", the rule of case.view). The gate lets in
advisers and case leads; the sample uuid names no case and no bundle, so they get the
404 any case they may not see gets. Everyone else is denied.
"""

from __future__ import annotations

from typing import Final

from tests.access_matrix import Row, staff_page

ROWS: Final[dict[str, Row]] = {
    "safety:chronology": staff_page(adviser=404, case_lead=404),
    "safety:chronology_add": staff_page(adviser=404, case_lead=404),
    "safety:bundle": staff_page(adviser=404, case_lead=404),
    "safety:bundle_ready": staff_page(adviser=404, case_lead=404),
    "safety:bundle_pdf": staff_page(adviser=404, case_lead=404),
    "safety:bundle_zip": staff_page(adviser=404, case_lead=404),
}
