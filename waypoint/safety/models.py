"""Risk assessment, safety plans, referrals and formal processes for a case.

Everything typed about a person is sealed with the case's DataKey (the `data_key` of each
row is the case's). What stays in clear is what reminders and reports sort on: kinds,
statuses, dates, bands and scores. Assessments and referrals are never edited: a new one
is added, so the history stays as it was recorded.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from waypoint.privacy.fields import EncryptedJSONField, EncryptedTextField
from waypoint.privacy.models import DataKey

_USER = settings.AUTH_USER_MODEL


def _key() -> models.ForeignKey[DataKey | None, DataKey | None]:
    return models.ForeignKey(DataKey, null=True, on_delete=models.SET_NULL, related_name="+")


# --- Risk instruments ---------------------------------------------------------------------


class RiskInstrument(models.Model):
    """A risk checklist (for example a DASH-style checklist). Its questions are versions."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class InstrumentVersion(models.Model):
    """One version of an instrument's wording, scoring and bands, loaded from a file.

    `definition` is the validated document (waypoint/safety/instruments.py describes
    it). A version is never changed once an assessment uses it; loading a changed file
    makes a new version and marks it current.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    instrument = models.ForeignKey(
        RiskInstrument, on_delete=models.PROTECT, related_name="versions"
    )
    version = models.PositiveIntegerField()
    definition = models.JSONField()
    sha256 = models.CharField(max_length=64)
    is_current = models.BooleanField(default=True)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["instrument", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "version"], name="instrumentversion_unique"
            ),
            models.UniqueConstraint(
                fields=["instrument"],
                condition=Q(is_current=True),
                name="instrumentversion_one_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} v{self.version}"


class Assessment(models.Model):
    """A completed risk assessment: answers, computed score and band, and judgement.

    The practitioner's band may be higher than the computed one, never lower; a reason
    is required whenever it differs (CheckConstraint and services).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("casework.Case", on_delete=models.CASCADE, related_name="assessments")
    data_key = _key()
    version = models.ForeignKey(InstrumentVersion, on_delete=models.PROTECT, related_name="+")
    # {item key: {"answer": "yes"|"no"|"dont_know", "comment": "..."}}
    answers = EncryptedJSONField(data_key="data_key", null=True, blank=True)
    score = models.PositiveSmallIntegerField()
    computed_band = models.CharField(max_length=20, blank=True)
    band = models.CharField(max_length=20, blank=True, help_text="After professional judgement.")
    judgement_reason = EncryptedTextField(data_key="data_key", null=True, blank=True)
    next_review_on = models.DateField(null=True, blank=True, db_index=True)
    review_notified_at = models.DateTimeField(null=True, blank=True)
    assessed_by = models.ForeignKey(_USER, null=True, on_delete=models.SET_NULL, related_name="+")
    assessed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assessed_at"]

    def __str__(self) -> str:
        return f"Assessment {self.id}"


# --- Safety plans -----------------------------------------------------------------------------


class PlanArea(models.TextChoices):
    PERSONAL = "personal", "Personal safety"
    HOME = "home", "Home and accommodation"
    TRAVEL = "travel", "Travel"
    STUDY_WORK = "study_work", "Study and work"
    DIGITAL = "digital", "Digital and technology safety"


class SafetyPlan(models.Model):
    """The plan made with the survivor. Shared with them when the adviser chooses."""

    case = models.OneToOneField(
        "casework.Case", on_delete=models.CASCADE, related_name="safety_plan"
    )
    data_key = _key()
    shared_with_reporter_at = models.DateTimeField(null=True, blank=True)
    next_review_on = models.DateField(null=True, blank=True, db_index=True)
    review_notified_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Safety plan of {self.case_id}"


