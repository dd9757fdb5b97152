"""`manage.py load_demo`: the demo institution, its content, staff and reports (ADR 0040:
the demo app sits above every app it fills)."""

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from waypoint.accounts.services import demo_sign_in_table, demo_staff_ensure
from waypoint.hub.demo import (
    awareness_pages_load_demo,
    campaigns_load_demo,
    support_directory_load_demo,
)
from waypoint.insights.demo import demo_facts_load
from waypoint.institution.demo import institution_load_demo
from waypoint.log.demo import demo_log_load
from waypoint.reporting.demo import demo_reports_load


class Command(BaseCommand):
    help = (
        "Load the demo institution, its hub content (support directory, awareness pages, "
        "campaigns) and one staff account per role."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-sign-in-table",
            action="store_true",
            help="Do not print the demo sign-in table (make run prints it when serving).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.WAYPOINT_DEMO:
            raise CommandError("Demo data is only loaded when WAYPOINT_DEMO is true.")
        institution = institution_load_demo()
        services = support_directory_load_demo()
        pages = awareness_pages_load_demo()
        campaigns = campaigns_load_demo()
        staff = demo_staff_ensure()
        reports = demo_reports_load(institution)
        shared = demo_log_load()
        demo_facts_load()  # past cases' facts, so every insights chart has something
        call_command("insights_backfill", verbosity=0)  # cases opened before facts existed
        self.stdout.write(
            f"Demo institution: {institution.name} ({services} support services, "
            f"{pages} awareness pages, {campaigns} campaign, {reports} new demo reports, "
            f"{shared} incidents shared from a demo record, {len(staff)} staff accounts)."
        )
        if not options["no_sign_in_table"]:
            self.stdout.write("")
            self.stdout.write(demo_sign_in_table(base_url=settings.WAYPOINT_SITE_URL or "/"))
