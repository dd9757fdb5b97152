"""Cases and the two-way messages between a reporter and the team.

Every report opens one case in the triage queue (services.case_open_from_report). The
case shares the report's DataKey, so shredding that key erases the report, its messages
and its evidence together. The staff screens (triage, assignment, timeline) come with
the casework issue; the models here are what reporting needs on day one.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import models
from django.utils import timezone

from waypoint.privacy.fields import EncryptedTextField
from waypoint.privacy.models import DataKey


class CaseStatus(models.TextChoices):
    NEW = "new", "New"
    TRIAGED = "triaged", "Triaged"
    IN_CONTACT = "in_contact", "In contact"
    ACTIVE_SUPPORT = "active_support", "Active support"
    CLOSED = "closed", "Closed"


class Case(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    report = models.OneToOneField("reporting.Report", on_delete=models.PROTECT, related_name="case")
    data_key = models.ForeignKey(DataKey, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(
        max_length=20, choices=CaseStatus.choices, default=CaseStatus.NEW, db_index=True
    )
    # Urgency flags, set at intake from the answers (never from free text).
    immediate_danger = models.BooleanField(default=False)
    threat_of_violence = models.BooleanField(default=False)
    high_risk_indicator = models.BooleanField(default=False)
    is_urgent = models.BooleanField(default=False, db_index=True)
    restricted = models.BooleanField(default=False)
    opened_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    assignees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="CaseAssignment",
        through_fields=("case", "user"),
        related_name="assigned_cases",
    )

    class Meta:
        ordering = ["-opened_at"]
        indexes = [
            # The triage inbox's open cases (status not closed; ADR 0017): newest or oldest
            # first without walking the closed ones, and the rows of its count.
            models.Index(
                fields=["opened_at"],
                condition=~models.Q(status=CaseStatus.CLOSED),
                name="case_open_by_opened_at",
            ),
        ]

    def __str__(self) -> str:
        return f"Case {self.id}"

    # --- Facts accounts.policy asks about ------------------------------------------------
    # Each is a query. While a page is only being shown (no change to the case can happen),
    # the view may ask for them to be remembered (`access_facts_remembered`): the case page
    # asks the policy about the same case some twenty times.

    @contextmanager
    def access_facts_remembered(self) -> Iterator[None]:
        """Within this block, each fact below is read from the database once.

        Only around reading: a block that changed assignments, grants or conflicts and
        then asked the policy would get the old answer.
        """
        self._access_facts: dict[tuple[str, str], bool] = {}
        try:
            yield
        finally:
            del self._access_facts

    def _fact(self, name: str, user_id: object, read: Callable[[], bool]) -> bool:
        facts: dict[tuple[str, str], bool] | None = getattr(self, "_access_facts", None)
        if facts is None:
            return read()
        key = (name, str(user_id))
        if key not in facts:
            facts[key] = read()
        return facts[key]

    def has_conflict(self, user_id: uuid.UUID | str) -> bool:
        """Has this user a conflict of interest on the case? (asked by accounts.policy)"""
        return self._fact(
            "conflict", user_id, lambda: self.conflicts.filter(user_id=user_id).exists()
        )

    def is_named(self, user_id: uuid.UUID | str) -> bool:
        """Assigned, or granted access to this case by name (restricted cases)."""
        return self.has_assignee(user_id) or self._fact(
            "granted", user_id, lambda: self.grants.filter(user_id=user_id).exists()
        )

    def has_assignees(self) -> bool:
        return self._fact("anyone assigned", "", self.assignments.exists)

    def has_assignee(self, user_id: uuid.UUID | str) -> bool:
        """Is this user assigned to the case? (asked by accounts.policy)"""
        return self._fact(
            "assigned", user_id, lambda: self.assignments.filter(user_id=user_id).exists()
        )


class CaseAssignment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_assignments"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="caseassignment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.case_id}"


class CaseOpening(models.Model):
    """Which roles have opened a case, for the returning reporter (access transparency).

    One row per case and role: the first and the latest opening. Who exactly opened it,
    and every time, is in the audit log ("case.view").
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="openings")
    role = models.CharField(max_length=20)
    first_opened_at = models.DateTimeField()
    last_opened_at = models.DateTimeField()

    class Meta:
        ordering = ["first_opened_at"]
        constraints = [
            models.UniqueConstraint(fields=["case", "role"], name="caseopening_case_role_unique")
        ]

    def __str__(self) -> str:
        return f"{self.role} opened {self.case_id}"


