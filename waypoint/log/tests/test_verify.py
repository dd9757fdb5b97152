"""/verify/: an officer checks Jordan's record by uploading it or typing its code.

Genuine for the file as made; not genuine after one byte of its text is changed, for a
PDF made by hand with the same text, or for one signed by someone else's key. Nothing
from a check is kept: no file, no temporary file, no row.
"""

from __future__ import annotations

import io
import re
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from waypoint.log.export import signature, verification
from waypoint.log.export.pdf import export_pdf, html_to_pdf, render_html
from waypoint.log.tests.test_export import FINAL_DIGEST, jordans_chronology, pdftotext
from waypoint.privacy import keysets
from waypoint.privacy.crypto import reset_key_caches

pytestmark = pytest.mark.django_db

URL = "/verify/"


@pytest.fixture(scope="module")
def uncompressed_pdf() -> bytes:
    """Jordan's record with its content streams left uncompressed, so a test can find and
    change one byte of the page text itself (the real export compresses them)."""
    return export_pdf(jordans_chronology(), compress=False)


@pytest.fixture(scope="module")
def jordans_pdf() -> bytes:
    return export_pdf(jordans_chronology())


def upload(client: Client, data: bytes, name: str = "record.pdf") -> Any:
    pdf = SimpleUploadedFile(name, data, content_type="application/pdf")
    return client.post(URL, {"how": "file", "file-pdf": pdf})


def type_code(client: Client, code: str) -> Any:
    return client.post(URL, {"how": "code", "code-code": code})


def page_text(response: Any) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def printed_code(pdf: bytes) -> str:
    text = pdftotext(pdf)
    return text.split("to check them. ", 1)[1].split(" The PDF file itself")[0]


def change_one_text_byte(pdf: bytes) -> bytes:
    """One glyph changed inside a text object (BT ... ET) of the first page's content."""
    for text_object in re.finditer(rb"BT\b(.*?)\bET", pdf, flags=re.DOTALL):
        glyphs = re.search(rb"<([0-9a-fA-F]{4,})>", text_object.group(1))
        if glyphs:
            at = text_object.start(1) + glyphs.start(1) + 3  # last hex digit of a glyph id
            changed = bytearray(pdf)
            changed[at] = ord("1") if changed[at] != ord("1") else ord("2")
            return bytes(changed)
    raise AssertionError("No text object found in the uncompressed PDF.")


# --- The page ---------------------------------------------------------------------------------


def test_anyone_can_open_the_page_and_read_the_public_key(client: Client):
    response = client.get(URL)
    assert response.status_code == 200
    text = page_text(response)
    assert "Check a record is genuine" in text
    assert "Nothing you upload or type here is kept." in text
    assert "ASYMMETRIC_PUBLIC" in text
    assert "ASYMMETRIC_PRIVATE" not in text
    assert reverse("verify:verify") == URL


def test_the_officer_is_told_jordans_file_is_genuine(client: Client, jordans_pdf: bytes):
    response = upload(client, jordans_pdf)
    assert response.status_code == 200
    text = page_text(response)
    assert "Genuine" in text and "Not genuine" not in text
    assert "has not been changed since it was made" in text
    assert "WP-7KQ4-M2XD" in text
    assert "4 (3 incidents and 1 correction)" in text
    assert "29 November 2026, 08:05 GMT and 3 December 2026, 10:15 GMT" in text
    assert FINAL_DIGEST in text


def test_one_changed_byte_of_page_text_makes_it_not_genuine(
    client: Client, uncompressed_pdf: bytes
):
    assert "Genuine" in page_text(upload(client, uncompressed_pdf))
    forged = change_one_text_byte(uncompressed_pdf)
    assert sum(a != b for a, b in zip(forged, uncompressed_pdf, strict=True)) == 1
    # Still a readable PDF, whose text now reads differently: a plausible forgery.
    assert pdftotext(forged) != pdftotext(uncompressed_pdf)
    text = page_text(upload(client, forged))
    assert "Not genuine" in text
    assert signature.CHANGED in text


def test_one_changed_byte_inside_a_compressed_stream_makes_it_not_genuine(
    client: Client, jordans_pdf: bytes
):
    stream = re.search(rb"stream\r?\n", jordans_pdf)
    assert stream is not None
    compressed_start = stream.end()
    zlib.decompressobj().decompress(jordans_pdf[compressed_start : compressed_start + 200])
    changed = bytearray(jordans_pdf)
    changed[compressed_start + 40] ^= 0x01
    assert "Not genuine" in page_text(upload(client, bytes(changed)))


