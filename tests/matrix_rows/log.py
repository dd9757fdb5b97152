"""Rows for tests/access_matrix.py (see its docstring for what each cell means): the
incident log at /log/ (issue 14).

Public, no account, like /my-report/: the start page, the sign-in page and the signed-out
page answer everyone; every page of a record sends anyone without a record session (staff
included: a staff account opens nobody's record) to the record's sign-in page; the
receipt pages, without the "just started" mark, go back to the start page. Every change
is POST only.
"""

from __future__ import annotations

from typing import Final

from tests.access_matrix import OK, Row, everyone

TO_LOG_SIGN_IN: Final = (302, "log:sign_in")
TO_LOG_START: Final = (302, "log:start")

ROWS: Final[dict[str, Row]] = {
    "log:start": everyone(OK),
    "log:receipt": everyone(TO_LOG_START),
    "log:receipt_download": everyone((302, "log:receipt")),
    "log:receipt_check": everyone(TO_LOG_START),
    "log:sign_in": everyone(OK),
    "log:sign_out": everyone(405),
    "log:signed_out": everyone(OK),
    "log:home": everyone(TO_LOG_SIGN_IN),
    "log:add": everyone(TO_LOG_SIGN_IN),
    "log:entry": everyone(TO_LOG_SIGN_IN),
    "log:correct": everyone(TO_LOG_SIGN_IN),
    "log:person_add": everyone(TO_LOG_SIGN_IN),
    "log:delete": everyone(TO_LOG_SIGN_IN),
    # The person's own export (views_export.py), behind the same record sign-in.
    "log:download": everyone(TO_LOG_SIGN_IN),
    "log:download_pdf": everyone(TO_LOG_SIGN_IN),
    "log:download_csv": everyone(TO_LOG_SIGN_IN),
    # Only just after deleting a record does it say so; anyone else goes to the start page.
    "log:deleted": everyone(TO_LOG_START),
    # Sharing incidents with the team (views/share.py), and its confirmation.
    "log:share": everyone(TO_LOG_SIGN_IN),
    "log:shared": everyone(TO_LOG_SIGN_IN),
}
