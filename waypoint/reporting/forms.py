"""The report's questions, one form per step, and the returning reporter's forms.

Every question can be skipped unless it says otherwise: people tell us what they can.
Choice lists come from ReportOption (editable data), so the forms are built per request.
Cleaned data is JSON-safe (strings, lists, booleans), because it is stored as the draft's
sealed answers.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.validators import validate_email

from waypoint.reporting.models import OptionKind, ReporterRole, ReportOption, Route

TEXT_LIMIT = 10_000
SHORT_LIMIT = 200

YES_NO = [("yes", "Yes"), ("no", "No")]
YES_NO_UNSURE = [("yes", "Yes"), ("no", "No"), ("not_sure", "I'm not sure")]


def _text(label: str, *, help_text: str = "", rows: int = 6) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=TEXT_LIMIT,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _short(label: str, *, help_text: str = "", autocomplete: str = "off") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=SHORT_LIMIT,
        help_text=help_text,
        widget=forms.TextInput(attrs={"autocomplete": autocomplete}),
    )


def _options(kind: str, label: str, *, help_text: str = "") -> forms.MultipleChoiceField:
    choices = [(o.slug, o.label) for o in ReportOption.objects.of_kind(kind)]
    return forms.MultipleChoiceField(
        label=label,
        required=False,
        choices=choices,
        help_text=help_text,
        widget=forms.CheckboxSelectMultiple,
    )


def _radio(
    label: str, choices: list[tuple[str, str]], *, required: bool = False, help_text: str = ""
) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        required=required,
        choices=choices,
        help_text=help_text,
        widget=forms.RadioSelect,
    )


class StepForm(forms.Form):
    """A step of the report. `free_text` False drops every free-text question."""

    free_text_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, free_text: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not free_text:
            for name in self.free_text_fields:
                self.fields.pop(name, None)


class StartForm(forms.Form):
    route = _radio(
        "What would you like to do?",
        [],
        required=True,
    )
    reporter_role = _radio("Are you…", [], required=True)

    def __init__(
        self,
        *args: Any,
        routes: list[tuple[str, str]],
        roles: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        route_field = cast(forms.ChoiceField, self.fields["route"])
        role_field = cast(forms.ChoiceField, self.fields["reporter_role"])
        route_field.choices = routes
        role_field.choices = roles
        route_field.error_messages["required"] = "Choose how you would like to tell us."
        role_field.error_messages["required"] = "Choose the option that fits you best."


ROUTE_HELP = {
    Route.SUPPORT: (
        "Tell us who you are and how to reach you safely, and an adviser will be in touch."
    ),
    Route.ANONYMOUS: "Don't give your name. You can still get replies here if you want them.",
    Route.THIRD_PARTY: "You are worried about someone else, or you saw something happen.",
}
ROUTE_LABELS = {
    Route.SUPPORT: "Get support from an adviser",
    Route.ANONYMOUS: "Tell us anonymously",
    Route.THIRD_PARTY: "Tell us about someone else, or as a witness",
}
ROLE_LABELS = {
    ReporterRole.STUDENT: "A student",
    ReporterRole.STAFF: "A member of staff",
    ReporterRole.VISITOR: "A visitor, or someone else",
}


class DangerForm(StepForm):
    immediate_danger = _radio(
        "Are you, or is someone else, in danger right now?",
        [("yes", "Yes"), ("no", "No")],
        required=True,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["immediate_danger"].error_messages["required"] = (
            "Choose yes or no, so that we can show you the right help."
        )


class ContactForm(StepForm):
    """Contact details and what is safe (named route; optional for someone else)."""

    name = _short("Your name", autocomplete="name")
    preferred_method = _radio(
        "How should we contact you?",
        [
            ("email", "Email"),
            ("phone", "Phone call"),
            ("text", "Text message"),
            ("in_person", "In person, at an appointment"),
        ],
    )
    email = forms.EmailField(
        label="Email address",
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = _short("Phone number", autocomplete="tel")
    safe_times = _short(
        "When is it safe to contact you?",
        help_text="For example: weekday mornings, or not after 6pm.",
    )
    voicemail_ok = _radio("Is it safe to leave a voicemail?", YES_NO)
    text_ok = _radio("Is it safe to send you a text message?", YES_NO)
    safe_email = forms.EmailField(
        label="A safer email address (optional)",
        required=False,
        max_length=254,
        help_text="If someone else can read your usual email, give one only you can see.",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    email_nudges = forms.BooleanField(
        label="Email me when there is a new message for me",
        required=False,
        help_text=(
            "The email will only say there is a message. It will not say who it is from "
            "or what it says."
        ),
    )

    def __init__(self, *args: Any, required: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.contact_required = required

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.contact_required and not (data.get("email") or data.get("phone")):
            raise forms.ValidationError(
                "Give an email address or a phone number, so that an adviser can reach you. "
                "If you would rather not, go back and choose to tell us anonymously."
            )
        if data.get("email_nudges") and not (data.get("safe_email") or data.get("email")):
            self.add_error("email_nudges", "Give an email address to get these emails.")
        return data


class MessagesForm(StepForm):
    wants_messages = _radio(
        "Would you like to be able to get replies from the team?",
        [
            ("yes", "Yes. I'll come back to this site to read them"),
            ("no", "No, I just want to tell you"),
        ],
        required=True,
        help_text=(
            "Replies are only shown here, after you sign in with your receipt. "
            "We never contact you."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["wants_messages"].error_messages["required"] = "Choose yes or no."


class YourPartForm(StepForm):
    your_part = _radio(
        "Which fits best?",
        [
            ("on_behalf", "I'm telling you on behalf of someone it is happening to"),
            ("witness", "I saw or heard something happen"),
            ("worried", "I'm worried about someone"),
        ],
    )
    person_knows = _radio(
        "Does the person it is happening to know you are telling us?", YES_NO_UNSURE
    )
    person_role = _radio(
        "Is the person it is happening to…",
        [
            ("student", "A student"),
            ("staff", "A member of staff"),
            ("other", "Someone else"),
            ("unknown", "I don't know"),
        ],
    )


class WhatForm(StepForm):
    free_text_fields = ("what_text",)

    behaviours = forms.MultipleChoiceField(required=False)  # replaced in __init__
    what_text = _text(
        "In your own words, what has been happening?",
        help_text="Write as much or as little as you like. You can add more later.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["behaviours"] = _options(
            OptionKind.BEHAVIOUR, "What has the person done?", help_text="Choose all that apply."
        )


FREQUENCIES = [
    ("once", "Once"),
    ("few", "A few times"),
    ("monthly", "About once a month"),
    ("weekly", "About once a week"),
    ("several_weekly", "Several times a week"),
    ("daily", "Every day"),
    ("several_daily", "Several times a day"),
    ("not_sure", "I'm not sure"),
]
STARTED = [
    ("week", "In the last week"),
    ("month", "In the last month"),
    ("months", "One to six months ago"),
    ("year", "Six to twelve months ago"),
    ("longer", "More than a year ago"),
    ("not_sure", "I'm not sure"),
]


class WhenForm(StepForm):
    started = _radio("When did it start?", STARTED)
    latest = forms.DateField(
        label="When did it last happen? (optional)",
        required=False,
        help_text="For example, 27 3 2026. An approximate date is fine.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    frequency = _radio("How often does it happen?", FREQUENCIES)

    def clean_latest(self) -> str:
        value = self.cleaned_data.get("latest")
        return value.isoformat() if value else ""


class WhereForm(StepForm):
    free_text_fields = ("where_text",)

    locations = forms.MultipleChoiceField(required=False)
    platforms = forms.MultipleChoiceField(required=False)
    off_campus = forms.BooleanField(label="Somewhere off campus", required=False)
    where_text = _text("Anything else about where it happens?", rows=3)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["locations"] = _options(OptionKind.LOCATION, "On campus")
        self.fields["platforms"] = _options(
            OptionKind.PLATFORM, "Online, or by phone", help_text="Choose all that apply."
        )
        # Keep the order: campus, online, off campus, text.
        self.order_fields(["locations", "platforms", "off_campus", "where_text"])


AFFILIATIONS = [
    ("student", "A student here"),
    ("staff", "A member of staff here"),
    ("outside", "Not part of the university"),
    ("unknown", "I don't know"),
]


class WhoForm(StepForm):
    free_text_fields = ("description",)

    relationship = forms.ChoiceField(required=False)
    affiliation = _radio("Are they…", AFFILIATIONS)
    person_name = _short("Their name, if you know it")
    student_number = _short("Their student number, if you know it")
    staff_number = _short("Their staff number, if you know it")
    person_email = _short("Their email address")
    person_phone = _short("Their phone number")
    handles = _text(
        "Their social media accounts",
        help_text="One per line: a username or a link to the profile.",
        rows=3,
    )
    description = _text(
        "Anything else that would help us know who they are?",
        help_text="For example, what they look like or a car they drive.",
        rows=3,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(o.slug, o.label) for o in ReportOption.objects.of_kind(OptionKind.RELATIONSHIP)]
        self.fields["relationship"] = _radio("Who are they to you?", choices)
        self.order_fields(["relationship", "affiliation"])

    def clean_person_email(self) -> str:
        value = str(self.cleaned_data.get("person_email") or "").strip()
        if value:
            try:
                validate_email(value)
            except forms.ValidationError:
                raise forms.ValidationError(
                    "This does not look like an email address. Check it, or leave it empty."
                ) from None
        return value

    def clean_handles(self) -> list[str]:
        text = str(self.cleaned_data.get("handles") or "")
        return [line.strip() for line in text.splitlines() if line.strip()][:20]


class ImpactForm(StepForm):
    free_text_fields = ("impact_text",)

    impact = forms.MultipleChoiceField(required=False)
    impact_text = _text("Anything else about how it is affecting you?", rows=4)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["impact"] = _options(
            OptionKind.IMPACT, "How is it affecting you?", help_text="Choose all that apply."
        )
        self.order_fields(["impact", "impact_text"])


class PoliceForm(StepForm):
    police_reported = _radio("Has it been reported to the police?", YES_NO_UNSURE)
    crime_reference = _short(
        "Crime reference number, if you have one",
        help_text="It is usually on the email or letter the police sent.",
    )


class SupportForm(StepForm):
    free_text_fields = ("support_text",)

    support = forms.MultipleChoiceField(required=False)
    support_text = _text("Anything else you would like help with?", rows=3)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["support"] = _options(
            OptionKind.SUPPORT, "What would help?", help_text="Choose all that apply."
        )
        self.order_fields(["support", "support_text"])


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class EvidenceUploadForm(forms.Form):
    files = MultipleFileField(  # type: ignore[assignment]  # a field named "files" shadows Form.files in the stubs
        label="Choose files",
        required=False,
        help_text="Photos, screenshots, PDFs, documents, audio or video.",
    )


class MetadataChoiceForm(forms.Form):
    keep = _radio(
        "Keep these details with the original?",
        [
            ("keep", "Keep them. They may help show when and where it happened"),
            ("remove", "Remove them"),
        ],
        required=True,
    )


# --- Receipt and return --------------------------------------------------------------------


class ReceiptCheckForm(forms.Form):
    """Retype two words of the passphrase: people lose codenames they never used."""

    first = forms.CharField(max_length=40, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    second = forms.CharField(max_length=40, widget=forms.TextInput(attrs={"autocomplete": "off"}))

    def __init__(self, *args: Any, positions: tuple[int, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.positions = positions
        self.fields["first"].label = f"Word {positions[0]}"
        self.fields["second"].label = f"Word {positions[1]}"
        for name in ("first", "second"):
            self.fields[name].error_messages["required"] = "Type this word from your passphrase."


class SignInForm(forms.Form):
    reference = forms.CharField(
        label="Report reference",
        max_length=40,
        help_text="It starts with WP-, for example WP-7K3Q9M2X.",
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    passphrase = forms.CharField(
        label="Passphrase",
        max_length=400,
        help_text="The words you were given, with spaces between them.",
        widget=forms.PasswordInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"}
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reference"].error_messages["required"] = "Enter your report reference."
        self.fields["passphrase"].error_messages["required"] = "Enter your passphrase."


class MessageForm(forms.Form):
    body = forms.CharField(
        label="Your message",
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].error_messages["required"] = "Write a message before sending it."


class AdditionForm(forms.Form):
    body = forms.CharField(
        label="What would you like to add?",
        max_length=TEXT_LIMIT,
        help_text=(
            "It is added to your report with today's date. What you told us before stays as it was."
        ),
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].error_messages["required"] = "Write something to add, or go back."


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(required=True)

    def __init__(self, *args: Any, label: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["confirm"].label = label
        self.fields["confirm"].error_messages["required"] = "Tick the box to confirm."
