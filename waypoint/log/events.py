"""What happens to a log that the team must hear about (ADR 0040, issue 14 item 7).

The log sits below casework and never imports it. When the person shares entries with
the team, the log's services send `log_shared` inside the transaction that marked them
shared; casework's receivers (casework/services/receivers.py) put them on the case's
timeline and add the people they name to matching. A log kept without a report opens a
report of its own first (through reporting's `report_submitted`, so the case opens
exactly as any report's does).

Arguments are model instances and ids only, never words anyone wrote.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.dispatch import Signal

from waypoint.log.models import IncidentLog

# log, report (the report whose case receives them), entries (the LogEntry rows shared
# now, in seq order), people (LogPerson rows named in them and not shared before),
# opened (True when this share opened the report, so its case is new).
log_shared = Signal()


def send(signal: Signal, *, log: IncidentLog, **kwargs: Any) -> None:
    """Send `signal` about `log`; raise if nothing received it (nothing may be lost)."""
    if not signal.send(sender=IncidentLog, log=log, **kwargs):
        raise ImproperlyConfigured(
            "Nothing received a log event: is waypoint.casework in INSTALLED_APPS?"
        )
