"""Casework in the Django admin: the reply templates, and nothing else.

Case data (reports, cases, messages, tasks, openings) must never show in the admin: staff
reach cases only through the audited, policy-checked casework views. Reply templates hold
generic wording only (no case detail), so administrators keep them here ("admin.content").
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Field
from django.forms import Field as FormField
from django.http import HttpRequest

from waypoint.accounts.admin_site import admin_site
from waypoint.casework.models import ReplyTemplate


@admin.register(ReplyTemplate, site=admin_site)
class ReplyTemplateAdmin(admin.ModelAdmin[ReplyTemplate]):
    fields = ("title", "body", "is_active", "position")
    list_display = ["title", "is_active", "position"]
    list_editable = ["is_active", "position"]
    list_filter = ["is_active"]
    search_fields = ["title"]

    def formfield_for_dbfield(
        self, db_field: Field[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> FormField | None:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and db_field.name == "body":
            field.help_text = (
                "Generic, warm words that any adviser can send and adapt. Never a name, a "
                "place or any detail of a case."
            )
        return field
