"""The encrypting upload handler: real multipart bodies through Django's own parser.

Requests are real WSGIRequests whose body is a stream we control, so a test can look at
the temporary directory *while* the parser is still reading. Python's TemporaryFile has
no name on disk (O_TMPFILE on Linux), so "every file under the temp directory" includes
the anonymous ones this process holds open, found through /proc/self/fd.
"""

from __future__ import annotations

import io
import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from django.contrib.auth.decorators import login_not_required
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import path
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.html import escape
from django.views.decorators.http import require_POST

from waypoint.privacy.models import AuditEvent
from waypoint.privacy.services import data_key_create
from waypoint.reporting.evidence import evidence_add, evidence_read
from waypoint.reporting.models import Draft, Route
from waypoint.reporting.tests import sample_files
from waypoint.reporting.uploads import (
    PROBLEM_FILE_TOO_BIG,
    PROBLEM_REQUEST_TOO_BIG,
    EncryptedUploadedFile,
    EncryptingUploadHandler,
    upload_problems,
)

KiB = 1024
MiB = 1024 * 1024
CHUNK = EncryptingUploadHandler.chunk_size

# --- Helpers (also used by test_evidence) ----------------------------------------------------


class WatchedStream(io.BytesIO):
    """A request body that calls `watch()` after every read the parser makes."""

    def __init__(self, body: bytes, watch: Callable[[], None]) -> None:
        super().__init__(body)
        self._watch = watch

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self._watch()
        return data


class WatchedUpload(UploadedFile[bytes]):
    """Another upload, read through: calls `watch()` after every read, so a test can look
    at the disk while evidence_add is sniffing and encrypting it."""

    def __init__(self, inner: EncryptedUploadedFile, watch: Callable[[], None]) -> None:
        super().__init__(file=inner, name=inner.original_name, size=inner.size)
        self._watch = watch

    def read(self, *args: Any) -> bytes:
        assert self.file is not None
        data: bytes = self.file.read(*args)
        self._watch()
        return data


def multipart_request(
    data: dict[str, Any],
    *,
    watch: Callable[[], None] | None = None,
    truncate_to: int | None = None,
) -> WSGIRequest:
    """A POST WSGIRequest carrying `data` as multipart/form-data (files: SimpleUploadedFile)."""
    body = encode_multipart(BOUNDARY, data)
    if truncate_to is not None:
        body = body[:truncate_to]
    stream = WatchedStream(body, watch) if watch else io.BytesIO(body)
    return WSGIRequest(
        {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/upload/",
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "wsgi.url_scheme": "http",
            "CONTENT_TYPE": MULTIPART_CONTENT,
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": stream,
        }
    )


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> Any:
    return SimpleUploadedFile(name, content, content_type=content_type)


def files_under(root: Path) -> Iterator[tuple[str, int, bytes]]:
    """(where, size on disk, bytes) of every file under `root`, named or anonymous."""
    for found in root.rglob("*"):
        if found.is_file():
            content = found.read_bytes()
            yield str(found), len(content), content
    fd_dir = Path("/proc/self/fd")
    if not fd_dir.is_dir():
        return
    for entry in os.listdir(fd_dir):
        try:
            target = os.readlink(fd_dir / entry)
        except OSError:
            continue
        if not target.startswith(str(root)):
            continue
        try:
            size = os.fstat(int(entry)).st_size
            content = os.pread(int(entry), size, 0)
        except OSError:
            continue  # closed between listing and reading
        yield target, size, content


def anonymous_files_under(root: Path) -> list[str]:
    fd_dir = Path("/proc/self/fd")
    found = []
    for entry in os.listdir(fd_dir):
        try:
            target = os.readlink(fd_dir / entry)
        except OSError:
            continue
        if target.startswith(str(root)):
            found.append(target)
    return found


needs_proc = pytest.mark.skipif(
    not Path("/proc/self/fd").is_dir(), reason="anonymous temp files are found via /proc"
)


