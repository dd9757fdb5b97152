"""The incident log's forms: an incident (added or corrected), a person, signing in.

IncidentForm.content() makes exactly the shape content.py describes; the option lists are
the report form's (ReportOption), kept as {"slug", "label"} as they were when chosen.
Only "when" (Just now, or a date) and "what" (a behaviour or words) are required.

Files come with the incident (a plain multipart form, so it works without JavaScript),
and what to do with a photo's hidden details is chosen on the same page, before the
upload: the choice is applied as each file is stored (log/evidence.py), so a file never
changes once its entry lists it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Final, cast

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from waypoint.log.models import LogPerson
from waypoint.reporting.evidence import EMPTY_MESSAGE
from waypoint.reporting.forms import SHORT_LIMIT, TEXT_LIMIT, MultipleFileField
from waypoint.reporting.forms import SignInForm as ReportSignInForm
from waypoint.reporting.models import OptionKind, ReportOption

NOW: Final = "now"
EXACT: Final = "exact"
ABOUT: Final = "about"
RANGE: Final = "range"
WHEN_CHOICES: Final = [
    (NOW, "Just now"),
    (EXACT, "On a date I can give"),
    (ABOUT, "About then: I am not sure of the exact date or time"),
    (RANGE, "Over a period of time"),
]
DATE_FORMATS: Final = ["%Y-%m-%d", "%d/%m/%Y", "%d %m %Y", "%d-%m-%Y", "%d.%m.%Y"]
TIME_FORMATS: Final = ["%H:%M", "%H.%M", "%H%M"]
# A time a little after the server's clock is allowed: phones and servers disagree a bit.
CLOCK_SLACK: Final = dt.timedelta(minutes=5)
IDENTIFIER_FIELDS: Final = {
    "email": "email",
    "phone": "phone",
    "handle": "handle",
    "student_number": "student_number",
}
OPTION_FIELDS: Final = {
    "places": OptionKind.LOCATION,
    "platforms": OptionKind.PLATFORM,
    "behaviours": OptionKind.BEHAVIOUR,
}

REMOVE: Final = "remove"
KEEP: Final = "keep"
METADATA_CHOICES: Final = [
    (REMOVE, "Remove them (recommended)"),
    (KEEP, "Keep them as they are"),
]

Choice = dict[str, str]


def _text(label: str, *, help_text: str = "", rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=TEXT_LIMIT,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _short(label: str, *, help_text: str = "", **attrs: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=SHORT_LIMIT,
        help_text=help_text,
        widget=forms.TextInput(attrs={"autocomplete": "off", **attrs}),
    )


def _date(label: str, *, help_text: str = "") -> forms.DateField:
    field = forms.DateField(
        label=label,
        required=False,
        input_formats=DATE_FORMATS,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "off"}, format="%Y-%m-%d"),
    )
    field.error_messages["invalid"] = "Enter a real date, for example 30/11/2026."
    return field


def _time(label: str) -> forms.TimeField:
    field = forms.TimeField(
        label=label,
        required=False,
        input_formats=TIME_FORMATS,
        help_text="If you know it. For example 21:10.",
        widget=forms.TimeInput(attrs={"type": "time", "autocomplete": "off"}, format="%H:%M"),
    )
    field.error_messages["invalid"] = "Enter a real time, for example 21:10."
    return field


def _checkboxes(label: str, choices: list[tuple[str, str]], help_text: str = "") -> Any:
    return forms.MultipleChoiceField(
        label=label,
        required=False,
        choices=choices,
        help_text=help_text,
        widget=forms.CheckboxSelectMultiple,
    )


def _option_choices(kind: str, keep: Iterable[Choice] = ()) -> list[tuple[str, str]]:
    """The active options of `kind`, plus any already chosen (a correction keeps an option
    that has since been retired or renamed, as it was written)."""
    choices = [(o.slug, o.label) for o in ReportOption.objects.of_kind(kind)]
    known = {slug for slug, _ in choices}
    for choice in keep:
        slug = str(choice.get("slug", ""))
        if slug and slug not in known:
            choices.append((slug, str(choice.get("label", slug))))
            known.add(slug)
    return choices


class IncidentForm(forms.Form):
    when_kind = forms.ChoiceField(
        label="When did it happen?",
        choices=WHEN_CHOICES,
        widget=forms.RadioSelect,
    )
    date = _date("Date", help_text="The day it happened, or the day it started.")
    time = _time("Time")
    end_date = _date("Until (date)", help_text="Only if it went on over a period of time.")
    end_time = _time("Until (time)")
    places = _checkboxes("On campus", [])
    platforms = _checkboxes("Online, or by phone", [])
    where_text = _short("Anywhere else, in your own words")
    behaviours = _checkboxes("What did they do?", [], "Choose all that apply.")
    what_text = _text("In your own words", help_text="What happened, what was said.", rows=4)
    who = _checkboxes("Who was it?", [], "People already in your record.")
    new_person = _short(
        "Someone not in your record yet",
        help_text="Their name, or how you think of them (for example “the man from the gym”).",
    )
    new_email = _short("Their email address", inputmode="email")
    new_phone = _short("Their phone number", inputmode="tel")
    new_handle = _short("Their username or social media handle")
    new_student_number = _short("Their student or staff number")
    witnesses = _text("Did anyone see or hear it?", help_text="Names, or how to reach them.")
    affected = _text("How did it affect you?", help_text="Anything you felt, did or changed.")
    police_officer = _short("Name or number of the police officer")
    police_reference = _short("Crime reference number")
    kept_files = _checkboxes(
        "Files kept with the entry you are correcting",
        [],
        "Ticked files stay with your correction, as they are. Untick any that do not belong.",
    )
    evidence = MultipleFileField(label="Photos, screenshots or files", required=False)
    metadata = forms.ChoiceField(
        label="If a photo holds hidden details such as where it was taken",
        choices=METADATA_CHOICES,
        initial=REMOVE,
        required=False,
        widget=forms.RadioSelect,
        help_text=(
            "Phones can save where and when a photo was taken, and on what. Those details "
            "can help show what happened, but they can also show where you were."
        ),
    )

    def __init__(
        self,
        *args: Any,
        people: Iterable[LogPerson] = (),
        keep: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        keep = keep or {}
        self._evidence_field(keep)
        self.fields["when_kind"].error_messages["required"] = (
            "Choose when it happened: Just now, or give a date."
        )
        kept = {
            "places": keep.get("where", {}).get("places", []),
            "platforms": keep.get("where", {}).get("platforms", []),
            "behaviours": keep.get("what", {}).get("behaviours", []),
        }
        # Each list's labels as offered now: what is chosen is kept with its label.
        self.labels: dict[str, dict[str, str]] = {}
        for name, kind in OPTION_FIELDS.items():
            choices = _option_choices(kind, kept[name])
            cast(forms.MultipleChoiceField, self.fields[name]).choices = choices
            self.labels[name] = dict(choices)
        self.people = list(people)
        who = [(str(person.pk), person.name) for person in self.people]
        cast(forms.MultipleChoiceField, self.fields["who"]).choices = who
        if not self.people:
            del self.fields["who"]

    def _evidence_field(self, keep: dict[str, Any]) -> None:
        limit_mb = max(1, settings.WAYPOINT_UPLOAD_MAX_FILE_BYTES // 2**20)
        field = self.fields["evidence"]
        field.help_text = (
            "Photos, screenshots, PDFs, documents, audio or video: up to "
            f"{settings.WAYPOINT_UPLOAD_MAX_FILES} files, {limit_mb} MB each. You can choose "
            "several at once. They are encrypted as they arrive."
        )
        field.error_messages["empty"] = EMPTY_MESSAGE
        # A correction can keep the files of the entry it corrects, exactly as they were.
        self.files_to_keep: list[dict[str, Any]] = [
            item
            for item in (keep.get("evidence") or [])
            if isinstance(item, dict) and item.get("id")
        ]
        if not self.files_to_keep:
            del self.fields["kept_files"]
            return
        kept = cast(forms.MultipleChoiceField, self.fields["kept_files"])
        kept.choices = [
            (
                str(item["id"]),
                f"{item.get('name') or 'File'} ({filesizeformat(item.get('size', 0))})",
            )
            for item in self.files_to_keep
        ]
        kept.initial = [str(item["id"]) for item in self.files_to_keep]

    # --- Checking -------------------------------------------------------------------------

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._clean_when(data)
        if not data.get("behaviours") and not (data.get("what_text") or "").strip():
            self.add_error(
                "behaviours",
                "Say what happened: choose from the list, or write it in your own words.",
            )
        identifiers = any(data.get(f"new_{name}") for name in IDENTIFIER_FIELDS)
        if identifiers and not (data.get("new_person") or "").strip():
            self.add_error(
                "new_person",
                "Give the person a name, or a few words about who they are, to go with "
                "their details.",
            )
        return data

    def _clean_when(self, data: dict[str, Any]) -> None:
        kind = data.get("when_kind")
        now = timezone.localtime()
        if kind == NOW:
            # The server's clock stands in for whatever else was typed.
            for name in ("date", "time", "end_date", "end_time"):
                self.errors.pop(name, None)
            data["date"], data["time"] = now.date(), now.time().replace(second=0, microsecond=0)
            data["end_date"] = data["end_time"] = None
            return
        if kind is None:
            return
        start = data.get("date")
        if start is None:
            if "date" not in self.errors:
                self.add_error("date", "Enter the date it happened, or choose Just now.")
            return
        if self._after_now(start, data.get("time"), now):
            self.add_error("date", "The date and time must be now or earlier.")
        if kind != RANGE:
            data["end_date"] = data["end_time"] = None
            return
        end = data.get("end_date")
        if end is None:
            if "end_date" not in self.errors:
                self.add_error("end_date", "Enter the date it went on until.")
            return
        if self._after_now(end, data.get("end_time"), now):
            self.add_error("end_date", "The date it went on until must be today or earlier.")
        elif (end, data.get("end_time") or dt.time.max) < (start, data.get("time") or dt.time.min):
            self.add_error("end_date", "The date it went on until must be after it started.")

    @staticmethod
    def _after_now(day: dt.date, clock: dt.time | None, now: dt.datetime) -> bool:
        if day != now.date():
            return day > now.date()
        if clock is None:
            return False
        moment = dt.datetime.combine(day, clock)
        return moment > now.replace(tzinfo=None) + CLOCK_SLACK

    # --- The entry's content ---------------------------------------------------------------

    def _chosen(self, name: str) -> list[Choice]:
        labels = self.labels[name]
        return [{"slug": s, "label": labels[s]} for s in self.cleaned_data.get(name, [])]

    def someone_new(self) -> tuple[str, dict[str, str]] | None:
        """The someone new typed in, with their identifiers, or None."""
        name = (self.cleaned_data.get("new_person") or "").strip()
        if not name:
            return None
        identifiers = {
            key: (self.cleaned_data.get(f"new_{field}") or "").strip()
            for field, key in IDENTIFIER_FIELDS.items()
        }
        return name, {key: value for key, value in identifiers.items() if value}

    def content(self, *, extra_people: Iterable[str] = ()) -> dict[str, Any]:
        """The entry's content (content.py); `extra_people`: ids of people just added."""
        data = self.cleaned_data

        def clock(value: dt.time | None) -> str:
            return value.strftime("%H:%M") if value else ""

        def day(value: dt.date | None) -> str:
            return value.isoformat() if value else ""

        return {
            "when": {
                "kind": data["when_kind"],
                "date": day(data.get("date")),
                "time": clock(data.get("time")),
                "end_date": day(data.get("end_date")),
                "end_time": clock(data.get("end_time")),
            },
            "where": {
                "places": self._chosen("places"),
                "platforms": self._chosen("platforms"),
                "text": (data.get("where_text") or "").strip(),
            },
            "what": {
                "behaviours": self._chosen("behaviours"),
                "text": (data.get("what_text") or "").strip(),
            },
            "who": [*data.get("who", []), *extra_people],
            "witnesses": (data.get("witnesses") or "").strip(),
            "affected": (data.get("affected") or "").strip(),
            "police": {
                "officer": (data.get("police_officer") or "").strip(),
                "reference": (data.get("police_reference") or "").strip(),
            },
            # Filled in as the files are stored (services.entry_add_with_files).
            "evidence": [],
        }

    # --- Files ---------------------------------------------------------------------------

    def uploads(self) -> list[Any]:
        """The files chosen for this incident (already encrypted as they arrived)."""
        return list(self.cleaned_data.get("evidence") or [])

    def keep_metadata(self) -> bool:
        """Remove is the default: only an explicit "Keep them" keeps hidden details."""
        return self.cleaned_data.get("metadata") == KEEP

    def carried(self) -> list[dict[str, Any]]:
        """The corrected entry's files that stay with the correction, as they were listed."""
        chosen = set(self.cleaned_data.get("kept_files") or [])
        return [dict(item) for item in self.files_to_keep if str(item["id"]) in chosen]


