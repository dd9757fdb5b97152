"""A log read back as a chronology: every entry in words, corrections beside their
originals, the chain's final digest, and whether it is intact."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from waypoint.log.build import chronology_for_log
from waypoint.log.models import LogEntry
from waypoint.log.services import (
    entry_add,
    entry_add_with_files,
    entry_correct,
    log_start,
    person_add,
)
from waypoint.log.tests.support import content
from waypoint.reporting.tests import sample_files as samples

pytestmark = pytest.mark.django_db


def test_a_person_keeping_a_record_reads_it_back_in_words() -> None:
    log = log_start().log
    alex = person_add(log=log, name="Alex from my seminar group", identifiers={"handle": "@alx"})
    first = entry_add(
        log=log,
        content=content(
            when={"kind": "about", "date": "2026-11-28", "time": "", "end_date": ""},
            where={
                "places": [{"slug": "library", "label": "Library"}],
                "platforms": [],
                "text": "second floor",
            },
            who=[str(alex.pk)],
            witnesses="My flatmate Jo",
            police={"officer": "PC 1234 Smith", "reference": "CR/2026/55"},
        ),
    )
    entry_correct(
        log=log,
        entry=first,
        content=content(
            when={"kind": "exact", "date": "2026-11-29", "time": "18:30", "end_date": ""}
        ),
    )

    chronology = chronology_for_log(log, institution="University of Leicester")

    one, two = chronology.entries
    assert one.happened == "About 28 November 2026"
    assert one.where == "Library; second floor"
    assert one.who == ("Alex from my seminar group",)
    assert one.police == "Officer: PC 1234 Smith; Crime reference: CR/2026/55"
    assert one.corrected_by == (2,)
    assert two.corrects == 1
    assert two.happened == "29 November 2026 at 18:30"
    assert one.recorded_by == "the person"
    assert chronology.final_digest == two.digest
    assert chronology.integrity.intact
    assert chronology.reference == log.reference


def test_a_changed_record_reads_back_as_altered() -> None:
    log = log_start().log
    entry = entry_add(log=log, content=content())
    LogEntry.objects.filter(pk=entry.pk).update(seq=5)
    chronology = chronology_for_log(log, institution="University of Leicester")
    assert not chronology.integrity.intact
    assert "Entry 1 is missing" in chronology.integrity.problem


def test_each_file_is_numbered_once_and_a_shared_only_chronology_lists_only_its_own(
    tmp_path, settings
) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    log = log_start().log
    letter = SimpleUploadedFile("letter.pdf", samples.pdf(), "application/pdf")
    note = SimpleUploadedFile("note.txt", samples.text_note(), "text/plain")
    private = entry_add_with_files(log=log, content=content(), uploads=[letter])
    shared = entry_add_with_files(log=log, content=content(), uploads=[note])
    LogEntry.objects.filter(pk=shared.pk).update(shared_at=timezone.now())

    everything = chronology_for_log(log, institution="Testing")
    assert [item.name for item in everything.evidence] == ["letter.pdf", "note.txt"]
    assert [entry.evidence for entry in everything.entries] == [(1,), (2,)]
    listed = private.content["evidence"][0]
    assert everything.evidence[0].sha256 == listed["sha256"]
    assert everything.evidence[0].size == listed["size"]

    team = chronology_for_log(log, institution="Testing", shared_only=True)
    assert [item.name for item in team.evidence] == ["note.txt"]
    assert [entry.evidence for entry in team.entries] == [(1,)]
    assert team.integrity.intact
