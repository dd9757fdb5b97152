"""Send the queued emails that are due: retries after a failure, and any whose delivery
task was lost. The worker runs it every minute (schedule.py); cron can instead."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from waypoint.worker.services import emails_deliver_due


class Command(BaseCommand):
    help = "Send the queued emails that are due (retries and lost deliveries)."

    def handle(self, *args: Any, **options: Any) -> None:
        run = emails_deliver_due()
        self.stdout.write(
            f"Sent {run.sent}; {run.retrying} to try again later; {run.gave_up} given up."
        )
