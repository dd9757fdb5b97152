from django.apps import AppConfig


class WorkerConfig(AppConfig):
    name = "waypoint.worker"
    label = "worker"
    verbose_name = "Background work"

    def ready(self) -> None:
        # One log line per task, and the worker's heartbeat in /readyz (ADR 0039).
        from waypoint.common import health  # noqa: PLC0415 (models are not ready before)
        from waypoint.worker import selectors, task_log  # noqa: PLC0415

        task_log.connect()
        health.register_check("worker", selectors.worker_check)
