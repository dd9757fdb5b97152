from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from waypoint.privacy.anchors import read_anchors
from waypoint.privacy.audit import AuditError, verify_audit_chain
from waypoint.privacy.models import AuditEvent, AuditHead, AuditLogAppendOnlyError
from waypoint.privacy.services import audit_record
from waypoint.privacy.tests.helpers import bypass_audit_protection

pytestmark = pytest.mark.django_db

MANAGE_PY = Path(__file__).resolve().parents[3] / "manage.py"


def head_seq() -> int:
    return AuditHead.objects.get(pk=1).seq


def record_events(count: int) -> int:
    """Append `count` events; return the seq just before the first of them.

    Other tests in this worker may have committed entries before (the audit tables
    are not flushed), so expectations are relative to the head.
    """
    base = head_seq()
    for number in range(count):
        audit_record(
            actor="R-7KQ2-MX4P",
            action="report.viewed",
            object_type="reporting.report",
            object_id=f"report-{number}",
            extra={"step": number},
        )
    return base


def sql(statement: str, params: Sequence[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_it_chains_entries_in_sequence():
    base = record_events(3)
    events = list(AuditEvent.objects.filter(seq__gt=base).order_by("seq"))
    assert [event.seq for event in events] == [base + 1, base + 2, base + 3]
    assert events[1].prev_mac == events[0].mac
    assert events[2].prev_mac == events[1].mac
    assert AuditHead.objects.get(pk=1).mac == events[2].mac
    result = verify_audit_chain()
    assert result.ok, result.reason
    assert result.count == base + 3


def test_it_records_staff_reporters_and_the_system():
    user = get_user_model().objects.create_user(email="adviser@example.ac.uk", password=None)
    staff = audit_record(actor=user, action="case.viewed", object_type="casework.case")
    reporter = audit_record(actor="R-7KQ2-MX4P", action="report.messages_viewed")
    system = audit_record(actor=None, action="retention.purged", extra={"cases": 3})
    assert (staff.actor_kind, staff.actor_id) == ("staff", str(user.pk))
    assert (reporter.actor_kind, reporter.actor_id) == ("reporter", "R-7KQ2-MX4P")
    assert (system.actor_kind, system.actor_id) == ("system", "")
    job = audit_record(actor="retention", actor_kind="system", action="retention.started")
    assert (job.actor_kind, job.actor_id) == ("system", "retention")


def test_it_has_nowhere_to_put_an_ip_address_or_user_agent():
    names = {field.name for field in AuditEvent._meta.get_fields()}
    assert not {name for name in names if "ip" in name.split("_") or "agent" in name}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"actor": AnonymousUser(), "action": "case.viewed"}, "AnonymousUser"),
        ({"actor": "203.0.113.7", "action": "report.viewed"}, "IP address"),
        ({"actor": None, "action": "viewed"}, "noun.verb"),
        ({"actor": None, "action": "case.viewed", "actor_kind": "robot"}, "actor kind"),
        ({"actor": None, "action": "a.b", "extra": {"ip": "203.0.113.7"}}, "ip"),
        ({"actor": None, "action": "a.b", "extra": {"User_Agent": "x"}}, "User_Agent"),
        ({"actor": None, "action": "a.b", "extra": {"score": 0.5}}, "string, integer"),
        ({"actor": None, "action": "a.b", "extra": {"text": "x" * 500}}, "too long"),
        ({"actor": None, "action": "a.b", "extra": {"nested": {"a": 1}}}, "string, integer"),
    ],
)
def test_it_refuses_what_an_audit_entry_must_not_hold(kwargs, message):
    before = head_seq()
    with pytest.raises(AuditError, match=message):
        audit_record(**kwargs)
    assert head_seq() == before


def test_it_writes_nothing_when_the_callers_transaction_rolls_back():
    before = head_seq()
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=None, action="case.closed")
        raise RuntimeError("the action being recorded failed")
    assert head_seq() == before
    assert not AuditEvent.objects.filter(seq__gt=before).exists()
    assert verify_audit_chain().ok


