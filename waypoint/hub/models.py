"""Public hub content. The support directory is data, so any institution can edit it."""

from __future__ import annotations

import uuid

from django.db import models


class Audience(models.TextChoices):
    STUDENTS = "students", "Students"
    STAFF = "staff", "Staff"
    ANYONE = "anyone", "Anyone"


class SupportCategory(models.Model):
    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    # Everyday words people use for this need ("money", "counselling"), for search.
    need_words = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "support categories"

    def __str__(self) -> str:
        return self.name


class SupportService(models.Model):
    class Provider(models.TextChoices):
        INTERNAL = "internal", "At the university"
        EXTERNAL = "external", "Outside the university"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    provider = models.CharField(max_length=10, choices=Provider.choices)
    summary = models.CharField(max_length=300, help_text="One sentence: what they offer.")
    description = models.TextField(blank=True)
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.ANYONE)
    hours = models.CharField(max_length=120, blank=True)
    is_24_7 = models.BooleanField("open 24/7", default=False)
    is_free = models.BooleanField(default=False)
    is_confidential = models.BooleanField(default=False)
    website_url = models.URLField(blank=True)
    online_reporting_url = models.URLField(blank=True)
    webchat_url = models.URLField(blank=True)
    categories = models.ManyToManyField(SupportCategory, related_name="services", blank=True)
    need_words = models.TextField(blank=True, help_text="Extra words people might search for.")
    position = models.PositiveSmallIntegerField(default=0)
    is_published = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class SupportPhone(models.Model):
    class Kind(models.TextChoices):
        EMERGENCY = "emergency", "Emergency"
        NON_EMERGENCY = "non_emergency", "Non-emergency"
        HELPLINE = "helpline", "Helpline"

    service = models.ForeignKey(SupportService, on_delete=models.CASCADE, related_name="phones")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    number = models.CharField(max_length=40, help_text="As people should dial it.")
    note = models.CharField(max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.number}"

    @property
    def tel_href(self) -> str:
        digits = "".join(ch for ch in self.number if ch.isdigit() or ch == "+")
        return f"tel:{digits}"


class AwarenessPage(models.Model):
    """A managed page of awareness content ("What is stalking?", "Tactics", ...).

    The row holds what is live. Edits are ContentRevisions until a second administrator
    approves them (hub/services.py applies an approved revision to this row).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=120)
    summary = models.CharField(max_length=300, help_text="One or two sentences for lists.")
    body = models.TextField(help_text="Markdown. Raw HTML is not allowed and is shown as text.")
    position = models.PositiveSmallIntegerField(default=0)
    is_published = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "title"]

    def __str__(self) -> str:
        return self.title


class Campaign(models.Model):
    """An awareness campaign, e.g. National Stalking Awareness Week. Live when today falls
    between its dates; past campaigns stay in the archive."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=160)
    theme = models.CharField(max_length=160, blank=True)
    lead_organisation = models.CharField(max_length=160, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    summary = models.CharField(max_length=300)
    body = models.TextField(blank=True, help_text="Markdown. Raw HTML is shown as text.")
    is_published = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="campaign_ends_after_it_starts",
            )
        ]
        indexes = [
            # The home page's banner: published campaigns whose dates include today.
            models.Index(fields=["is_published", "starts_on", "ends_on"], name="campaign_live")
        ]

    def __str__(self) -> str:
        return self.name


class CampaignLink(models.Model):
    class Kind(models.TextChoices):
        BLOG = "blog", "Blog post"
        VIDEO = "video", "Video"
        SOCIAL = "social", "Social media"
        WEBSITE = "website", "Website"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    label = models.CharField(max_length=160)
    url = models.URLField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.label


class CampaignEvent(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="events")
    title = models.CharField(max_length=160)
    starts_at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    url = models.URLField(blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]

    def __str__(self) -> str:
        return self.title


class ContentRevision(models.Model):
    """One proposed version of a page, campaign or support service.

    `data` is a JSON snapshot of every editable field, nested rows included (campaign
    links and events, service phones and categories). Nothing reaches the public site
    until another administrator approves the revision; approving applies the snapshot to
    the live row. Old revisions are kept, so history can be shown and restored.
    """

    class Kind(models.TextChoices):
        PAGE = "page", "Awareness page"
        CAMPAIGN = "campaign", "Campaign"
        SERVICE = "service", "Support service"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Waiting for approval"
        APPROVED = "approved", "Approved and live"
        REJECTED = "rejected", "Sent back"
        WITHDRAWN = "withdrawn", "Withdrawn"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # The live row this revision changes; null for a revision that creates a new one.
    object_id = models.UUIDField(null=True, blank=True)
    data = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    summary = models.CharField(max_length=200, blank=True, help_text="What changed and why.")
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="content_revisions"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="content_reviews",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # The four-eyes rule, also in the database.
            models.CheckConstraint(
                condition=~models.Q(reviewed_by=models.F("author")),
                name="revision_reviewer_is_not_author",
            )
        ]
        indexes = [
            # History of one item, newest first; the review queue by status.
            models.Index(fields=["kind", "object_id", "-created_at"], name="revision_history"),
            models.Index(fields=["status", "-created_at"], name="revision_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} revision {self.pk}"
