"""Download my record, end to end from a real log: the signed PDF shows every incident, the
correction beside its original and the chain's final digest, and checks as genuine on the
verification page; a record changed in the database says so (issue 14, items 3 and 5).

Persona: Jo has kept her record for a fortnight and is taking it to the police.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from waypoint.institution.demo import institution_load_demo
from waypoint.log import session as log_session
from waypoint.log.export.signature import verify_pdf
from waypoint.log.models import IncidentLog, LogEntry
from waypoint.log.services import entry_add, entry_correct, log_start
from waypoint.log.tests.support import content

pytestmark = pytest.mark.django_db

needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="needs pdftotext (apt-get install poppler-utils)"
)


def jos_record() -> IncidentLog:
    log = log_start().log
    entry_add(log=log, content=content(what={"behaviours": [], "text": "Waited outside my flat"}))
    second = entry_add(log=log, content=content(what={"behaviours": [], "text": "Messages: 12"}))
    entry_add(log=log, content=content(what={"behaviours": [], "text": "At the gym door"}))
    entry_correct(
        log=log, entry=second, content=content(what={"behaviours": [], "text": "Messages: 14"})
    )
    return log


def signed_in(log: IncidentLog) -> Client:
    client = Client()
    session = client.session
    now = log_session.now_seconds()
    session[log_session.LOG_ID] = str(log.pk)
    session[log_session.STARTED_AT] = now
    session[log_session.SEEN_AT] = now
    session.save()
    return client


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "record.pdf"
    path.write_bytes(data)
    done = subprocess.run(  # noqa: S603 - Debian's pdftotext on our own file
        ["pdftotext", "-layout", str(path), "-"],  # noqa: S607 - found on PATH
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@needs_pdftotext
def test_jo_downloads_a_signed_record_that_shows_every_incident_and_checks_as_genuine(
    tmp_path: Path,
) -> None:
    institution_load_demo()
    log = jos_record()
    client = signed_in(log)

    page = client.get(reverse("log:download"))
    assert page.status_code == 200
    assert "Download the PDF" in page.content.decode()
    response = client.get(reverse("log:download_pdf"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert str(log.reference) not in response["Content-Disposition"]  # a shared downloads folder
    assert "no-store" in response["Cache-Control"]
    data = response.content
    verdict = verify_pdf(data)
    assert verdict.genuine
    text = " ".join(pdf_text(data, tmp_path).split())
    for words in ("Waited outside my flat", "Messages: 12", "At the gym door", "Messages: 14"):
        assert words in text
    final = LogEntry.objects.get(log=log, seq=4).digest
    assert final[:32] in text.replace(" ", "")


def test_the_spreadsheet_has_one_row_per_entry() -> None:
    institution_load_demo()
    client = signed_in(jos_record())
    response = client.get(reverse("log:download_csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert "Messages: 14" in text and "Messages: 12" in text
    assert len([line for line in text.splitlines() if line.strip()]) == 5  # header + 4


@needs_pdftotext
def test_a_record_changed_in_the_database_says_so_on_its_page_and_in_its_export(
    tmp_path: Path,
) -> None:
    institution_load_demo()
    log = jos_record()
    second = LogEntry.objects.get(log=log, seq=2)
    second.log = log
    second.content = content(what={"behaviours": [], "text": "Nothing happened"})
    second.save()
    client = signed_in(log)

    home = client.get(reverse("log:home")).content.decode()
    assert "Entry 2 was changed after it was written" in home
    text = " ".join(pdf_text(client.get(reverse("log:download_pdf")).content, tmp_path).split())
    assert "Entry 2 was changed after it was written" in text


def test_without_a_signed_in_record_the_downloads_go_to_sign_in() -> None:
    for name in ("log:download", "log:download_pdf", "log:download_csv"):
        response = Client().get(reverse(name))
        assert response.status_code == 302
        assert response["Location"] == reverse("log:sign_in")


def test_a_record_downloaded_in_a_loop_is_paused_but_another_record_is_not() -> None:
    # A long record's PDF takes seconds to make: a script fetching one record over and
    # over must not hold every worker. Ten files an hour per record, PDF and CSV together.
    institution_load_demo()
    looped, other = signed_in(jos_record()), signed_in(jos_record())
    statuses = [looped.get(reverse("log:download_csv")).status_code for _ in range(10)]
    assert statuses == [200] * 10

    paused = looped.get(reverse("log:download_pdf"))
    assert paused.status_code == 429
    assert "Please wait a few minutes" in paused.content.decode()
    assert other.get(reverse("log:download_csv")).status_code == 200
