"""A log read back as a chronology: every entry in words, corrections beside their
originals, the chain's final digest, and whether it is intact."""

from __future__ import annotations

import pytest

from waypoint.log.build import chronology_for_log
from waypoint.log.models import LogEntry
from waypoint.log.services import entry_add, entry_correct, log_start, person_add
from waypoint.log.tests.support import content

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
