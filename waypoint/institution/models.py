"""The institution that runs this Waypoint, and its departments.

Names, numbers and branding come from here, never from templates, so that any university
can run Waypoint by editing data.
"""

from __future__ import annotations

import datetime
import re
import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _relative_luminance(hex_colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_with_white(hex_colour: str) -> float:
    return 1.05 / (_relative_luminance(hex_colour) + 0.05)


def validate_brand_colour(value: str) -> None:
    if not _HEX_COLOUR.match(value):
        raise ValidationError("Use a colour in the form #1a2b3c.")
    # White text sits on the brand colour, so it must meet WCAG AA for normal text.
    if contrast_with_white(value) < 4.5:
        raise ValidationError("This colour is too light for white text (contrast below 4.5:1).")


class Institution(models.Model):
    """One row: the organisation this deployment serves."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=60)
    team_name = models.CharField(
        max_length=120, help_text="The specialist team that handles reports."
    )
    team_email = models.EmailField(blank=True)
    team_phone = models.CharField(max_length=40, blank=True)
    brand_colour = models.CharField(
        max_length=7, default="#1f4e79", validators=[validate_brand_colour]
    )
    security_emergency_phone = models.CharField(
        max_length=40, help_text="Campus security, emergency line."
    )
    security_non_emergency_phone = models.CharField(
        max_length=40, help_text="Campus security, non-emergency line."
    )
    emergency_phone = models.CharField(max_length=10, default="999")
    quick_exit_url = models.URLField(
        default="https://www.bbc.co.uk/weather",
        help_text="Where the quick-exit control takes someone: an ordinary, neutral page.",
    )
    # --- Reporting: organisation settings, not code (the report flow reads these) ---
    route_support_enabled = models.BooleanField("offer the named 'get support' route", default=True)
    route_anonymous_enabled = models.BooleanField("offer the anonymous route", default=True)
    route_third_party_enabled = models.BooleanField(
        "offer reporting for someone else or as a witness", default=True
    )
    anonymous_free_text = models.BooleanField(
        "ask for free text in anonymous reports",
        default=True,
        help_text="Turn off to collect only the structured answers from anonymous reports.",
    )
    students_may_report = models.BooleanField(default=True)
    staff_may_report = models.BooleanField(default=True)
    visitors_may_report = models.BooleanField(default=True)
    draft_lifetime_hours = models.PositiveSmallIntegerField(
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(168)],
        help_text="Unfinished reports are deleted after this many hours.",
    )
    # --- Casework: response-time targets and working calendar ---
    first_contact_working_days = models.PositiveSmallIntegerField(
        default=2,
        validators=[MaxValueValidator(30)],
        help_text="First contact with the reporter is due within this many working days.",
    )
    # The rule for urgent cases is in casework/calendar.py (WorkingCalendar.urgent_due)
    # and ADR 0028: the same working day, or these hours into the next working time.
    urgent_first_contact_hours = models.PositiveSmallIntegerField(
        "urgent first contact, when reported out of hours (working hours)",
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(40)],
        help_text=(
            "Urgent cases (someone in danger now, a threat of violence, another high-risk "
            "answer) are due for first contact by the end of the working day they arrive "
            "in. One that arrives outside working hours is due this many working hours "
            "after the team next starts work: with 4 and a 9am start, by 1pm."
        ),
    )
    working_day_starts = models.TimeField(default=datetime.time(9, 0))
    working_day_ends = models.TimeField(default=datetime.time(17, 0))
    working_weekdays = models.CharField(
        max_length=7,
        default="12345",
        validators=[RegexValidator(r"^[1-7]{1,7}$", "Use weekday numbers, 1 (Monday) to 7.")],
        help_text="Working days as numbers: 1 is Monday, 7 is Sunday. 12345 is Monday to Friday.",
    )
    advisers_may_claim = models.BooleanField(
        "advisers may claim unassigned cases",
        default=True,
        help_text="Otherwise only a case lead assigns cases.",
    )
    case_retention_years = models.PositiveSmallIntegerField(
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text="A closed case is kept this many years, then deleted.",
    )
    # --- Insights: the year they count in, and disclosure control (ADR 0045) ---
    # Defaults from HESA's rounding and suppression standard. The threshold can be raised,
    # never set below 5; the others follow the standard and are not settings.
    academic_year_start_month = models.PositiveSmallIntegerField(
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text="The month the academic year starts in (8 is August).",
    )
    insights_threshold = models.PositiveSmallIntegerField(
        "insights: smallest count shown",
        default=10,
        validators=[MinValueValidator(5), MaxValueValidator(100)],
        help_text=(
            'Any count below this is shown as "fewer than" it, never as a number. '
            "It cannot be set below 5."
        ),
    )
    triage_email = models.EmailField(
        blank=True,
        help_text="Where notices of new reports go (no details of the report are sent).",
    )
    # Staff sign-in (docs/sso.md): with single sign-on in place, passwords can be switched
    # off for everyone but a few administrators kept for when the identity provider fails.
    staff_password_sign_in = models.BooleanField(
        "staff may sign in with a password",
        default=True,
        help_text="Untick once staff sign in through the university's single sign-on.",
    )
    break_glass_administrators = models.TextField(
        blank=True,
        help_text=(
            "Email addresses of administrators who may still sign in with a password when "
            "password sign-in is off, one a line (for when single sign-on is down)."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # A count of 1 to 4 in one faculty, hall or month can identify a person: no
            # setting, admin or script may lower the threshold below 5 (ADR 0045).
            models.CheckConstraint(
                condition=models.Q(insights_threshold__gte=5), name="insights_threshold_at_least_5"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        # Every response clock counts the hours between the two: none would never end.
        if (
            self.working_day_starts is not None
            and self.working_day_ends is not None
            and self.working_day_ends <= self.working_day_starts
        ):
            raise ValidationError({"working_day_ends": "The working day must end after it starts."})


class Department(models.Model):
    """A part of the university that can own safety actions (Security, Accommodation...)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    email = models.EmailField(blank=True, help_text="Team inbox for notices (no case detail).")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Holiday(models.Model):
    """A day the team does not work (bank holidays, closure days): response clocks skip it."""

    date = models.DateField(unique=True)
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.name} ({self.date:%d %B %Y})"
