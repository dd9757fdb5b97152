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
