from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "waypoint.notifications"
    label = "notifications"

    def ready(self) -> None:
        # The log never imports notifications (ADR 0040): a share is heard from here.
        from waypoint.notifications import receivers  # noqa: PLC0415

        receivers.connect()