class MessageDirection(models.TextChoices):
    FROM_REPORTER = "from_reporter", "From the reporter"
    FROM_STAFF = "from_staff", "From the team"


class Message(models.Model):
    """One message in the two-way channel; the body is sealed with the case's key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    data_key = models.ForeignKey(DataKey, null=True, on_delete=models.SET_NULL, related_name="+")
    direction = models.CharField(max_length=20, choices=MessageDirection.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = EncryptedTextField(data_key="data_key", null=True, blank=True)
    sent_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # When the other side first saw it (the reporter, or any member of the team).
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sent_at"]

    def __str__(self) -> str:
        return f"Message {self.id}"


# --- Casework (triage, assignment, timeline, tasks, matching) ---------------------------------


class CaseOutcome(models.TextChoices):
    SUPPORTED = "supported", "Support given; no further action needed"
    REFERRED = "referred", "Referred on to another service"
    FORMAL_PROCESS = "formal_process", "Formal process under way (police or conduct)"
    NO_CONTACT = "no_contact", "Could not make contact"
    DECLINED = "declined", "Support declined"
    WITHDRAWN = "withdrawn", "Withdrawn by the reporter"
    OTHER = "other", "Other"


class CaseClock(models.Model):
    """The response-time clock and closure facts of one case (one row per case).

    Kept apart from Case so that the inbox can sort and filter on the due time with an
    index, and so that the scheduled job can mark a breach notice as sent exactly once.
    """

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="clock")
    first_contact_due_at = models.DateTimeField(db_index=True)
    first_contact_at = models.DateTimeField(null=True, blank=True)
    breach_notified_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=CaseOutcome.choices, blank=True)
    support_given = models.JSONField(default=list, blank=True)
    retain_until = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [
            # The triage inbox's "overdue only" filter and its usual order (cases still
            # waiting for first contact, by due time; ADR 0017), and the breach notices'
            # scan for the same cases: only clocks not yet stopped by a first contact.
            models.Index(
                fields=["first_contact_due_at"],
                condition=models.Q(first_contact_at__isnull=True),
                name="caseclock_awaiting_due",
            ),
        ]

    def __str__(self) -> str:
        return f"Clock of {self.case_id}"


class CaseGrant(models.Model):
    """A named member of staff who may see a restricted case without being assigned."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="grants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_grants"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="casegrant_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} may see {self.case_id}"


class CaseConflict(models.Model):
    """A member of staff who must never see or be assigned this case.

    Declared by the person (or recorded by a lead), or found when the report names them.
    """

    class Source(models.TextChoices):
        DECLARED = "declared", "Declared"
        NAMED = "named", "Named in the report"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="conflicts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_conflicts"
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="caseconflict_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} conflicted on {self.case_id}"