@pytest.fixture
def upload_dir(tmp_path: Path, settings, monkeypatch) -> Path:
    """Temporary files of every kind (Django's and Python's) go under one directory."""
    directory = tmp_path / "uploads-tmp"
    directory.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(directory)
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    return directory


@pytest.fixture
def media_dir(tmp_path: Path, settings) -> Path:
    directory = tmp_path / "media"
    directory.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(directory)},
        },
    }
    return directory


def new_draft() -> Draft:
    return Draft.objects.create(
        route=Route.ANONYMOUS,
        data_key=data_key_create(purpose="report"),
        expires_at=_in_an_hour(),
    )


def _in_an_hour() -> datetime:
    return timezone.now() + timedelta(hours=1)


def the_file(request: HttpRequest, field: str = "evidence") -> EncryptedUploadedFile:
    item = request.FILES[field]
    assert isinstance(item, EncryptedUploadedFile)
    return item


def all_files(request: HttpRequest, field: str = "evidence") -> list[EncryptedUploadedFile]:
    items = request.FILES.getlist(field)
    assert all(isinstance(item, EncryptedUploadedFile) for item in items)
    return cast(list[EncryptedUploadedFile], items)


# --- Tests ---------------------------------------------------------------------------------


def test_the_encrypting_handler_is_the_only_upload_handler(settings):
    assert settings.FILE_UPLOAD_HANDLERS == ["waypoint.reporting.uploads.EncryptingUploadHandler"]
    request = multipart_request({"a": "b"})
    assert [type(handler) for handler in request.upload_handlers] == [EncryptingUploadHandler]


def test_an_upload_reads_back_as_its_plaintext_however_it_is_read(upload_dir):
    content = sample_files.sized_pdf(300 * KiB)
    request = multipart_request({"evidence": upload("Statement about J.pdf", content)})

    received = the_file(request)

    assert isinstance(received, EncryptedUploadedFile)
    assert received.size == len(content)
    assert received.read() == content
    assert received.read() == b""
    received.open()
    assert received.read(10) == content[:10]
    assert received.tell() == 10
    received.seek(200 * KiB)
    assert received.read(5) == content[200 * KiB : 200 * KiB + 5]
    received.seek(-6, os.SEEK_END)
    assert received.read() == content[-6:]
    assert b"".join(received.chunks(7 * KiB)) == content
    assert received.multiple_chunks()
    received.close()


def test_the_client_file_name_is_kept_apart_and_never_shown_by_default(upload_dir):
    request = multipart_request({"evidence": upload("Home address - 14 Example Road.jpg", b"x")})

    received = the_file(request)

    assert received.original_name == "Home address - 14 Example Road.jpg"
    assert received.name == "upload"
    assert "Example Road" not in repr(received)
    assert "Example Road" not in str(received)
    received.close()


def test_the_type_comes_from_the_content_not_the_name_or_the_browser(upload_dir):
    request = multipart_request(
        {
            "photo_as_pdf": upload("scan.pdf", sample_files.jpeg_plain(), "application/pdf"),
            "page_as_photo": upload("photo.jpg", sample_files.html_page(), "image/jpeg"),
        }
    )

    photo = the_file(request, "photo_as_pdf")
    page = the_file(request, "page_as_photo")

    assert (photo.sniffed_mime, photo.sniffed_extension) == ("image/jpeg", "jpg")
    assert photo.name == "upload.jpg"
    assert photo.content_type == "application/pdf"  # what the browser said, kept apart
    assert (page.sniffed_mime, page.sniffed_extension) == (None, None)
    photo.close()
    page.close()


