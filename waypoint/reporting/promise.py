"""When the person will hear back: the promise on the receipt, thank-you and return pages.

The answer depends on the case (its first-contact clock, whether the team has replied),
and the case lives in casework, above reporting. So casework registers how to work it out
from CaseworkConfig.ready() (ADR 0040; as safety does for the case frame, ADR 0031), and
the pages ask here. Without a source, no promise is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from waypoint.institution.models import Institution
from waypoint.reporting.models import Report

# (report or None, institution or None) -> something the partial reads (reach, promise,
# how, hours), or None when there is nothing left to promise.
PromiseSource = Callable[[Report | None, Institution | None], object | None]


@dataclass
class _Source:
    promise: PromiseSource | None = None


_SOURCE = _Source()


def promise_source_register(source: PromiseSource) -> None:
    """Called once by casework: how to tell the person when they will hear back."""
    _SOURCE.promise = source


def response_promise(*, report: Report | None, institution: Institution | None) -> object | None:
    return _SOURCE.promise(report, institution) if _SOURCE.promise is not None else None