def initial_from(content: dict[str, Any]) -> dict[str, Any]:
    """The form's starting values for correcting an entry with this content.

    "Just now" becomes the date and time it stood for: a correction made later must not
    move the incident to the moment of correcting.
    """
    when = content.get("when", {})
    where = content.get("where", {})
    what = content.get("what", {})
    police = content.get("police", {})
    kind = when.get("kind", EXACT)
    return {
        "when_kind": EXACT if kind == NOW else kind,
        "date": when.get("date", ""),
        "time": when.get("time", ""),
        "end_date": when.get("end_date", ""),
        "end_time": when.get("end_time", ""),
        "places": [c.get("slug") for c in where.get("places", [])],
        "platforms": [c.get("slug") for c in where.get("platforms", [])],
        "where_text": where.get("text", ""),
        "behaviours": [c.get("slug") for c in what.get("behaviours", [])],
        "what_text": what.get("text", ""),
        "who": list(content.get("who", [])),
        "witnesses": content.get("witnesses", ""),
        "affected": content.get("affected", ""),
        "police_officer": police.get("officer", ""),
        "police_reference": police.get("reference", ""),
    }


class PersonForm(forms.Form):
    name = forms.CharField(
        label="Their name, or how you think of them",
        max_length=SHORT_LIMIT,
        help_text="For example “Sam Taylor” or “the man from the gym”.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    email = _short("Email address", inputmode="email")
    phone = _short("Phone number", inputmode="tel")
    handle = _short("Username or social media handle", help_text="For example @sam_t on Instagram.")
    student_number = _short("Student or staff number")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].error_messages["required"] = (
            "Enter their name, or a few words about who they are."
        )

    def identifiers(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(key) or "" for key in IDENTIFIER_FIELDS.values()}


class SignInForm(ReportSignInForm):
    """The report's sign-in form, in the words of a record."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reference"].label = "Record reference"
        self.fields["reference"].error_messages["required"] = "Enter your record reference."
