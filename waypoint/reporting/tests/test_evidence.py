"""Evidence services: what we accept, what we store, and what a clean copy still carries.

Uploads go through the real encrypting handler (multipart_request) unless a test is about
a limit the handler would enforce first; then a SimpleUploadedFile stands in, which also
shows the services accept any UploadedFile.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from waypoint.privacy.crypto import DecryptionError
from waypoint.privacy.models import AuditEvent
from waypoint.privacy.services import data_key_create
from waypoint.reporting.evidence import (
    EvidenceRejected,
    evidence_add,
    evidence_choose_metadata,
    evidence_delete_files,
    evidence_read,
    evidence_remove,
)
from waypoint.reporting.models import Draft, Evidence, EvidenceKind, Report, Route
from waypoint.reporting.tests import sample_files as samples
from waypoint.reporting.tests.test_uploads import (  # fixtures, used by name
    media_dir,  # noqa: F401
    multipart_request,
    the_file,
    upload_dir,  # noqa: F401
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("upload_dir", "media_dir")]

KiB = 1024
PLANTED = [
    samples.CAMERA_MAKE,
    samples.CAMERA_MODEL,
    samples.SERIAL_NUMBER,
    samples.OWNER_NAME,
    samples.SOFTWARE,
    samples.XMP_CREATOR,
    samples.JPEG_COMMENT,
    samples.PNG_COMMENT,
    samples.TAKEN_AT,
]


@pytest.fixture
def draft() -> Draft:
    return Draft.objects.create(
        route=Route.ANONYMOUS,
        data_key=data_key_create(purpose="report"),
        expires_at=timezone.now() + timedelta(hours=1),
    )


def received(name: str, content: bytes) -> Any:
    """`content` as it reaches a view: through the multipart parser and our handler."""
    request = multipart_request({"evidence": SimpleUploadedFile(name, content)})
    return the_file(request)


def add(draft: Draft, name: str, content: bytes, **kwargs: Any) -> Evidence:
    return evidence_add(upload=received(name, content), draft=draft, **kwargs)


def reopen(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def assert_carries_nothing(data: bytes) -> None:
    image = reopen(data)
    assert not image.getexif()
    for key in ("exif", "icc_profile", "xmp", "comment", "photoshop"):
        assert key not in image.info, key
    assert getattr(image, "text", {}) == {}
    for planted in PLANTED:
        assert planted.encode() not in data, planted
    for marker in (b"Exif\0\0", b"http://ns.adobe.com", b"GPS", b"ICC_PROFILE", b"tEXt", b"iTXt"):
        assert marker not in data, marker


# --- Photos: hidden details and clean copies -------------------------------------------------


def test_a_photo_with_a_location_is_flagged_and_its_clean_copy_has_no_exif(draft):
    original = samples.jpeg_with_metadata()

    evidence = add(draft, "IMG_0042.jpg", original)

    assert evidence.kind == EvidenceKind.IMAGE
    assert evidence.content_type == "image/jpeg"
    assert evidence.metadata_found == [
        "location (GPS coordinates)",
        "date and time taken",
        "camera or phone model",
        "the device's serial number",
        "software used",
        "a name (author or owner)",
        "an embedded preview image",
        "text notes",
    ]
    assert evidence.keep_metadata is None
    clean = evidence_read(evidence=evidence)
    assert len(clean) == evidence.clean_size
    assert reopen(clean).format == "JPEG"
    assert reopen(clean).size == (64, 48)
    assert_carries_nothing(clean)


def test_the_original_is_kept_exactly_as_received_with_its_sha256(draft):
    original = samples.jpeg_with_metadata()

    evidence = add(draft, "IMG_0042.jpg", original)

    assert evidence.sha256 == hashlib.sha256(original).hexdigest()
    assert evidence.size == len(original)
    assert evidence_read(evidence=evidence, clean=False) == original
    assert reopen(evidence_read(evidence=evidence, clean=False)).getexif()


def test_a_sideways_phone_photo_is_stood_upright_in_the_clean_copy(draft):
    evidence = add(draft, "sideways.jpg", samples.jpeg_with_metadata(orientation=6))

    assert reopen(evidence_read(evidence=evidence)).size == (48, 64)


def test_a_screenshot_with_text_chunks_lists_them_and_its_clean_copy_has_none(draft):
    evidence = add(draft, "Screenshot.png", samples.png_with_text())

    assert evidence.metadata_found == ["software used", "a name (author or owner)", "text notes"]
    clean = evidence_read(evidence=evidence)
    assert reopen(clean).format == "PNG"
    assert reopen(clean).mode == "RGBA"
    assert_carries_nothing(clean)


def test_an_animated_gif_keeps_its_frames_and_loses_its_comment(draft):
    evidence = add(draft, "message.gif", samples.gif_animated(frames=3))

    assert evidence.metadata_found == ["text notes"]
    clean = evidence_read(evidence=evidence)
    image = Image.open(io.BytesIO(clean))
    assert (image.format, getattr(image, "n_frames", 1)) == ("PNG", 3)
    assert b"gif note" not in clean


def test_a_webp_photo_with_exif_is_flagged(draft):
    evidence = add(draft, "photo.webp", samples.webp_plain())

    assert evidence.metadata_found == [
        "location (GPS coordinates)",
        "date and time taken",
        "camera or phone model",
        "software used",
    ]
    assert_carries_nothing(evidence_read(evidence=evidence))


def test_a_photo_without_hidden_details_lists_none_but_still_gets_a_clean_copy(draft):
    evidence = add(draft, "plain.jpg", samples.jpeg_plain())

    assert evidence.metadata_found == []
    assert evidence.clean_storage_name
    assert_carries_nothing(evidence_read(evidence=evidence))


def test_a_heic_photo_is_kept_but_marked_as_not_checked(draft):
    evidence = add(draft, "IMG_0001.HEIC", samples.heic_header())

    assert (evidence.kind, evidence.content_type) == (EvidenceKind.IMAGE, "image/heic")
    assert evidence.metadata_found is None
    assert evidence.clean_storage_name == ""


@pytest.mark.parametrize(
    ("width", "height"),
    [(7000, 7000), (30000, 30000)],
    ids=["over our 40 megapixel limit", "a decompression bomb Pillow refuses too"],
)
def test_an_image_with_too_many_pixels_is_refused_before_they_are_decoded(draft, width, height):
    with pytest.raises(EvidenceRejected) as refused:
        add(draft, "huge.png", samples.png_header_only(width=width, height=height))

    assert refused.value.code == "image_too_large"
    assert "too large" in refused.value.message
    assert not Evidence.objects.exists()


def test_a_damaged_photo_is_refused_kindly(draft):
    truncated = samples.jpeg_with_metadata(size=(400, 300))[:1500]

    with pytest.raises(EvidenceRejected) as refused:
        add(draft, "broken.jpg", truncated)

    assert refused.value.code == "unreadable"
    assert refused.value.message.startswith("We couldn't open this file.")


# --- Kinds of file -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "build", "kind", "content_type"),
    [
        ("scan.pdf", samples.pdf, EvidenceKind.PDF, "application/pdf"),
        ("photo-really.pdf", samples.jpeg_plain, EvidenceKind.IMAGE, "image/jpeg"),
        ("a.png", samples.png_plain, EvidenceKind.IMAGE, "image/png"),
        (
            "messages.docx",
            samples.docx,
            EvidenceKind.DOCUMENT,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "timeline.xlsx",
            samples.xlsx,
            EvidenceKind.DOCUMENT,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "notes.odt",
            samples.odt,
            EvidenceKind.DOCUMENT,
            "application/vnd.oasis.opendocument.text",
        ),
        ("old.doc", samples.legacy_doc, EvidenceKind.DOCUMENT, "application/msword"),
        ("letter.rtf", samples.rtf, EvidenceKind.DOCUMENT, "application/rtf"),
        ("notes.txt", samples.text_note, EvidenceKind.DOCUMENT, "text/plain"),
        ("voicemail.mp3", samples.mp3, EvidenceKind.AUDIO, "audio/mpeg"),
        ("memo.m4a", samples.m4a, EvidenceKind.AUDIO, "audio/mp4"),
        ("call.wav", samples.wav, EvidenceKind.AUDIO, "audio/wav"),
        ("note.ogg", samples.ogg, EvidenceKind.AUDIO, "audio/ogg"),
        ("clip.mp4", samples.mp4, EvidenceKind.VIDEO, "video/mp4"),
        ("IMG_1234.MOV", samples.mov, EvidenceKind.VIDEO, "video/quicktime"),
        ("screen.webm", samples.webm, EvidenceKind.VIDEO, "video/webm"),
    ],
)
def test_kinds_we_accept_are_recognised_by_their_content(
    draft, name: str, build: Callable[[], bytes], kind: str, content_type: str
):
    content = build()

    evidence = add(draft, name, content)

    assert (evidence.kind, evidence.content_type) == (kind, content_type)
    assert evidence_read(evidence=evidence, clean=False) == content
    if kind != EvidenceKind.IMAGE:
        assert evidence.metadata_found is None
        assert evidence.clean_storage_name == ""


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.jpg", samples.html_page()),
        ("page.html", samples.html_page()),
        ("page.txt", samples.html_page()),
        ("drawing.svg", samples.svg_with_script()),
        ("drawing.txt", samples.svg_with_script()),
        ("photo.jpg", samples.svg_with_script()),
        ("setup.exe", samples.windows_executable()),
        ("invoice.pdf", samples.windows_executable()),
        ("tool", samples.elf_executable()),
        ("photos.zip", samples.plain_zip()),
        ("report.docx", samples.plain_zip()),
        ("report.docx", samples.docx_lookalike_zip()),
        ("macro.docx", samples.docx(macro=True)),
        ("binary.txt", b"hello\0world"),
        ("latin1.txt", "caf\xe9".encode("latin-1")),
        ("mystery.bin", bytes(range(256)) * 4),
        ("notes", samples.text_note()),
    ],
)
def test_kinds_we_refuse_all_get_the_same_warm_message(draft, name: str, content: bytes):
    with pytest.raises(EvidenceRejected) as refused:
        add(draft, name, content)

    assert refused.value.code == "wrong_type"
    assert refused.value.message == (
        "We can't accept this kind of file. You can upload photos, PDFs, documents, audio or video."
    )
    assert not Evidence.objects.exists()
    assert default_storage.listdir("") == ([], [])


def test_an_empty_file_is_refused_with_its_own_message(draft):
    with pytest.raises(EvidenceRejected) as refused:
        evidence_add(upload=SimpleUploadedFile("empty.pdf", b""), draft=draft)

    assert refused.value.code == "empty"


def test_any_uploaded_file_will_do_not_only_the_encrypted_kind(draft):
    content = samples.jpeg_with_metadata()

    evidence = evidence_add(upload=SimpleUploadedFile("IMG.jpg", content), draft=draft)

    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert "location (GPS coordinates)" in evidence.metadata_found
    assert evidence.original_name == "IMG.jpg"


# --- Limits ------------------------------------------------------------------------------


def test_a_file_over_the_per_file_limit_is_refused(draft, settings):
    settings.WAYPOINT_UPLOAD_MAX_FILE_BYTES = 100 * KiB
    big = samples.sized_pdf(100 * KiB + 1)

    with pytest.raises(EvidenceRejected) as refused:
        evidence_add(upload=SimpleUploadedFile("big.pdf", big), draft=draft)

    assert refused.value.code == "too_big"
    assert "bigger than" in refused.value.message
    evidence_add(upload=SimpleUploadedFile("ok.pdf", big[: 100 * KiB]), draft=draft)


def test_more_files_than_a_report_may_hold_are_refused(draft, settings):
    settings.WAYPOINT_UPLOAD_MAX_FILES = 2
    for number in range(2):
        add(draft, f"{number}.pdf", samples.pdf())

    with pytest.raises(EvidenceRejected) as refused:
        add(draft, "third.pdf", samples.pdf())

    assert refused.value.code == "too_many"
    assert "most one report can hold" in refused.value.message
    assert draft.evidence.count() == 2
    other = Draft.objects.create(
        route=Route.SUPPORT, data_key=data_key_create(purpose="report"), expires_at=draft.expires_at
    )
    add(other, "theirs.pdf", samples.pdf())  # the limit is per draft or report


def test_files_adding_up_past_the_report_limit_are_refused(draft, settings):
    settings.WAYPOINT_UPLOAD_MAX_REPORT_BYTES = 250 * KiB
    add(draft, "one.pdf", samples.sized_pdf(120 * KiB))
    add(draft, "two.pdf", samples.sized_pdf(120 * KiB))

    with pytest.raises(EvidenceRejected) as refused:
        add(draft, "three.pdf", samples.sized_pdf(20 * KiB))

    assert refused.value.code == "total_too_big"
    assert len(default_storage.listdir("evidence")[1]) == 2


def test_evidence_belongs_to_exactly_one_draft_or_report(draft):
    report = _report()
    with pytest.raises(ValueError):
        evidence_add(upload=received("a.pdf", samples.pdf()))
    with pytest.raises(ValueError):
        evidence_add(upload=received("a.pdf", samples.pdf()), draft=draft, report=report)


# --- Storage, sealing and audit ----------------------------------------------------------


def _report() -> Report:
    return Report.objects.create(
        reference="WP-TEST-0001", route=Route.SUPPORT, data_key=data_key_create(purpose="report")
    )


def media_root() -> Path:
    return Path(default_storage.location)  # type: ignore[attr-defined]


def test_stored_files_have_random_names_and_are_sealed_with_the_owners_key(draft):
    media = media_root()
    evidence = add(draft, "../../etc/passwd.jpg", samples.jpeg_with_metadata())

    assert evidence.data_key_id == draft.data_key_id
    assert re.fullmatch(r"evidence/[0-9a-f]{32}", evidence.storage_name)
    assert re.fullmatch(r"evidence/[0-9a-f]{32}", evidence.clean_storage_name)
    stored = sorted(path.name for path in (media / "evidence").iterdir())
    assert stored == sorted(
        name.split("/")[1] for name in (evidence.storage_name, evidence.clean_storage_name)
    )
    assert evidence.original_name == "passwd.jpg"  # Django's parser drops the path
    raw = Evidence.objects.filter(pk=evidence.pk).values_list("original_name", flat=True).get()
    assert raw is not None
    assert b"passwd" not in bytes(raw)
    for path in (media / "evidence").iterdir():
        assert samples.CAMERA_MODEL.encode() not in path.read_bytes()
        assert path.stat().st_mode & 0o077 == 0


def test_a_stored_file_swapped_for_another_does_not_decrypt(draft):
    media = media_root()
    first = add(draft, "a.pdf", samples.pdf(author="First"))
    second = add(draft, "b.pdf", samples.pdf(author="Second"))
    first_path = media / first.storage_name
    second_path = media / second.storage_name
    first_bytes = first_path.read_bytes()
    first_path.write_bytes(second_path.read_bytes())
    second_path.write_bytes(first_bytes)

    with pytest.raises(DecryptionError):
        evidence_read(evidence=first, clean=False)


def test_evidence_for_a_report_is_sealed_with_the_reports_key_and_audited_by_report_id():
    report = _report()

    evidence = evidence_add(
        upload=received("a.pdf", samples.pdf()), report=report, uploaded_by_staff=True
    )

    assert evidence.data_key_id == report.data_key_id
    assert evidence.uploaded_by_staff is True
    event = AuditEvent.objects.get(action="evidence.added")
    assert event.extra["report_id"] == str(report.pk)


def test_audit_entries_carry_ids_sizes_kinds_and_hashes_never_names(draft):
    name = "Sam Someone - home at 14 Example Road.jpg"
    evidence = add(draft, name, samples.jpeg_with_metadata())

    event = AuditEvent.objects.get(action="evidence.added")

    assert (event.object_type, event.object_id) == ("reporting.evidence", str(evidence.pk))
    assert event.extra == {
        "owner": "draft",
        "kind": "image",
        "size": evidence.size,
        "sha256": evidence.sha256,
        "clean_copy": True,
        "metadata_items": 8,
        "by_staff": False,
    }
    serialised = json.dumps(event.extra)
    assert "Example Road" not in serialised
    # The draft id is the bearer token in the reporter's session cookie.
    assert str(draft.pk) not in serialised


# --- The reporter's choice ---------------------------------------------------------------


def test_keeping_the_details_keeps_the_original_as_received(draft):
    original = samples.jpeg_with_metadata()
    evidence = add(draft, "IMG.jpg", original)
    storage_name = evidence.storage_name

    chosen = evidence_choose_metadata(evidence=evidence, keep=True)

    chosen.refresh_from_db()
    assert chosen.keep_metadata is True
    assert chosen.storage_name == storage_name
    assert evidence_read(evidence=chosen, clean=False) == original
    assert chosen.metadata_found
    assert_carries_nothing(evidence_read(evidence=chosen))
    event = AuditEvent.objects.get(action="evidence.metadata_kept")
    assert event.object_id == str(evidence.pk)


def test_removing_the_details_replaces_the_original_with_the_clean_copy(
    draft, django_capture_on_commit_callbacks
):
    evidence = add(draft, "IMG.webp", samples.webp_plain())
    original_name, clean_name = evidence.storage_name, evidence.clean_storage_name
    original_sha256 = evidence.sha256
    clean = evidence_read(evidence=evidence)

    with django_capture_on_commit_callbacks(execute=True):
        evidence_choose_metadata(evidence=evidence, keep=False)

    evidence.refresh_from_db()
    assert evidence.keep_metadata is False
    assert evidence.storage_name == clean_name
    assert (evidence.clean_storage_name, evidence.clean_file_key, evidence.clean_size) == (
        "",
        None,
        None,
    )
    assert evidence.metadata_found == []
    assert evidence.content_type == "image/png"
    assert evidence.size == len(clean)
    assert evidence.sha256 == hashlib.sha256(clean).hexdigest()
    assert evidence_read(evidence=evidence, clean=False) == clean
    assert_carries_nothing(evidence_read(evidence=evidence, clean=False))
    assert not default_storage.exists(original_name)
    assert default_storage.exists(clean_name)
    event = AuditEvent.objects.get(action="evidence.metadata_removed")
    assert event.extra["original_sha256"] == original_sha256
    assert event.extra["sha256"] == evidence.sha256


def test_removing_twice_is_harmless_but_keeping_afterwards_is_refused(draft):
    evidence = add(draft, "IMG.jpg", samples.jpeg_with_metadata())
    evidence_choose_metadata(evidence=evidence, keep=False)

    again = evidence_choose_metadata(evidence=evidence, keep=False)

    assert again.keep_metadata is False
    assert AuditEvent.objects.filter(action="evidence.metadata_removed").count() == 1
    with pytest.raises(EvidenceRejected) as refused:
        evidence_choose_metadata(evidence=evidence, keep=True)
    assert refused.value.code == "already_removed"


def test_details_cannot_be_removed_from_a_file_without_a_clean_copy(draft):
    evidence = add(draft, "scan.pdf", samples.pdf())

    with pytest.raises(EvidenceRejected) as refused:
        evidence_choose_metadata(evidence=evidence, keep=False)

    assert refused.value.code == "cannot_strip"


# --- Removal -----------------------------------------------------------------------------


def test_removing_evidence_deletes_its_row_and_files(draft, django_capture_on_commit_callbacks):
    media = media_root()
    evidence = add(draft, "IMG.jpg", samples.jpeg_with_metadata())
    evidence_id = str(evidence.pk)

    with django_capture_on_commit_callbacks(execute=True):
        evidence_remove(evidence=evidence)

    assert not Evidence.objects.filter(pk=evidence_id).exists()
    assert list((media / "evidence").iterdir()) == []
    event = AuditEvent.objects.get(action="evidence.removed")
    assert (event.object_type, event.object_id) == ("reporting.evidence", evidence_id)
    assert event.extra["sha256"] == evidence.sha256


def test_a_purge_can_delete_the_files_itself(draft):
    media = media_root()
    evidence = add(draft, "IMG.jpg", samples.jpeg_with_metadata())

    evidence_delete_files(evidence)
    evidence_delete_files(evidence)  # already gone: not an error

    assert list((media / "evidence").iterdir()) == []


# --- Hostile files that are still the kind they claim ------------------------------------


def test_a_zip_bomb_shaped_like_a_document_is_checked_without_being_inflated(draft, settings):
    bomb = samples.zip_bomb_docx()
    assert len(bomb) < settings.WAYPOINT_UPLOAD_MAX_FILE_BYTES

    evidence = add(draft, "contract.docx", bomb)

    # Accepted by its directory alone; it is stored as received, never extracted.
    assert evidence.kind == EvidenceKind.DOCUMENT
    assert evidence.size == len(bomb)


def test_a_photo_with_a_web_page_hidden_after_it_gets_a_clean_copy_without_the_page(draft):
    polyglot = samples.jpeg_html_polyglot()

    evidence = add(draft, "photo.jpg", polyglot)

    assert evidence.kind == EvidenceKind.IMAGE
    assert evidence_read(evidence=evidence, clean=False) == polyglot
    assert b"<script" not in evidence_read(evidence=evidence)
