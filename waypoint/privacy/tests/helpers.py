from __future__ import annotations

import pytest
from django.db import connection


def bypass_audit_protection() -> None:
    """Let a test tamper with the audit tables, inside its own transaction only.

    PostgreSQL: replica mode skips ordinary triggers until the transaction ends (needs a
    superuser, as in CI). SQLite: DDL is transactional, so the dropped triggers come back
    when the test's transaction is rolled back.
    """
    assert connection.in_atomic_block, "tamper only inside a transaction that rolls back"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        elif connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name IN ('privacy_auditevent', 'privacy_audithead')"
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f'DROP TRIGGER "{name}"')
        else:
            pytest.skip(f"no way to bypass the audit triggers on {connection.vendor}")
