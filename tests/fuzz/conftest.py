"""The fuzz suite prints how many examples it tries, so a reader of CI output can see it ran."""

from __future__ import annotations

import pytest

from tests.fuzz.forms import EXAMPLES_PER_FORM


def pytest_report_header(config: pytest.Config) -> str:
    return (
        f"fuzz: {EXAMPLES_PER_FORM} examples per form "
        "(WAYPOINT_FUZZ_EXAMPLES to change; tests/fuzz)"
    )
