"""Risk instruments in the admin (administrators only, "admin.content").

Only RiskInstrument and InstrumentVersion are registered: assessments, plans, referrals
and processes hold case content, and the admin cannot apply case access rules.

Versions are never edited or deleted here, so an assessment always reads with the
wording it was made with. An administrator adds a NEW version by pasting or uploading an
instrument file; it is validated (waypoint/safety/instruments.py) and loaded by the same
service as `manage.py load_instrument`, which makes it current, refuses a changed file
that keeps a loaded version number, and audits the load. An instrument itself can only
be retired or brought back (is_active); its name and description come from its versions.
"""

from __future__ import annotations

import json
from typing import Any, Final

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.html import format_html

from waypoint.accounts.admin_site import admin_site
from waypoint.accounts.policy import staff_user
from waypoint.privacy.services import audit_record
from waypoint.safety.instruments import InstrumentError
from waypoint.safety.models import Assessment, InstrumentVersion, RiskInstrument
from waypoint.safety.services.risk import instrument_load, instrument_load_check

MAX_FILE_BYTES: Final = 1_000_000
VERSION_VIEW_FIELDS: Final = (
    "instrument",
    "version",
    "is_current",
    "loaded_at",
    "used_by",
    "sha256",
    "document",
)


class InstrumentVersionAddForm(forms.ModelForm[InstrumentVersion]):
    """A new version: an instrument file pasted in or uploaded, validated before saving."""

    document_text = forms.CharField(
        label="Instrument file (JSON)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 20, "cols": 100, "spellcheck": "false"}),
        help_text=(
            "Paste the whole file. Give it a higher version number than the loaded one: "
            "versions already loaded are never changed, because assessments use them."
        ),
    )
    document_file = forms.FileField(
        label="Or upload the file",
        required=False,
        help_text="A .json file of up to 1 MB, in the format of waypoint/safety/instruments/.",
    )

    class Meta:
        model = InstrumentVersion
        fields: list[str] = []

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        text = str(cleaned.get("document_text") or "").strip()
        upload = cleaned.get("document_file")
        if bool(text) == bool(upload):
            raise ValidationError("Paste the instrument file or upload it (one of the two).")
        if upload:
            if upload.size > MAX_FILE_BYTES:
                raise ValidationError("The file is larger than 1 MB.")
            try:
                text = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                raise ValidationError("The file is not a UTF-8 text file.") from None
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValidationError(
                f"This is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})."
            ) from None
        try:
            existing = instrument_load_check(document=document)
        except InstrumentError as error:
            raise ValidationError(str(error)) from None
        if existing is not None:
            raise ValidationError(
                f"This is exactly version {existing.version} of {existing.instrument.slug}, "
                "which is already loaded: there is nothing to add."
            )
        self.document: dict[str, Any] = document
        return cleaned


@admin.register(InstrumentVersion, site=admin_site)
class InstrumentVersionAdmin(admin.ModelAdmin[InstrumentVersion]):
    form = InstrumentVersionAddForm
    list_display = ["__str__", "version", "is_current", "loaded_at"]
    list_filter = ["instrument", "is_current"]
    list_select_related = ["instrument"]
    ordering = ["instrument__name", "-version"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("document_text", "document_file") if obj is None else VERSION_VIEW_FIELDS

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return () if obj is None else VERSION_VIEW_FIELDS

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a loaded version is never edited: load a new one

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # assessments point at versions; the history must stay readable

    @admin.display(description="Used by")
    def used_by(self, obj: InstrumentVersion) -> str:
        count = Assessment.objects.filter(version=obj).count()
        return f"{count} assessment{'' if count == 1 else 's'}"

    @admin.display(description="Instrument file")
    def document(self, obj: InstrumentVersion) -> str:
        return format_html(
            "<pre>{}</pre>", json.dumps(obj.definition, indent=2, ensure_ascii=False)
        )

    def save_form(self, request: HttpRequest, form: Any, change: bool) -> Any:
        # The loader makes the version (and the instrument, for a new slug) and audits it.
        version = instrument_load(document=form.document, source="admin", actor=staff_user(request))
        if version is None:  # loaded by someone else in the meantime
            version = InstrumentVersion.objects.get(
                instrument__slug=form.document.get("slug"), version=form.document.get("version")
            )
        return version

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        pass  # saved by instrument_load in save_form

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass  # a version has no related rows to save


class VersionInline(admin.TabularInline[InstrumentVersion, RiskInstrument]):
    model = InstrumentVersion
    fields = ("version", "is_current", "loaded_at")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RiskInstrument, site=admin_site)
class RiskInstrumentAdmin(admin.ModelAdmin[RiskInstrument]):
    fields = ("name", "slug", "description", "is_active")
    readonly_fields = ("name", "slug", "description")
    list_display = ["name", "slug", "is_active"]
    inlines = [VersionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # an instrument comes with its first version: add an instrument version

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # retire it (is_active) instead: assessments keep pointing at it

    def save_model(
        self, request: HttpRequest, obj: RiskInstrument, form: Any, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            actor=staff_user(request),
            action="instrument.update",
            object_type="safety.riskinstrument",
            object_id=str(obj.pk),
            extra={"instrument": obj.slug, "is_active": obj.is_active},
        )
