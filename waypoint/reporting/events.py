"""What happens to a report, told to whoever acts on it (ADR 0040).

Reporting sits below casework: it never imports it. When a report is sent, or its
reporter adds to it, withdraws it or asks for it to be deleted, reporting sends one of
these signals and casework's receivers (casework/services/receivers.py, connected in
CaseworkConfig.ready) open the case or add to its timeline.

Every signal is sent inside the transaction that made the change, so a receiver's writes
commit or roll back with it, and a receiver's error reaches the sender (``send``, never
``send_robust``). Arguments are model instances and ids only: never answers in clear.

Each must be heard: a report that opens no case, or an addition that reaches no
timeline, would sit where nobody looks. So `send` raises when nothing received the event
(casework not installed), instead of losing it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.dispatch import Signal

from waypoint.reporting.models import Report

# report, immediate_danger, threat_of_violence, high_risk_indicator (the urgency flags
# worked out from the answers, never from free text).
report_submitted = Signal()
# report, addition (a ReportAddition).
report_information_added = Signal()
# report, evidence (an Evidence row already attached to the report).
report_evidence_added = Signal()
# report.
report_withdrawn = Signal()
# report.
report_deletion_requested = Signal()


def send(signal: Signal, *, report: Report, **kwargs: Any) -> None:
    """Send `signal` about `report`; raise if nothing received it."""
    if not signal.send(sender=Report, report=report, **kwargs):
        raise ImproperlyConfigured(
            "Nothing received a report event: is waypoint.casework in INSTALLED_APPS?"
        )
