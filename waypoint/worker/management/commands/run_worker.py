"""The background worker: runs queued tasks, the schedule, and a heartbeat (ADR 0039).

    python manage.py run_worker            # beside the web servers (deploy/README.md)
    python manage.py run_worker --batch    # run what is queued and due, then stop

Tasks come from django_tasks_db's worker loop. A second thread writes this worker's
heartbeat (read by /readyz) and enqueues the scheduled jobs that are due (schedule.py);
with several workers each may tick, and the schedule's row locks let one enqueue a job.
SIGTERM or Ctrl-C finishes the task under way, then stops.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections, connection
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker

from waypoint.worker.services import (
    schedule_tick,
    worker_heartbeat_forget,
    worker_heartbeat_record,
)

logger = logging.getLogger("waypoint.worker")


def _worker_id() -> str:
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{secrets.token_hex(4)}"


class Command(BaseCommand):
    help = "Run the background worker: queued tasks, scheduled jobs and a heartbeat."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Beat once, enqueue the jobs that are due, run everything queued, then stop.",
        )
        parser.add_argument(
            "--no-schedule",
            action="store_true",
            help="Run tasks only; leave the schedule to other workers or to cron.",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds to wait when the queue is empty (default 1).",
        )

    def handle(
        self, *args: Any, batch: bool, no_schedule: bool, interval: float, **options: Any
    ) -> None:
        if not isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
            raise CommandError(
                "The worker needs the database task queue: set WAYPOINT_TASKS=database "
                "(with WAYPOINT_TASKS=immediate, tasks run inside each request instead)."
            )
        worker_id = _worker_id()
        started_at = timezone.now()

        def beat() -> None:
            worker_heartbeat_record(worker_id=worker_id, started_at=started_at)
            if not no_schedule:
                schedule_tick()

        beat()
        if not batch:
            threading.Thread(target=self._beat_forever, args=(beat,), daemon=True).start()
        worker = Worker(
            queue_names=["*"],
            interval=interval,
            batch=batch,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        if not batch:  # a batch run inside another program leaves its signals alone
            worker.configure_signals()
        logger.info("Worker started.")
        try:
            worker.run()
        finally:
            try:
                worker_heartbeat_forget(worker_id=worker_id)
            except Exception:  # the database may be the reason we are stopping
                logger.warning("Could not remove this worker's heartbeat.")

    @staticmethod
    def _beat_forever(beat: Any) -> None:
        stop = threading.Event()
        while not stop.wait(settings.WAYPOINT_WORKER_BEAT_SECONDS):
            try:
                beat()
            except Exception:  # a database restart: try again next time
                logger.exception("The worker's heartbeat or schedule failed; retrying.")
            finally:
                close_old_connections()
                connection.close()
