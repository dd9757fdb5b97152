from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "waypoint.accounts"
    label = "accounts"

    def ready(self) -> None:
        # Once apps are ready: signals connects receivers; totp_replay imports allauth's models.
        from waypoint.accounts import signals, totp_replay  # noqa: F401, PLC0415

        totp_replay.install()
