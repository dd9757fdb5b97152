"""Forms for referrals and formal processes: they parse what was typed, nothing more.

The rules that make a record lawful or complete (a lawful basis, consent with when and
how or an exemption, a reason for pausing a conduct process...) live in
services/processes.py, so that the same clear message reaches the page whichever way a
record is made. That is why most fields here are optional.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any, Final

from django import forms

from waypoint.accounts.models import User
from waypoint.hub.models import SupportService
from waypoint.institution.models import Department
from waypoint.safety.models import (
    CivilKind,
    ConductProcess,
    ConductStage,
    ConsentMethod,
    Exemption,
    LawfulBasis,
    OrderKind,
    PoliceProcess,
    PoliceStage,
    PrecautionaryMeasure,
    ProtectiveOrder,
    ReferralStatus,
)
from waypoint.safety.services.processes import (
    CIVIL_STATUSES,
    LONG_TEXT_MAX_CHARS,
    SHORT_TEXT_MAX_CHARS,
    ProcessKind,
    RecipientKind,
)

_DATE_INPUT: Final = {"type": "date"}
_DATE_FORMAT: Final = "%Y-%m-%d"
_DATETIME_FORMATS: Final = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


def _date(label: str, *, required: bool = False, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs=_DATE_INPUT, format=_DATE_FORMAT),
    )


def _long_text(label: str, *, help_text: str = "", rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=LONG_TEXT_MAX_CHARS,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _short_text(label: str, *, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=SHORT_TEXT_MAX_CHARS, help_text=help_text
    )


def _choice(label: str, choices: Any, *, radio: bool = False, help_text: str = "") -> Any:
    return forms.ChoiceField(
        label=label,
        required=False,
        choices=list(choices) if radio else [("", "Choose one"), *choices],
        widget=forms.RadioSelect if radio else forms.Select,
        help_text=help_text,
    )


# --- Referrals ---------------------------------------------------------------------------------


class ReferralForm(forms.Form):
    recipient = forms.ChoiceField(
        label="Who it goes to",
        required=False,
        choices=RecipientKind.choices,
        widget=forms.RadioSelect,
    )
    service = forms.ModelChoiceField(
        label="Support service",
        queryset=SupportService.objects.none(),
        required=False,
        empty_label="Choose a service",
        help_text="Services in the support directory.",
    )
    department = forms.ModelChoiceField(
        label="University department",
        queryset=Department.objects.none(),
        required=False,
        empty_label="Choose a department",
    )
    organisation = _short_text(
        "Organisation name", help_text="Only when it is not in the support directory."
    )
    purpose = _long_text("Purpose of the referral", help_text="Why you are sharing, and what for.")
    shared = _long_text(
        "What is shared",
        help_text="The information you share: share only what the recipient needs.",
    )
    lawful_basis = _choice("Lawful basis", LawfulBasis.choices, radio=True)
    consent_given = forms.ChoiceField(
        label="Did the person agree to this being shared?",
        required=False,
        choices=[("yes", "Yes"), ("no", "No, or not asked")],
        widget=forms.RadioSelect,
    )
    consent_at = forms.DateTimeField(
        label="When they agreed",
        required=False,
        input_formats=_DATETIME_FORMATS,
        help_text="Date and time. Leave empty if they did not agree.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    consent_method = _choice(
        "How they agreed",
        ConsentMethod.choices,
        radio=True,
        help_text="Leave empty if they did not agree.",
    )
    exemption = forms.ChoiceField(
        label="Exemption that allows sharing without consent",
        required=False,
        choices=[("", "None: the person agreed")]
        + [(value, label) for value, label in Exemption.choices if value],
        help_text="Only when sharing without the person's agreement.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        service_field: Any = self.fields["service"]
        service_field.queryset = SupportService.objects.filter(is_published=True).order_by("name")
        department_field: Any = self.fields["department"]
        department_field.queryset = Department.objects.order_by("name")

    def consent(self) -> bool | None:
        """Yes, no, or not answered."""
        value = self.cleaned_data.get("consent_given")
        return {"yes": True, "no": False}.get(str(value or ""))

    def recipient_values(self) -> dict[str, Any]:
        """The one recipient the chosen kind names (the others are left out)."""
        kind = self.cleaned_data.get("recipient") or ""
        return {
            "service": self.cleaned_data.get("service") if kind == RecipientKind.SERVICE else None,
            "department": (
                self.cleaned_data.get("department") if kind == RecipientKind.DEPARTMENT else None
            ),
            "organisation": (
                self.cleaned_data.get("organisation") or ""
                if kind == RecipientKind.ORGANISATION
                else ""
            ),
            "recipient_kind": kind,
        }


class ReferralUpdateForm(forms.Form):
    status = forms.ChoiceField(
        label="Status", choices=ReferralStatus.choices, widget=forms.RadioSelect
    )
    outcome = _long_text("Outcome", help_text="What happened: accepted, the support offered...")


# --- Formal processes -----------------------------------------------------------------------------


class PoliceForm(forms.Form):
    reported_on = _date("Date reported to the police")
    crime_reference = _short_text("Crime reference")
    officer = _short_text("Officer in charge", help_text="Name, rank and how to reach them.")
    stage = _choice("Stage", PoliceStage.choices)
    bail_conditions = _long_text("Bail conditions")
    bail_until = _date("Bail conditions until")
    outcome = _long_text("Outcome")


class OrderForm(forms.Form):
    kind = _choice("Kind of order", OrderKind.choices)
    made_on = _date("Made on")
    expires_on = _date("Expires on", help_text="The team is reminded two weeks before.")
    conditions = _long_text("Conditions", help_text="What the order prohibits or requires.")


class ConductForm(forms.Form):
    reference = _short_text("Conduct case reference")
    stage = _choice("Stage", ConductStage.choices)
    paused_on = _date("Paused on", help_text="Only when the process is paused for a criminal case.")
    pause_reason = _long_text("Why it is paused")
    hearing_on = _date("Hearing date")
    outcome = _long_text("Outcome")
    appeal = _long_text("Appeal")
    reporting_student_adviser = forms.ChoiceField(
        label="Reporting student's adviser",
        required=False,
        help_text="Staff assigned to this case. Not listed? Assign them to the case first.",
    )
    responding_student_adviser = _short_text(
        "Responding student's adviser",
        help_text="Often someone outside the team: their name and role.",
    )

    def __init__(self, *args: Any, advisers: Sequence[User] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Choices from a list read once for the whole page, not a query per form.
        self._advisers = {str(user.pk): user for user in advisers}
        field: Any = self.fields["reporting_student_adviser"]
        field.choices = [("", "Nobody recorded")] + [
            (str(user.pk), user.display_name or user.email) for user in advisers
        ]

    def clean_reporting_student_adviser(self) -> User | None:
        value = self.cleaned_data.get("reporting_student_adviser") or ""
        return self._advisers.get(str(value)) if value else None


class PrecautionForm(forms.Form):
    description = _long_text("Measure", help_text="For example: no entry to the library after 6pm.")
    reason = _long_text("Reason", help_text="Why it is needed and proportionate.")
    imposed_on = _date("Imposed on")
    review_on = _date("Review on", help_text="The team is reminded on this date.")
    ended_on = _date("Ended on")


class CivilForm(forms.Form):
    kind = _choice("Route", CivilKind.choices)
    status = _choice("Where it is", CIVIL_STATUSES)
    notes = _long_text("Notes", help_text="Solicitor, court, next steps.")


PROCESS_FORMS: Final[dict[str, type[forms.Form]]] = {
    ProcessKind.POLICE: PoliceForm,
    ProcessKind.ORDER: OrderForm,
    ProcessKind.CONDUCT: ConductForm,
    ProcessKind.PRECAUTION: PrecautionForm,
    ProcessKind.CIVIL: CivilForm,
}


def _as_initial(value: Any) -> Any:
    if isinstance(value, User):
        return str(value.pk)
    if isinstance(value, datetime.date):
        return value
    return "" if value is None else value


def process_initial(kind: str, row: Any) -> dict[str, Any]:
    """A form's initial values from a saved row (sealed fields are opened here)."""
    fields = PROCESS_FORMS[kind].base_fields
    initial: dict[str, Any] = {}
    for name in fields:
        if name == "reporting_student_adviser":
            value = getattr(row, "reporting_student_adviser_id", None)
            initial[name] = "" if value is None else str(value)
        else:
            initial[name] = _as_initial(getattr(row, name, None))
    return initial


def process_form(
    kind: str,
    *,
    data: Any = None,
    row: PoliceProcess | ProtectiveOrder | ConductProcess | PrecautionaryMeasure | Any = None,
    advisers: Sequence[User] = (),
    auto_id: str = "id_%s",
) -> forms.Form:
    """A bound (with `data`) or unbound form for `kind`, filled from `row` when given."""
    form_class = PROCESS_FORMS[kind]
    kwargs: dict[str, Any] = {"auto_id": auto_id}
    if row is not None and data is None:
        kwargs["initial"] = process_initial(kind, row)
    if form_class is ConductForm:
        kwargs["advisers"] = advisers
    return form_class(data, **kwargs) if data is not None else form_class(**kwargs)
