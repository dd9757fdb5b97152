from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from waypoint.accounts.services import demo_staff_ensure
from waypoint.hub.demo import (
    awareness_pages_load_demo,
    campaigns_load_demo,
    support_directory_load_demo,
)
from waypoint.institution.demo import institution_load_demo
from waypoint.reporting.demo import demo_reports_load


class Command(BaseCommand):
    help = (
        "Load the demo institution, its hub content (support directory, awareness pages, "
        "campaigns) and one staff account per role."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.WAYPOINT_DEMO:
            raise CommandError("Demo data is only loaded when WAYPOINT_DEMO is true.")
        institution = institution_load_demo()
        services = support_directory_load_demo()
        pages = awareness_pages_load_demo()
        campaigns = campaigns_load_demo()
        accounts = demo_staff_ensure()
        reports = demo_reports_load(institution)
        self.stdout.write(
            f"Demo institution: {institution.name} ({services} support services, "
            f"{pages} awareness pages, {campaigns} campaign, {reports} new demo reports)."
        )
        self.stdout.write("")
        self.stdout.write("Demo staff accounts (demo only; sign in at /accounts/login/):")
        for account in accounts:
            self.stdout.write(
                f"  {account.role:<20} {account.email:<34} password: {account.password}"
                f"   TOTP secret: {account.totp_secret}"
            )
        self.stdout.write(
            "Add a TOTP secret to an authenticator app (or run `oathtool --totp -b SECRET`) "
            "to get the six-digit code."
        )
