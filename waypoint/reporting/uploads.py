"""Uploads are encrypted as they stream in; no plaintext of a file ever reaches disk.

Django's own handlers keep small uploads in memory and write larger ones, in plaintext, to
a temporary file. EncryptingUploadHandler is the only handler (settings.FILE_UPLOAD_HANDLERS)
and replaces both (ADR 0015):

- each file gets an ephemeral Tink streaming-AEAD key that exists only in this process's
  memory; chunks are encrypted as they arrive into an anonymous temporary file;
- the first 8 KiB are kept in memory just long enough to tell the type from the content;
- a file over WAYPOINT_UPLOAD_MAX_FILE_BYTES is dropped at the chunk that crosses the
  limit (SkipFile), and a request whose Content-Length is over the per-report limit is
  refused before any file is read (StopUpload, with the body still consumed so the view
  can answer with a normal page);
- what went wrong is recorded on the request (`upload_problems(request)`) in plain words
  for the person uploading, never with the file name in a log.

Reading an EncryptedUploadedFile (read(), chunks(), or passing it as a file object to
privacy.crypto.encrypt_file) decrypts on the fly. Closing it, which Django does at the end
of every request, deletes the ciphertext; the key goes with the object.
"""

from __future__ import annotations

import io
import logging
import os
import tempfile
from contextlib import suppress
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, Final, Self, cast, override

import filetype  # type: ignore[import-untyped]
import tink
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile, StopUpload
from django.http import HttpRequest, QueryDict
from django.utils.datastructures import MultiValueDict
from tink import streaming_aead

if TYPE_CHECKING:
    _UploadedBytes = UploadedFile[bytes]
else:
    _UploadedBytes = UploadedFile

logger = logging.getLogger(__name__)

streaming_aead.register()

SNIFF_BYTES: Final = 8192
# Form fields ride along with the files; Django caps them at DATA_UPLOAD_MAX_MEMORY_SIZE.
REQUEST_OVERHEAD_BYTES: Final = 2**20
_TEMPLATE: Final = streaming_aead.streaming_aead_key_templates.AES256_GCM_HKDF_4KB
# The key is used for one file only, so the associated data needs no per-file part.
_ASSOCIATED_DATA: Final = b"waypoint:v1|reporting.upload-spool"
_READ_CHUNK: Final = 64 * 1024

PROBLEM_FILE_TOO_BIG: Final = "file_too_big"
PROBLEM_REQUEST_TOO_BIG: Final = "request_too_big"


@dataclass(frozen=True)
class UploadProblem:
    """Something the person uploading should be told, in plain words.

    `original_name` is their own file name, for showing back to them on the page; it is
    left out of repr() so an error report or log line built from this object never
    carries it.
    """

    field_name: str
    message: str
    code: str
    original_name: str = field(default="", repr=False)


def upload_problems(request: HttpRequest) -> list[UploadProblem]:
    """The problems met while reading this request's files (parses the body if needed)."""
    request.FILES  # noqa: B018 - parsing is what records the problems
    problems = getattr(request, "upload_problems", None)
    return list(problems) if problems else []


