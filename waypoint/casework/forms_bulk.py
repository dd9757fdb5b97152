"""Forms of the bulk actions (views/bulk.py): the cases chosen in the inbox, and what to do.

The case ids travel as hidden fields between the inbox, the confirmation page and the
action; the service asks the policy about each one again, so a tampered id changes nothing
it should not. The choices (who may be assigned, outcomes, support given) are the single
case forms' own.
"""

from __future__ import annotations

import uuid
from typing import Any, Final, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from waypoint.accounts.models import User
from waypoint.accounts.roles import Role
from waypoint.casework.forms_case import CloseForm, StaffChoiceField
from waypoint.casework.services.bulk import BULK_LIMIT

ACTION_ASSIGN: Final = "assign"
ACTION_CLOSE: Final = "close"
ACTIONS: Final = (ACTION_ASSIGN, ACTION_CLOSE)


class CaseIdsField(forms.Field):
    """Several case ids (hidden inputs, or the inbox's checkboxes named "cases")."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": "Select at least one case.",
        "invalid": "Select the cases again from the list.",
        "too_many": f"Select at most {BULK_LIMIT} cases at a time.",
    }

    def to_python(self, value: Any) -> list[uuid.UUID]:
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        try:
            ids = list(dict.fromkeys(uuid.UUID(str(item)) for item in values))
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if len(ids) > BULK_LIMIT:
            raise ValidationError(self.error_messages["too_many"], code="too_many")
        return ids


class BulkSelectionForm(forms.Form):
    cases = CaseIdsField()
    action = forms.ChoiceField(
        choices=[(ACTION_ASSIGN, "Assign"), (ACTION_CLOSE, "Close")],
        error_messages={"required": "Choose what to do with the selected cases."},
    )


def case_staff() -> QuerySet[User]:
    # The people case_assign accepts (it checks again, case by case, with conflicts).
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(role__in=[Role.ADVISER, Role.CASE_LEAD])
            | Q(role=Role.ADMINISTRATOR, case_access_granted=True)
        )
        .order_by("display_name", "email")
    )


class BulkAssignForm(forms.Form):
    cases = CaseIdsField()
    user = StaffChoiceField(
        queryset=User.objects.none(),
        label="Assign to",
        help_text="Someone with a conflict of interest on a case is not assigned to it; "
        "that case is listed afterwards.",
        empty_label="Choose someone",
        error_messages={
            "required": "Choose who to assign the cases to.",
            "invalid_choice": "That person cannot be assigned cases. Choose someone from the list.",
        },
    )
    reassign = forms.BooleanField(
        label="Take everyone else off these cases (reassign)",
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "bulk")
        super().__init__(*args, **kwargs)
        cast(StaffChoiceField, self.fields["user"]).queryset = case_staff()


class BulkCloseForm(CloseForm):
    cases = CaseIdsField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "bulk")
        super().__init__(*args, **kwargs)
        self.fields["reason"].help_text = (
            "Why these cases are closing now, in a sentence or two. It is kept on each "
            "case's timeline."
        )
