"""Files kept with incidents in a private record (issue 14, evidence).

Persona: Jo keeps a record on her phone. She adds a photo of the man waiting outside her
flat, taken with her phone's location on, and chooses (on the same page, before it is
sent) to have the hidden details removed. Later she adds a screenshot and keeps its
details, corrects an entry keeping its photo, and in the end deletes the whole record.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image
from pytest_django.fixtures import Settings

from waypoint.log import evidence as log_files
from waypoint.log.build import chronology_for_log
from waypoint.log.models import IncidentLog, LogEntry, LogEvidence
from waypoint.log.services import (
    EntryError,
    FilesRejected,
    entry_add,
    entry_add_with_files,
    log_delete,
    log_start,
)
from waypoint.log.tests.support import content
from waypoint.log.tests.test_views import a_phone, incident, start_a_record
from waypoint.privacy.crypto import DecryptionError
from waypoint.reporting.tests import sample_files as samples
from waypoint.reporting.tests.test_uploads import (  # fixtures, used by name
    media_dir,  # noqa: F401
    upload_dir,  # noqa: F401
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("upload_dir", "media_dir")]

LOCATION = "location (GPS coordinates)"


@pytest.fixture
def media(media_dir: Path) -> Path:  # noqa: F811 - the imported fixture
    return media_dir


def photo_with_location() -> bytes:
    """A phone photo as Pillow writes one: a camera make and the place it was taken."""
    image = Image.new("RGB", (48, 32), (200, 80, 40))
    exif = Image.Exif()
    exif[0x010F] = "ExamplePhoneCo"  # Make
    exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: (52.0, 37.0, 21.87), 3: "W", 4: (1.0, 7.0, 45.12)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def gps_of(data: bytes) -> dict[int, Any]:
    with Image.open(io.BytesIO(data)) as image:
        return dict(image.getexif().get_ifd(ExifTags.IFD.GPSInfo))


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> Any:
    return SimpleUploadedFile(name, data, content_type)


def the_log() -> IncidentLog:
    return IncidentLog.objects.select_related("data_key").get()


def kept(evidence: LogEvidence) -> LogEvidence:
    row = LogEvidence.objects.select_related("log__data_key").get(pk=evidence.pk)
    return row


def stored_names(media: Path) -> list[str]:
    return sorted(str(path.relative_to(media)) for path in media.rglob("*") if path.is_file())


# --- On the form ----------------------------------------------------------------------------


def test_jo_adds_a_photo_and_its_location_is_removed_before_it_is_kept(
    institution: object, media: Path
) -> None:
    client = a_phone()
    start_a_record(client)
    original = photo_with_location()
    assert gps_of(original)  # the photo does carry where it was taken

    response = client.post(
        reverse("log:add"),
        {**incident(), "metadata": "remove", "evidence": [upload("outside.jpg", original)]},
    )

    assert response.status_code == 302, response.content[:800]
    entry = LogEntry.objects.select_related("log__data_key").get()
    listed = entry.content["evidence"]
    evidence = kept(LogEvidence.objects.get())
    assert evidence.entry_id == entry.pk
    data = log_files.log_evidence_read(evidence=evidence)
    assert gps_of(data) == {}
    assert data != original
    # The entry's content (which the chain covers) names the file by its SHA-256.
    assert listed == [
        {
            "id": str(evidence.pk),
            "sha256": hashlib.sha256(data).hexdigest(),
            "name": "outside.jpg",
            "size": len(data),
            "content_type": "image/jpeg",
        }
    ]
    assert evidence.sha256 == hashlib.sha256(data).hexdigest()
    assert evidence.keep_metadata is False
    assert evidence.metadata_found is not None and LOCATION in evidence.metadata_found
    # Only the clean copy ever reached storage.
    assert stored_names(media) == [evidence.storage_name]
    assert evidence.clean_storage_name == ""

    page = client.get(reverse("log:entry", kwargs={"seq": 1})).content.decode()
    assert "outside.jpg" in page
    assert "We found these hidden details and removed them:" in page
    assert LOCATION in page


def test_remove_is_what_happens_when_jo_makes_no_choice(institution: object) -> None:
    client = a_phone()
    start_a_record(client)
    form = client.get(reverse("log:add")).context["form"]
    assert form["metadata"].value() == "remove"
    client.post(
        reverse("log:add"), {**incident(), "evidence": [upload("a.jpg", photo_with_location())]}
    )
    evidence = kept(LogEvidence.objects.get())
    assert gps_of(log_files.log_evidence_read(evidence=evidence)) == {}


def test_jo_can_keep_a_photo_exactly_as_it_was_taken(institution: object) -> None:
    client = a_phone()
    start_a_record(client)
    original = photo_with_location()

    client.post(
        reverse("log:add"),
        {**incident(), "metadata": "keep", "evidence": [upload("outside.jpg", original)]},
    )

    evidence = kept(LogEvidence.objects.get())
    assert log_files.log_evidence_read(evidence=evidence) == original
    assert evidence.sha256 == hashlib.sha256(original).hexdigest()
    assert evidence.keep_metadata is True
    assert evidence.clean_storage_name  # a clean copy beside it, for viewing
    page = client.get(reverse("log:entry", kwargs={"seq": 1})).content.decode()
    assert "It holds these hidden details, which you chose to keep:" in page


def test_a_file_we_cannot_check_is_kept_as_sent_and_the_page_says_so(institution: object) -> None:
    client = a_phone()
    start_a_record(client)
    pdf = samples.pdf()
    client.post(reverse("log:add"), {**incident(), "evidence": [upload("letter.pdf", pdf)]})
    evidence = kept(LogEvidence.objects.get())
    assert log_files.log_evidence_read(evidence=evidence) == pdf
    assert evidence.content_type == "application/pdf"
    assert evidence.keep_metadata is None
    page = client.get(reverse("log:entry", kwargs={"seq": 1})).content.decode()
    assert "We cannot check this kind of file for hidden details" in page


def test_a_file_we_refuse_keeps_everything_jo_typed_and_saves_nothing(
    institution: object, media: Path
) -> None:
    client = a_phone()
    start_a_record(client)
    response = client.post(
        reverse("log:add"),
        {
            **incident(what_text="He was outside again at 7.40"),
            "evidence": [
                upload("outside.jpg", photo_with_location()),
                upload("page.html", samples.html_page()),
            ],
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="error-summary"' in page
    assert "page.html: We can&#x27;t accept this kind of file." in page
    assert "He was outside again at 7.40" in page
    assert LogEntry.objects.count() == 0
    assert LogEvidence.objects.count() == 0
    assert stored_names(media) == []  # the photo stored first was deleted again


def test_when_other_answers_need_fixing_jo_is_told_to_choose_her_files_again(
    institution: object, media: Path
) -> None:
    client = a_phone()
    start_a_record(client)
    response = client.post(
        reverse("log:add"),
        {
            **incident(behaviours=None, what_text="", witnesses="My flatmate"),
            "evidence": [upload("outside.jpg", photo_with_location())],
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose them again before you save." in page
    assert "My flatmate" in page
    assert LogEvidence.objects.count() == 0
    assert stored_names(media) == []


def test_an_incident_holds_no_more_files_than_a_report(
    institution: object, settings: Settings
) -> None:
    settings.WAYPOINT_UPLOAD_MAX_FILES = 2
    client = a_phone()
    start_a_record(client)
    response = client.post(
        reverse("log:add"),
        {
            **incident(),
            "evidence": [upload(f"{n}.pdf", samples.pdf()) for n in range(3)],
        },
    )
    assert response.status_code == 400
    assert "You can keep up to 2 files with one incident." in response.content.decode()
    assert LogEntry.objects.count() == 0


def test_a_correction_keeps_the_photo_it_corrects_and_adds_another(institution: object) -> None:
    client = a_phone()
    start_a_record(client)
    client.post(
        reverse("log:add"),
        {**incident(), "evidence": [upload("outside.jpg", photo_with_location())]},
    )
    photo = LogEvidence.objects.get()
    form = client.get(reverse("log:correct", kwargs={"seq": 1})).content.decode()
    assert "outside.jpg" in form

    response = client.post(
        reverse("log:correct", kwargs={"seq": 1}),
        {
            **incident(what_text="It was 7.40, not 9"),
            "kept_files": [str(photo.pk)],
            "evidence": [upload("letter.pdf", samples.pdf())],
        },
    )

    assert response.status_code == 302, response.content[:800]
    first, correction = LogEntry.objects.select_related("log__data_key").order_by("seq")
    ids = [item["id"] for item in correction.content["evidence"]]
    assert ids[0] == str(photo.pk)
    assert correction.content["evidence"][0] == first.content["evidence"][0]
    assert len(ids) == 2
    assert LogEvidence.objects.get(pk=photo.pk).entry_id == first.pk  # still the original's
    assert LogEvidence.objects.get(pk=ids[1]).entry_id == correction.pk
    chronology = chronology_for_log(the_log(), institution="Testing")
    assert [e.evidence for e in chronology.entries] == [(1,), (1, 2)]
    assert chronology.integrity.intact


# --- The services ---------------------------------------------------------------------------


def test_a_file_is_stored_unattached_until_an_entry_lists_it() -> None:
    log = log_start().log
    evidence = log_files.log_evidence_add(
        log=log, upload=upload("a.pdf", samples.pdf()), keep_metadata=False
    )
    assert evidence.entry_id is None
    entry = entry_add(log=log, content=content(evidence=[log_files.content_item(evidence)]))
    assert LogEvidence.objects.get(pk=evidence.pk).entry_id == entry.pk


def test_an_entry_cannot_list_a_file_of_another_log_or_of_another_entry() -> None:
    log, other = log_start().log, log_start().log
    theirs = log_files.log_evidence_add(
        log=other, upload=upload("a.pdf", samples.pdf()), keep_metadata=False
    )
    with pytest.raises(EntryError):
        entry_add(log=log, content=content(evidence=[log_files.content_item(theirs)]))
    mine = log_files.log_evidence_add(
        log=log, upload=upload("b.pdf", samples.pdf()), keep_metadata=False
    )
    entry_add(log=log, content=content(evidence=[log_files.content_item(mine)]))
    with pytest.raises(EntryError):  # only a correction may list it again
        entry_add(log=log, content=content(evidence=[log_files.content_item(mine)]))


def test_an_entry_s_evidence_must_have_the_documented_shape() -> None:
    log = log_start().log
    for bad in (
        ["some-id"],
        [{"id": "x", "sha256": "0" * 64, "name": "a", "size": 1, "content_type": "a"}],
        [
            {
                "id": "6f1d2c1e-1b1a-4d1f-9d8e-0a0b0c0d0e0f",
                "sha256": "XYZ",
                "name": "a",
                "size": 1,
                "content_type": "a",
            }
        ],
    ):
        with pytest.raises(EntryError):
            entry_add(log=log, content=content(evidence=bad))


def test_refused_files_leave_nothing_behind(media: Path) -> None:
    log = log_start().log
    with pytest.raises(FilesRejected) as refused:
        entry_add_with_files(
            log=log,
            content=content(),
            uploads=[upload("a.pdf", samples.pdf()), upload("b.exe", samples.windows_executable())],
        )
    assert [name for name, _ in refused.value.problems] == ["b.exe"]
    assert LogEvidence.objects.count() == 0
    assert LogEntry.objects.count() == 0
    assert stored_names(media) == []


# --- Tampering -----------------------------------------------------------------------------


def _recorded_with_a_photo() -> tuple[IncidentLog, LogEntry, LogEvidence]:
    log = log_start().log
    entry = entry_add_with_files(
        log=log, content=content(), uploads=[upload("outside.jpg", photo_with_location())]
    )
    return log, entry, kept(LogEvidence.objects.get())


def test_a_changed_digest_in_the_database_shows_on_the_entry_and_in_the_export(
    institution: object,
) -> None:
    client = a_phone()
    start_a_record(client)
    client.post(
        reverse("log:add"),
        {**incident(), "evidence": [upload("outside.jpg", photo_with_location())]},
    )
    evidence = LogEvidence.objects.get()
    LogEvidence.objects.filter(pk=evidence.pk).update(sha256="0" * 64)

    page = client.get(reverse("log:entry", kwargs={"seq": 1})).content.decode()
    assert "This file does not match the digest recorded with this entry" in page
    chronology = chronology_for_log(the_log(), institution="Testing")
    assert not chronology.integrity.intact
    assert "evidence 1" in chronology.integrity.problem
    with pytest.raises(DecryptionError):
        log_files.log_evidence_read(evidence=kept(evidence))


def test_a_changed_digest_inside_the_entry_breaks_the_chain() -> None:
    _, entry, _ = _recorded_with_a_photo()
    changed = LogEntry.objects.select_related("log__data_key").get(pk=entry.pk)
    listed = dict(changed.content)
    listed["evidence"] = [{**listed["evidence"][0], "sha256": "0" * 64}]
    changed.content = listed
    changed.save(update_fields=["content"])

    chronology = chronology_for_log(the_log(), institution="Testing")
    assert not chronology.integrity.intact
    assert chronology.integrity.first_bad_seq == 1


def test_a_changed_file_in_storage_does_not_read_back() -> None:
    _, _, evidence = _recorded_with_a_photo()
    with default_storage.open(evidence.storage_name, "rb") as stored:
        data = bytearray(stored.read())
    data[-40] ^= 0x01
    default_storage.delete(evidence.storage_name)
    default_storage.save(evidence.storage_name, io.BytesIO(bytes(data)))
    with pytest.raises(DecryptionError):
        log_files.log_evidence_read(evidence=evidence)


# --- Deleting -------------------------------------------------------------------------------


def test_deleting_the_record_deletes_its_files_once_the_key_is_shredded(
    media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    log = log_start().log
    entry_add_with_files(
        log=log,
        content=content(),
        uploads=[upload("outside.jpg", photo_with_location())],
        keep_metadata=True,
    )
    assert len(stored_names(media)) == 2  # the original and its clean copy
    with django_capture_on_commit_callbacks(execute=True):
        log_delete(log=log)
    assert stored_names(media) == []
    assert LogEvidence.objects.count() == 0


def test_the_files_can_be_deleted_now_for_a_purge(media: Path) -> None:
    log = log_start().log
    entry_add_with_files(log=log, content=content(), uploads=[upload("a.pdf", samples.pdf())])
    log_files.log_evidence_delete_files(log=log)
    assert stored_names(media) == []
