"""The worker's own tasks: deliver one queued email; run one scheduled job.

Both take a name or an id only: the task queue keeps arguments and results in clear.
"""

from __future__ import annotations

import io
import logging

from django.core.management import call_command
from django.tasks import task

logger = logging.getLogger(__name__)


class ScheduledJobFailedError(Exception):
    """A scheduled command failed. Raised without its cause so the queue's stored
    traceback cannot quote the data that caused it; the log has the type and place."""


@task()
def deliver_email(*, email_id: str) -> str:
    from waypoint.worker.services import email_deliver  # noqa: PLC0415 (services import us)

    return email_deliver(email_id=email_id).value


@task()
def scheduled_job_run(*, name: str) -> str:
    from waypoint.worker.schedule import JOBS  # noqa: PLC0415

    job = JOBS[name]
    try:
        call_command(job.command, *job.args, stdout=io.StringIO(), stderr=io.StringIO())
    except Exception:
        logger.exception("The scheduled job %s failed.", name)
        raise ScheduledJobFailedError(name) from None
    return "done"
