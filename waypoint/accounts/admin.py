"""Staff accounts in the admin: roles, departments, case access, active or not.

Passwords are never shown or edited here (people set their own through "forgotten
password"), accounts are deactivated rather than deleted, and every save goes through
services.staff_user_save, which audits role changes.
"""

from __future__ import annotations

from typing import Any, Final

from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from waypoint.accounts.admin_site import admin_site
from waypoint.accounts.models import AccessRequest, User
from waypoint.accounts.policy import staff_user
from waypoint.accounts.roles import Role
from waypoint.accounts.services import (
    StaffAccountError,
    staff_access_decide,
    staff_mfa_reset,
    staff_user_save,
)

# What an administrator edits on a staff account (never a password: staff set their own).
STAFF_FIELDS: Final = (
    "email",
    "display_name",
    "first_name",
    "role",
    "department",
    "case_access_granted",
    "is_active",
)


class StaffUserForm(forms.ModelForm[User]):
    actor: User | None = None  # the administrator editing; set by StaffUserAdmin.get_form

    class Meta:
        model = User
        fields = STAFF_FIELDS
        help_texts = {
            "first_name": "Used to sign messages to reporters (the [your first name] placeholder).",
        }

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("role") == Role.PARTNER and not cleaned.get("department"):
            self.add_error("department", "Partner department accounts need a department.")
        editing_self = self.actor is not None and self.instance.pk == self.actor.pk
        if editing_self and (
            cleaned.get("role") != Role.ADMINISTRATOR or not cleaned.get("is_active")
        ):
            raise forms.ValidationError(
                "You cannot remove your own administrator role or deactivate your own account."
            )
        return cleaned


@admin.register(User, site=admin_site)
class StaffUserAdmin(admin.ModelAdmin[User]):
    form = StaffUserForm
    fields = STAFF_FIELDS
    list_display = ["email", "display_name", "role", "department", "is_active", "mfa_enrolled"]
    list_filter = ["role", "is_active", "department"]
    search_fields = ["email", "display_name"]
    ordering = ["email"]
    actions = ["reset_mfa"]

    @admin.display(boolean=True, description="MFA")
    def mfa_enrolled(self, obj: User) -> bool:
        return bool(
            Authenticator.objects.filter(
                user_id=obj.pk, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
            ).exists()
        )

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # deactivate instead: the audit log keeps referring to the account

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        staff_user_save(user=obj, actor=staff_user(request))
        if getattr(obj, "pending_access", None) is not None:
            self.message_user(
                request,
                "The change to case access waits for another administrator to approve it "
                "(Case access requests). Everything else was saved.",
                messages.WARNING,
            )

    def get_form(
        self, request: HttpRequest, obj: User | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[User]]:
        form = super().get_form(request, obj, change, **kwargs)
        form.actor = request.user  # type: ignore[attr-defined]  # a fresh class per request
        return form

    @admin.action(description="Reset two-factor authentication (they enrol again)")
    def reset_mfa(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        actor = staff_user(request)
        for user in queryset:
            staff_mfa_reset(user=user, actor=actor)
        self.message_user(request, f"Two-factor authentication reset for {queryset.count()}.")


@admin.register(AccessRequest, site=admin_site)
class AccessRequestAdmin(admin.ModelAdmin[AccessRequest]):
    """Case access waiting for a second administrator: read only, decided by the actions."""

    list_display = [
        "user",
        "role",
        "case_access_granted",
        "requested_by",
        "requested_at",
        "state",
        "decided_by",
    ]
    list_filter = ["state"]
    readonly_fields = (
        "user",
        "role",
        "case_access_granted",
        "requested_by",
        "requested_at",
        "state",
        "decided_by",
        "decided_at",
    )
    fields = readonly_fields
    actions = ["approve", "refuse"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # asked for by editing the account

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # the record of who asked and who decided stays

    def _decide(
        self, request: HttpRequest, queryset: QuerySet[AccessRequest], approve: bool
    ) -> None:
        actor = staff_user(request)
        done = 0
        for access_request in queryset:
            try:
                staff_access_decide(request=access_request, actor=actor, approve=approve)
            except StaffAccountError as error:
                self.message_user(request, f"{access_request}: {error}", messages.ERROR)
            else:
                done += 1
        if done:
            verb = "Approved" if approve else "Refused"
            self.message_user(request, f"{verb} {done} request(s).", messages.SUCCESS)

    @admin.action(description="Approve the selected requests")
    def approve(self, request: HttpRequest, queryset: QuerySet[AccessRequest]) -> None:
        self._decide(request, queryset, approve=True)

    @admin.action(description="Refuse the selected requests")
    def refuse(self, request: HttpRequest, queryset: QuerySet[AccessRequest]) -> None:
        self._decide(request, queryset, approve=False)
