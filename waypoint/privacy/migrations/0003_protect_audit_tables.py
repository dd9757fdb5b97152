"""Make the audit log append-only in the database itself (defence in depth).

- privacy_auditevent: UPDATE, DELETE and (PostgreSQL) TRUNCATE raise.
- privacy_audithead: DELETE and TRUNCATE raise; UPDATE must advance seq by exactly one.

The production application role should also have only SELECT and INSERT on the events
table (deploy/), since a table owner can drop triggers. Tests that tamper on purpose
bypass these: PostgreSQL with SET LOCAL session_replication_role = replica (superuser),
SQLite by dropping the triggers inside the test's transaction.
"""

from django.db import migrations

POSTGRESQL_FORWARD = [
    """
    CREATE FUNCTION privacy_audit_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'the audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME;
    END
    $$
    """,
    """
    CREATE FUNCTION privacy_audit_head_forward_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.id <> OLD.id OR NEW.seq <> OLD.seq + 1 THEN
            RAISE EXCEPTION 'the audit head only moves forward one entry at a time';
        END IF;
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE TRIGGER privacy_auditevent_append_only
    BEFORE UPDATE OR DELETE ON privacy_auditevent
    FOR EACH ROW EXECUTE FUNCTION privacy_audit_append_only()
    """,
    """
    CREATE TRIGGER privacy_auditevent_no_truncate
    BEFORE TRUNCATE ON privacy_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION privacy_audit_append_only()
    """,
    """
    CREATE TRIGGER privacy_audithead_no_delete
    BEFORE DELETE ON privacy_audithead
    FOR EACH ROW EXECUTE FUNCTION privacy_audit_append_only()
    """,
    """
    CREATE TRIGGER privacy_audithead_no_truncate
    BEFORE TRUNCATE ON privacy_audithead
    FOR EACH STATEMENT EXECUTE FUNCTION privacy_audit_append_only()
    """,
    """
    CREATE TRIGGER privacy_audithead_forward_only
    BEFORE UPDATE ON privacy_audithead
    FOR EACH ROW EXECUTE FUNCTION privacy_audit_head_forward_only()
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS privacy_audithead_forward_only ON privacy_audithead",
    "DROP TRIGGER IF EXISTS privacy_audithead_no_truncate ON privacy_audithead",
    "DROP TRIGGER IF EXISTS privacy_audithead_no_delete ON privacy_audithead",
    "DROP TRIGGER IF EXISTS privacy_auditevent_no_truncate ON privacy_auditevent",
    "DROP TRIGGER IF EXISTS privacy_auditevent_append_only ON privacy_auditevent",
    "DROP FUNCTION IF EXISTS privacy_audit_head_forward_only()",
    "DROP FUNCTION IF EXISTS privacy_audit_append_only()",
]

# SQLite has no TRUNCATE (DELETE without WHERE fires the row triggers).
SQLITE_FORWARD = [
    """
    CREATE TRIGGER privacy_auditevent_no_update BEFORE UPDATE ON privacy_auditevent
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: UPDATE refused'); END
    """,
    """
    CREATE TRIGGER privacy_auditevent_no_delete BEFORE DELETE ON privacy_auditevent
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: DELETE refused'); END
    """,
    """
    CREATE TRIGGER privacy_audithead_no_delete BEFORE DELETE ON privacy_audithead
    BEGIN SELECT RAISE(ABORT, 'the audit head cannot be deleted'); END
    """,
    """
    CREATE TRIGGER privacy_audithead_forward_only BEFORE UPDATE ON privacy_audithead
    WHEN NEW.id <> OLD.id OR NEW.seq <> OLD.seq + 1
    BEGIN SELECT RAISE(ABORT, 'the audit head only moves forward one entry at a time'); END
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS privacy_audithead_forward_only",
    "DROP TRIGGER IF EXISTS privacy_audithead_no_delete",
    "DROP TRIGGER IF EXISTS privacy_auditevent_no_delete",
    "DROP TRIGGER IF EXISTS privacy_auditevent_no_update",
]

STATEMENTS = {
    "postgresql": (POSTGRESQL_FORWARD, POSTGRESQL_REVERSE),
    "sqlite": (SQLITE_FORWARD, SQLITE_REVERSE),
}


def _run(schema_editor, forward):
    vendor = schema_editor.connection.vendor
    if vendor not in STATEMENTS:
        raise NotImplementedError(f"No audit-log protection for the {vendor} database.")
    for statement in STATEMENTS[vendor][0 if forward else 1]:
        schema_editor.execute(statement, params=None)


def protect(apps, schema_editor):
    _run(schema_editor, forward=True)


def unprotect(apps, schema_editor):
    _run(schema_editor, forward=False)


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0002_create_audit_tables"),
    ]

    operations = [
        migrations.RunPython(protect, unprotect),
    ]
