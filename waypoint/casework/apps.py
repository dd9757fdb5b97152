from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "waypoint.casework"
    label = "casework"

    def ready(self) -> None:
        # Reporting never imports casework (ADR 0040): it sends events, heard from here on,
        # and its pages ask casework, through a registered source, when the person will
        # hear back. Imported here: models are not ready before.
        from waypoint.casework.selectors import promise  # noqa: PLC0415
        from waypoint.casework.services import receivers  # noqa: PLC0415

        receivers.connect()
        promise.promise_source_connect()