def test_it_refuses_orm_updates_and_deletes():
    base = record_events(2)
    event = AuditEvent.objects.get(seq=base + 1)
    with pytest.raises(AuditLogAppendOnlyError):
        event.save()
    with pytest.raises(AuditLogAppendOnlyError):
        event.delete()
    # Past the model, the database triggers refuse.
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(seq=base + 1).update(action="case.closed")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(seq=base + 2).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditHead.objects.filter(pk=1).update(seq=base)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditHead.objects.filter(pk=1).delete()
    assert AuditEvent.objects.get(seq=base + 1).action == "report.viewed"
    assert verify_audit_chain().ok


def test_it_refuses_truncate_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE exists only on PostgreSQL")
    record_events(1)
    for table in ("privacy_auditevent", "privacy_audithead"):
        with pytest.raises(DatabaseError), transaction.atomic():
            sql(f"TRUNCATE {table}")


# --- Tampering ------------------------------------------------------------------------


def test_it_detects_an_edited_entry():
    base = record_events(5)
    bypass_audit_protection()
    sql("UPDATE privacy_auditevent SET object_id = %s WHERE seq = %s", ["report-x", base + 3])
    result = verify_audit_chain()
    assert not result.ok
    assert result.first_broken_seq == base + 3
    assert "MAC" in result.reason


def test_it_detects_an_edited_extra_field():
    base = record_events(3)
    bypass_audit_protection()
    event = AuditEvent.objects.get(seq=base + 2)
    # Only the metadata changes; the MAC covers it too.
    AuditEvent.objects.filter(seq=event.seq).update(extra={"step": 99})
    assert verify_audit_chain().first_broken_seq == base + 2


def test_it_detects_a_deleted_entry():
    base = record_events(5)
    bypass_audit_protection()
    sql("DELETE FROM privacy_auditevent WHERE seq = %s", [base + 2])
    result = verify_audit_chain()
    assert not result.ok
    assert result.first_broken_seq == base + 2
    assert "missing" in result.reason


def test_it_detects_two_swapped_entries():
    base = record_events(5)
    bypass_audit_protection()
    parked = 10**15
    sql("UPDATE privacy_auditevent SET seq = %s WHERE seq = %s", [parked, base + 2])
    sql("UPDATE privacy_auditevent SET seq = %s WHERE seq = %s", [base + 2, base + 4])
    sql("UPDATE privacy_auditevent SET seq = %s WHERE seq = %s", [base + 4, parked])
    result = verify_audit_chain()
    assert not result.ok
    assert result.first_broken_seq == base + 2


def test_it_detects_a_forged_entry_inserted_in_the_middle():
    base = record_events(5)
    bypass_audit_protection()
    # Make room at base+3 by moving the later entries up one, then plant a forgery
    # that links correctly to its predecessor; only the MAC key is missing.
    sql("UPDATE privacy_auditevent SET seq = seq + 1000000 WHERE seq >= %s", [base + 3])
    sql("UPDATE privacy_auditevent SET seq = seq - 999999 WHERE seq > 1000000")
    previous = AuditEvent.objects.get(seq=base + 2)
    AuditEvent(
        seq=base + 3,
        occurred_at=previous.occurred_at,
        actor_kind="staff",
        actor_id="someone",
        action="case.closed",
        object_type="casework.case",
        object_id="c1",
        extra={},
        prev_mac=previous.mac,
        mac=os.urandom(32).hex(),
        key_id=previous.key_id,
    ).save()
    sql("UPDATE privacy_audithead SET seq = seq + 1")
    result = verify_audit_chain()
    assert not result.ok
    assert result.first_broken_seq == base + 3


def test_it_detects_a_forged_entry_appended_at_the_end():
    base = record_events(3)
    bypass_audit_protection()
    last = AuditEvent.objects.get(seq=base + 3)
    forged_mac = os.urandom(32).hex()
    AuditEvent(
        seq=base + 4,
        occurred_at=last.occurred_at,
        actor_kind="system",
        actor_id="",
        action="retention.purged",
        object_type="",
        object_id="",
        extra={},
        prev_mac=last.mac,
        mac=forged_mac,
        key_id=last.key_id,
    ).save()
    sql("UPDATE privacy_audithead SET seq = %s, mac = %s", [base + 4, forged_mac])
    assert verify_audit_chain().first_broken_seq == base + 4


