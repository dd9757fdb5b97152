"""What the public /verify/ page reads: an uploaded PDF held in memory only, or a code.

The project's own upload handler encrypts uploads into temporary files (ADR 0015); here
nothing is kept at all, so the view swaps in InMemoryVerifyUploadHandler: one file, held
in this process's memory up to MAX_BYTES, never written anywhere, gone with the request.
"""

from __future__ import annotations

import io
import logging
from typing import IO, Any, Final, override

from django import forms
from django.core.files.uploadedfile import InMemoryUploadedFile, UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, QueryDict
from django.utils.datastructures import MultiValueDict

logger = logging.getLogger(__name__)

MAX_BYTES: Final = 20 * 2**20
# Form fields ride along with the file (the CSRF token, the choice of form).
_OVERHEAD_BYTES: Final = 64 * 1024
TOO_BIG_ATTRIBUTE: Final = "verify_upload_too_big"


def too_big_message() -> str:
    return (
        f"The file is bigger than {MAX_BYTES // 2**20} MB, which is more than any record "
        "we make. Check that you chose the PDF of the record."
    )


class InMemoryVerifyUploadHandler(FileUploadHandler):
    """Keeps the upload in memory, up to MAX_BYTES in all; stops the upload past that."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self._buffer: io.BytesIO | None = None
        self._received = 0
        self._refused = False

    def _refuse(self) -> None:
        self._refused = True
        self._buffer = None
        if self.request is not None:
            setattr(self.request, TOO_BIG_ATTRIBUTE, True)

    @override
    def handle_raw_input(
        self,
        input_data: IO[bytes],
        META: dict[str, str],
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> tuple[QueryDict, MultiValueDict[str, UploadedFile[Any]]] | None:
        if content_length > MAX_BYTES + _OVERHEAD_BYTES:
            # Stop at the first file (new_file), after the fields before it are read, so
            # the CSRF check and the page still work; Django drains the rest of the body.
            self._refuse()
            logger.info("Verification upload refused: larger than the limit.")
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
        self._buffer = io.BytesIO()

    @override
    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self._received += len(raw_data)
        if self._received > MAX_BYTES:
            # Content-Length can understate the body (chunked, ASGI): count as well.
            self._refuse()
            raise StopUpload(connection_reset=False)
        if self._buffer is not None:
            self._buffer.write(raw_data)
        return None

    @override
    def file_complete(self, file_size: int) -> UploadedFile[bytes] | None:
        buffer, self._buffer = self._buffer, None
        if buffer is None:
            return None
        buffer.seek(0)
        return InMemoryUploadedFile(
            file=buffer,
            field_name=self.field_name,
            name="upload.pdf",  # never the visitor's own file name
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )

    @override
    def upload_interrupted(self) -> None:
        self._buffer = None


class VerifyFileForm(forms.Form):
    pdf = forms.FileField(
        label="The PDF file of the record",
        help_text=f"The file the person downloaded, up to {MAX_BYTES // 2**20} MB.",
        required=False,
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def __init__(self, *args: Any, too_big: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._too_big = too_big

    def clean_pdf(self) -> bytes:
        if self._too_big:
            raise forms.ValidationError(too_big_message(), code="too_big")
        upload = self.cleaned_data.get("pdf")
        if not upload:
            raise forms.ValidationError("Choose the PDF file to check.", code="required")
        data: bytes = upload.read()
        if not data:
            raise forms.ValidationError("The file you chose is empty.", code="empty")
        return data


class VerifyCodeForm(forms.Form):
    code = forms.CharField(
        label="The verification code",
        help_text="From the last page of a printed record: every group of letters and numbers.",
        max_length=1000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 5, "autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "required": "Enter the verification code.",
            "max_length": "That is longer than any verification code. Check what was pasted.",
        },
    )
