from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "waypoint.accounts"
    label = "accounts"

    def ready(self) -> None:
        from waypoint.accounts import signals  # noqa: F401, PLC0415  (connects receivers once apps are ready)
