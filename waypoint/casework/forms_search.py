"""The case search form (views/search.py): always posted, so that what is typed (an
email address, a phone number...) never appears in an address, a history or a log line."""

from __future__ import annotations

import datetime
from typing import Any, Final, cast

from django import forms

from waypoint.accounts.models import User
from waypoint.casework.forms_bulk import case_staff
from waypoint.casework.forms_case import StaffChoiceField
from waypoint.casework.forms_inbox import STATUS_CHOICES
from waypoint.casework.selectors.search import (
    KIND_ANY,
    KIND_REFERENCE,
    SearchCriteria,
    identifier_kinds_for,
)
from waypoint.privacy import identifiers

KIND_CHOICES: Final = [
    (KIND_ANY, "Any of these"),
    (KIND_REFERENCE, "Case reference"),
    (identifiers.EMAIL, "Email address"),
    (identifiers.PHONE, "Phone number"),
    (identifiers.STUDENT_NUMBER, "Student number"),
    (identifiers.STAFF_NUMBER, "Staff number"),
    (identifiers.HANDLE, "Social media handle or profile link"),
]
_KIND_WORDS: Final = dict(KIND_CHOICES)


class CaseSearchForm(forms.Form):
    q = forms.CharField(
        label="Reference or identifier",
        help_text="A case reference, or the email, phone, student or staff number or social "
        "media handle of someone a report names, written any way.",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    kind = forms.ChoiceField(label="What it is", choices=KIND_CHOICES, required=False)
    adviser = StaffChoiceField(
        queryset=User.objects.none(),
        label="Assigned to",
        required=False,
        empty_label="Anyone",
    )
    status = forms.ChoiceField(
        label="Status", choices=[("", "Any status"), *STATUS_CHOICES], required=False
    )
    opened_from = forms.DateField(
        label="Opened on or after",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a real date, for example 2026-03-27."},
    )
    opened_to = forms.DateField(
        label="Opened on or before",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a real date, for example 2026-03-27."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "search-%s")
        super().__init__(*args, **kwargs)
        cast(StaffChoiceField, self.fields["adviser"]).queryset = case_staff()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        text = (cleaned.get("q") or "").strip()
        kind = cleaned.get("kind") or KIND_ANY
        criteria = ("adviser", "status", "opened_from", "opened_to")
        if not text and not any(cleaned.get(name) for name in criteria) and not self.errors:
            raise forms.ValidationError(
                "Enter something to search for, or choose who it is assigned to, a status or dates."
            )
        if text and kind not in (KIND_ANY, KIND_REFERENCE):
            normaliser = identifiers.NORMALISERS[identifier_kinds_for(kind)[0]]
            try:
                normaliser(text)
            except ValueError:
                word = _KIND_WORDS[kind].lower()
                self.add_error("q", f"Check the {word}: it cannot be read as one.")
        start, end = cleaned.get("opened_from"), cleaned.get("opened_to")
        if isinstance(start, datetime.date) and isinstance(end, datetime.date) and start > end:
            self.add_error("opened_to", "The second date must be the same as the first or later.")
        return cleaned

    def criteria(self) -> SearchCriteria:
        data = self.cleaned_data
        adviser = data.get("adviser")
        return SearchCriteria(
            text=(data.get("q") or "").strip(),
            kind=data.get("kind") or KIND_ANY,
            adviser_id=adviser.pk if adviser is not None else None,
            status=data.get("status") or "",
            opened_from=data.get("opened_from"),
            opened_to=data.get("opened_to"),
        )
