"""Hypothesis settings for the disclosure property tests (issue 15, item 9).

CI runs each property with 2,000 examples (the issue's floor); a local run uses 200 so
that it stays quick. CI is recognised by the usual `CI` variable or by .ci/run's
WAYPOINT_REQUIRE_BROWSER=1. The profile is applied by the tests themselves
(`settings(settings.get_profile(DISCLOSURE_PROFILE))`), not loaded globally, so the other
Hypothesis tests (tests/fuzz) keep their own settings.
"""

from __future__ import annotations

import os
from typing import Final

from hypothesis import HealthCheck, settings

DISCLOSURE_PROFILE: Final = "insights-disclosure"


def in_ci() -> bool:
    ci = os.environ.get("CI", "").strip().lower()
    return ci not in ("", "0", "false", "no") or os.environ.get("WAYPOINT_REQUIRE_BROWSER") == "1"


settings.register_profile(
    DISCLOSURE_PROFILE,
    max_examples=2000 if in_ci() else 200,
    deadline=None,
    # Reproducible in CI (a failure there replays the same examples), as tests/fuzz does.
    derandomize=in_ci(),
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
