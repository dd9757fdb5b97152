"""One log line per task (ADR 0037, 0039): the task's name, its id, how it ended and how
long it took. Never its arguments or its result, whatever the task."""

from __future__ import annotations

import logging
from typing import Any

from django.tasks import TaskResult, TaskResultStatus
from django.tasks.signals import task_finished

logger = logging.getLogger("waypoint.task")


def _finished(sender: Any, task_result: TaskResult[Any, Any], **kwargs: Any) -> None:
    fields: dict[str, Any] = {
        "task": task_result.task.module_path,
        "task_id": str(task_result.id),
        "status": str(task_result.status),
    }
    if task_result.started_at and task_result.finished_at:
        elapsed = task_result.finished_at - task_result.started_at
        fields["duration_ms"] = round(elapsed.total_seconds() * 1000, 1)
    failed = task_result.status == TaskResultStatus.FAILED
    logger.log(logging.WARNING if failed else logging.INFO, "task", extra=fields)


def connect() -> None:
    task_finished.connect(_finished, dispatch_uid="waypoint.worker.task_log")
