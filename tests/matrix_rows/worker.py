"""Rows for tests/access_matrix.py (see its docstring for what each cell means)."""

from __future__ import annotations

from typing import Final

from tests.access_matrix import Row, admin_page

# Outgoing emails in the admin (worker/admin.py) are written by Waypoint only and never
# deleted by hand: the daily prune forgets sent ones, a failed one waits to be sent again.
ROWS: Final[dict[str, Row]] = {
    "admin:worker_outboundemail_add": admin_page(403),
    "admin:worker_outboundemail_delete": admin_page(403),
}
