from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "waypoint.insights"
    label = "insights"

    def ready(self) -> None:
        # The apps below never import insights (ADR 0040): facts are recorded from their
        # events and model saves, in the same transaction (receivers.py, ADR 0045).
        from waypoint.insights import receivers  # noqa: PLC0415

        receivers.connect()
