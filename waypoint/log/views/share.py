"""Sharing incidents with the team (issue 14, item 7; sharing.py, ADR 0043).

The person chooses incidents (or all of them); each is shared with every version of it,
so the team reads an incident as the person's record shows it. Sharing is the one thing
done with a record that the team sees, and it cannot be undone: the page says what the
team will read, what stays private and what they can still do.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Final, cast

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.template.defaultfilters import truncatechars
from django.views.decorators.http import require_http_methods, require_safe

from waypoint.log import content as describe
from waypoint.log import selectors, session, sharing
from waypoint.log.models import IncidentLog, LogEntry
from waypoint.log.views.common import log_required
from waypoint.privacy.crypto import DecryptionError

ALL: Final = "all"
CHOSEN: Final = "chosen"
WHAT_CHARS: Final = 120


@dataclass(frozen=True)
class IncidentChoice:
    """One incident (a family of entries) as the share page lists it."""

    seq: int  # its first entry's place: the value the form sends
    seqs: tuple[int, ...]
    when: str
    what: str
    shared_at: dt.datetime | None  # when the whole family is shared
    entries: tuple[LogEntry, ...]

    @property
    def label(self) -> str:
        return f"{self.when}: {self.what}" if self.what else self.when

    @property
    def corrected(self) -> bool:
        return len(self.seqs) > 1


def _latest(family: list[LogEntry]) -> LogEntry:
    corrected = {entry.corrects_id for entry in family if entry.corrects_id}
    current = [entry for entry in family if entry.pk not in corrected]
    return max(current or family, key=lambda e: e.seq)


def incident_choices(log: IncidentLog) -> list[IncidentChoice]:
    """Every incident of the log, newest written first, each with its latest words."""
    choices = []
    for family in sharing.families(selectors.log_entries(log=log)):
        latest = _latest(family)
        try:
            content: dict[str, Any] = dict(latest.content)
        except DecryptionError:
            content = {}
        shared = [entry.shared_at for entry in family]
        choices.append(
            IncidentChoice(
                seq=family[0].seq,
                seqs=tuple(entry.seq for entry in family),
                when=describe.describe_when(content.get("when", {}))
                or "An entry that cannot be read",
                what=truncatechars(describe.describe_what(content.get("what", {})), WHAT_CHARS),
                shared_at=max(s for s in shared if s) if all(shared) else None,
                entries=tuple(family),
            )
        )
    return sorted(choices, key=lambda c: c.seqs[-1], reverse=True)


class ShareForm(forms.Form):
    incidents = forms.TypedMultipleChoiceField(
        label="Which incidents do you want to share?",
        help_text="Choose one or more. Every version of an incident is shared with it.",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, choices: list[IncidentChoice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unshared = [choice for choice in choices if choice.shared_at is None]
        field = cast(forms.TypedMultipleChoiceField, self.fields["incidents"])
        field.choices = [(choice.seq, choice.label) for choice in self.unshared]
        self.share_all = self.data.get("share") == ALL

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.unshared:
            raise forms.ValidationError(
                "Everything in your record is shared with the team already."
            )
        if not self.share_all and not data.get("incidents"):
            self.add_error(
                "incidents",
                "Choose at least one incident to share, or choose Share all incidents.",
            )
        return data

    def entries(self) -> list[LogEntry]:
        """The entries of the incidents chosen (all unshared ones for "Share all")."""
        wanted = set(self.cleaned_data.get("incidents") or [])
        return [
            entry
            for choice in self.unshared
            if self.share_all or choice.seq in wanted
            for entry in choice.entries
        ]


def _share_page(
    request: HttpRequest, log: IncidentLog, form: ShareForm, choices: list[IncidentChoice]
) -> HttpResponse:
    return render(
        request,
        "log/share.html",
        {
            "log": log,
            "form": form,
            "unshared": form.unshared,
            "shared": [choice for choice in choices if choice.shared_at is not None],
            "openings": sharing.case_openings(log=log),
        },
        status=400 if form.errors else 200,
    )


@log_required
@require_http_methods(["GET", "HEAD", "POST"])
def share_view(request: HttpRequest, log: IncidentLog) -> HttpResponseBase:
    choices = incident_choices(log)
    form = ShareForm(request.POST if request.method == "POST" else None, choices=choices)
    if request.method == "POST" and form.is_valid():
        try:
            shared = sharing.log_share_entries(log=log, entries=form.entries())
        except sharing.NothingToShareError:
            form.add_error(None, "Everything you chose is shared with the team already.")
        else:
            session.mark_shared(request, incidents=shared.incidents, opened=shared.opened)
            return redirect("log:shared")
    return _share_page(request, log, form, choices)


@log_required
@require_safe
def shared_view(request: HttpRequest, log: IncidentLog) -> HttpResponseBase:
    """ "Shared with the team": what happens next. Only just after sharing."""
    done = session.recently_shared(request)
    if done is None:
        return redirect("log:home")
    incidents, opened = done
    return render(
        request,
        "log/shared.html",
        {"log": log, "incidents": incidents, "opened": opened},
    )
