"""Rows for tests/access_matrix.py (see its docstring for what each cell means)."""

from __future__ import annotations

from typing import Final

from tests.access_matrix import Row, staff_page

ROWS: Final[dict[str, Row]] = {
    # Search across cases ("case.search"): the form for advisers and leads (an administrator
    # only once granted case access, which the matrix's administrator is not).
    "casework:search": staff_page(adviser=200, case_lead=200),
    # Bulk actions ("case.bulk", leads): POST only; an adviser is refused (403).
    "casework:bulk": staff_page(case_lead=405),
    # The claim preview ("case.preview"): a made-up case id is a 404, like any case.
    "casework:preview": staff_page(adviser=404, case_lead=404),
}
