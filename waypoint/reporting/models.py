"""Reports as people make them: option lists, drafts, reports, evidence, additions.

Everything a reporter types or uploads is sealed with the report's DataKey through the
privacy core (EncryptedJSONField / EncryptedTextField, encrypt_file). What stays in
clear is only what triage needs to sort and route a report without reading it: the
route, who is reporting (student, staff, visitor), the urgency flags and dates.

A Draft and the Report made from it share one DataKey: the draft's answers and evidence
were sealed with it, so submitting hands the key over instead of re-encrypting. The
draft id doubles as the idempotency key (Report.draft_token is unique), so however often
submit is pressed or replayed, one report exists (ADR 0014).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce

from waypoint.privacy.fields import EncryptedJSONField, EncryptedTextField
from waypoint.privacy.models import DataKey


class Route(models.TextChoices):
    SUPPORT = "support", "Get support (named)"
    ANONYMOUS = "anonymous", "Anonymous"
    THIRD_PARTY = "third_party", "For someone else, or as a witness"


class ReporterRole(models.TextChoices):
    STUDENT = "student", "Student"
    STAFF = "staff", "Member of staff"
    VISITOR = "visitor", "Visitor or someone else"


class OptionKind(models.TextChoices):
    BEHAVIOUR = "behaviour", "What happened (behaviours)"
    LOCATION = "location", "Where: campus locations"
    PLATFORM = "platform", "Where: online platforms"
    RELATIONSHIP = "relationship", "Who: relationship"
    IMPACT = "impact", "Impact"
    SUPPORT = "support", "Support wanted"


ALPHABETICAL_POSITION = 500


class ReportOptionQuerySet(models.QuerySet["ReportOption"]):
    def active(self) -> ReportOptionQuerySet:
        return self.filter(is_active=True)

    def of_kind(self, kind: str) -> ReportOptionQuerySet:
        # Alphabetical, except options given a position: below 500 they come first,
        # above 500 last ("Something else", "I don't know").
        return (
            self.active()
            .filter(kind=kind)
            .order_by(Coalesce("position", ALPHABETICAL_POSITION), "label")
        )


class ReportOption(models.Model):
    """One choice in an editable list (behaviours, locations, relationships...).

    Reports keep the slug and the label as they were when chosen, so renaming or retiring
    an option never rewrites what someone told us.
    """

    kind = models.CharField(max_length=20, choices=OptionKind.choices)
    slug = models.SlugField(max_length=60)
    label = models.CharField(max_length=120)
    hint = models.CharField(max_length=240, blank=True)
    position = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=(
            "Leave empty to sort alphabetically. Below 500 puts it before the alphabetical "
            "options, above 500 after them."
        ),
    )
    is_active = models.BooleanField(default=True)
    raises_urgency = models.BooleanField(
        default=False,
        help_text="Choosing this marks the new case as urgent in the triage queue.",
    )
    is_threat_of_violence = models.BooleanField(default=False)

    objects = ReportOptionQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "label"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "slug"], name="reportoption_kind_slug_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.label}"


class Draft(models.Model):
    """A report being written. Its id is unguessable and lives only in the session cookie.

    `answers` holds every step's cleaned data (JSON) sealed with `data_key`. A draft
    expires `expires_at`; purge_expired_drafts deletes it, its evidence and, unless a
    report took it over, its DataKey.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    data_key = models.ForeignKey(DataKey, null=True, on_delete=models.SET_NULL, related_name="+")
    route = models.CharField(max_length=20, choices=Route.choices)
    answers = EncryptedJSONField(data_key="data_key", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField(db_index=True)
    report = models.OneToOneField(
        "Report", null=True, blank=True, on_delete=models.SET_NULL, related_name="draft"
    )

    def __str__(self) -> str:
        return f"Draft {self.id}"


class ReportStatus(models.TextChoices):
    """What the reporter sees; the case workflow maps onto these (casework.Case)."""

    RECEIVED = "received", "Received"
    IN_PROGRESS = "in_progress", "Being looked at"
    CLOSED = "closed", "Closed"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Report(models.Model):
    """A submitted report. Public reference in clear; everything said, sealed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=16, unique=True)
    draft_token = models.UUIDField(
        unique=True, null=True, blank=True, help_text="The draft it came from (idempotency)."
    )
    data_key = models.ForeignKey(DataKey, null=True, on_delete=models.SET_NULL, related_name="+")
    route = models.CharField(max_length=20, choices=Route.choices)
    reporter_role = models.CharField(max_length=20, choices=ReporterRole.choices, blank=True)
    immediate_danger = models.BooleanField(default=False)
    # The structured answers (what, when, where, impact, police, support...) as a dict.
    answers = EncryptedJSONField(data_key="data_key", null=True, blank=True)
    # Contact details and safe-contact preferences (named route only).
    contact = EncryptedJSONField(data_key="data_key", null=True, blank=True)
    wants_messages = models.BooleanField(default=True)
    # Argon2id hash of the peppered passphrase (receipts.py); blank until issued.
    receipt_hash = models.CharField(max_length=200, blank=True)
    receipt_pepper_key_id = models.PositiveBigIntegerField(null=True, blank=True)
    receipt_confirmed_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    deletion_requested_at = models.DateTimeField(null=True, blank=True)
    made_by_staff = models.BooleanField(
        default=False, help_text="Recorded by an adviser for someone (walk-in)."
    )

    class Meta:
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return self.reference


class ReportedPerson(models.Model):
    """Someone a report names as responsible. Details sealed; identifiers also hashed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="people")
    data_key = models.ForeignKey(DataKey, null=True, on_delete=models.SET_NULL, related_name="+")
    details = EncryptedJSONField(data_key="data_key", null=True, blank=True)

    def __str__(self) -> str:
        return f"Person named in {self.report_id}"


