"""Forget what the worker no longer needs: sent emails' bookkeeping after 30 days, old
heartbeats, finished task results after 7 days. The worker runs it daily."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from waypoint.worker.services import worker_records_prune


class Command(BaseCommand):
    help = "Delete old sent-email records, heartbeats and finished task results."

    def handle(self, *args: Any, **options: Any) -> None:
        run = worker_records_prune()
        self.stdout.write(
            f"Deleted {run.emails} sent-email records, {run.heartbeats} heartbeats and "
            f"{run.task_results} task results."
        )
