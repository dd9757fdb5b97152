"""The hub in the Django admin: nothing here changes what the public sees (ADR 0011).

Pages, campaigns and support services are edited at /staff/content/, where every change
is a revision that a second administrator approves. The admin therefore registers none of
them, and shows support categories read only (they are a small fixed list, loaded with
the institution's data; a change to one would change the public directory unreviewed).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from waypoint.accounts.admin_site import admin_site
from waypoint.hub.models import SupportCategory


@admin.register(SupportCategory, site=admin_site)
class SupportCategoryAdmin(admin.ModelAdmin[SupportCategory]):
    fields = ("name", "slug", "need_words", "position")
    readonly_fields = fields
    list_display = ["name", "slug", "position"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
