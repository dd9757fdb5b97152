"""Notifications' side of the log's events (log/events.py, ADR 0040).

The log sits below notifications and never imports it: when the person shares entries,
casework puts them on the case (casework/services/receivers.py) and this tells the
people who work the case, in the same transaction. Connected from NotificationsConfig.
"""

from __future__ import annotations

from typing import Any

from waypoint.casework.models import Case
from waypoint.log import events as log_events
from waypoint.log.models import IncidentLog
from waypoint.notifications.services import notify_log_shared
from waypoint.reporting.models import Report


def on_log_shared(*, report: Report, opened: bool = False, **_: Any) -> None:
    case = Case.objects.filter(report=report).first()
    if case is not None:
        notify_log_shared(case=case, opened=opened)


def connect() -> None:
    log_events.log_shared.connect(
        on_log_shared, sender=IncidentLog, dispatch_uid="notifications.on_log_shared"
    )