def test_a_pdf_made_by_hand_with_the_same_text_is_not_genuine(client: Client):
    chronology = jordans_chronology()
    code = signature.make_code(signature.summary_of(chronology))
    handmade = html_to_pdf(render_html(chronology, code=code, key_id=1))
    text = page_text(upload(client, handmade))
    assert "Not genuine" in text
    assert signature.NO_SIGNATURE in text


def test_a_pdf_signed_with_another_keyset_is_not_genuine(
    client: Client, settings: Any, tmp_path: Path
):
    stranger = tmp_path / "stranger-signing.json"
    keysets.write_private_file(stranger, keysets.new_keyset_json("signing"), exclusive=True)
    ours = settings.WAYPOINT_KEYSETS
    settings.WAYPOINT_KEYSETS = {**ours, "signing": stranger}
    try:
        forged = export_pdf(jordans_chronology())
    finally:
        settings.WAYPOINT_KEYSETS = ours
        reset_key_caches()
    text = page_text(upload(client, forged))
    assert "Not genuine" in text
    assert signature.BAD_SIGNATURE in text


def test_a_genuine_trailer_copied_onto_another_pdf_is_not_genuine(
    client: Client, jordans_pdf: bytes
):
    at = jordans_pdf.rindex(b"\n" + signature.MARKER) + 1
    other = html_to_pdf(
        render_html(jordans_chronology(reference="WP-FAKE-0000"), code="", key_id=1)
    )
    text = page_text(upload(client, other + jordans_pdf[at:]))
    assert "Not genuine" in text
    assert signature.CHANGED in text


def test_a_changed_summary_is_not_genuine(client: Client, jordans_pdf: bytes):
    forged = jordans_pdf.replace(b'"entries":4', b'"entries":9')
    assert forged != jordans_pdf
    assert "Not genuine" in page_text(upload(client, forged))


def test_bytes_added_after_the_signature_are_not_genuine(client: Client, jordans_pdf: bytes):
    assert "Not genuine" in page_text(upload(client, jordans_pdf + b"%extra\n"))


def test_something_that_is_not_a_pdf_is_not_genuine(client: Client):
    text = page_text(upload(client, b"GIF89a not a record", name="photo.gif"))
    assert signature.NOT_A_PDF in text


# --- The printed code -------------------------------------------------------------------------


def test_the_printed_code_typed_in_is_genuine(client: Client, jordans_pdf: bytes):
    code = printed_code(jordans_pdf)
    response = type_code(client, code.lower().replace(" ", "-"))  # typed untidily
    text = page_text(response)
    assert response.status_code == 200
    assert "Genuine" in text and "Not genuine" not in text
    assert "This code was signed by" in text
    assert "WP-7KQ4-M2XD" in text
    assert "4 (3 incidents and 1 correction)" in text
    assert FINAL_DIGEST[:16] in text


def test_a_code_with_one_character_changed_is_not_genuine(client: Client, jordans_pdf: bytes):
    code = printed_code(jordans_pdf)
    position = code.index(" ") + 1
    swapped = "B" if code[position] != "B" else "C"
    wrong = code[:position] + swapped + code[position + 1 :]
    text = page_text(type_code(client, wrong))
    assert "Not genuine" in text


def test_a_code_that_is_not_one_is_not_genuine(client: Client):
    text = page_text(type_code(client, "HELLO OFFICER"))
    assert "Not genuine" in text
    assert signature.BAD_CODE in text


# --- Errors -----------------------------------------------------------------------------------


def test_no_file_chosen_asks_for_one(client: Client):
    response = client.post(URL, {"how": "file"})
    assert response.status_code == 400
    text = page_text(response)
    assert "Please check your answers" in text
    assert "Choose the PDF file to check." in text
    assert 'href="#id_file-pdf"' in response.content.decode()


def test_an_empty_code_asks_for_one(client: Client):
    response = type_code(client, "   ")
    assert response.status_code == 400
    assert "Enter the verification code." in page_text(response)


def test_a_file_over_the_limit_is_refused_with_a_clear_error(client: Client):
    too_big = b"%PDF-1.7\n" + b"0" * (verification.MAX_BYTES + 1)
    response = upload(client, too_big)
    assert response.status_code == 400
    assert "The file is bigger than 20 MB" in page_text(response)


