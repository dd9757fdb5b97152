"""Reads for casework that apply the access rules, one module per area.

cases       fetching a case for staff; what a returning reporter is shown
"""

from waypoint.casework.selectors.cases import (
    case_get_for_staff,
    case_openings_for_reporter,
    case_status_for_reporter,
    unread_count_for_reporter,
)

__all__ = [
    "case_get_for_staff",
    "case_openings_for_reporter",
    "case_status_for_reporter",
    "unread_count_for_reporter",
]
