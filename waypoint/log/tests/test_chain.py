"""A log is a contemporaneous record: entries are never changed, corrections are new
entries, and any change made in the database afterwards is detected (issue 14, item 3)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection

from waypoint.log.models import IncidentLog, LogEntry
from waypoint.log.selectors import log_entries, log_integrity
from waypoint.log.services import EntryError, entry_add, entry_correct, log_delete, log_start
from waypoint.log.tests.support import MARKER, content
from waypoint.privacy.models import DataKey
from waypoint.reporting import receipts

pytestmark = pytest.mark.django_db


def three_entries() -> IncidentLog:
    log = log_start().log
    for text in ("First: waiting outside my flat", "Second: messages", "Third: at the gym"):
        entry_add(log=log, content=content(what={"behaviours": [], "text": text}))
    return log


def sql(statement: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_a_new_log_has_its_own_receipt_that_signs_in() -> None:
    started = log_start()
    assert started.log.reference and started.log.reference.startswith("WP-")
    assert len(started.passphrase.split()) == receipts.PASSPHRASE_WORDS
    assert receipts.verify_passphrase(
        encoded=started.log.receipt_hash,
        key_id=started.log.receipt_pepper_key_id,
        passphrase=started.passphrase,
    )


def test_entries_are_chained_in_the_order_they_were_recorded() -> None:
    log = three_entries()
    entries = log_entries(log=log)
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[0].recorded_at <= entries[1].recorded_at <= entries[2].recorded_at
    assert len({e.digest for e in entries}) == 3
    assert log_integrity(log=log).intact
    log.refresh_from_db()
    assert (log.head_seq, log.head_digest) == (3, entries[2].digest)


def test_a_correction_is_a_new_entry_and_the_original_stays_as_written() -> None:
    log = three_entries()
    original = log_entries(log=log)[1]
    correction = entry_correct(
        log=log, entry=original, content=content(what={"behaviours": [], "text": "It was 14"})
    )
    assert (correction.seq, correction.corrects_id) == (4, original.pk)
    reread = LogEntry.objects.get(pk=original.pk)
    reread.log = log
    assert reread.content["what"]["text"] == "Second: messages"
    assert log_integrity(log=log).intact


def test_an_entry_needs_when_and_what() -> None:
    log = log_start().log
    with pytest.raises(EntryError, match="when"):
        entry_add(log=log, content=content(when={"kind": "exact", "date": ""}))
    with pytest.raises(EntryError, match="what"):
        entry_add(log=log, content=content(what={"behaviours": [], "text": ""}))


def test_changing_an_entry_in_the_database_is_detected() -> None:
    log = three_entries()
    second = log_entries(log=log)[1]
    second.content = content(what={"behaviours": [], "text": "Nothing happened"})
    second.save()  # through the ORM: properly encrypted, but the digest no longer fits
    integrity = log_integrity(log=log)
    assert not integrity.intact
    assert integrity.first_bad_seq == 2
    assert "Entry 2 was changed" in integrity.problem


def test_moving_one_entrys_ciphertext_onto_another_is_detected() -> None:
    log = three_entries()
    first, second, _ = log_entries(log=log)
    pk = LogEntry._meta.pk
    assert pk is not None
    sql(
        "UPDATE log_logentry SET content = (SELECT content FROM log_logentry WHERE id = %s) "
        "WHERE id = %s",
        [pk.get_db_prep_value(first.pk, connection), pk.get_db_prep_value(second.pk, connection)],
    )
    assert log_integrity(log=log).first_bad_seq == 2


def test_deleting_an_entry_in_the_database_is_detected() -> None:
    log = three_entries()
    LogEntry.objects.filter(log=log, seq=2).delete()
    integrity = log_integrity(log=log)
    assert not integrity.intact
    assert "Entry 2 is missing" in integrity.problem


def test_deleting_the_newest_entry_is_detected_by_the_head() -> None:
    log = three_entries()
    LogEntry.objects.filter(log=log, seq=3).delete()
    integrity = log_integrity(log=log)
    assert not integrity.intact
    assert "from entry 3" in integrity.problem


def test_reordering_entries_in_the_database_is_detected() -> None:
    log = three_entries()
    LogEntry.objects.filter(log=log, seq=2).update(seq=99)
    LogEntry.objects.filter(log=log, seq=3).update(seq=2)
    LogEntry.objects.filter(log=log, seq=99).update(seq=3)
    integrity = log_integrity(log=log)
    assert not integrity.intact
    assert integrity.first_bad_seq == 2


def test_back_dating_an_entry_in_the_database_is_detected() -> None:
    log = three_entries()
    third = log_entries(log=log)[2]
    LogEntry.objects.filter(pk=third.pk).update(
        recorded_at=third.recorded_at - dt.timedelta(days=30)
    )
    integrity = log_integrity(log=log)
    assert not integrity.intact
    assert integrity.first_bad_seq == 3


def test_nothing_of_an_entry_is_stored_in_clear() -> None:
    log = log_start().log
    entry_add(log=log, content=content(what={"behaviours": [], "text": MARKER}, witnesses=MARKER))
    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM log_logentry")
        rows = cursor.fetchall()
    assert rows and all(MARKER.encode() not in bytes(row[0]) for row in rows)


def test_deleting_a_log_shreds_its_key_and_every_entry_corrections_included() -> None:
    log = three_entries()
    entry_correct(log=log, entry=log_entries(log=log)[0], content=content())
    key_id = log.data_key_id
    assert key_id is not None
    log_delete(log=log)
    assert not IncidentLog.objects.filter(pk=log.pk).exists()
    assert not LogEntry.objects.filter(log_id=log.pk).exists()
    assert not DataKey.objects.filter(pk=key_id).exists()
