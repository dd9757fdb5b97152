"""The record: its pattern and warnings, its incidents, adding and correcting, people."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe

from waypoint.log import content as describe
from waypoint.log import evidence as evidence_files
from waypoint.log import pattern, selectors, services, session
from waypoint.log.forms import IncidentForm, PersonForm, initial_from
from waypoint.log.models import IncidentLog, LogEntry, LogEvidence, LogPerson
from waypoint.log.views.common import log_required
from waypoint.privacy.crypto import DecryptionError
from waypoint.reporting.models import OptionKind, ReportOption
from waypoint.reporting.uploads import upload_problems

ANOTHER = "another"
CHOOSE_AGAIN = (
    "Your files have not been added yet, because of the other problems on this page. "
    "Choose them again before you save."
)
MISMATCH = (
    "This file does not match the digest recorded with this entry: it may have been "
    "changed after it was kept."
)


@dataclass
class FileView:
    """One file an entry lists, as the person reads it."""

    name: str
    content_type: str
    size: int
    found: tuple[str, ...] = ()  # hidden details found, in plain words
    summary: str = ""  # what was done with them
    problem: str = ""  # the kept file does not match what the entry says


def _files(items: Any, rows: dict[str, LogEvidence]) -> list[FileView]:
    views = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        row = rows.get(str(item.get("id")))
        view = FileView(
            name=str(item.get("name") or "File"),
            content_type=str(item.get("content_type", "")),
            size=int(item.get("size") or 0),
        )
        if row is None or row.sha256 != item.get("sha256") or row.size != item.get("size"):
            view.problem = MISMATCH
        else:
            words = evidence_files.describe_metadata(row)
            view.found, view.summary = words.found, words.summary
        views.append(view)
    return views


@dataclass
class EntryView:
    """One entry as the person reads it: both times, in words, and how it is linked."""

    entry: LogEntry
    when: str
    where: str
    what: str
    who: list[str]
    witnesses: str
    affected: str
    police: str
    sort_key: dt.datetime
    corrects: int | None = None
    corrected_by: list[int] = field(default_factory=list)
    readable: bool = True
    files: list[FileView] = field(default_factory=list)

    @property
    def seq(self) -> int:
        return self.entry.seq

    @property
    def superseded(self) -> bool:
        return bool(self.corrected_by)


def _views(
    entries: list[LogEntry],
    people: list[LogPerson],
    rows: dict[str, LogEvidence] | None = None,
) -> list[EntryView]:
    names = {str(person.pk): person.name for person in people}
    seq_of = {entry.pk: entry.seq for entry in entries}
    views = {}
    for entry in entries:
        try:
            content, readable = dict(entry.content), True
        except DecryptionError:
            # Its sealed words were swapped or damaged in the database: the integrity
            # warning says so; the page still shows everything else.
            content, readable = {}, False
        views[entry.seq] = EntryView(
            entry=entry,
            when=describe.describe_when(content.get("when", {})),
            where=describe.describe_where(content.get("where", {})),
            what=describe.describe_what(content.get("what", {})),
            who=[
                names.get(str(pid), "Someone no longer in your record")
                for pid in content.get("who", [])
            ],
            witnesses=content.get("witnesses", ""),
            affected=content.get("affected", ""),
            police=describe.describe_police(content.get("police", {})),
            sort_key=describe.when_sort_key(content.get("when", {})),
            corrects=seq_of.get(entry.corrects_id) if entry.corrects_id else None,
            readable=readable,
            files=_files(content.get("evidence", []), rows) if rows is not None else [],
        )
    for view in views.values():
        if view.corrects in views:
            views[view.corrects].corrected_by.append(view.seq)
    return list(views.values())


def _incidents(views: list[EntryView]) -> list[pattern.Incident]:
    """The latest version of each incident, for counting (a correction replaces)."""
    incidents = []
    for view in views:
        if view.superseded or not view.readable:
            continue
        when = view.entry.content.get("when", {})
        try:
            happened = dt.date.fromisoformat(when.get("date", ""))
        except (TypeError, ValueError):
            continue
        behaviours = tuple(
            (str(c.get("slug", "")), str(c.get("label", "")))
            for c in view.entry.content.get("what", {}).get("behaviours", [])
        )
        incidents.append(pattern.Incident(happened=happened, behaviours=behaviours))
    return incidents


def _threat_slugs() -> frozenset[str]:
    # Retired options count too: what someone wrote keeps its meaning.
    return frozenset(
        ReportOption.objects.filter(
            kind=OptionKind.BEHAVIOUR, is_threat_of_violence=True
        ).values_list("slug", flat=True)
    )


def _newest_first(views: list[EntryView]) -> list[EntryView]:
    # When it happened, newest first; a correction just above what it corrects.
    return sorted(views, key=lambda v: (v.sort_key, v.seq), reverse=True)


@log_required
@require_safe
def home_view(request: HttpRequest, log: IncidentLog) -> HttpResponse:
    entries = selectors.log_entries(log=log)
    people = selectors.log_people(log=log)
    views = _views(entries, people)
    incidents = _incidents(views)
    found = pattern.pattern_of(incidents, today=timezone.localdate())
    return render(
        request,
        "log/home.html",
        {
            "log": log,
            "entries": _newest_first(views),
            "people": people,
            "pattern": found,
            "bars": pattern.chart_bars(found.per_week),
            "chart_width": pattern.chart_width(found.per_week),
            "chart_height": pattern.CHART_HEIGHT,
            "warnings": pattern.warnings(
                incidents, threat_slugs=_threat_slugs(), trend=found.trend
            ),
            "integrity": selectors.log_integrity(log=log, entries=entries),
            "notice": session.pop_notice(request),
        },
    )


def _save(log: IncidentLog, form: IncidentForm, *, corrects: LogEntry | None = None) -> LogEntry:
    """The entry, its files and the someone new it names, together or not at all."""
    with transaction.atomic():
        added: list[str] = []
        new = form.someone_new()
        if new is not None:
            name, identifiers = new
            added.append(str(services.person_add(log=log, name=name, identifiers=identifiers).pk))
        return services.entry_add_with_files(
            log=log,
            content=form.content(extra_people=added),
            uploads=form.uploads(),
            keep_metadata=form.keep_metadata(),
            corrects=corrects,
            carried=form.carried() if corrects is not None else (),
        )


def _saved(
    request: HttpRequest, log: IncidentLog, form: IncidentForm, *, corrects: LogEntry | None = None
) -> LogEntry | None:
    """The saved entry, or None with every problem on the form (what was typed stays)."""
    problems = upload_problems(request)
    sent_files = bool(request.FILES.getlist("evidence")) or bool(problems)
    if not form.is_valid():
        # A browser cannot put chosen files back into the form: say so, beside the field.
        if sent_files and "evidence" not in form.errors:
            form.add_error("evidence", CHOOSE_AGAIN)
        return None
    if problems:
        for problem in problems:
            named = f"{problem.original_name}: " if problem.original_name else ""
            form.add_error("evidence", f"{named}{problem.message}")
        return None
    try:
        return _save(log, form, corrects=corrects)
    except services.FilesRejected as rejected:
        for name, message in rejected.problems:
            form.add_error("evidence", f"{name}: {message}" if name else message)
        return None


def _incident_page(
    request: HttpRequest,
    log: IncidentLog,
    form: IncidentForm,
    *,
    correcting: EntryView | None = None,
) -> HttpResponse:
    return render(
        request,
        "log/incident_form.html",
        {
            "log": log,
            "form": form,
            "correcting": correcting,
            "notice": session.pop_notice(request),
        },
        status=400 if form.errors else 200,
    )


@log_required
@sensitive_post_parameters()
@require_http_methods(["GET", "HEAD", "POST"])
def add_view(request: HttpRequest, log: IncidentLog) -> HttpResponseBase:
    people = selectors.log_people(log=log)
    posted = request.method == "POST"
    form = IncidentForm(
        request.POST if posted else None, request.FILES if posted else None, people=people
    )
    entry = _saved(request, log, form) if posted else None
    if entry is not None:
        if request.POST.get("then") == ANOTHER:
            session.set_notice(request, f"Incident {entry.seq} is saved. You can add another.")
            return redirect("log:add")
        session.set_notice(request, f"Incident {entry.seq} is saved in your record.")
        return redirect("log:home")
    return _incident_page(request, log, form)


def _entry_or_404(log: IncidentLog, seq: int) -> EntryView:
    """Entry `seq` of this log (its place in the record, never an id from elsewhere)."""
    entries = selectors.log_entries(log=log)
    rows = evidence_files.log_evidence_rows(log=log)
    for view in _views(entries, selectors.log_people(log=log), rows):
        if view.seq == seq:
            return view
    raise Http404


@log_required
@require_safe
def entry_view(request: HttpRequest, log: IncidentLog, seq: int) -> HttpResponse:
    view = _entry_or_404(log, seq)
    return render(
        request,
        "log/entry.html",
        {"log": log, "view": view, "notice": session.pop_notice(request)},
    )


@log_required
@sensitive_post_parameters()
@require_http_methods(["GET", "HEAD", "POST"])
def correct_view(request: HttpRequest, log: IncidentLog, seq: int) -> HttpResponseBase:
    view = _entry_or_404(log, seq)
    people = selectors.log_people(log=log)
    kwargs: dict[str, Any] = {"people": people, "keep": view.entry.content}
    if request.method == "POST":
        form = IncidentForm(request.POST, request.FILES, **kwargs)
        correction = _saved(request, log, form, corrects=view.entry)
        if correction is not None:
            session.set_notice(
                request,
                f"Your correction is saved as entry {correction.seq}. Entry {seq} stays in "
                "your record as it was written.",
            )
            return redirect("log:entry", seq=correction.seq)
    else:
        form = IncidentForm(initial=initial_from(view.entry.content), **kwargs)
    return _incident_page(request, log, form, correcting=view)


@log_required
@sensitive_post_parameters()
@require_http_methods(["GET", "HEAD", "POST"])
def person_add_view(request: HttpRequest, log: IncidentLog) -> HttpResponseBase:
    form = PersonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.person_add(log=log, name=form.cleaned_data["name"], identifiers=form.identifiers())
        session.set_notice(
            request, "They are in your record now. You can choose them when you add an incident."
        )
        return redirect(reverse("log:home") + "#people")
    return render(
        request,
        "log/person_form.html",
        {"log": log, "form": form},
        status=400 if form.errors else 200,
    )
