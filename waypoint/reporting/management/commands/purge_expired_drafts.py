"""Delete unfinished reports whose time is up: run it every few minutes (cron or a timer).

Idempotent: running it twice, or on two machines at once, deletes each draft once.
"""

from typing import Any

from django.core.management.base import BaseCommand

from waypoint.reporting.services import drafts_purge_expired


class Command(BaseCommand):
    help = "Delete expired report drafts, their files and their keys."

    def handle(self, *args: Any, **options: Any) -> None:
        purged = drafts_purge_expired()
        self.stdout.write(f"Purged {purged} expired draft{'s' if purged != 1 else ''}.")
