"""`runserver` that, in demo mode, prints how to sign in last, on the port it really serves.

The table comes after Django's own start-up lines (and after any demo notices printed by
`load_demo`), so it is the last thing a newcomer sees before the first request. In
development, notice emails link to the same address unless WAYPOINT_SITE_URL is set.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.management.commands.runserver import (
    Command as StaticfilesRunserver,
)

from waypoint.accounts.services import demo_sign_in_table


def served_base_url(*, protocol: str, addr: str, port: int | str, ipv6: bool) -> str:
    host = f"[{addr}]" if ipv6 else ("127.0.0.1" if addr in ("0", "0.0.0.0") else addr)  # noqa: S104
    return f"{protocol}://{host}:{port}"


class Command(StaticfilesRunserver):
    def on_bind(self, server_port: Any) -> None:
        super().on_bind(server_port)
        # runserver sets addr and _raw_ipv6 in handle(); django-stubs does not declare them.
        base_url = served_base_url(
            protocol=self.protocol,
            addr=str(getattr(self, "addr", "127.0.0.1")),
            port=server_port,
            ipv6=bool(getattr(self, "_raw_ipv6", False)),
        )
        if not settings.PRODUCTION and not os.environ.get("WAYPOINT_SITE_URL"):
            settings.WAYPOINT_SITE_URL = base_url
        if settings.WAYPOINT_DEMO:
            self.stdout.write("\n" + demo_sign_in_table(base_url=base_url) + "\n")
            self.stdout.flush()
