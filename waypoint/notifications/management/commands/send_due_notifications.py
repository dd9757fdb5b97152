"""Notify people of reviews and orders falling due: run it daily (or more often).

Risk assessment reviews and safety measure reviews whose date has come, and protective
orders ending within two weeks. Idempotent: one notification per person, item and due
date however often it runs, or on two machines at once (ADR 0033).
"""

from typing import Any

from django.core.management.base import BaseCommand

from waypoint.notifications.services import notifications_send_due


class Command(BaseCommand):
    help = "Notify people of risk assessment and measure reviews and orders falling due."

    def handle(self, *args: Any, **options: Any) -> None:
        run = notifications_send_due()
        self.stdout.write(
            f"Risk assessments: {run.assessments}. Protective orders: {run.orders}. "
            f"Measures: {run.measures}."
        )
