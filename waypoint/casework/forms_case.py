"""Forms of the case page and its workflow (views/case.py).

Every choice of an object (a person, a note to correct) is a ModelChoiceField whose
queryset is scoped to this case and what may be chosen for it, so an id typed into a
hidden field or a form value naming anything else is simply "not a valid choice", the
same as an id that does not exist. The services check everything again.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms

from waypoint.accounts.models import User
from waypoint.casework.models import Case, CaseOutcome, CaseStatus, EntryKind, TimelineEntry
from waypoint.casework.selectors import case_page
from waypoint.casework.services.workflow import (
    NOTE_MAX_CHARS,
    REASON_MAX_CHARS,
    ContactMethod,
    ContactOutcome,
    SupportGiven,
    next_statuses,
)


class StaffChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        name = obj.display_name or obj.email
        return f"{name} ({obj.role_label})"


def _reason(label: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=REASON_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give a reason for this change."},
    )


def _textarea(label: str, *, required: bool, help_text: str = "", rows: int = 5) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        max_length=NOTE_MAX_CHARS,
        strip=True,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class StatusForm(forms.Form):
    to_status = forms.ChoiceField(label="Move the case to", widget=forms.RadioSelect)
    reason = _reason(
        "Why?", "A sentence is enough. It is kept on the timeline and only the team sees it."
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "status")
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["to_status"])
        field.choices = [(s, CaseStatus(s).label) for s in next_statuses(case.status)]
        field.error_messages["required"] = "Choose the status to move the case to."


class NoteForm(forms.Form):
    text = _textarea(
        "Note",
        required=True,
        help_text="Notes cannot be changed later. To put one right, add a correction.",
    )
    corrects = forms.ModelChoiceField(
        queryset=TimelineEntry.objects.none(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={
            "invalid_choice": "The note you were correcting could not be found. "
            "Start the correction again from the note on the timeline."
        },
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "note")
        super().__init__(*args, **kwargs)
        self.fields["text"].error_messages["required"] = "Write the note before saving it."
        corrects = cast(forms.ModelChoiceField[TimelineEntry], self.fields["corrects"])
        corrects.queryset = TimelineEntry.objects.filter(case=case, kind=EntryKind.NOTE)


class ContactForm(forms.Form):
    method = forms.ChoiceField(
        label="How did you try to reach them?",
        choices=ContactMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how you tried to reach them."},
    )
    outcome = forms.ChoiceField(
        label="What happened?",
        choices=ContactOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what happened."},
    )
    text = _textarea("Note (optional)", required=False, rows=3)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "contact")
        super().__init__(*args, **kwargs)


class AssignForm(forms.Form):
    user = StaffChoiceField(
        queryset=User.objects.none(),
        label="Assign a member of staff",
        help_text="Only staff who can work on cases and have no conflict of interest are listed.",
        empty_label="Choose someone",
        error_messages={
            "required": "Choose who to assign.",
            "invalid_choice": "That person cannot be assigned to this case. Choose someone "
            "from the list.",
        },
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "assign")
        super().__init__(*args, **kwargs)
        field = cast(StaffChoiceField, self.fields["user"])
        field.queryset = case_page.assignable_staff(case=case)


class UnassignForm(forms.Form):
    user = forms.ModelChoiceField(
        queryset=User.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "required": "Choose who to take off the case.",
            "invalid_choice": "That person is not assigned to this case.",
        },
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "unassign")
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField[User], self.fields["user"])
        field.queryset = User.objects.filter(case_assignments__case=case)


class ConflictForm(forms.Form):
    """Declaring one's own conflict of interest (no person to choose: it is always you)."""

    confirm = forms.BooleanField(
        label="I know someone involved in this report, or have another reason I should "
        "not work on it",
        error_messages={"required": "Tick the box to confirm that you have a conflict."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "conflict")
        super().__init__(*args, **kwargs)


class ReopenForm(forms.Form):
    reason = _reason("Why reopen it?")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "reopen")
        super().__init__(*args, **kwargs)


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=CaseOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the outcome."},
    )
    support_given = forms.MultipleChoiceField(
        label="Support given (optional)",
        help_text="Tick everything the team did. Leave it empty if no support was given.",
        choices=SupportGiven.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = _reason(
        "Closing summary",
        "Why the case is closing now, in a sentence or two. It is kept on the timeline.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = "Write a short closing summary."


# --- The access page (case leads) -----------------------------------------------------------


class RestrictForm(forms.Form):
    reason = _reason("Why restrict this case?")

    def __init__(self, *args: Any, restricted_now: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "restrict")
        super().__init__(*args, **kwargs)
        if restricted_now:
            self.fields["reason"].label = "Why lift the restriction?"


class GrantForm(forms.Form):
    user = StaffChoiceField(
        queryset=User.objects.none(),
        label="Give a case lead access",
        help_text="Advisers see a case when they are assigned to it, so only case leads are "
        "listed.",
        empty_label="Choose someone",
        error_messages={
            "required": "Choose who to give access.",
            "invalid_choice": "That person cannot be given access to this case. Choose "
            "someone from the list.",
        },
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "grant")
        super().__init__(*args, **kwargs)
        cast(StaffChoiceField, self.fields["user"]).queryset = case_page.grantable_staff(case=case)


class RevokeGrantForm(forms.Form):
    user = forms.ModelChoiceField(
        queryset=User.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "required": "Choose whose access to take back.",
            "invalid_choice": "That person has no access of their own to take back.",
        },
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "revoke")
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField[User], self.fields["user"])
        field.queryset = User.objects.filter(case_grants__case=case)


class ConflictForSomeoneForm(forms.Form):
    user = StaffChoiceField(
        queryset=User.objects.none(),
        label="Record a conflict of interest for",
        help_text="They will no longer be able to see this case or be assigned to it. This "
        "cannot be undone.",
        empty_label="Choose someone",
        error_messages={
            "required": "Choose who has the conflict.",
            "invalid_choice": "Choose someone from the list.",
        },
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "conflict_for")
        super().__init__(*args, **kwargs)
        field = cast(StaffChoiceField, self.fields["user"])
        field.queryset = case_page.conflict_candidates(case=case)
