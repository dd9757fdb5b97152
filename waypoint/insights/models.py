"""Non-identifying facts about cases, kept in plain columns for counting (issue 15, ADR 0045).

Insights never decrypt anything on request: every figure is counted from these rows,
written in the same transaction as the event they describe (receivers.py). None of them
points at a case with a foreign key, so they stay when a case is erased and last year's
figures never change. Each column is a month, a choice value, a flag or a whole number
of days: ADR 0045 says why none of them can identify anyone on its own.
"""

from __future__ import annotations

import uuid

from django.db import models


class CaseFacts(models.Model):
    """One case, as insights counts it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The case's id, to update these facts as the case moves; never joined to people, and
    # kept (without a foreign key) when the case is erased.
    case_id = models.UUIDField(unique=True)
    opened_month = models.DateField()  # the first day of the month it opened
    route = models.CharField(max_length=20)  # reporting.Route
    reporter_role = models.CharField(max_length=20, blank=True)  # reporting.ReporterRole
    walk_in = models.BooleanField(default=False)  # recorded by an adviser in person
    from_log = models.BooleanField(default=False)  # opened by sharing an incident log
    urgent = models.BooleanField(default=False)
    relationship = models.CharField(max_length=60, blank=True)  # option slug
    affiliation = models.CharField(max_length=20, blank=True)  # student, staff, outside
    named_before = models.BooleanField(default=False)  # names someone already named
    # First contact, in working days from opening (None until it happens).
    first_contact_working_days = models.PositiveSmallIntegerField(null=True, blank=True)
    first_contact_within_target = models.BooleanField(null=True, blank=True)
    first_risk_band = models.CharField(max_length=20, blank=True)
    closed_month = models.DateField(null=True, blank=True)
    days_to_close = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=20, blank=True)  # casework.CaseOutcome
    police_reported = models.BooleanField(default=False)
    logs_shared = models.PositiveSmallIntegerField(default=0)  # shares, never log sizes

    class Meta:
        verbose_name = "case facts"
        verbose_name_plural = "case facts"
        # Each count reads a range of months. With the id in the index, the join of the
        # tags to the facts of those months reads the index only; the closures' counts
        # (outcome, days to close) read only theirs too (issue 15, item 12).
        indexes = [
            models.Index(fields=["opened_month", "id"], name="casefacts_opened_month_id"),
            models.Index(
                fields=["closed_month", "outcome", "days_to_close", "id"],
                name="casefacts_closed_month_cover",
            ),
        ]

    def __str__(self) -> str:
        return f"Facts of a case opened {self.opened_month:%B %Y}"


class TagKind(models.TextChoices):
    BEHAVIOUR = "behaviour", "Behaviour"
    LOCATION = "location", "Campus place"
    PLATFORM = "platform", "Online platform"
    SUPPORT_GIVEN = "support_given", "Support given at closure"


class CaseFactTag(models.Model):
    """One option a case's report chose (a behaviour, a place...): counted, never listed."""

    facts = models.ForeignKey(CaseFacts, on_delete=models.CASCADE, related_name="tags")
    kind = models.CharField(max_length=20, choices=TagKind.choices)
    slug = models.CharField(max_length=60)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["facts", "kind", "slug"], name="casefacttag_unique")
        ]
        # With the facts' id, counting one kind by the facts' month reads the index only.
        indexes = [
            models.Index(fields=["kind", "slug", "facts"], name="casefacttag_kind_slug_facts")
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.slug}"


class EventKind(models.TextChoices):
    STATUS = "status", "Status changed"  # value: the new status
    ASSESSMENT = "assessment", "Risk assessed"  # value: the band
    REFERRAL = "referral", "Referral made"  # value: the kind of recipient
    MEASURE = "measure", "University measure"  # value: measure kind; department: its slug
    PROCESS = "process", "Formal process"  # value: "<kind>:<stage>"
    LOG_SHARED = "log_shared", "Incident log shared"  # value: ""


class CaseFactEvent(models.Model):
    """Something that happened to a case, by month: for flows and counts over time."""

    facts = models.ForeignKey(CaseFacts, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    month = models.DateField()  # the first day of the month it happened
    value = models.CharField(max_length=80, blank=True)
    department = models.CharField(max_length=60, blank=True)  # a department's slug

    class Meta:
        # Covering, in the order the counts group by (month, value, department): a count
        # of one kind over two years reads the index only, in order (issue 15, item 12).
        indexes = [
            models.Index(
                fields=["kind", "month", "value", "department"],
                name="casefactevent_kind_month_value",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} in {self.month:%B %Y}"