def test_several_files_in_one_field_each_become_an_encrypted_upload(upload_dir):
    contents = [sample_files.jpeg_plain(), sample_files.pdf(), sample_files.mp3()]
    request = multipart_request(
        {"evidence": [upload(f"file-{index}", body) for index, body in enumerate(contents)]}
    )

    received = all_files(request)

    assert [type(item) for item in received] == [EncryptedUploadedFile] * 3
    assert [item.read() for item in received] == contents
    assert [item.sniffed_mime for item in received] == [
        "image/jpeg",
        "application/pdf",
        "audio/mpeg",
    ]
    assert [item.original_name for item in received] == ["file-0", "file-1", "file-2"]
    for item in received:
        item.close()


@needs_proc
def test_closing_an_upload_deletes_its_ciphertext(upload_dir):
    request = multipart_request({"evidence": upload("a.pdf", sample_files.sized_pdf(200 * KiB))})
    received = the_file(request)
    assert len(anonymous_files_under(upload_dir)) == 1

    received.close()

    assert anonymous_files_under(upload_dir) == []
    assert received.closed
    with pytest.raises(ValueError):
        received.read()
    with pytest.raises(ValueError):
        received.open()


@needs_proc
def test_a_file_over_the_per_file_limit_is_dropped_before_its_ciphertext_passes_the_limit(
    upload_dir, settings
):
    limit = 256 * KiB
    settings.WAYPOINT_UPLOAD_MAX_FILE_BYTES = limit
    largest_seen = 0

    def watch() -> None:
        nonlocal largest_seen
        for _where, size, _content in files_under(upload_dir):
            largest_seen = max(largest_seen, size)

    request = multipart_request(
        {
            "evidence": [
                upload("huge-video.mp4", b"\0" * (4 * MiB)),
                upload("note.pdf", sample_files.pdf()),
            ]
        },
        watch=watch,
    )

    kept = all_files(request)
    problems = upload_problems(request)

    # Tink adds 16 bytes per 4 KiB segment and a short header: well under 8 KiB here.
    assert 0 < largest_seen <= limit + CHUNK + 8 * KiB
    assert [item.original_name for item in kept] == ["note.pdf"]
    assert [problem.code for problem in problems] == [PROBLEM_FILE_TOO_BIG]
    assert problems[0].field_name == "evidence"
    assert "bigger than" in problems[0].message
    assert "huge-video" not in problems[0].message
    assert "huge-video" not in repr(problems[0])
    assert problems[0].original_name == "huge-video.mp4"  # for the page, not for logs
    for item in kept:
        item.close()
    assert anonymous_files_under(upload_dir) == []


def test_a_request_over_the_report_limit_is_refused_but_post_and_files_still_work(
    upload_dir, settings
):
    settings.WAYPOINT_UPLOAD_MAX_REPORT_BYTES = 1 * MiB
    request = multipart_request(
        {
            "csrfmiddlewaretoken": "token-before-the-files",
            "evidence": upload("a.pdf", sample_files.sized_pdf(3 * MiB)),
        }
    )

    assert request.POST["csrfmiddlewaretoken"] == "token-before-the-files"
    assert len(request.FILES) == 0
    assert [problem.code for problem in upload_problems(request)] == [PROBLEM_REQUEST_TOO_BIG]
    assert list(upload_dir.iterdir()) == []


@needs_proc
def test_files_adding_up_past_the_report_limit_stop_the_upload_even_if_each_is_small(
    upload_dir, settings
):
    # Content-Length is within limit + 1 MiB for form fields, but the files alone are not.
    settings.WAYPOINT_UPLOAD_MAX_REPORT_BYTES = 1 * MiB
    settings.WAYPOINT_UPLOAD_MAX_FILE_BYTES = 1 * MiB
    request = multipart_request(
        {"evidence": [upload(f"{n}.pdf", sample_files.sized_pdf(600 * KiB)) for n in range(3)]}
    )

    request.FILES  # noqa: B018

    assert PROBLEM_REQUEST_TOO_BIG in [problem.code for problem in upload_problems(request)]
    assert sum(item.size or 0 for item in all_files(request)) <= 1 * MiB
    request.close()
    assert anonymous_files_under(upload_dir) == []


