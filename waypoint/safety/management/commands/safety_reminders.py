"""`manage.py safety_reminders`: protective orders ending soon, and reviews that are due.

Schedule it daily (running it more often, or twice at once, is harmless: each reminder is
claimed once; services/reminders.py explains how).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from waypoint.safety.services.reminders import ORDER_EXPIRY_NOTICE_DAYS, reminders_send_due


class Command(BaseCommand):
    help = (
        f"Email reminders for protective orders ending within {ORDER_EXPIRY_NOTICE_DAYS} "
        "days and for safety reviews that are due; each is sent once."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        run = reminders_send_due()
        self.stdout.write(
            f"Safety reminders: {run.orders} protective order(s) ending soon, "
            f"{run.measures} measure review(s), {run.plans} safety plan review(s), "
            f"{run.assessments} risk assessment review(s), "
            f"{run.precautions} precautionary measure review(s)."
        )
