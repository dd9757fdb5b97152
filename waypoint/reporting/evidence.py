"""Evidence files: accepted by their content, stored encrypted, images given a clean copy.

Policy (ADR 0015; security research 3.8 items 4-5):

- The type comes from the bytes, never the name or the browser's Content-Type: photos
  (JPEG, PNG, GIF, WebP, HEIC), PDF, documents (Word, Excel and PowerPoint in both
  formats, OpenDocument, RTF, UTF-8 .txt), audio (MP3, M4A, WAV, Ogg) and video (MP4,
  MOV, WebM). Office zips must carry their format's markers and no macros. Everything
  else, SVG and HTML included, is refused with one plain message.
- The original is kept exactly as received, encrypted with the owner's data key (one
  fresh file key each, privacy.crypto.encrypt_file) under a random storage name, with
  its SHA-256 and size for chain of custody. The client's file name is sealed.
- Images are decoded with Pillow in memory (the per-file cap bounds it), checked against
  a pixel limit, and their hidden details are listed in plain words (`metadata_found`).
  A clean copy made from the pixels alone (orientation applied, no EXIF, XMP, ICC or text
  chunks) is stored encrypted beside the original, for viewing. The reporter then keeps
  the original as it is, or has it replaced by the clean copy.
- `metadata_found` is None when a file was not checked (documents, audio, video, HEIC),
  and [] when it was checked and carries nothing we list.

No plaintext is written anywhere: files are read from the upload (which decrypts on the
fly), processed in memory and encrypted before they reach a temporary file or storage.
Callers check access; these functions only do what they are asked, and audit it with ids,
sizes, kinds and hashes, never names.

The generic steps take plain values (a data key, bytes, storage names) so that the
incident log keeps its files by exactly the same rules (log/evidence.py): upload_size,
accept_upload, inspect_accepted (inspect_image), check_file_size, store_file, read_stored
and delete_files. The Evidence-row services below are built from them.
"""

from __future__ import annotations

import io
import tempfile
import uuid
import warnings
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import IO, Any, BinaryIO, Final, cast

import filetype  # type: ignore[import-untyped]
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Sum
from PIL import ExifTags, Image, ImageCms, ImageOps, ImageSequence, PngImagePlugin

from waypoint.privacy import crypto
from waypoint.privacy.models import DataKey
from waypoint.privacy.services import audit_record
from waypoint.reporting.models import Draft, Evidence, EvidenceKind, Report
from waypoint.reporting.uploads import SNIFF_BYTES, EncryptedUploadedFile

# Below Pillow's own bomb guard (about 89 million pixels warns, twice that fails): a
# 40-megapixel RGBA image is 160 MB decoded, which is as much as one request should use.
MAX_IMAGE_PIXELS: Final = 40_000_000
OBJECT_TYPE: Final = "reporting.evidence"
STORAGE_DIR: Final = "evidence"
_MAX_ZIP_ENTRIES: Final = 20_000
_JPEG_QUALITY: Final = 92

Actor = AbstractBaseUser | str | None

# --- What we tell people -------------------------------------------------------------------

WRONG_TYPE_MESSAGE: Final = (
    "We can't accept this kind of file. You can upload photos, PDFs, documents, audio or video."
)
EMPTY_MESSAGE: Final = "This file is empty. Please check it and try again."
IMAGE_TOO_LARGE_MESSAGE: Final = (
    "This image is too large for us to work with (more than 40 megapixels). You could "
    "upload a smaller copy, such as a screenshot of it."
)
UNREADABLE_MESSAGE: Final = (
    "We couldn't open this file. It may be damaged or incomplete. You could save it "
    "again and upload the new copy."
)
CANNOT_STRIP_MESSAGE: Final = (
    "We can't remove hidden details from this kind of file, so it will be kept as you "
    "sent it. You can remove the file instead if you prefer."
)
ALREADY_STRIPPED_MESSAGE: Final = (
    "The hidden details were already removed from this file, so they can't be kept now."
)


