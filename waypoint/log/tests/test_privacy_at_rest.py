"""Nothing a person writes in their record is stored in clear, and nothing records who they
are: a marker in every field of an incident, of a person named, of a correction, and in
the bytes and the name of a file kept with the incident is searched for in every column of
every table (sessions decoded), a pg_dump on PostgreSQL, the media folder, the temporary
folder, the logs and the outbox; so are their address and user agent.
(The same search as the report's: reporting/tests/test_privacy_at_rest.py.)
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from waypoint.institution.demo import institution_load_demo
from waypoint.log.evidence import log_evidence_read
from waypoint.log.models import LogEntry, LogEvidence, LogPerson
from waypoint.reporting.default_options import load_default_options
from waypoint.reporting.models import ReportOption
from waypoint.reporting.tests.test_privacy_at_rest import (
    _database_values,
    _files,
    _hits,
    _pg_dump,
)

MARKER = "CANARY-LOG-93b1"
ADDRESS = "198.51.100.61"
AGENT = "TestBrowser/2.0 UA-LOG-MARKER-41c2"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media_folder(tmp_path: Path, settings: Settings) -> Path:
    folder = tmp_path / "media"
    folder.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": folder},
        },
    }
    return folder


@pytest.fixture
def temp_folder(tmp_path: Path, settings: Settings) -> Iterator[Path]:
    folder = tmp_path / "tmp"
    folder.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    old = tempfile.tempdir
    tempfile.tempdir = str(folder)
    try:
        yield folder
    finally:
        tempfile.tempdir = old


def _every_field(text: str) -> dict[str, object]:
    return {
        "when_kind": "exact",
        "date": "2026-11-30",
        "time": "21:10",
        "behaviours": ["repeated-contact"],
        "what_text": f"What {text}",
        "where_text": f"Where {text}",
        "new_person": f"Name {text}",
        "new_email": f"{text.lower()}@example.org",
        "new_phone": "07700 900461",
        "new_handle": f"@{text.lower()}",
        "new_student_number": "A1234567",
        "witnesses": f"Witness {text}",
        "affected": f"Affected {text}",
        "police_officer": f"Officer {text}",
        "police_reference": f"CR-{text}",
        "then": "done",
    }


def test_no_marker_address_or_user_agent_of_a_record_is_stored_anywhere(
    temp_folder: Path, media_folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    # Committing tests empty every table, data migrations included: the option lists too.
    load_default_options(ReportOption)
    institution_load_demo()
    client = Client(REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=AGENT)
    client.post(reverse("log:start"))
    receipt = client.get(reverse("log:receipt"))
    words = receipt.context["passphrase"].split()
    client.get(reverse("log:receipt_check"))
    first, second = client.session["waypoint.log.check_positions"]
    client.post(
        reverse("log:receipt_check"), {"first": words[first - 1], "second": words[second - 1]}
    )
    # Bigger than Django's in-memory limit (2.5 MB), so a plaintext temp file would appear.
    big = (b"%PDF-1.4\n" + f"% {MARKER}\n".encode() * 200_000)[: 3 * 2**20] + b"\n%%EOF\n"
    pdf = SimpleUploadedFile(f"{MARKER}.pdf", big, "application/pdf")
    added = client.post(reverse("log:add"), {**_every_field(MARKER), "evidence": [pdf]})
    assert added.status_code == 302, added.content[:500]
    kept_file = LogEvidence.objects.get()
    corrected = client.post(
        reverse("log:correct", kwargs={"seq": 1}),
        {
            **_every_field(MARKER),
            "new_person": "",
            "new_email": "",
            "new_phone": "",
            "new_handle": "",
            "new_student_number": "",
            "what_text": f"Corrected {MARKER}",
            "kept_files": [str(kept_file.pk)],
        },
    )
    assert corrected.status_code == 302, corrected.content[:500]
    assert client.get(reverse("log:home")).status_code == 200
    assert client.get(reverse("log:entry", kwargs={"seq": 2})).status_code == 200
    assert client.get(reverse("log:download_csv")).status_code == 200

    needles = [MARKER.encode(), MARKER.lower().encode(), b"07700 900461", b"A1234567"]
    needles += [ADDRESS.encode(), b"UA-LOG-MARKER-41c2"]
    found = _hits(_database_values(), needles)
    found += _hits(_files(temp_folder), needles)
    found += _hits(_files(media_folder), needles)
    found += _hits(iter([("logs", caplog.text.encode())]), needles)
    found += _hits(
        ((f"email {m.subject}", f"{m.subject}{m.body}".encode()) for m in mail.outbox), needles
    )
    dump = _pg_dump()
    if dump is not None:
        found += _hits(iter([("pg_dump", dump)]), needles)
    assert found == []
    # It was all planted: both versions read back, decrypted.
    texts = [
        e.content["what"]["text"]
        for e in LogEntry.objects.select_related("log__data_key").order_by("seq")
    ]
    assert texts == [f"What {MARKER}", f"Corrected {MARKER}"]
    person = LogPerson.objects.select_related("log__data_key").get()
    assert person.name == f"Name {MARKER}"
    assert person.identifiers and person.identifiers["student_number"] == "A1234567"
    kept_file = LogEvidence.objects.select_related("log__data_key").get()
    assert kept_file.original_name == f"{MARKER}.pdf"
    assert log_evidence_read(evidence=kept_file) == big
    assert any(media_folder.rglob("*"))
