"""Forms of the chronology pages: the filter, recording an incident, the police bundle.

They parse what was typed; the rules that make a disclosure lawful live in
services/processes.py and services/bundle.py, so the same message reaches the page
whichever way a record is made.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Final

from django import forms

from waypoint.log.forms import IncidentForm
from waypoint.log.models import LogPerson
from waypoint.safety.forms_processes import ReferralForm
from waypoint.safety.selectors.bundle import BundleFile
from waypoint.safety.selectors.chronology import Choice
from waypoint.safety.services.bundle import PURPOSE_MAX_CHARS
from waypoint.safety.services.processes import SHORT_TEXT_MAX_CHARS


class ChronologyFilterForm(forms.Form):
    """GET only: a behaviour and a person, from what the chronology holds (MoJ filter)."""

    behaviour = forms.ChoiceField(label="Behaviour", required=False)
    person = forms.ChoiceField(label="Person", required=False)

    def __init__(
        self, *args: Any, behaviours: Sequence[Choice], people: Sequence[Choice], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        behaviour: Any = self.fields["behaviour"]
        behaviour.choices = [("", "Any behaviour")] + [(c.value, c.label) for c in behaviours]
        person: Any = self.fields["person"]
        person.choices = [("", "Anyone")] + [(c.value, c.label) for c in people]

    def chosen(self) -> tuple[str, str]:
        if not self.is_valid():
            return "", ""
        return self.cleaned_data.get("behaviour") or "", self.cleaned_data.get("person") or ""


# The person's incident form, as staff fill it in after a call: only these fields (files
# are never uploaded here: the person adds their own), in the third person.
STAFF_FIELDS: Final = (
    "when_kind",
    "date",
    "time",
    "end_date",
    "end_time",
    "places",
    "platforms",
    "where_text",
    "behaviours",
    "what_text",
    "who",
    "new_person",
    "new_email",
    "new_phone",
    "new_handle",
    "new_student_number",
    "witnesses",
    "affected",
    "police_officer",
    "police_reference",
)
STAFF_LABELS: Final = {
    "when_kind": "When did it happen?",
    "where_text": "Anywhere else, in their words",
    "behaviours": "What did the person responsible do?",
    "what_text": "What happened, in their words",
    "who": "Who was it?",
    "new_person": "Someone not in their record yet",
    "witnesses": "Did anyone see or hear it?",
    "affected": "How did it affect them?",
}
STAFF_HELP: Final = {
    "what_text": "Write down what they told you, as closely as you can to their words.",
    "who": "People already named in what they shared.",
    "affected": "Anything they felt, did or changed.",
}


class StaffIncidentForm(IncidentForm):
    def __init__(self, *args: Any, people: Iterable[LogPerson] = (), **kwargs: Any) -> None:
        super().__init__(*args, people=people, **kwargs)
        for name in list(self.fields):
            if name not in STAFF_FIELDS:
                del self.fields[name]  # anything added to the person's form later (uploads)
        for name, label in STAFF_LABELS.items():
            if name in self.fields:
                self.fields[name].label = label
        for name, text in STAFF_HELP.items():
            if name in self.fields:
                self.fields[name].help_text = text
        when: Any = self.fields["when_kind"]
        when.choices = [
            (value, "Just now (during the call)" if value == "now" else label)
            for value, label in when.choices
        ]


class BundleForm(ReferralForm):
    """The referral form's lawful basis and consent, for a bundle sent to the police."""

    purpose = forms.CharField(
        label="Purpose",
        required=False,
        max_length=PURPOSE_MAX_CHARS,
        help_text=(
            "What the police need it for, in a few words. It is printed on every page, "
            "for example “Investigation of crime reference 22/1234/26”."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    recipient = forms.CharField(  # type: ignore[assignment]
        label="Police force and officer",
        required=False,
        max_length=SHORT_TEXT_MAX_CHARS,
        help_text="For example “Leicestershire Police, DC 1234 Patel”.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    crime_reference = forms.CharField(
        label="Crime reference number (optional)",
        required=False,
        max_length=SHORT_TEXT_MAX_CHARS,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    evidence = forms.MultipleChoiceField(
        label="Files to include",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The report's files and files kept with entries they shared. Send only "
        "what the police need.",
    )

    field_order = [
        "recipient",
        "crime_reference",
        "purpose",
        "lawful_basis",
        "consent_given",
        "consent_at",
        "consent_method",
        "exemption",
        "evidence",
    ]

    def __init__(self, *args: Any, offered: Sequence[BundleFile] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("service", "department", "organisation", "shared"):
            del self.fields[name]
        chosen: Any = self.fields["evidence"]
        chosen.choices = [(file.key, file.label) for file in offered]

    def chosen_files(self) -> set[str]:
        return set(self.cleaned_data.get("evidence") or [])