class TaskStatus(models.TextChoices):
    OPEN = "open", "To do"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class Task(models.Model):
    """Something to do for a case, by a person or a department, by a date.

    `title` is what the case team sees; `brief` is the minimum a partner department
    needs to act ("patrol awareness near the library, evenings"), both sealed.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    data_key = models.ForeignKey(DataKey, null=True, on_delete=models.SET_NULL, related_name="+")
    title = EncryptedTextField(data_key="data_key", null=True, blank=True)
    brief = EncryptedTextField(data_key="data_key", null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case_tasks",
    )
    department = models.ForeignKey(
        "institution.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    due_on = models.DateField(null=True, blank=True, db_index=True)
    status = models.CharField(
        max_length=20, choices=TaskStatus.choices, default=TaskStatus.OPEN, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(assignee__isnull=False) | models.Q(department__isnull=False),
                name="task_has_an_owner",
            )
        ]

    def __str__(self) -> str:
        return f"Task {self.id}"


class EntryKind(models.TextChoices):
    REPORTED = "reported", "Report received"
    ADDITION = "addition", "Reporter added information"
    EVIDENCE = "evidence", "File added"
    MESSAGE = "message", "Message"
    NOTE = "note", "Note"
    CONTACT = "contact", "Contact attempt"
    STATUS = "status", "Status changed"
    ASSIGNED = "assigned", "Assigned"
    UNASSIGNED = "unassigned", "Unassigned"
    TASK = "task", "Task"
    LINKED = "linked", "Linked to another case"
    RESTRICTED = "restricted", "Access changed"
    CLOSED = "closed", "Closed"
    REOPENED = "reopened", "Reopened"
    WITHDRAWN = "withdrawn", "Withdrawn by the reporter"
    DELETION_REQUESTED = "deletion_requested", "Reporter asked for deletion"
    ASSESSMENT = "assessment", "Risk assessment"
    SAFETY_PLAN = "safety_plan", "Safety plan"
    MEASURE = "measure", "Safety measure"
    REFERRAL = "referral", "Referral"
    PROCESS = "process", "Formal process"
    # detail: {"log_id": ..., "seqs": [...]} (ids and places only: the entries stay in
    # the log, sealed with its key; the chronology reads the shared ones).
    LOG_SHARED = "log_shared", "Shared from their incident log"
    LOG_RECORDED = "log_recorded", "Incident recorded by staff"


class TimelineEntry(models.Model):
    """One line of a case's timeline: append only, never edited.

    A correction to a note is a new note whose `corrects` points at the old one. `text`
    (notes, contact notes, reasons) is sealed with the case's key; `detail` holds only
    ids and choice values (a status, a contact method), never words anyone typed.
    Messages, additions, evidence and tasks keep their own rows; the entry points at
    them, so the whole timeline is one indexed query.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="timeline")
    data_key = models.ForeignKey(DataKey, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    occurred_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = EncryptedTextField(data_key="data_key", null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    addition = models.ForeignKey(
        "reporting.ReportAddition",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    evidence = models.ForeignKey(
        "reporting.Evidence", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [
            # The case page: the newest entries of one case, a page at a time.
            models.Index(fields=["case", "-occurred_at"], name="timeline_case_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.case_id}"


class MatchStatus(models.TextChoices):
    NEW = "new", "New"
    LINKED = "linked", "Linked"
    DISMISSED = "dismissed", "Not the same person"


class CaseMatch(models.Model):
    """Two cases whose reports name a person with the same identifier (by keyed hash).

    Stored with the lower case id first, so each pair exists once. `kinds` lists which
    identifier kinds matched ("email", "phone"...), never the values.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case_a = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    case_b = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    kinds = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=MatchStatus.choices, default=MatchStatus.NEW)
    found_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case_a", "case_b"], name="casematch_pair_unique"),
            models.CheckConstraint(
                condition=models.Q(case_a__lt=models.F("case_b")), name="casematch_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"Match {self.case_a_id} ~ {self.case_b_id}"


class CaseLink(models.Model):
    """Two cases linked by a lead (from a match, or by hand). Lower id first."""

    case_a = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    case_b = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_at = models.DateTimeField(auto_now_add=True)
    from_match = models.ForeignKey(
        CaseMatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="links"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case_a", "case_b"], name="caselink_pair_unique"),
            models.CheckConstraint(
                condition=models.Q(case_a__lt=models.F("case_b")), name="caselink_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"Link {self.case_a_id} - {self.case_b_id}"


class ReplyTemplate(models.Model):
    """A reusable reply for the message box. Generic wording only, never case detail."""

    title = models.CharField(max_length=120, unique=True)
    body = models.TextField()
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["position", "title"]

    def __str__(self) -> str:
        return self.title


# --- Typed work kept across a session time-out (issue 12) ----------------------------------------


class DraftKind(models.TextChoices):
    NOTE = "note", "Note"
    MESSAGE = "message", "Message to the reporter"
    PLAN_ACTION = "plan_action", "Safety plan action"


class WorkDraft(models.Model):
    """Text a member of staff typed on a case but has not sent yet, kept for them alone.

    Sealed with the case's key like notes, so shredding the key erases it too. One per
    person, case and kind of form; never shown in the timeline nor to anyone else.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    data_key = models.ForeignKey(DataKey, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=20, choices=DraftKind.choices)
    # Which of several forms of that kind on the page it came from (a safety plan area),
    # so it comes back in the same box. A choice value, never typed words.
    place = models.SlugField(max_length=30, blank=True)
    text = EncryptedTextField(data_key="data_key", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "case", "kind"], name="workdraft_one_per_form"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} draft on {self.case_id}"
