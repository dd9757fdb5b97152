"""Send the casework notices that are due: run it every 5 minutes (cron or a timer).

Response-time breaches (a case past its first-contact target with no contact recorded)
and overdue tasks. An urgent case's target is hours away and its breach also reaches the
case leads, so a run every 5 minutes tells them at most 5 minutes late (ADR 0028).
Idempotent: running it twice, or on two machines at once, sends each notice once. The
emails carry no detail of any case (services/work.py).
"""

from typing import Any

from django.core.management.base import BaseCommand

from waypoint.casework.services.work import notices_send_due


class Command(BaseCommand):
    help = "Email the notices that are due: first-contact breaches and overdue tasks."

    def handle(self, *args: Any, **options: Any) -> None:
        run = notices_send_due()
        self.stdout.write(
            f"First-contact breaches: {run.breaches}. Overdue tasks: {run.overdue_tasks}."
        )
