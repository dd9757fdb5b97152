"""Rows for tests/access_matrix.py (see its docstring for what each cell means)."""

from __future__ import annotations

from typing import Final

from tests.access_matrix import Row

ROWS: Final[dict[str, Row]] = {}
