"""Forms for the safety plan page and university measures (views/plans.py).

The forms check shape, choices and lengths; whether the person may act is decided by
accounts.policy in the selectors and again in the services, which also refuse what the
forms cannot see (an erased case, a review date in the past).
"""

from __future__ import annotations

import datetime
from typing import Any, Final

from django import forms

from waypoint.institution.models import Department
from waypoint.safety.models import MeasureKind, MeasureStatus, PlanArea
from waypoint.safety.services.plans import (
    ACTION_MAX_CHARS,
    BRIEF_MAX_CHARS,
    DETAIL_MAX_CHARS,
    NOTE_MAX_CHARS,
)

# The plan page holds several small forms; each says which one it is.
INTENT_ADD: Final = "add_action"
INTENT_RETIRE: Final = "retire_action"
INTENT_REVIEW: Final = "set_review"
# The team's measure page: the status form, or the brief and detail form.
INTENT_STATUS: Final = "status"
INTENT_REVISE: Final = "revise"


class DateInput(forms.DateInput):
    """The browser's own date picker; typed dates in ISO form work without it."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _date_field(label: str, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        help_text=help_text,
        widget=DateInput(),
        error_messages={"invalid": "Enter a real date, for example 4 December 2026."},
    )


def _check_dates(
    form: forms.Form,
    starts_on: datetime.date | None,
    review_on: datetime.date | None,
    ends_on: datetime.date | None,
) -> None:
    if starts_on and ends_on and ends_on < starts_on:
        form.add_error("ends_on", "The end date is before the start date.")
    # An ended measure needs no review, whatever date was planned for it.
    ended = form.cleaned_data.get("status") == MeasureStatus.ENDED
    if not ended and review_on and ends_on and review_on > ends_on:
        form.add_error("review_on", "The review date is after the end date.")


def _brief_field() -> forms.CharField:
    return forms.CharField(
        label="Brief for the department",
        max_length=BRIEF_MAX_CHARS,
        help_text=(
            "The minimum the department needs to act, for example “patrol awareness near "
            "the library, weekday evenings”. It is all they see: no names, no reference, "
            "nothing from the report."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Write a brief for the department."},
    )


def _detail_field() -> forms.CharField:
    return forms.CharField(
        label="Notes for the case team (optional)",
        required=False,
        max_length=DETAIL_MAX_CHARS,
        help_text="Only the case team reads these: never the department, never the person.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class PlanActionForm(forms.Form):
    """One agreed action in one area. The plan page shows one per area; `auto_id` keeps
    the ids apart (`add-travel-text`) while the names stay the same."""

    area = forms.ChoiceField(choices=PlanArea.choices, widget=forms.HiddenInput)
    text = forms.CharField(
        label="New action",
        max_length=ACTION_MAX_CHARS,
        help_text=(
            "What was agreed, in words the person would use. The person sees it if you "
            "share the plan."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Write the action that was agreed."},
    )

    def __init__(self, *args: Any, area: str | None = None, **kwargs: Any) -> None:
        if area is not None:
            kwargs.setdefault("auto_id", f"add-{area}-%s")
            kwargs.setdefault("initial", {"area": area})
        super().__init__(*args, **kwargs)
        if area is not None:
            label = PlanArea(area).label
            self.fields["text"].label = f"New action for {label.lower()}"


class ActionRetireForm(forms.Form):
    action_id = forms.UUIDField(widget=forms.HiddenInput)


class PlanReviewForm(forms.Form):
    next_review_on = _date_field(
        "Next review date",
        "When you will go through the plan again with the person. Leave it empty for no date.",
    )


class PlanShareForm(forms.Form):
    shared = forms.TypedChoiceField(
        choices=[("yes", "Share"), ("no", "Stop sharing")],
        coerce=lambda value: value == "yes",
        widget=forms.HiddenInput,
    )


class MeasureForm(forms.Form):
    """A new university measure, owned by one department."""

    kind = forms.ChoiceField(
        label="Kind of measure",
        choices=[("", "Choose a kind"), *MeasureKind.choices],
        error_messages={"required": "Choose the kind of measure."},
    )
    department = forms.ModelChoiceField(
        label="Department that owns it",
        queryset=Department.objects.order_by("name"),
        empty_label="Choose a department",
        error_messages={"required": "Choose the department that will carry it out."},
    )
    brief = _brief_field()
    detail = _detail_field()
    status = forms.ChoiceField(
        label="Status",
        choices=MeasureStatus.choices,
        initial=MeasureStatus.PROPOSED,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a status."},
    )
    starts_on = _date_field("Start date (optional)")
    review_on = _date_field("Review date (optional)", "You are reminded when it comes.")
    ends_on = _date_field("End date (optional)")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _check_dates(
            self, cleaned.get("starts_on"), cleaned.get("review_on"), cleaned.get("ends_on")
        )
        return cleaned


class MeasureStatusForm(forms.Form):
    """Status and dates of a measure: the case team, or the owner department."""

    status = forms.ChoiceField(
        label="Status",
        choices=MeasureStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a status."},
    )
    review_on = _date_field("Review date (optional)")
    ends_on = _date_field("End date (optional)")
    note = forms.CharField(
        label="Note for the case team (optional)",
        required=False,
        max_length=NOTE_MAX_CHARS,
        help_text="For example, what has been arranged. The case team reads it.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, starts_on: datetime.date | None = None, **kwargs: Any):
        self.starts_on = starts_on
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _check_dates(self, self.starts_on, cleaned.get("review_on"), cleaned.get("ends_on"))
        return cleaned


class MeasureReviseForm(forms.Form):
    """The brief and the team's notes of a measure (the case team only)."""

    brief = _brief_field()
    detail = _detail_field()