@needs_proc
def test_a_body_that_ends_in_the_middle_of_a_file_leaves_no_temporary_file(upload_dir):
    content = sample_files.sized_pdf(300 * KiB)
    request = multipart_request({"evidence": upload("a.pdf", content)}, truncate_to=200 * KiB)

    request.FILES  # noqa: B018

    assert "evidence" not in request.FILES
    assert anonymous_files_under(upload_dir) == []


def test_a_request_without_files_has_no_problems(rf):
    assert upload_problems(rf.get("/")) == []
    assert upload_problems(multipart_request({"note": "hello"})) == []


@needs_proc
@pytest.mark.django_db
def test_a_canary_in_a_large_upload_never_reaches_disk_in_plaintext(upload_dir, media_dir):
    canary = f"CANARY-{uuid.uuid4()}".encode()
    content = sample_files.sized_pdf(3 * MiB + 12345, marker=canary)
    assert content.count(canary) > 1000
    seen: set[str] = set()

    def watch() -> None:
        for where, _size, on_disk in files_under(upload_dir):
            seen.add(where)
            assert canary not in on_disk, f"plaintext canary in {where} during the upload"

    request = multipart_request(
        {"evidence": upload(f"{canary.decode()}.pdf", content)}, watch=watch
    )
    received = the_file(request)
    watch()
    assert seen, "the upload's temporary file was never seen, so nothing was checked"

    seen.clear()
    evidence = evidence_add(upload=WatchedUpload(received, watch), draft=new_draft())
    watch()
    # The upload's own ciphertext and the one being written for storage, side by side.
    assert len(seen) >= 2, "evidence_add's temporary file was never seen"
    received.close()

    media_files = list(files_under(media_dir))
    assert {where.split("/media/")[1].split("/")[0] for where, *_ in media_files} == {"evidence"}
    for where, size, on_disk in media_files:
        assert size > 0
        assert canary not in on_disk, f"plaintext canary in {where}"
        assert canary.decode() not in where
    assert list(files_under(upload_dir)) == []
    assert evidence_read(evidence=evidence) == content
    for event in AuditEvent.objects.all():
        assert canary.decode() not in repr(event.extra)


# --- Through the whole stack: a view can still answer a refused upload kindly --------------


@login_not_required
@require_POST
def _upload_view(request: HttpRequest) -> HttpResponse:
    problems = upload_problems(request)
    for item in all_files(request):
        item.close()
    if problems:
        body = "".join(f"<p>{escape(problem.message)}</p>" for problem in problems)
        return HttpResponse(f"<h1>Some files were not added</h1>{body}")
    return HttpResponse(f"<h1>Added {len(request.FILES.getlist('evidence'))} files</h1>")


urlpatterns = [path("upload/", _upload_view)]


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_refused_upload_still_gets_a_friendly_page_with_csrf_checked(upload_dir, settings):
    settings.WAYPOINT_UPLOAD_MAX_REPORT_BYTES = 1 * MiB
    client = Client(enforce_csrf_checks=True)
    secret = get_random_string(CSRF_SECRET_LENGTH, allowed_chars=CSRF_ALLOWED_CHARS)
    client.cookies[settings.CSRF_COOKIE_NAME] = secret

    response = client.post(
        "/upload/",
        {
            "csrfmiddlewaretoken": secret,
            "evidence": upload("a.pdf", sample_files.sized_pdf(3 * MiB)),
        },
    )

    assert response.status_code == 200
    assert b"Some files were not added" in response.content
    assert b"most we can take at once" in response.content


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_normal_upload_through_the_client_reaches_the_view(upload_dir):
    response = Client().post(
        "/upload/", {"evidence": [upload(f"{n}.jpg", sample_files.jpeg_plain()) for n in range(2)]}
    )

    assert response.status_code == 200
    assert b"Added 2 files" in response.content
