"""Nothing a reporter types or uploads is stored in clear, and nothing records who they are.

A marker string goes into every free-text field, every contact detail, the people named,
a file's bytes and name, messages both ways and added information. Then every place
data can rest is searched for it: every column of every table (sessions decoded), a
pg_dump of the database when it is PostgreSQL, the media folder, the temporary folder,
the logs and the email outbox. The reporter's IP address and user agent are searched for
the same way (security research T11 and T19).
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from waypoint.casework.models import Case
from waypoint.casework.services import case_record_opening, message_send_from_staff
from waypoint.reporting.tests.flow import ADDRESS, make_report, reporter_client, sign_in

MARKER = "CANARY-5e1f0c"
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def places(settings, tmp_path: Path) -> Iterator[dict[str, Path]]:
    media = tmp_path / "media"
    temp = tmp_path / "tmp"
    media.mkdir()
    temp.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": media},
        },
    }
    settings.FILE_UPLOAD_TEMP_DIR = str(temp)
    old_tempdir = tempfile.tempdir
    tempfile.tempdir = str(temp)
    try:
        yield {"media": media, "temp": temp}
    finally:
        tempfile.tempdir = old_tempdir


def _needles() -> list[bytes]:
    return [MARKER.encode(), MARKER.lower().encode()]


def _identity_needles() -> list[bytes]:
    return [ADDRESS.encode(), ADDRESS.rsplit(".", 1)[0].encode() + b".", b"UA-MARKER-7f3a"]


def _database_values() -> Iterator[tuple[str, bytes]]:
    """Every value of every column of every table, as bytes, sessions decoded."""
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 (introspected names)
            for row in cursor.fetchall():
                for value in row:
                    if value is None:
                        continue
                    if isinstance(value, memoryview | bytes | bytearray):
                        yield table, bytes(value)
                    else:
                        yield table, str(value).encode()
    for session in Session.objects.all():
        yield "django_session (decoded)", repr(SessionStore().decode(session.session_data)).encode()


def _files(root: Path) -> Iterator[tuple[str, bytes]]:
    for path in root.rglob("*"):
        if path.is_file():
            yield str(path), path.read_bytes()


def _pg_dump() -> bytes | None:
    if connection.vendor != "postgresql" or shutil.which("pg_dump") is None:
        return None
    params = connection.get_connection_params()
    env = {**os.environ}
    if params.get("password"):
        env["PGPASSWORD"] = str(params["password"])
    command = ["pg_dump", "--data-only", "--no-owner", "-d", str(params.get("dbname"))]
    for flag, key in (("-h", "host"), ("-p", "port"), ("-U", "user")):
        if params.get(key):
            command += [flag, str(params[key])]
    return subprocess.run(command, check=True, capture_output=True, env=env).stdout  # noqa: S603


def _hits(sources: Iterator[tuple[str, bytes]], needles: list[bytes]) -> list[str]:
    return [
        f"{where}: {needle!r}" for where, data in sources for needle in needles if needle in data
    ]


def test_no_marker_and_no_address_or_user_agent_is_stored_anywhere(
    institution, places, adviser, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    # Bigger than Django's in-memory limit (2.5 MB), so a plaintext temp file would appear.
    big = (b"%PDF-1.4\n" + f"% {MARKER}\n".encode() * 200_000)[: 3 * 2**20] + b"\n%%EOF\n"
    pdf = SimpleUploadedFile(f"{MARKER}.pdf", big, "application/pdf")
    client = reporter_client()
    with django_capture_on_commit_callbacks(execute=True):
        made = make_report(client, "support", marker=MARKER, files=[pdf])
    # The temporary folder is empty once the upload is done.
    assert not _hits(_files(places["temp"]), _needles())

    case = Case.objects.get(report=made.report)
    case.assignments.create(user=adviser)
    case_record_opening(case=case, user=adviser)
    with django_capture_on_commit_callbacks(execute=True):
        message_send_from_staff(case=case, author=adviser, body=f"Reply {MARKER}")
    returning = reporter_client()
    assert sign_in(returning, made.reference, made.passphrase).status_code == 302
    returning.post(reverse("reporting:return_message"), {"body": f"Message {MARKER}"})
    returning.post(reverse("reporting:return_add"), {"body": f"Added {MARKER}"})
    assert returning.get(reverse("reporting:return")).status_code == 200

    found = _hits(_database_values(), _needles() + _identity_needles())
    found += _hits(_files(places["media"]), _needles() + _identity_needles())
    found += _hits(_files(places["temp"]), _needles() + _identity_needles())
    found += _hits(iter([("logs", caplog.text.encode())]), _needles() + _identity_needles())
    found += _hits(
        ((f"email {m.subject}", f"{m.subject}{m.body}".encode()) for m in mail.outbox),
        _needles() + _identity_needles(),
    )
    dump = _pg_dump()
    if dump is not None:
        found += _hits(iter([("pg_dump", dump)]), _needles() + _identity_needles())
    assert found == []
    # The search works (it finds a value stored in clear on purpose), and the test really
    # planted what it looks for: it is all there, decrypted.
    assert _hits(_database_values(), [made.reference.encode()])
    if dump is not None:
        assert made.reference.encode() in dump
    assert MARKER in made.report.answers["what"]["what_text"]
    assert [m for m in mail.outbox if "triage@example.test" in m.to]