class PlanAction(models.Model):
    """An agreed action in one area of the plan ("share my timetable only with...")."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(SafetyPlan, on_delete=models.CASCADE, related_name="actions")
    data_key = _key()
    area = models.CharField(max_length=20, choices=PlanArea.choices)
    text = EncryptedTextField(data_key="data_key", null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(_USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["area", "created_at"]

    def __str__(self) -> str:
        return f"{self.get_area_display()} action"


class MeasureKind(models.TextChoices):
    SECURITY_AWARENESS = "security_awareness", "Security patrol awareness"
    SAFEZONE = "safezone", "Safezone app set up"
    ACCOMMODATION_MOVE = "accommodation_move", "Accommodation move"
    TIMETABLE_CHANGE = "timetable_change", "Timetable or class change"
    EXAM_ARRANGEMENTS = "exam_arrangements", "Exam arrangements"
    EXTENSION = "extension", "Extensions"
    ESCORT = "escort", "Escort on campus"
    NO_CONTACT = "no_contact", "No-contact requirement"
    CAMPUS_RESTRICTION = "campus_restriction", "Campus access restriction"
    IT_SECURITY = "it_security", "IT account security"
    OTHER = "other", "Other"


class MeasureStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    AGREED = "agreed", "Agreed"
    IN_PLACE = "in_place", "In place"
    ENDED = "ended", "Ended"


class SafetyMeasure(models.Model):
    """A university measure coordinated with a department (Security, Accommodation...).

    The owner department sees only `brief` (the minimum it needs to act), the kind,
    status and dates: never the case, the report or `detail`.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("casework.Case", on_delete=models.CASCADE, related_name="measures")
    data_key = _key()
    kind = models.CharField(max_length=30, choices=MeasureKind.choices)
    department = models.ForeignKey(
        "institution.Department", on_delete=models.PROTECT, related_name="measures"
    )
    brief = EncryptedTextField(data_key="data_key", null=True, blank=True)
    detail = EncryptedTextField(data_key="data_key", null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=MeasureStatus.choices, default=MeasureStatus.PROPOSED
    )
    starts_on = models.DateField(null=True, blank=True)
    review_on = models.DateField(null=True, blank=True, db_index=True)
    ends_on = models.DateField(null=True, blank=True)
    review_notified_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(_USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["review_on", "created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.department_id})"


# --- Referrals and disclosures -------------------------------------------------------------


class LawfulBasis(models.TextChoices):
    """UK GDPR Article 6 bases (special category data also needs an Article 9 condition)."""

    CONSENT = "consent", "Consent"
    VITAL_INTERESTS = "vital_interests", "Vital interests (to protect someone's life)"
    LEGAL_OBLIGATION = "legal_obligation", "Legal obligation"
    PUBLIC_TASK = "public_task", "Public task"
    LEGITIMATE_INTERESTS = "legitimate_interests", "Legitimate interests"


class ConsentMethod(models.TextChoices):
    VERBAL = "verbal", "Told us in person or by phone"
    WRITTEN = "written", "In writing"
    ONLINE = "online", "Through the report's messages"


class Exemption(models.TextChoices):
    NONE = "", "None (consent given)"
    SERIOUS_HARM = "serious_harm", "Risk of serious harm to the person or others"
    CRIME = "crime", "Prevention or detection of crime (DPA 2018 Sch 2 para 2)"
    SAFEGUARDING = "safeguarding", "Safeguarding of children or individuals at risk"
    LEGAL_CLAIMS = "legal_claims", "Legal proceedings or advice"


class ReferralStatus(models.TextChoices):
    SENT = "sent", "Sent"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    CLOSED = "closed", "Closed"


class Referral(models.Model):
    """A referral or disclosure outside the team, with the basis that made it lawful.

    A row cannot exist without a lawful basis and either recorded consent (when and how)
    or a named exemption: the constraint makes sharing without a basis impossible, not
    just discouraged.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("casework.Case", on_delete=models.CASCADE, related_name="referrals")
    data_key = _key()
    service = models.ForeignKey(
        "hub.SupportService", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "institution.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recipient = EncryptedTextField(data_key="data_key", null=True, blank=True)
    purpose = EncryptedTextField(data_key="data_key", null=True, blank=True)
    shared = EncryptedTextField(data_key="data_key", null=True, blank=True)
    lawful_basis = models.CharField(max_length=30, choices=LawfulBasis.choices)
    consent_given = models.BooleanField(default=False)
    consent_at = models.DateTimeField(null=True, blank=True)
    consent_method = models.CharField(max_length=20, choices=ConsentMethod.choices, blank=True)
    exemption = models.CharField(max_length=20, choices=Exemption.choices, blank=True)
    status = models.CharField(
        max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    outcome = EncryptedTextField(data_key="data_key", null=True, blank=True)
    sent_by = models.ForeignKey(_USER, null=True, on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(lawful_basis=""), name="referral_has_lawful_basis"),
            models.CheckConstraint(
                condition=(Q(consent_given=True, consent_at__isnull=False) & ~Q(consent_method=""))
                | ~Q(exemption=""),
                name="referral_has_consent_or_exemption",
            ),
            models.CheckConstraint(
                condition=~Q(lawful_basis=LawfulBasis.CONSENT) | Q(consent_given=True),
                name="referral_consent_basis_needs_consent",
            ),
            models.CheckConstraint(
                condition=Q(service__isnull=False)
                | Q(department__isnull=False)
                | Q(recipient__isnull=False),
                name="referral_has_recipient",
            ),
        ]

    def __str__(self) -> str:
        return f"Referral {self.id}"


# --- Formal processes --------------------------------------------------------------------------


class PoliceStage(models.TextChoices):
    REPORTED = "reported", "Reported"
    INVESTIGATING = "investigating", "Under investigation"
    CHARGED = "charged", "Charged"
    COURT = "court", "At court"
    NO_FURTHER_ACTION = "nfa", "No further action"
    CONVICTED = "convicted", "Convicted"
    ACQUITTED = "acquitted", "Acquitted"
    CLOSED = "closed", "Closed"


class PoliceProcess(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("casework.Case", on_delete=models.CASCADE, related_name="police")
    data_key = _key()
    reported_on = models.DateField(null=True, blank=True)
    crime_reference = EncryptedTextField(data_key="data_key", null=True, blank=True)
    officer = EncryptedTextField(data_key="data_key", null=True, blank=True)
    stage = models.CharField(
        max_length=20, choices=PoliceStage.choices, default=PoliceStage.REPORTED
    )
    bail_conditions = EncryptedTextField(data_key="data_key", null=True, blank=True)
    bail_until = models.DateField(null=True, blank=True)
    outcome = EncryptedTextField(data_key="data_key", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Police process {self.id}"


class OrderKind(models.TextChoices):
    SPO_INTERIM = "spo_interim", "Stalking Protection Order (interim)"
    SPO_FULL = "spo_full", "Stalking Protection Order"
    RESTRAINING = "restraining", "Restraining order"
    NON_MOLESTATION = "non_molestation", "Non-molestation order"
    PHA_INJUNCTION = "pha_injunction", "Injunction (Protection from Harassment Act)"


class ProtectiveOrder(models.Model):
    """A court order protecting the person. Reminders go before `expires_on`."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("casework.Case", on_delete=models.CASCADE, related_name="orders")
    data_key = _key()
    kind = models.CharField(max_length=20, choices=OrderKind.choices)
    made_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True, db_index=True)
    conditions = EncryptedTextField(data_key="data_key", null=True, blank=True)
    expiry_reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["expires_on"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.id}"


class ConductStage(models.TextChoices):
    PRECAUTIONARY = "precautionary", "Precautionary measures"
    INVESTIGATION = "investigation", "Investigation"
    HEARING = "hearing", "Hearing"
    OUTCOME = "outcome", "Outcome decided"
    APPEAL = "appeal", "Appeal"
    PAUSED = "paused", "Paused for a criminal case"
    CLOSED = "closed", "Closed"


class ConductProcess(models.Model):
    """The student conduct process about the responding student."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("casework.Case", on_delete=models.CASCADE, related_name="conduct")
    data_key = _key()
    reference = EncryptedTextField(data_key="data_key", null=True, blank=True)
    stage = models.CharField(
        max_length=20, choices=ConductStage.choices, default=ConductStage.PRECAUTIONARY
    )
    hearing_on = models.DateField(null=True, blank=True)
    outcome = EncryptedTextField(data_key="data_key", null=True, blank=True)
    appeal = EncryptedTextField(data_key="data_key", null=True, blank=True)
    paused_on = models.DateField(null=True, blank=True)
    pause_reason = EncryptedTextField(data_key="data_key", null=True, blank=True)
    reporting_student_adviser = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responding_student_adviser = EncryptedTextField(data_key="data_key", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Conduct process {self.id}"


class PrecautionaryMeasure(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    process = models.ForeignKey(ConductProcess, on_delete=models.CASCADE, related_name="measures")
    data_key = _key()
    description = EncryptedTextField(data_key="data_key", null=True, blank=True)
    reason = EncryptedTextField(data_key="data_key", null=True, blank=True)
    imposed_on = models.DateField()
    review_on = models.DateField(null=True, blank=True, db_index=True)
    ended_on = models.DateField(null=True, blank=True)
    review_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["imposed_on"]

    def __str__(self) -> str:
        return f"Precautionary measure {self.id}"


class CivilKind(models.TextChoices):
    NON_MOLESTATION = "non_molestation", "Non-molestation order application"
    PHA_INJUNCTION = "pha_injunction", "Harassment injunction application"
    OTHER = "other", "Other civil route"


class CivilRoute(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("casework.Case", on_delete=models.CASCADE, related_name="civil")
    data_key = _key()
    kind = models.CharField(max_length=20, choices=CivilKind.choices)
    notes = EncryptedTextField(data_key="data_key", null=True, blank=True)
    status = models.CharField(max_length=120, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.id}"
