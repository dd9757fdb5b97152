from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "waypoint.safety"
    label = "safety"

    def ready(self) -> None:
        # The case frame (casework, below this app) shows the risk band, measures and
        # dates due: safety tells it how to read them (ADR 0031).
        from waypoint.safety import case_frame  # noqa: PLC0415 (models are not ready before)

        case_frame.register()
