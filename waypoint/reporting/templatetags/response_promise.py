"""`{% response_promise report as promise %}` (load response_promise): when the person who
sent `report` will hear back (reporting/promise.py, answered by casework), for
reporting/_response_promise.html.

A tag rather than a view's context so that the pages that show it (the receipt, the
thank-you page, /my-report/) need only include that template. It reads the institution
the context processor already put in the context, and takes no request data.
"""

from __future__ import annotations

from typing import Any

from django import template

from waypoint.institution.models import Institution
from waypoint.reporting import promise
from waypoint.reporting.models import Report

register = template.Library()


@register.simple_tag(takes_context=True)
def response_promise(context: template.Context, report: Any = None) -> object | None:
    institution = context.get("institution")
    return promise.response_promise(
        report=report if isinstance(report, Report) else None,
        institution=institution if isinstance(institution, Institution) else None,
    )
