from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from waypoint.institution.selectors import institution_get_current


def institution(request: HttpRequest) -> dict[str, Any]:
    return {"institution": institution_get_current()}