def test_it_detects_a_truncated_tail():
    base = record_events(5)
    bypass_audit_protection()
    sql("DELETE FROM privacy_auditevent WHERE seq > %s", [base + 3])
    result = verify_audit_chain()
    assert not result.ok
    assert result.first_broken_seq == base + 4
    assert "head" in result.reason


def test_it_detects_a_truncated_tail_and_head_with_an_exported_anchor():
    base = record_events(5)
    anchor = (base + 5, AuditHead.objects.get(pk=1).mac)
    assert verify_audit_chain(anchor=anchor).ok
    bypass_audit_protection()
    sql("DELETE FROM privacy_auditevent WHERE seq > %s", [base + 3])
    last_mac = AuditEvent.objects.get(seq=base + 3).mac
    sql("UPDATE privacy_audithead SET seq = %s, mac = %s", [base + 3, last_mac])
    assert verify_audit_chain().ok  # without the anchor, the cut is invisible
    result = verify_audit_chain(anchor=anchor)
    assert not result.ok
    assert result.first_broken_seq == base + 4


def test_it_serialises_concurrent_appends(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("the in-memory SQLite test database cannot be shared between threads")
    base = head_seq()
    errors: list[BaseException] = []

    def append_some(worker: int) -> None:
        try:
            for number in range(5):
                with transaction.atomic():
                    audit_record(actor=None, action="load.tested", extra={"w": worker, "n": number})
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=append_some, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert head_seq() == base + 20
    assert verify_audit_chain().ok


# --- The verify_audit command -----------------------------------------------------------


def test_it_reports_an_intact_chain():
    base = record_events(2)
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert f"Audit chain OK: {base + 2} entries." in out.getvalue()
    assert f"Head: {base + 2}:" in out.getvalue()


def test_it_exits_non_zero_naming_the_first_broken_seq():
    base = record_events(4)
    bypass_audit_protection()
    sql("UPDATE privacy_auditevent SET action = 'case.closed' WHERE seq = %s", [base + 2])
    with pytest.raises(CommandError) as raised:
        call_command("verify_audit")
    assert raised.value.returncode == 1
    assert f"BROKEN at seq {base + 2}" in str(raised.value)


def test_it_checks_an_anchor_given_on_the_command_line():
    base = record_events(1)
    mac = AuditHead.objects.get(pk=1).mac
    call_command("verify_audit", anchor=f"{base + 1}:{mac}", stdout=io.StringIO())
    with pytest.raises(CommandError) as raised:
        call_command("verify_audit", anchor=f"{base + 1}:{'0' * 64}")
    assert raised.value.returncode == 1
    with pytest.raises(CommandError, match="--anchor"):
        call_command("verify_audit", anchor="not-an-anchor")


def test_it_exits_with_status_1_from_the_command_line(tmp_path: Path):
    """End to end in a separate process, against a throwaway SQLite database file."""
    database = tmp_path / "audit.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        # Not the checkout's var/audit/anchors.log, which `make run`'s worker writes to.
        "WAYPOINT_AUDIT_ANCHOR_FILE": str(tmp_path / "anchors.log"),
    }

    def manage(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - our own manage.py
            [sys.executable, str(MANAGE_PY), *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )

    assert manage("migrate", "privacy", "--no-input", "-v", "0").returncode == 0
    script = (
        "from waypoint.privacy.services import audit_record\n"
        "for n in range(3): audit_record(actor=None, action='test.appended')\n"
    )
    assert manage("shell", "-c", script).returncode == 0
    intact = manage("verify_audit")
    assert intact.returncode == 0, intact.stderr
    assert "Audit chain OK: 3 entries." in intact.stdout

    with sqlite3.connect(database) as db:
        db.execute("DROP TRIGGER privacy_auditevent_no_update")
        db.execute("UPDATE privacy_auditevent SET actor_id = 'x' WHERE seq = 2")
    broken = manage("verify_audit")
    assert broken.returncode == 1
    assert "BROKEN at seq 2" in broken.stderr


# --- Published anchors (privacy/anchors.py) ------------------------------------------------


def cut_tail_and_roll_head_back(keep_through: int) -> None:
    bypass_audit_protection()
    sql("DELETE FROM privacy_auditevent WHERE seq > %s", [keep_through])
    last_mac = AuditEvent.objects.get(seq=keep_through).mac
    sql("UPDATE privacy_audithead SET seq = %s, mac = %s", [keep_through, last_mac])


def test_verify_audit_catches_a_cut_tail_against_the_published_anchor_by_default():
    base = record_events(5)
    call_command("anchor_audit", stdout=io.StringIO())
    cut_tail_and_roll_head_back(base + 3)
    with pytest.raises(CommandError) as raised:
        call_command("verify_audit", stdout=io.StringIO())
    assert raised.value.returncode == 1
    assert f"BROKEN at seq {base + 4}" in str(raised.value)


def test_anchor_audit_appends_the_head_once_and_never_rewrites_earlier_lines(settings):
    record_events(2)
    call_command("anchor_audit", stdout=io.StringIO())
    call_command("anchor_audit", stdout=io.StringIO())  # same head: nothing new
    first = settings.WAYPOINT_AUDIT_ANCHOR_FILE.read_text()
    record_events(1)
    out = io.StringIO()
    call_command("anchor_audit", stdout=out)
    anchors = read_anchors()
    assert len(anchors) == 2
    assert anchors[-1].seq == head_seq()
    assert settings.WAYPOINT_AUDIT_ANCHOR_FILE.read_text().startswith(first)
    assert f"Anchored seq {head_seq()}" in out.getvalue()


def test_the_daily_anchor_email_goes_to_the_data_protection_contact_with_the_head(settings):
    settings.WAYPOINT_AUDIT_ANCHOR_EMAIL = "dpo@example.ac.uk"
    record_events(2)
    call_command("anchor_audit", stdout=io.StringIO())  # hourly: no email
    assert mail.outbox == []

    out = io.StringIO()
    call_command("anchor_audit", "--email", stdout=out)  # daily: the head, by email too

    [email] = mail.outbox
    head = AuditHead.objects.get(pk=1)
    assert email.to == ["dpo@example.ac.uk"]
    assert f"Entry: {head.seq}" in email.body
    assert head.mac in email.body
    assert f"verify_audit --anchor {head.seq}:{head.mac}" in email.body
    assert "dpo@" not in out.getvalue()


def test_without_an_anchor_address_nobody_is_emailed(settings):
    settings.WAYPOINT_AUDIT_ANCHOR_EMAIL = ""
    record_events(1)
    call_command("anchor_audit", "--email", stdout=io.StringIO())
    assert mail.outbox == []
    assert len(read_anchors()) == 1


def test_a_broken_chain_is_not_anchored():
    base = record_events(3)
    bypass_audit_protection()
    sql("UPDATE privacy_auditevent SET action = 'case.closed' WHERE seq = %s", [base + 2])
    with pytest.raises(CommandError) as raised:
        call_command("anchor_audit", stdout=io.StringIO())
    assert raised.value.returncode == 1
    assert "Nothing was anchored" in str(raised.value)


def test_an_anchor_that_no_longer_matches_is_reported(settings):
    base = record_events(2)
    settings.WAYPOINT_AUDIT_ANCHOR_FILE.write_text(
        f"2026-12-03T10:00:00.000000Z {base + 2} {'0' * 64}\n", encoding="ascii"
    )
    with pytest.raises(CommandError, match=f"BROKEN at seq {base + 2}"):
        call_command("verify_audit", stdout=io.StringIO())


def test_a_damaged_anchor_file_is_an_error_not_a_pass(settings):
    record_events(1)
    settings.WAYPOINT_AUDIT_ANCHOR_FILE.write_text("edited by hand\n", encoding="ascii")
    with pytest.raises(CommandError, match="anchors unreadable"):
        call_command("verify_audit", stdout=io.StringIO())


def test_without_published_anchors_verify_audit_says_so():
    record_events(1)
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert "No published anchors yet" in out.getvalue()