class PersonIdentifier(models.Model):
    """A keyed HMAC of one identifier (privacy.identifiers), for matching across reports."""

    person = models.ForeignKey(ReportedPerson, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(max_length=20)
    digest = models.CharField(max_length=64, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "digest"], name="personidentifier_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} digest"


class ReportAddition(models.Model):
    """Information a reporter added later: appended and time-stamped, never an edit."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="additions")
    data_key = models.ForeignKey(DataKey, null=True, on_delete=models.SET_NULL, related_name="+")
    body = EncryptedTextField(data_key="data_key", null=True, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at"]

    def __str__(self) -> str:
        return f"Addition to {self.report_id}"


class EvidenceKind(models.TextChoices):
    IMAGE = "image", "Image"
    PDF = "pdf", "PDF"
    DOCUMENT = "document", "Document"
    AUDIO = "audio", "Audio"
    VIDEO = "video", "Video"


class Evidence(models.Model):
    """One uploaded file: the original sealed as received (with its SHA-256), and for
    images a metadata-free copy for viewing.

    Belongs to a draft while the report is written, then to the report. Storage names are
    random; the original file name is sealed because it can identify someone.
    `metadata_found` lists what the original carries (for example "location"), which the
    reporter is shown; `keep_metadata` is their choice (None until they choose). Choosing
    to strip replaces the original with the clean copy.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    data_key = models.ForeignKey(DataKey, null=True, on_delete=models.SET_NULL, related_name="+")
    draft = models.ForeignKey(
        Draft, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    kind = models.CharField(max_length=10, choices=EvidenceKind.choices)
    content_type = models.CharField(max_length=100)
    original_name = EncryptedTextField(data_key="data_key", null=True, blank=True)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=100)
    file_key = models.BinaryField()
    clean_storage_name = models.CharField(max_length=100, blank=True)
    clean_file_key = models.BinaryField(null=True, blank=True)
    clean_size = models.PositiveBigIntegerField(null=True, blank=True)
    metadata_found = EncryptedJSONField(data_key="data_key", null=True, blank=True)
    keep_metadata = models.BooleanField(null=True, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by_staff = models.BooleanField(default=False)

    class Meta:
        ordering = ["uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(draft__isnull=False) | Q(report__isnull=False),
                name="evidence_belongs_to_draft_or_report",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.id}"
