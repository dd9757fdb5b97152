"""Staff accounts. Reporters never have accounts: they return with a receipt."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.db import models

from waypoint.accounts.roles import Role


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("Staff accounts need an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("role", Role.ADMINISTRATOR)
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A member of staff. What they may do is decided by accounts.policy, from `role`."""

    username = None  # type: ignore[assignment]
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(unique=True)
    display_name = models.CharField(max_length=120, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    department = models.ForeignKey(
        "institution.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        help_text="Required for partner department accounts.",
    )
    # An administrator reads case content only when this is also granted (need to know).
    case_access_granted = models.BooleanField(default=False)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="partner") | models.Q(department__isnull=False),
                name="partner_needs_department",
            )
        ]

    def __str__(self) -> str:
        return self.display_name or self.email

    # Django's permission checks (used by the admin) are answered by accounts.policy from
    # the role. Stored permissions, groups and is_superuser grant nothing.
    def has_perm(self, perm: str, obj: object = None) -> bool:
        from waypoint.accounts import policy  # noqa: PLC0415  (policy imports this module)

        return policy.can_use_admin_permission(self, perm)

    def has_module_perms(self, app_label: str) -> bool:
        from waypoint.accounts import policy  # noqa: PLC0415  (policy imports this module)

        return policy.can_use_admin_app(self, app_label)

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role in Role.values else "No role"


class AccessRequest(models.Model):
    """A change that would let a member of staff read more cases, waiting for a second
    administrator (issue 13: nobody grants case access, least of all to themself, alone).

    Holds the role and case-access flag asked for; approving applies them to the account.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved"
        REFUSED = "refused", "Refused"
        REPLACED = "replaced", "Replaced by a later request"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="access_requests")
    role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    case_access_granted = models.BooleanField(default=False)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = "case access request"
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(state="pending"),
                name="accessrequest_one_pending_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display() or 'No role'} for {self.user}"