def _megabytes(size: int) -> int:
    return max(1, size // 2**20)


def file_too_big_message() -> str:
    limit = _megabytes(settings.WAYPOINT_UPLOAD_MAX_FILE_BYTES)
    return (
        f"This file is bigger than {limit} MB, which is the most we can take for one file, "
        "so we haven't kept it. You could upload a shorter or smaller copy, or tell us about "
        "it in words instead."
    )


def request_too_big_message() -> str:
    limit = _megabytes(settings.WAYPOINT_UPLOAD_MAX_REPORT_BYTES)
    return (
        f"These files add up to more than {limit} MB, which is the most we can take at once, "
        "so we haven't kept them. Please try again with fewer or smaller files."
    )


class _Unclosable(io.RawIOBase):
    """Tink's streams close the file they wrap; the spool file must outlive them."""

    def __init__(self, inner: IO[bytes]) -> None:
        super().__init__()
        self._inner = inner

    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        written = 0
        while written < len(view):
            count = self._inner.write(view[written:])
            written += len(view) - written if count is None else count
        return written

    def readinto(self, buffer: Any) -> int:
        data = self._inner.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class _Spool:
    """One file being received: ciphertext in an anonymous temp file, key in memory."""

    def __init__(self) -> None:
        handle = tink.new_keyset_handle(_TEMPLATE)
        self.primitive: Any = handle.primitive(streaming_aead.StreamingAead)
        # TemporaryFile has no name on disk (O_TMPFILE, or unlinked at once elsewhere), so
        # the ciphertext disappears with the process even if nothing closes it.
        self.ciphertext: IO[bytes] = tempfile.TemporaryFile(  # noqa: SIM115 - owned, closed later
            dir=settings.FILE_UPLOAD_TEMP_DIR
        )
        self._encrypting: IO[bytes] | None = self.primitive.new_encrypting_stream(
            _Unclosable(self.ciphertext), _ASSOCIATED_DATA
        )
        self.size = 0
        self.head = bytearray()
        self.detached = False

    def write(self, data: bytes) -> None:
        if self._encrypting is None:
            raise ValueError("The spool is closed.")
        if len(self.head) < SNIFF_BYTES:
            self.head += data[: SNIFF_BYTES - len(self.head)]
        self._encrypting.write(data)
        self.size += len(data)

    def finish(self) -> IO[bytes]:
        """Seal the last segment and hand the ciphertext over (to EncryptedUploadedFile)."""
        if self._encrypting is None:
            raise ValueError("The spool is closed.")
        self._encrypting.close()
        self._encrypting = None
        self.ciphertext.flush()
        self.ciphertext.seek(0)
        self.detached = True
        return self.ciphertext

    def close(self) -> None:
        """Discard an unfinished file (Django calls this on SkipFile and StopUpload)."""
        self.head.clear()
        if self.detached:
            return  # the EncryptedUploadedFile owns the ciphertext now
        encrypting, self._encrypting = self._encrypting, None
        if encrypting is not None:
            with suppress(tink.TinkError, OSError, ValueError):
                encrypting.close()
        self.ciphertext.close()


class _PlaintextReader(io.RawIOBase):
    """Decrypts the spooled ciphertext on the fly, as a read-only, seekable file.

    Tink's decrypting stream only reads forward, so seeking backwards starts again from
    the beginning and seeking forwards decrypts and discards: cheap for the usual
    read-from-the-start, acceptable for the few seeks a parser makes.
    """

    def __init__(self, ciphertext: IO[bytes], primitive: Any, size: int) -> None:
        super().__init__()
        self._ciphertext = ciphertext
        self._primitive = primitive
        self._size = size
        self._position = 0
        self._stream: IO[bytes] | None = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def _restart(self) -> None:
        if self._stream is not None:
            self._stream.close()
        self._ciphertext.seek(0)
        self._stream = cast(
            IO[bytes],
            self._primitive.new_decrypting_stream(_Unclosable(self._ciphertext), _ASSOCIATED_DATA),
        )
        self._position = 0

    def readinto(self, buffer: Any) -> int:
        if self.closed:
            raise ValueError("I/O operation on closed file.")
        if self._position >= self._size:
            return 0
        if self._stream is None:
            self._restart()
        stream = cast(IO[bytes], self._stream)
        try:
            data = stream.read(len(buffer))
        except tink.TinkError:
            raise OSError("The uploaded file could not be decrypted.") from None
        buffer[: len(data)] = data
        self._position += len(data)
        return len(data)

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if self.closed:
            raise ValueError("I/O operation on closed file.")
        if whence == os.SEEK_SET:
            target = offset
        elif whence == os.SEEK_CUR:
            target = self._position + offset
        elif whence == os.SEEK_END:
            target = self._size + offset
        else:
            raise ValueError(f"Invalid whence ({whence}).")
        if target < 0:
            raise ValueError("Negative seek position.")
        if target < self._position or self._stream is None:
            self._restart()
        if target >= self._size:
            # At or past the end reads return b"": no need to decrypt the rest to get there.
            self._position = target
            return target
        while self._position < target:
            if not self.read(min(_READ_CHUNK, target - self._position)):
                break
        return self._position

    def close(self) -> None:
        if not self.closed:
            if self._stream is not None:
                with suppress(tink.TinkError, OSError, ValueError):
                    self._stream.close()
                self._stream = None
            self._ciphertext.close()
            self._primitive = None
        super().close()


class EncryptedUploadedFile(_UploadedBytes):
    """An upload held as ciphertext; reading it yields the plaintext.

    `name` is a neutral "upload.<ext>" so that code which logs or stores `name` by habit
    leaks nothing; the client's own name is `original_name` and is sensitive. The type
    comes from the content (`sniffed_mime`, `sniffed_extension`; None when unknown), not
    from the name or the Content-Type the browser sent (`content_type`).
    """

    def __init__(
        self,
        *,
        ciphertext: IO[bytes],
        primitive: Any,
        size: int,
        field_name: str,
        original_name: str,
        content_type: str | None,
        charset: str | None,
        content_type_extra: dict[str, bytes] | None,
        sniffed_mime: str | None,
        sniffed_extension: str | None,
    ) -> None:
        reader = _PlaintextReader(ciphertext, primitive, size)
        super().__init__(
            file=cast(IO[bytes], reader),
            name=f"upload.{sniffed_extension}" if sniffed_extension else "upload",
            content_type=content_type,
            size=size,
            charset=charset,
            content_type_extra=content_type_extra,
        )
        self.field_name = field_name
        self.original_name = original_name
        self.sniffed_mime = sniffed_mime
        self.sniffed_extension = sniffed_extension

    def __repr__(self) -> str:
        return f"<EncryptedUploadedFile: {self.size} bytes, {self.sniffed_mime or 'unknown'}>"

    def open(self, mode: str | None = None, *args: Any, **kwargs: Any) -> Self:
        # File.open() would reopen self.name from the working directory once closed.
        if self.closed:
            raise ValueError("The upload is closed; its ciphertext is gone.")
        self.seek(0)
        return self

    def close(self) -> None:
        """Delete the ciphertext and forget the key."""
        if self.file is not None:
            self.file.close()


class EncryptingUploadHandler(FileUploadHandler):
    """The only upload handler: see the module docstring."""

    # Set only once a file starts: Django's parser closes `handler.file` when it skips a
    # file or stops the upload, if the attribute exists.
    file: _Spool

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.problems: list[UploadProblem] = []
        self._spool: _Spool | None = None
        self._refused = False
        self._received = 0
        if request is not None:
            request.upload_problems = self.problems  # type: ignore[attr-defined]

    def _problem(self, code: str, message: str) -> None:
        self.problems.append(
            UploadProblem(
                field_name=getattr(self, "field_name", ""),
                message=message,
                code=code,
                original_name=self.file_name or "",
            )
        )

    @override
    def handle_raw_input(
        self,
        input_data: IO[bytes],
        META: dict[str, str],
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> tuple[QueryDict, MultiValueDict[str, UploadedFile[Any]]] | None:
        limit = settings.WAYPOINT_UPLOAD_MAX_REPORT_BYTES + REQUEST_OVERHEAD_BYTES
        if content_length > limit:
            # Raising here would escape the parser and fail the request. Instead the first
            # file stops the upload (new_file), after the form fields before it (the CSRF
            # token among them) have been read, and Django drains the rest of the body.
            self._refused = True
            self.problems.append(
                UploadProblem(
                    field_name="", message=request_too_big_message(), code=PROBLEM_REQUEST_TOO_BIG
                )
            )
            logger.info("Upload refused: the request is larger than the per-report limit.")
        return None

    @override
    def new_file(
        self,
        field_name: str,
        file_name: str,
        content_type: str,
        content_length: int | None,
        charset: str | None = None,
        content_type_extra: dict[str, bytes] | None = None,
    ) -> None:
        super().new_file(
            field_name, file_name, content_type, content_length, charset, content_type_extra
        )
        if self._refused:
            raise StopUpload(connection_reset=False)
        self._spool = self.file = _Spool()

    @override
    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        spool = self._spool
        if spool is None or spool.detached:
            raise SkipFile
        self._received += len(raw_data)
        if self._received > settings.WAYPOINT_UPLOAD_MAX_REPORT_BYTES:
            # Content-Length can understate the body (ASGI, chunked): count as well.
            self._problem(PROBLEM_REQUEST_TOO_BIG, request_too_big_message())
            self._discard()
            logger.info("Upload stopped: the files are larger than the per-report limit.")
            raise StopUpload(connection_reset=False)
        if spool.size + len(raw_data) > settings.WAYPOINT_UPLOAD_MAX_FILE_BYTES:
            # Nothing past the limit is written; Django reads and drops the rest of the part.
            self._problem(PROBLEM_FILE_TOO_BIG, file_too_big_message())
            self._discard()
            logger.info("An uploaded file was over the per-file limit and was dropped.")
            raise SkipFile
        spool.write(raw_data)
        # None: no later handler ever sees the plaintext.
        return None

    @override
    def file_complete(self, file_size: int) -> UploadedFile[Any] | None:
        spool, self._spool = self._spool, None
        if spool is None or spool.detached:
            return None
        head = bytes(spool.head)
        kind = filetype.guess(head) if head else None
        ciphertext = spool.finish()
        spool.head.clear()
        # The key moves to the upload; the handler (alive until the request ends) keeps none.
        primitive, spool.primitive = spool.primitive, None
        return EncryptedUploadedFile(
            ciphertext=ciphertext,
            primitive=primitive,
            size=spool.size,
            field_name=self.field_name,
            original_name=self.file_name or "",
            content_type=self.content_type,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
            sniffed_mime=str(kind.mime) if kind else None,
            sniffed_extension=str(kind.extension) if kind else None,
        )

    @override
    def upload_interrupted(self) -> None:
        # The client went away in the middle of a file.
        self._discard()

    def _discard(self) -> None:
        spool, self._spool = self._spool, None
        if spool is not None:
            spool.close()
