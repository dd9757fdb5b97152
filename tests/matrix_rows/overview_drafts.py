"""Rows for tests/access_matrix.py (see its docstring for what each cell means).

The lead's overview (lead.overview: case leads; an administrator only with case access
granted, which the administrator persona has not), the drafts of typed work and the
"Stay signed in" keep-alive (POST only: 405 on GET for those past the gate), and the
content editor's live preview (POST only, content.edit).
"""

from __future__ import annotations

from typing import Final

from tests.access_matrix import OK, ROLES, Row, each, staff_page

ROWS: Final[dict[str, Row]] = {
    "safety:lead_overview": staff_page(case_lead=OK),
    # Gated like the case page (case.view), then POST only.
    "casework:draft_save": staff_page(adviser=405, case_lead=405),
    "casework:draft_discard": staff_page(adviser=405, case_lead=405),
    # Every role may keep their own session going (staff.home); an outsider may not.
    "staff:session_keep_alive": staff_page(each(ROLES, 405)),
    "content:markdown_preview": staff_page(administrator=405),
}
