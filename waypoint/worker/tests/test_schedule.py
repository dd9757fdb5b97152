"""Scheduled jobs run through the worker: the draft purge, casework notices, safety
reminders, audit anchoring, notifications and their digests, the email sweep (issue 13,
item 12). cron can run the same commands instead (deploy/README.md)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import call_command, get_commands
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pytest_django.fixtures import Settings

from waypoint.privacy.services import audit_record
from waypoint.reporting.models import Draft
from waypoint.reporting.services import draft_start
from waypoint.worker.models import ScheduledJob
from waypoint.worker.schedule import JOBS, SCHEDULE, Job
from waypoint.worker.services import schedule_tick

LONDON_MORNING = dt.datetime(2026, 12, 3, 6, 30, tzinfo=dt.UTC)  # 06:30 in London


def test_every_scheduled_job_is_a_command_cron_could_run_too() -> None:
    commands = get_commands()
    assert all(job.command in commands for job in SCHEDULE)
    expected = {
        "purge_expired_drafts",
        "casework_notices",
        "safety_reminders",
        "anchor_audit",
        "verify_audit",
        "send_due_notifications",
        "send_notification_digests",
        "deliver_due_emails",
        "prune_worker_records",
    }
    assert {job.command for job in SCHEDULE} == expected


def test_a_daily_job_is_due_at_its_time_and_an_interval_job_straight_away() -> None:
    daily = Job("x", "x", daily_at=dt.time(7, 0))
    assert daily.first_run(LONDON_MORNING) == LONDON_MORNING.replace(hour=7, minute=0)
    seven = LONDON_MORNING.replace(hour=7, minute=0)
    assert daily.next_run(seven) == seven + dt.timedelta(days=1)
    every = Job("y", "y", every=dt.timedelta(minutes=5))
    assert every.first_run(LONDON_MORNING) == LONDON_MORNING
    assert every.next_run(LONDON_MORNING) == LONDON_MORNING + dt.timedelta(minutes=5)
    with pytest.raises(ValueError, match="either"):
        Job("z", "z")


@pytest.mark.django_db
@pytest.mark.usefixtures("queue")
def test_each_due_job_is_enqueued_once_however_often_the_workers_tick() -> None:
    first = schedule_tick(now=LONDON_MORNING)
    assert set(first) == {job.name for job in SCHEDULE if job.every}
    assert schedule_tick(now=LONDON_MORNING) == []  # a second worker ticking at once
    assert schedule_tick(now=LONDON_MORNING + dt.timedelta(minutes=1)) == ["deliver_due_emails"]
    at_seven = schedule_tick(now=LONDON_MORNING.replace(hour=7, minute=0))
    assert {"safety_reminders", "send_due_notifications"} <= set(at_seven)
    queued = DBTaskResult.objects.filter(task_path="waypoint.worker.tasks.scheduled_job_run")
    names = [row.args_kwargs["kwargs"]["name"] for row in queued]
    assert len(names) == len(first) + 1 + len(at_seven)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("queue")
def test_the_worker_runs_every_scheduled_job_and_their_work_is_done(
    settings: Settings, tmp_path: Path
) -> None:
    call_command("createcachetable", verbosity=0)  # emptied by the committing test before
    draft = draft_start(route="support", reporter_role="student", institution=None)
    Draft.objects.filter(pk=draft.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    audit_record(actor=None, action="test.event")
    now = timezone.now()
    ScheduledJob.objects.bulk_create(
        ScheduledJob(name=job.name, next_run_at=now - dt.timedelta(seconds=1)) for job in SCHEDULE
    )

    call_command("run_worker", "--batch")

    runs = DBTaskResult.objects.filter(task_path="waypoint.worker.tasks.scheduled_job_run")
    outcome = {row.args_kwargs["kwargs"]["name"]: row.status for row in runs}
    assert outcome == dict.fromkeys(JOBS, "SUCCESSFUL")
    assert not Draft.objects.exists()  # purged
    assert settings.WAYPOINT_AUDIT_ANCHOR_FILE.read_text().strip()  # anchored
    assert all(row.next_run_at > now for row in ScheduledJob.objects.all())


@pytest.mark.django_db
def test_a_failing_job_fails_its_task_without_keeping_the_error_text(settings: Settings) -> None:
    audit_record(actor=None, action="test.event")
    settings.WAYPOINT_AUDIT_ANCHOR_FILE.write_text("not an anchor line\n")
    from waypoint.worker.tasks import scheduled_job_run  # noqa: PLC0415

    result = scheduled_job_run.enqueue(name="anchor_audit")

    assert result.status == "FAILED"
    [error] = result.errors
    assert error.exception_class_path == "waypoint.worker.tasks.ScheduledJobFailedError"
    assert "not an anchor line" not in error.traceback
    assert "CommandError" not in error.traceback
