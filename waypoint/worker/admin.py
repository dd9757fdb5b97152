"""Outgoing emails in the admin: bookkeeping only (the content is encrypted and never
shown), and "Send again" for the ones the worker gave up on."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from waypoint.accounts.admin_site import admin_site
from waypoint.accounts.policy import staff_user
from waypoint.worker.models import OutboundEmail
from waypoint.worker.services import emails_send_again


@admin.register(OutboundEmail, site=admin_site)
class OutboundEmailAdmin(admin.ModelAdmin[OutboundEmail]):
    list_display = ("created_at", "state", "attempts", "next_attempt_at", "sent_at", "last_error")
    list_filter = ("state",)
    readonly_fields = list_display
    fields = list_display
    actions = ["send_again"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # emails are written by Waypoint, never by hand

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # the daily prune forgets sent ones; a failed one waits for "Send again"

    @admin.action(description="Send again (emails that were not delivered)")
    def send_again(self, request: HttpRequest, queryset: QuerySet[OutboundEmail]) -> None:
        count = emails_send_again(
            email_ids=[str(pk) for pk in queryset.values_list("pk", flat=True)],
            actor=staff_user(request),
        )
        self.message_user(request, f"{count} email(s) will be sent again.")
