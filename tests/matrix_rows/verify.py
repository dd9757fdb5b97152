"""Rows for tests/access_matrix.py (see its docstring for what each cell means)."""

from __future__ import annotations

from typing import Final

from tests.access_matrix import OK, Row, everyone

# The public check of an exported record (/verify/): anyone, signed in or not, gets the
# page; an empty POST re-renders it with errors as a 400, so it needs no POST exception.
ROWS: Final[dict[str, Row]] = {
    "verify:verify": everyone(OK),
}