def test_a_body_that_understates_its_size_is_still_stopped_at_the_limit(
    client: Client, monkeypatch: pytest.MonkeyPatch
):
    # A small limit and a body under the overhead allowance: only counting catches it.
    monkeypatch.setattr(verification, "MAX_BYTES", 1000)
    response = upload(client, b"%PDF-1.7\n" + b"0" * 2000)
    assert response.status_code == 400
    assert "The file is bigger than" in page_text(response)


def test_the_check_needs_the_csrf_token_even_though_the_handlers_change(jordans_pdf: bytes):
    strict = Client(enforce_csrf_checks=True)
    strict.get(URL)
    pdf = SimpleUploadedFile("record.pdf", jordans_pdf, content_type="application/pdf")
    assert strict.post(URL, {"how": "file", "file-pdf": pdf}).status_code == 403
    token = strict.cookies[settings.CSRF_COOKIE_NAME].value
    pdf.seek(0)
    response = strict.post(URL, {"csrfmiddlewaretoken": token, "how": "file", "file-pdf": pdf})
    assert response.status_code == 200
    assert "Genuine" in page_text(response)


# --- Nothing kept -----------------------------------------------------------------------------


@pytest.fixture
def empty_places(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Media and temporary folders of the test's own, and every temporary-file call
    recorded: the encrypting upload handler spools into an unnamed TemporaryFile, which
    no folder listing would show."""
    media, temp = tmp_path / "media", tmp_path / "tmp"
    media.mkdir()
    temp.mkdir()
    settings.MEDIA_ROOT = str(media)
    settings.FILE_UPLOAD_TEMP_DIR = str(temp)
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    calls: list[str] = []
    for name in ("TemporaryFile", "NamedTemporaryFile", "SpooledTemporaryFile", "mkstemp"):
        original = getattr(tempfile, name)

        def recording(*args: Any, _name: str = name, _original: Any = original, **kw: Any) -> Any:
            calls.append(_name)
            return _original(*args, **kw)

        monkeypatch.setattr(tempfile, name, recording)
    yield tmp_path
    assert calls == [], f"temporary files were made: {calls}"
    assert list(media.rglob("*")) == []
    assert list(temp.rglob("*")) == []


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_a_check_keeps_nothing_on_disk_or_in_the_database(
    client: Client, jordans_pdf: bytes, empty_places: Path, caplog: pytest.LogCaptureFixture
):
    before = row_counts()
    assert "Genuine" in page_text(upload(client, jordans_pdf))
    assert "Not genuine" in page_text(upload(client, jordans_pdf[:-5] + b"xxxx\n"))
    assert "Not genuine" in page_text(type_code(client, "ABCD EFGH"))
    assert row_counts() == before
    assert "WP-7KQ4-M2XD" not in caplog.text
    assert "record.pdf" not in caplog.text


def test_the_recording_would_see_the_project_handler_spool_a_file(
    monkeypatch: pytest.MonkeyPatch,
):
    """The check above is not vacuous: the project's encrypting handler makes a temporary
    file for every upload, and the same recording sees it."""
    from waypoint.reporting.uploads import _Spool  # noqa: PLC0415

    calls: list[str] = []
    original = tempfile.TemporaryFile

    def recording(*args: Any, **kwargs: Any) -> Any:
        calls.append("TemporaryFile")
        return original(*args, **kwargs)

    monkeypatch.setattr(tempfile, "TemporaryFile", recording)
    _Spool().close()
    assert calls == ["TemporaryFile"]


# --- Rotation ---------------------------------------------------------------------------------


def test_an_export_made_before_the_signing_key_was_rotated_is_still_genuine(
    client: Client, settings: Any, tmp_path: Path
):
    copy = tmp_path / "signing.json"
    copy.write_bytes(Path(settings.WAYPOINT_KEYSETS["signing"]).read_bytes())
    settings.WAYPOINT_KEYSETS = {**settings.WAYPOINT_KEYSETS, "signing": copy}
    reset_key_caches()
    try:
        before = export_pdf(jordans_chronology())
        old_code = signature.make_code(signature.summary_of(jordans_chronology()))
        call_command("rotate_keyset", "signing", stdout=io.StringIO())
        after = export_pdf(jordans_chronology())
        old, new = signature.verify_pdf(before).summary, signature.verify_pdf(after).summary
        assert old is not None and new is not None
        assert old.key_id != new.key_id
        assert "Genuine" in page_text(upload(client, before))
        assert "Genuine" in page_text(type_code(client, old_code))
        assert "Genuine" in page_text(upload(client, after))
    finally:
        reset_key_caches()
