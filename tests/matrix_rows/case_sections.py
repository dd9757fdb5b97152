"""Rows for tests/access_matrix.py (see its docstring for what each cell means).

The sections of a case (ADR 0031), gated like the case page (case.list, then case.view on
the case): the sample uuid names no case, so those past the gate get the 404 any case
they may not see gets; everyone else is denied.
"""

from __future__ import annotations

from typing import Final

from tests.access_matrix import Row, staff_page

ROWS: Final[dict[str, Row]] = {
    "casework:report": staff_page(adviser=404, case_lead=404),
    "casework:people": staff_page(adviser=404, case_lead=404),
    # GET shows the Messages section now (it redirected to the case page before); POST
    # still sends. Same answers: 404 for a case that is not there.
    "casework:message_send": staff_page(adviser=404, case_lead=404),
}
