"""Files kept with a record, in a real Chromium on a phone, with JavaScript on and off
(issue 14: "done when").

Persona: Jo starts a record on her phone and writes down three incidents. With the first
she adds a photo of the man waiting outside her flat; her phone saved where it was taken,
and she has that removed (chosen on the same page, before the upload). She first picks
the wrong file by mistake, is told, and nothing she typed is lost. She corrects an
entry, keeping its photo, then downloads her record: pdftotext of the PDF shows every
incident, the correction and the photo's SHA-256.

Keyboard-only entry of an incident is covered by test_incident_log.py
(test_an_incident_can_be_added_with_tab_space_and_enter_alone).
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import ExifTags, Image
from playwright.sync_api import FilePayload
from pytest_django.fixtures import Settings

from tests.browser.reporting_support import choose, fill, tick
from tests.browser.support import MOBILE, BrowserSession, save_screenshot
from tests.browser.test_incident_log import (  # noqa: F401 - log_ready is a fixture
    JS,
    MESSAGES,
    THREATS,
    WHEN,
    WORDS,
    log_ready,
    new_walk,
    start_a_record,
)
from waypoint.institution.models import Institution
from waypoint.log.evidence import log_evidence_read
from waypoint.log.export.signature import verify_pdf
from waypoint.log.models import LogEvidence
from waypoint.reporting.tests import sample_files

pytestmark = pytest.mark.browser

FILES = "Photos, screenshots or files"
METADATA = "If a photo holds hidden details such as where it was taken"


def photo_with_location() -> bytes:
    image = Image.new("RGB", (64, 48), (40, 90, 160))
    exif = Image.Exif()
    exif[0x010F] = "ExamplePhoneCo"  # Make
    exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: (52.0, 37.0, 21.87), 3: "W", 4: (1.0, 7.0, 45.12)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def has_location(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as image:
        return bool(image.getexif().get_ifd(ExifTags.IFD.GPSInfo))


@pytest.fixture
def media(tmp_path: Path, settings: Settings) -> Path:
    folder = tmp_path / "media"
    folder.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }
    return folder


def pdftotext_lines(pdf: bytes) -> list[str]:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian's poppler-utils) is not installed")
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"],  # noqa: S607
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    return [line.strip() for line in out.splitlines()]


@JS
def test_jo_keeps_a_photo_with_its_location_removed_and_downloads_it_all(
    browser_session: BrowserSession,
    log_ready: Institution,  # noqa: F811 - the fixture imported above
    media: Path,
    javascript: bool,
) -> None:
    mode = "js" if javascript else "no-js"
    walk = new_walk(browser_session, log_ready, javascript=javascript, viewport=MOBILE)
    page = walk.page
    main = page.locator("main")
    start_a_record(walk, check=False)
    photo = photo_with_location()
    assert has_location(photo)

    # The first incident, with the wrong file chosen by mistake.
    walk.follow("Add an incident")
    assert walk.h1() == "Add an incident"
    choose(page, WHEN, "Just now")
    tick(page, MESSAGES)
    fill(page, WORDS, "Waiting across the road from my flat at 7.40")
    fill(page, "Did anyone see or hear it?", "My flatmate Priya")
    wrong: FilePayload = {
        "name": "saved-page.html",
        "mimeType": "text/html",
        "buffer": sample_files.html_page(),
    }
    main.get_by_label(FILES, exact=True).set_input_files([wrong])
    walk.press("Save and add another")
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert "saved-page.html: We can't accept this kind of file." in summary.inner_text()
    # Nothing typed is lost.
    assert main.get_by_label(WORDS, exact=True).input_value().startswith("Waiting across")
    assert main.get_by_label("Did anyone see or hear it?").input_value() == "My flatmate Priya"
    walk.check("add incident with an upload error")
    save_screenshot(page, f"log-evidence-upload-error-{mode}", full_page=True)

    chosen: FilePayload = {"name": "outside.jpg", "mimeType": "image/jpeg", "buffer": photo}
    main.get_by_label(FILES, exact=True).set_input_files([chosen])
    choose(page, METADATA, "Remove them (recommended)")
    walk.press("Save and add another")
    assert walk.h1() == "Add an incident"
    assert main.get_by_text("Incident 1 is saved. You can add another.").is_visible()

    # Two more, without files.
    choose(page, WHEN, "Just now")
    tick(page, THREATS)
    fill(page, WORDS, "Said he knows where I live")
    walk.press("Save and add another")
    choose(page, WHEN, "Just now")
    tick(page, MESSAGES)
    fill(page, WORDS, "Twelve messages overnight")
    walk.press("Save")
    assert walk.h1() == "Your record"

    # The photo was kept without its location, and the entry says so in plain words.
    kept = LogEvidence.objects.select_related("log__data_key").get()
    stored = log_evidence_read(evidence=kept)
    assert not has_location(stored)
    walk.goto("/log/record/entries/1/")
    assert walk.h1() == "Entry 1"
    assert main.get_by_text("outside.jpg").is_visible()
    assert main.get_by_text("We found these hidden details and removed them:").is_visible()
    assert main.get_by_text("location (GPS coordinates)").is_visible()
    walk.check("an entry with a file")
    save_screenshot(page, f"log-evidence-entry-{mode}", full_page=True)

    # Correct it, keeping the photo.
    walk.follow("Correct this entry")
    assert walk.h1() == "Correct entry 1"
    assert main.get_by_label("outside.jpg", exact=False).is_checked()
    fill(page, WORDS, "Waiting across the road from my flat at 7.45, not 7.40")
    walk.press("Save the correction")
    assert walk.h1() == "Entry 4"
    assert main.get_by_text("outside.jpg").is_visible()

    # Download: every incident, the correction and the photo's SHA-256 are real text.
    walk.goto("/log/record/download/")
    with page.expect_download() as arrived:
        main.get_by_role("link", name="Download the PDF").click()
    path = arrived.value.path()
    assert path is not None
    pdf = path.read_bytes()
    assert verify_pdf(pdf).genuine
    lines = pdftotext_lines(pdf)
    text = " ".join(" ".join(lines).split())
    for words in (
        "Waiting across the road from my flat at 7.40",
        "Waiting across the road from my flat at 7.45, not 7.40",
        "Said he knows where I live",
        "Twelve messages overnight",
        "Correction of entry 1",
        "outside.jpg",
        "Evidence 1",
    ):
        assert words in text, words
    assert kept.sha256 in lines  # the whole digest, unbroken, on one line