def _megabytes(size: int) -> int:
    return max(1, size // 2**20)


def too_big_message() -> str:
    limit = _megabytes(settings.WAYPOINT_UPLOAD_MAX_FILE_BYTES)
    return (
        f"This file is bigger than {limit} MB, which is the most we can take for one file. "
        "You could upload a shorter or smaller copy, or tell us about it in words instead."
    )


def _too_many_message() -> str:
    limit = settings.WAYPOINT_UPLOAD_MAX_FILES
    return (
        f"You've already added {limit} files, which is the most one report can hold. You "
        "can remove one to make room, or tell us about the rest in words."
    )


def _total_message() -> str:
    limit = _megabytes(settings.WAYPOINT_UPLOAD_MAX_REPORT_BYTES)
    return (
        f"Together your files would come to more than {limit} MB, which is the most one "
        "report can hold. You could remove a file, or upload smaller copies."
    )


class EvidenceRejected(Exception):  # noqa: N818 - a refusal, not an error
    """A file we won't keep. `message` is written for the person uploading it."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


# Plain words for the hidden details a file can carry, in the order they are shown.
LOCATION: Final = "location (GPS coordinates)"
TAKEN_AT: Final = "date and time taken"
DEVICE: Final = "camera or phone model"
SERIAL: Final = "the device's serial number"
SOFTWARE: Final = "software used"
NAME: Final = "a name (author or owner)"
PREVIEW: Final = "an embedded preview image"
NOTES: Final = "text notes"
OTHER: Final = "other hidden details"
METADATA_LABELS: Final = (LOCATION, TAKEN_AT, DEVICE, SERIAL, SOFTWARE, NAME, PREVIEW, NOTES, OTHER)

# --- Types by content ----------------------------------------------------------------------

_PILLOW_FORMATS: Final[Mapping[str, tuple[str, ...]]] = {
    # iPhone JPEGs with depth maps or previews open as MPO.
    "image/jpeg": ("JPEG", "MPO"),
    "image/png": ("PNG",),
    "image/apng": ("PNG",),
    "image/gif": ("GIF",),
    "image/webp": ("WEBP",),
}
_IMAGE_TYPES: Final[Mapping[str, str]] = {
    "image/jpeg": "image/jpeg",
    "image/png": "image/png",
    "image/apng": "image/png",
    "image/gif": "image/gif",
    "image/webp": "image/webp",
    # Accepted and kept encrypted, but Pillow cannot decode it, so it is not checked.
    "image/heic": "image/heic",
}
# Kinds stored as they stream in: the magic bytes are the whole check. (kind, content type)
_STREAMED_TYPES: Final[Mapping[str, tuple[str, str]]] = {
    "application/pdf": (EvidenceKind.PDF, "application/pdf"),
    "application/msword": (EvidenceKind.DOCUMENT, "application/msword"),
    "application/vnd.ms-excel": (EvidenceKind.DOCUMENT, "application/vnd.ms-excel"),
    "application/vnd.ms-powerpoint": (EvidenceKind.DOCUMENT, "application/vnd.ms-powerpoint"),
    "application/rtf": (EvidenceKind.DOCUMENT, "application/rtf"),
    "audio/mpeg": (EvidenceKind.AUDIO, "audio/mpeg"),
    "audio/mp4": (EvidenceKind.AUDIO, "audio/mp4"),
    "audio/x-wav": (EvidenceKind.AUDIO, "audio/wav"),
    "audio/ogg": (EvidenceKind.AUDIO, "audio/ogg"),
    "video/mp4": (EvidenceKind.VIDEO, "video/mp4"),
    "video/quicktime": (EvidenceKind.VIDEO, "video/quicktime"),
    "video/webm": (EvidenceKind.VIDEO, "video/webm"),
}
_DOCX: Final = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_PPTX: Final = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
_ODF_TYPES: Final = frozenset(
    {
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
    }
)
# Checked by opening the zip's directory: filetype's guess only reads the first 8 KiB.
_ZIP_TYPES: Final = frozenset({"application/zip", _DOCX, _XLSX, _PPTX, *_ODF_TYPES})


@dataclass(frozen=True)
class Accepted:
    kind: str
    content_type: str
    sniffed: str | None
    # The plaintext, when a check needed all of it (images, zips, text); else None and the
    # upload is streamed straight into encryption.
    data: bytes | None


@dataclass(frozen=True)
class Inspected:
    metadata_found: list[str] | None
    clean: bytes | None


def client_name(upload: UploadedFile[Any]) -> str:
    """The name the file had on the uploader's device (sensitive: seal it, never log it)."""
    if isinstance(upload, EncryptedUploadedFile):
        return upload.original_name
    return upload.name or ""


def upload_size(upload: UploadedFile[Any]) -> int:
    if upload.size is not None:
        return int(upload.size)
    upload.seek(0)
    size = 0
    while chunk := upload.read(64 * 1024):
        size += len(chunk)
    upload.seek(0)
    return size


def _read_all(upload: UploadedFile[Any]) -> bytes:
    limit = settings.WAYPOINT_UPLOAD_MAX_FILE_BYTES
    upload.seek(0)
    data = cast(bytes, upload.read(limit + 1))
    upload.seek(0)
    if len(data) > limit:
        raise EvidenceRejected(too_big_message(), code="too_big")
    return data


def _sniff(upload: UploadedFile[Any]) -> str | None:
    if isinstance(upload, EncryptedUploadedFile):
        return upload.sniffed_mime
    upload.seek(0)
    head = cast(bytes, upload.read(SNIFF_BYTES))
    upload.seek(0)
    kind = filetype.guess(head) if head else None
    return str(kind.mime) if kind else None


def _office_type(data: bytes) -> str | None:
    """The document type of a zip-based Office or OpenDocument file, or None.

    Reads the zip's central directory (and, for OpenDocument, at most 100 bytes of its
    `mimetype` entry): nothing is extracted, so a zip bomb costs nothing.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            names = {entry.filename for entry in entries}
            # Macros make a document a program: vbaProject.bin (Office), Basic/ (ODF).
            if (
                not entries
                or len(entries) > _MAX_ZIP_ENTRIES
                or any(name.lower().endswith("vbaproject.bin") for name in names)
                or any(name.startswith("Basic/") for name in names)
            ):
                return None
            if "mimetype" in names:
                with archive.open("mimetype") as entry:
                    mimetype = entry.read(100).decode("ascii", "replace").strip()
                return mimetype if mimetype in _ODF_TYPES else None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return None
    if "[Content_Types].xml" in names:
        for prefix, content_type in (("word/", _DOCX), ("xl/", _XLSX), ("ppt/", _PPTX)):
            if any(name.startswith(prefix) for name in names):
                return content_type
    return None


def _is_plain_text(name: str, data: bytes) -> bool:
    """A .txt file that is UTF-8, has no NULs and does not start like markup.

    Markup (HTML, SVG, XML) saved as .txt is refused too: it would be harmless served as
    text/plain with nosniff, but nobody needs to send us a web page as a note.
    """
    if not name.lower().endswith(".txt") or b"\0" in data:
        return False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not text.lstrip("\ufeff \t\r\n").startswith("<")


def accept_upload(upload: UploadedFile[Any], size: int) -> Accepted:
    """The file's kind and type, told from its bytes; EvidenceRejected if we won't keep it."""
    if size == 0:
        raise EvidenceRejected(EMPTY_MESSAGE, code="empty")
    sniffed = _sniff(upload)
    if sniffed is None:
        name = client_name(upload)
        if name.lower().endswith(".txt"):
            data = _read_all(upload)
            if _is_plain_text(name, data):
                return Accepted(EvidenceKind.DOCUMENT, "text/plain", None, data)
    elif sniffed in _IMAGE_TYPES:
        data_or_none = _read_all(upload) if sniffed in _PILLOW_FORMATS else None
        return Accepted(EvidenceKind.IMAGE, _IMAGE_TYPES[sniffed], sniffed, data_or_none)
    elif sniffed in _STREAMED_TYPES:
        kind, content_type = _STREAMED_TYPES[sniffed]
        return Accepted(kind, content_type, sniffed, None)
    elif sniffed in _ZIP_TYPES:
        data = _read_all(upload)
        office = _office_type(data)
        if office is not None:
            return Accepted(EvidenceKind.DOCUMENT, office, sniffed, data)
    raise EvidenceRejected(WRONG_TYPE_MESSAGE, code="wrong_type")


# --- Image metadata ------------------------------------------------------------------------

_IFD0_TAGS: Final[Mapping[str, tuple[int, ...]]] = {
    TAKEN_AT: (0x0132,),  # DateTime
    DEVICE: (0x010F, 0x0110),  # Make, Model
    SERIAL: (0xC62F,),  # CameraSerialNumber
    SOFTWARE: (0x0131, 0x000B),  # Software, ProcessingSoftware
    NAME: (0x013B, 0x8298, 0x9C9D),  # Artist, Copyright, XPAuthor
    NOTES: (0x010E, 0x9C9B, 0x9C9C, 0x9C9E, 0x9C9F),  # ImageDescription, XPTitle...
}
_EXIF_IFD_TAGS: Final[Mapping[str, tuple[int, ...]]] = {
    TAKEN_AT: (0x9003, 0x9004),  # DateTimeOriginal, DateTimeDigitized
    DEVICE: (0xA433, 0xA434),  # LensMake, LensModel
    SERIAL: (0xA431, 0xA435),  # BodySerialNumber, LensSerialNumber
    NAME: (0xA430,),  # CameraOwnerName
    NOTES: (0x9286,),  # UserComment
    OTHER: (0x927C, 0xA420),  # MakerNote, ImageUniqueID
}
# Substrings of an XMP packet (compared in lower case) and what they reveal. Plain `in`
# tests: no regular expressions to backtrack on hostile input.
_XMP_MARKERS: Final[Mapping[str, tuple[str, ...]]] = {
    LOCATION: ("gpslatitude", "gpslongitude", "locationcreated", "locationshown"),
    TAKEN_AT: ("createdate", "datetimeoriginal", "datecreated", "modifydate"),
    DEVICE: ("tiff:make", "tiff:model", "lensmodel"),
    SERIAL: ("serialnumber",),
    SOFTWARE: ("creatortool", "softwareagent"),
    NAME: ("dc:creator", "xmprights:owner", "photoshop:credit", "cameraownername", "author"),
    NOTES: ("dc:description", "dc:title", "dc:subject", "usercomment"),
}
_PNG_TEXT_KEYS: Final[Mapping[str, str]] = {
    "author": NAME,
    "artist": NAME,
    "copyright": NAME,
    "creation time": TAKEN_AT,
    "software": SOFTWARE,
    "source": DEVICE,
}


def _present(mapping: Mapping[int, Any], tags: Iterable[int]) -> bool:
    for tag in tags:
        value = mapping.get(tag)
        if isinstance(value, str):
            if value.strip("\0 "):
                return True
        elif isinstance(value, bytes):
            if value.strip(b"\0 "):
                return True
        elif value is not None:
            return True
    return False


def _exif_labels(exif: Image.Exif, found: set[str]) -> None:
    if exif.get_ifd(ExifTags.IFD.GPSInfo):
        found.add(LOCATION)
    for label, tags in _IFD0_TAGS.items():
        if _present(exif, tags):
            found.add(label)
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    for label, tags in _EXIF_IFD_TAGS.items():
        if _present(sub, tags):
            found.add(label)
    # IFD1 is the thumbnail: it can show what was cropped out of the picture.
    if _present(exif.get_ifd(ExifTags.IFD.IFD1), (0x0201, 0x0111)):
        found.add(PREVIEW)


def _xmp_labels(xmp: bytes | str, found: set[str]) -> None:
    text = (xmp.decode("utf-8", "replace") if isinstance(xmp, bytes) else xmp).lower()
    matched = False
    for label, markers in _XMP_MARKERS.items():
        if any(marker in text for marker in markers):
            found.add(label)
            matched = True
    if not matched and text.strip():
        found.add(OTHER)


def _metadata_of(image: Image.Image) -> list[str]:
    found: set[str] = set()
    info = image.info
    try:
        _exif_labels(image.getexif(), found)
    except Exception:  # a malformed EXIF block still counts as something hidden
        if info.get("exif"):
            found.add(OTHER)
    if xmp := info.get("xmp"):
        _xmp_labels(xmp, found)
    if info.get("comment"):
        found.add(NOTES)
    if info.get("photoshop"):  # IPTC captions, bylines and places
        found.add(OTHER)
    if image.format == "MPO" and getattr(image, "n_frames", 1) > 1:
        found.add(PREVIEW)
    if isinstance(image, PngImagePlugin.PngImageFile):
        for key in image.text:
            if key == "XML:com.adobe.xmp":
                _xmp_labels(image.text[key], found)
            else:
                found.add(_PNG_TEXT_KEYS.get(key.lower(), NOTES))
    return [label for label in METADATA_LABELS if label in found]


# --- Clean copies --------------------------------------------------------------------------

_SRGB: Final = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
_GREY_MODES: Final = frozenset({"1", "L", "I", "I;16", "I;16B", "I;16L", "I;16N", "F"})


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in {"RGBA", "LA", "PA", "RGBa", "La"} or "transparency" in image.info


def _to_srgb(image: Image.Image) -> Image.Image:
    # Dropping the ICC profile would shift the colours of wide-gamut phone photos, so the
    # pixels are converted to sRGB first, when the profile can be read.
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in {"RGB", "RGBA", "CMYK"}:
        return image
    try:
        converted = ImageCms.profileToProfile(
            image,
            ImageCms.ImageCmsProfile(io.BytesIO(icc)),
            _SRGB,
            outputMode="RGBA" if image.mode == "RGBA" else "RGB",
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image
    return converted or image


def _pixels_only(frame: Image.Image, mode: str) -> Image.Image:
    """A new image holding only `frame`'s pixels, upright, in `mode`.

    Image.new starts with an empty `info`, so no EXIF, XMP, ICC profile, comment or text
    chunk can follow the pixels into the saved file (Pillow's writers fall back to
    `im.info` for some of them).
    """
    upright = _to_srgb(ImageOps.exif_transpose(frame))
    converted = upright if upright.mode == mode else upright.convert(mode)
    clean = Image.new(mode, converted.size)
    clean.paste(converted, (0, 0))
    return clean


def _clean_copy(image: Image.Image, frames: int) -> bytes:
    out = io.BytesIO()
    if frames > 1:
        clean_frames: list[Image.Image] = []
        durations: list[int] = []
        for frame in ImageSequence.Iterator(image):
            clean_frames.append(_pixels_only(frame, "RGBA"))
            durations.append(int(frame.info.get("duration") or 100))
        clean_frames[0].save(
            out,
            "PNG",
            save_all=True,
            append_images=clean_frames[1:],
            duration=durations,
            loop=0,
        )
    elif image.format in {"JPEG", "MPO"}:
        mode = "L" if image.mode in _GREY_MODES else "RGB"
        _pixels_only(image, mode).save(out, "JPEG", quality=_JPEG_QUALITY, optimize=True)
    else:
        if _has_alpha(image):
            mode = "RGBA"
        elif image.mode in _GREY_MODES:
            mode = "L"
        else:
            mode = "RGB"
        _pixels_only(image, mode).save(out, "PNG")
    return out.getvalue()


def clean_content_type(content_type: str) -> str:
    """The type of an image's clean copy: JPEG stays JPEG, everything else becomes PNG."""
    return "image/jpeg" if content_type == "image/jpeg" else "image/png"


def inspect_image(data: bytes, sniffed: str) -> Inspected:
    """The hidden details an image carries, in words, and a clean copy of its pixels."""
    formats = _PILLOW_FORMATS[sniffed]
    too_large = EvidenceRejected(IMAGE_TOO_LARGE_MESSAGE, code="image_too_large")
    try:
        with warnings.catch_warnings():
            # We apply a lower limit ourselves just below, before any pixel is decoded.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(formats))
        with image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise too_large
            # MPO's extra images are previews and depth maps, not frames to keep.
            frames = 1 if image.format == "MPO" else int(getattr(image, "n_frames", 1))
            if width * height * frames > MAX_IMAGE_PIXELS:
                raise too_large
            metadata = _metadata_of(image)
            clean = _clean_copy(image, frames)
    except EvidenceRejected:
        raise
    except Image.DecompressionBombError:
        raise too_large from None
    except Exception:
        # Pillow's decoders raise many kinds of error on damaged or hostile input.
        raise EvidenceRejected(UNREADABLE_MESSAGE, code="unreadable") from None
    return Inspected(metadata_found=metadata, clean=clean)


# --- Storage -------------------------------------------------------------------------------


def file_context(scope: str, file_id: object, storage_name: str) -> str:
    """The associated data of one stored file: binds its key to its owner's kind
    (`scope`), its row and its storage name, so a file moved or swapped with another in
    storage does not decrypt."""
    return f"{scope}|{file_id}|{storage_name}"


def store_file(
    *,
    data_key: DataKey | None,
    scope: str,
    file_id: uuid.UUID,
    source: IO[bytes],
    folder: str = STORAGE_DIR,
) -> tuple[str, crypto.WrappedFileKey]:
    """Encrypt `source` into default storage under a random name, with a fresh file key
    wrapped by `data_key`; return (storage name, wrapped key with size and SHA-256)."""
    name = f"{folder}/{uuid.uuid4().hex}"
    # Only ciphertext goes into this temporary file.
    with tempfile.TemporaryFile(dir=settings.FILE_UPLOAD_TEMP_DIR) as ciphertext:
        wrapped = crypto.encrypt_file(
            data_key=cast(DataKey, data_key),
            source=cast(BinaryIO, source),
            destination=cast(BinaryIO, ciphertext),
            context=file_context(scope, file_id, name),
        )
        ciphertext.seek(0)
        saved = default_storage.save(name, File(ciphertext, name="ciphertext"))
    if saved != name:
        # The name is part of the associated data: a renamed file could never be opened.
        default_storage.delete(saved)
        raise crypto.EncryptionError("Storage renamed an evidence file.")
    return name, wrapped


def delete_files(names: Iterable[str]) -> None:
    """Delete stored files by name; empty names and files already gone are skipped."""
    for name in names:
        if name:
            default_storage.delete(name)


def read_stored(
    *, data_key: DataKey | None, scope: str, file_id: object, name: str, wrapped_key: bytes
) -> tuple[bytes, str]:
    """Decrypt one stored file: (plaintext, its SHA-256). Raises crypto.DecryptionError."""
    with default_storage.open(name, "rb") as source:
        out = io.BytesIO()
        digest = crypto.decrypt_file(
            data_key=cast(DataKey, data_key),
            wrapped_key=bytes(wrapped_key),
            source=cast(BinaryIO, source),
            destination=out,
            context=file_context(scope, file_id, name),
        )
    return out.getvalue(), digest


def _open_stored(*, evidence: Evidence, name: str, wrapped_key: bytes) -> tuple[bytes, str]:
    return read_stored(
        data_key=evidence.data_key,
        scope=OBJECT_TYPE,
        file_id=evidence.pk,
        name=name,
        wrapped_key=wrapped_key,
    )


def inspect_accepted(accepted: Accepted) -> Inspected | None:
    """An accepted image Pillow can decode, inspected; None for anything else."""
    if accepted.kind == EvidenceKind.IMAGE and accepted.data is not None:
        return inspect_image(accepted.data, cast(str, accepted.sniffed))
    return None


def accepted_source(upload: UploadedFile[Any], accepted: Accepted) -> IO[bytes]:
    """What to encrypt: the bytes already read for a check, or the upload itself."""
    if accepted.data is not None:
        return io.BytesIO(accepted.data)
    upload.seek(0)
    return cast(IO[bytes], upload)


def check_file_size(size: int) -> None:
    """EvidenceRejected if one file is over the per-file limit."""
    if size > settings.WAYPOINT_UPLOAD_MAX_FILE_BYTES:
        raise EvidenceRejected(too_big_message(), code="too_big")


# --- Limits --------------------------------------------------------------------------------


def _check_limits(*, draft: Draft | None, report: Report | None, size: int) -> None:
    check_file_size(size)
    existing = (
        Evidence.objects.filter(draft=draft) if draft else Evidence.objects.filter(report=report)
    )
    totals = existing.aggregate(count=Count("id"), total=Sum("size"))
    if totals["count"] >= settings.WAYPOINT_UPLOAD_MAX_FILES:
        raise EvidenceRejected(_too_many_message(), code="too_many")
    if (totals["total"] or 0) + size > settings.WAYPOINT_UPLOAD_MAX_REPORT_BYTES:
        raise EvidenceRejected(_total_message(), code="total_too_big")


def _lock_owner(*, draft: Draft | None, report: Report | None) -> None:
    # Serialises concurrent uploads to one draft or report, so two cannot both pass the
    # count and total checks.
    if draft is not None:
        Draft.objects.select_for_update(of=("self",)).only("pk").get(pk=draft.pk)
    else:
        Report.objects.select_for_update(of=("self",)).only("pk").get(pk=cast(Report, report).pk)


def _owner_extra(evidence: Evidence) -> dict[str, str]:
    # A draft's id is the bearer token in its session: it never goes into the audit log.
    if evidence.report_id is not None:
        return {"report_id": str(evidence.report_id)}
    return {"owner": "draft"}


# --- Services ------------------------------------------------------------------------------


def evidence_add(
    *,
    upload: UploadedFile[Any],
    draft: Draft | None = None,
    report: Report | None = None,
    uploaded_by_staff: bool = False,
    actor: Actor = None,
) -> Evidence:
    """Check, encrypt and keep one uploaded file for a draft or a report (exactly one).

    Raises EvidenceRejected (with a message for the uploader) for a kind of file we don't
    accept, an empty or damaged file, one over the per-file size, an image over the pixel
    limit, or one that would take the owner over the number of files or total size.
    The slow work (decoding, encrypting) happens before the short transaction that locks
    the owner, checks the limits again and inserts the row with its audit entry. If that
    fails, the files already stored are deleted; they could not be decrypted anyway,
    since their keys were only ever going to be in the row.
    """
    if (draft is None) == (report is None):
        raise ValueError("Evidence belongs to exactly one draft or one report.")
    owner: Draft | Report = draft if draft is not None else cast(Report, report)
    size = upload_size(upload)
    _check_limits(draft=draft, report=report, size=size)
    accepted = accept_upload(upload, size)
    inspected = inspect_accepted(accepted)

    evidence_id = uuid.uuid4()
    stored: list[str] = []
    try:
        storage_name, file_key = store_file(
            data_key=owner.data_key,
            scope=OBJECT_TYPE,
            file_id=evidence_id,
            source=accepted_source(upload, accepted),
        )
        stored.append(storage_name)
        # The upload's declared size may be wrong; what was actually read decides.
        check_file_size(file_key.size)
        clean_name, clean_key = "", None
        if inspected is not None and inspected.clean is not None:
            clean_name, clean_key = store_file(
                data_key=owner.data_key,
                scope=OBJECT_TYPE,
                file_id=evidence_id,
                source=io.BytesIO(inspected.clean),
            )
            stored.append(clean_name)
        with transaction.atomic():
            _lock_owner(draft=draft, report=report)
            _check_limits(draft=draft, report=report, size=file_key.size)
            evidence = Evidence(
                id=evidence_id,
                data_key=owner.data_key,
                draft=draft,
                report=report,
                kind=accepted.kind,
                content_type=accepted.content_type,
                original_name=client_name(upload)[:255],
                size=file_key.size,
                sha256=file_key.sha256,
                storage_name=storage_name,
                file_key=bytes(file_key),
                clean_storage_name=clean_name,
                clean_file_key=bytes(clean_key) if clean_key is not None else None,
                clean_size=clean_key.size if clean_key is not None else None,
                metadata_found=inspected.metadata_found if inspected is not None else None,
                uploaded_by_staff=uploaded_by_staff,
            )
            evidence.save(force_insert=True)
            audit_record(
                actor=actor,
                action="evidence.added",
                object_type=OBJECT_TYPE,
                object_id=str(evidence.pk),
                extra={
                    **_owner_extra(evidence),
                    "kind": evidence.kind,
                    "size": evidence.size,
                    "sha256": evidence.sha256,
                    "clean_copy": bool(clean_name),
                    "metadata_items": len(evidence.metadata_found or []),
                    "by_staff": uploaded_by_staff,
                },
            )
    except BaseException:
        delete_files(stored)
        raise
    return evidence


def evidence_choose_metadata(*, evidence: Evidence, keep: bool, actor: Actor = None) -> Evidence:
    """Record the reporter's choice about an image's hidden details.

    keep=True keeps the original as received (the clean copy stays, for viewing).
    keep=False replaces the original with the clean copy: the row then points at the
    clean file (its size and SHA-256), the original is deleted from storage once the
    transaction commits, and `metadata_found` is emptied. Choosing to remove twice is
    harmless; keeping after removing, or removing without a clean copy, raises
    EvidenceRejected.
    """
    with transaction.atomic():
        locked = (
            Evidence.objects.select_for_update(of=("self",))
            .select_related("data_key")
            .get(pk=evidence.pk)
        )
        if keep:
            if locked.keep_metadata is False:
                raise EvidenceRejected(ALREADY_STRIPPED_MESSAGE, code="already_removed")
            locked.keep_metadata = True
            locked.save(update_fields=["keep_metadata"])
            audit_record(
                actor=actor,
                action="evidence.metadata_kept",
                object_type=OBJECT_TYPE,
                object_id=str(locked.pk),
                extra={**_owner_extra(locked), "sha256": locked.sha256},
            )
            return locked
        if not locked.clean_storage_name or locked.clean_file_key is None:
            if locked.keep_metadata is False:
                return locked
            raise EvidenceRejected(CANNOT_STRIP_MESSAGE, code="cannot_strip")
        clean_key = bytes(locked.clean_file_key)
        clean_data, clean_sha256 = _open_stored(
            evidence=locked, name=locked.clean_storage_name, wrapped_key=clean_key
        )
        original_name, original_sha256 = locked.storage_name, locked.sha256
        locked.storage_name = locked.clean_storage_name
        locked.file_key = clean_key
        locked.size = len(clean_data)
        locked.sha256 = clean_sha256
        locked.content_type = clean_content_type(locked.content_type)
        locked.clean_storage_name = ""
        locked.clean_file_key = None
        locked.clean_size = None
        locked.metadata_found = []
        locked.keep_metadata = False
        locked.save()
        audit_record(
            actor=actor,
            action="evidence.metadata_removed",
            object_type=OBJECT_TYPE,
            object_id=str(locked.pk),
            extra={
                **_owner_extra(locked),
                "original_sha256": original_sha256,
                "sha256": clean_sha256,
                "size": locked.size,
            },
        )
        transaction.on_commit(_deleter([original_name]), robust=True)
    return locked


def _deleter(names: list[str]) -> Callable[[], None]:
    def delete() -> None:
        delete_files(names)

    return delete


def evidence_remove(*, evidence: Evidence, actor: Actor = None) -> None:
    """Delete the row (audited) and, once that commits, its files."""
    names = [evidence.storage_name, evidence.clean_storage_name]
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="evidence.removed",
            object_type=OBJECT_TYPE,
            object_id=str(evidence.pk),
            extra={
                **_owner_extra(evidence),
                "kind": evidence.kind,
                "size": evidence.size,
                "sha256": evidence.sha256,
            },
        )
        Evidence.objects.filter(pk=evidence.pk).delete()
        # robust: the row is gone, so a file left behind is ciphertext whose key is gone.
        transaction.on_commit(_deleter(names), robust=True)


def evidence_delete_files(evidence: Evidence) -> None:
    """Delete an evidence row's files from storage now (for a purge, which deletes the
    rows and audits counts itself). Files already gone are not an error."""
    delete_files([evidence.storage_name, evidence.clean_storage_name])


def evidence_read(*, evidence: Evidence, clean: bool = True) -> bytes:
    """The plaintext to serve to an authorised viewer: the clean copy when there is one
    (and `clean`), otherwise the original, checked against its recorded SHA-256.

    Raises privacy.crypto.DecryptionError if the file does not decrypt or match.
    """
    if clean and evidence.clean_storage_name and evidence.clean_file_key is not None:
        data, _ = _open_stored(
            evidence=evidence,
            name=evidence.clean_storage_name,
            wrapped_key=bytes(evidence.clean_file_key),
        )
        if evidence.clean_size is not None and len(data) != evidence.clean_size:
            raise crypto.DecryptionError("The clean copy does not have its recorded size.")
        return data
    data, digest = _open_stored(
        evidence=evidence, name=evidence.storage_name, wrapped_key=bytes(evidence.file_key)
    )
    if digest != evidence.sha256:
        raise crypto.DecryptionError("The file does not match its recorded SHA-256.")
    return data
