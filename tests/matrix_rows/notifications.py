"""Rows for tests/access_matrix.py (see its docstring for what each cell means)."""

from __future__ import annotations

from typing import Final

from tests.access_matrix import OK, ROLES, Row, staff_page

# Every role has a notification centre ("notifications.mine"); an outsider has none.
_EVERY_ROLE_OK: Final = dict.fromkeys(ROLES, OK)
# Marking read and the email choice are POST only: GET is refused with 405 past the gate.
_EVERY_ROLE_405: Final = dict.fromkeys(ROLES, 405)

ROWS: Final[dict[str, Row]] = {
    "notifications:list": staff_page(_EVERY_ROLE_OK),  # type: ignore[arg-type]
    "notifications:mark_read": staff_page(_EVERY_ROLE_405),  # type: ignore[arg-type]
    "notifications:mark_all_read": staff_page(_EVERY_ROLE_405),  # type: ignore[arg-type]
    "notifications:email_choice": staff_page(_EVERY_ROLE_405),  # type: ignore[arg-type]
}
