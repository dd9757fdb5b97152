"""The report form's option lists in the admin (administrators only).

Only ReportOption is registered: drafts, reports and evidence never appear in the admin,
which cannot apply case access rules. Options are retired (is_active off) rather than
deleted, and reports keep the label an option had when it was chosen, so editing a list
never rewrites what someone told us.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from waypoint.accounts.admin_site import admin_site
from waypoint.reporting.models import ReportOption


@admin.register(ReportOption, site=admin_site)
class ReportOptionAdmin(admin.ModelAdmin[ReportOption]):
    fields = (
        "kind",
        "label",
        "slug",
        "hint",
        "position",
        "is_active",
        "raises_urgency",
        "is_threat_of_violence",
    )
    list_display = ["label", "kind", "position", "is_active", "raises_urgency"]
    list_filter = ["kind", "is_active"]
    search_fields = ["label"]
    prepopulated_fields = {"slug": ["label"]}

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # retire an option instead, so older reports still read correctly
