"""Placeholders in staff messages: what counts as one, and the ones Waypoint fills in.

A reply template marks what the adviser must write themselves with words in square
brackets, such as "[day and time]". A message from the team is never sent while one is
left (services.messages refuses it), because the reporter would read it as it is.

What counts as a placeholder (ADR 0029): square brackets around words, that is letters
and spaces (with apostrophes, hyphens or slashes inside words), at most 60 characters, no
digits. So "[your first name]", "[date]" and "[NAME]" are placeholders; "[1]", "[2 May]",
"[WP-7K3M9QXA]" (a reference, even one that happens to have no digit), "[]" and
"[https://example.org]" are not.

Three placeholders are filled in when a template is inserted, on the server, so that the
script and the no-script path put the same words in the box (`SUPPORTED`). One that
cannot be filled (no first name recorded) is left as it is, and sending is then refused.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

from waypoint.accounts.models import User
from waypoint.institution.models import Institution
from waypoint.reporting.receipts import normalise_reference

# Letters of any alphabet ([^\W\d_]), spaces and the marks that join words; no digits, no
# new line, so a footnote, a date or a code in brackets is left alone.
_PLACEHOLDER: Final = re.compile(r"\[(?:[^\W\d_]|[ '\u2019/\-]){1,60}\]")
PLACEHOLDERS_LISTED_MAX: Final = 5

FIRST_NAME: Final = "[your first name]"
TEAM_NAME: Final = "[team name]"
OUR_HOURS: Final = "[our hours]"

_WEEKDAYS: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# A display name that starts with one of these does not start with a first name.
_TITLES: Final = frozenset(
    {"dr", "mr", "mrs", "ms", "mx", "miss", "prof", "professor", "rev", "revd", "sir", "dame"}
)


def placeholders_in(text: str) -> list[str]:
    """The placeholders left in `text`, each once, in the order they first appear."""
    found: list[str] = []
    for match in _PLACEHOLDER.finditer(text):
        placeholder = match.group(0)
        inside = placeholder[1:-1].strip()
        if not any(char.isalpha() for char in inside):
            continue
        # A reporter's reference can be all letters ("WP-ABCDEFGH"): it is not a gap.
        if inside.upper().startswith("WP") and normalise_reference(inside):
            continue
        if placeholder not in found:
            found.append(placeholder)
    return found


def placeholders_refusal(found: list[str]) -> str:
    """What to tell the adviser about the placeholders left: 'Replace “[date]” before
    sending: …' (empty when there are none)."""
    if not found:
        return ""
    quoted = [f"“{placeholder}”" for placeholder in found[:PLACEHOLDERS_LISTED_MAX]]
    more = len(found) - len(quoted)
    if more:
        quoted.append(f"{more} more in square brackets")
    listed = quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} and {quoted[-1]}"
    return (
        f"Replace {listed} before sending: words in square brackets are for you to fill in, "
        "and the reporter would see them as they are."
    )


# --- Filling in --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sender:
    """What a filled-in placeholder may come from: the member of staff writing, and the
    institution (None before the first set-up)."""

    user: User
    institution: Institution | None


def first_name_of(user: User) -> str | None:
    """The first name recorded for a member of staff: `first_name`, or else the first word
    of the display name; None when neither gives one (a title such as "Dr" is not one)."""
    if user.first_name.strip():
        return user.first_name.strip()
    words = user.display_name.split()
    if not words or "@" in words[0] or words[0].rstrip(".").lower() in _TITLES:
        return None
    return words[0]


def time_in_words(moment: datetime.time) -> str:
    """9:00 is "9am", 17:30 is "5:30pm", 12:00 "midday", 0:00 "midnight" (GOV.UK style)."""
    if moment.hour == 0 and moment.minute == 0:
        return "midnight"
    if moment.hour == 12 and moment.minute == 0:
        return "midday"
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{hour}{minutes}{'am' if moment.hour < 12 else 'pm'}"


def weekdays_in_words(weekdays: str) -> str | None:
    """ "12345" is "Monday to Friday"; "135" "Monday, Wednesday and Friday"; "671" (a run
    over the weekend) "Saturday to Monday"; all seven "every day". None when empty."""
    days = {int(char) for char in weekdays if char in "1234567"}
    if not days:
        return None
    if len(days) == len(_WEEKDAYS):
        return "every day"
    # Start at a working day that follows a day off, so that a run over Sunday stays whole.
    start = next(day for day in range(1, 8) if day in days and (day - 2) % 7 + 1 not in days)
    runs: list[list[int]] = []
    for offset in range(7):
        day = (start - 1 + offset) % 7 + 1
        if day not in days:
            continue
        if runs and (runs[-1][-1] % 7) + 1 == day:
            runs[-1].append(day)
        else:
            runs.append([day])
    names: list[str] = []
    for run in runs:
        if len(run) >= 3:
            names.append(f"{_WEEKDAYS[run[0] - 1]} to {_WEEKDAYS[run[-1] - 1]}")
        else:
            names.extend(_WEEKDAYS[day - 1] for day in run)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def working_hours_in_words(institution: Institution) -> str | None:
    """The team's working days and hours, such as "Monday to Friday, 9am to 5pm"."""
    days = weekdays_in_words(institution.working_weekdays)
    if days is None:
        return None
    starts = time_in_words(institution.working_day_starts)
    ends = time_in_words(institution.working_day_ends)
    return f"{days}, {starts} to {ends}"


def _team_name(sender: Sender) -> str | None:
    if sender.institution is None:
        return None
    return sender.institution.team_name.strip() or None


def _our_hours(sender: Sender) -> str | None:
    return None if sender.institution is None else working_hours_in_words(sender.institution)


# The placeholders Waypoint fills in, and where each one's words come from. The default
# reply templates use exactly these names (migration 0007); any other is the adviser's.
SUPPORTED: Final[Mapping[str, Callable[[Sender], str | None]]] = {
    FIRST_NAME: lambda sender: first_name_of(sender.user),
    TEAM_NAME: _team_name,
    OUR_HOURS: _our_hours,
}


def placeholder_values(sender: Sender) -> dict[str, str]:
    """The words for each supported placeholder that can be filled for this sender."""
    values = {placeholder: fill(sender) for placeholder, fill in SUPPORTED.items()}
    return {placeholder: value for placeholder, value in values.items() if value}


def placeholders_fill(text: str, values: Mapping[str, str]) -> str:
    """`text` with each placeholder in `values` replaced (any letter case); the rest kept."""
    if not values:
        return text
    lowered = {placeholder.lower(): value for placeholder, value in values.items()}
    return _PLACEHOLDER.sub(lambda match: lowered.get(match.group(0).lower(), match.group(0)), text)
