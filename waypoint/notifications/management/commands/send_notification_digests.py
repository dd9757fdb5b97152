"""Send the daily summary email to everyone who chose it: run it once a day (cron).

Content-free, like every notification email. Each notification is claimed once, so a
second run (or two at once) sends nothing new (ADR 0033).
"""

from typing import Any

from django.core.management.base import BaseCommand

from waypoint.notifications.services import digests_send


class Command(BaseCommand):
    help = "Email the daily notification summary to the people who chose it."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Summary emails sent: {digests_send()}.")
