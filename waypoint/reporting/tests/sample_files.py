"""Test files made in code, so the corpus is reviewable and nothing binary is committed.

Each builder returns bytes. The photo builders write their own EXIF (a little TIFF
structure) so a test can plant exactly the details a phone would: GPS coordinates, the
time taken, the camera model, a serial number, an owner's name and an embedded preview.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass

from PIL import Image, ImageCms
from PIL.PngImagePlugin import PngInfo

# Strings planted in metadata; tests look for them in the clean copies.
CAMERA_MAKE = "ExamplePhoneCo"
CAMERA_MODEL = "Pixelmaker 9 Pro"
SERIAL_NUMBER = "SN-4242-0099"
OWNER_NAME = "Alex Example-Owner"
TAKEN_AT = "2026:03:14 21:07:33"
SOFTWARE = "PhotoApp 17.2"
XMP_CREATOR = "Jordan Xmp-Creator"
PNG_COMMENT = "Taken outside 14 Example Road"
JPEG_COMMENT = "jpeg comment with a secret"

_ASCII, _SHORT, _LONG, _RATIONAL, _UNDEFINED = 2, 3, 4, 5, 7


@dataclass(frozen=True)
class _Entry:
    tag: int
    kind: int
    value: bytes
    count: int


def _ascii(tag: int, text: str) -> _Entry:
    data = text.encode("ascii") + b"\0"
    return _Entry(tag, _ASCII, data, len(data))


def _short(tag: int, value: int) -> _Entry:
    return _Entry(tag, _SHORT, struct.pack("<H", value), 1)


def _long(tag: int, value: int) -> _Entry:
    return _Entry(tag, _LONG, struct.pack("<L", value), 1)


def _rationals(tag: int, *values: tuple[int, int]) -> _Entry:
    data = b"".join(struct.pack("<LL", a, b) for a, b in values)
    return _Entry(tag, _RATIONAL, data, len(values))


def _undefined(tag: int, data: bytes) -> _Entry:
    return _Entry(tag, _UNDEFINED, data, len(data))


def _ifd_size(entries: list[_Entry]) -> int:
    extra = sum(len(e.value) for e in entries if len(e.value) > 4)
    return 2 + 12 * len(entries) + 4 + extra


def _ifd_bytes(entries: list[_Entry], offset: int, next_ifd: int) -> bytes:
    """One IFD at `offset` (from the TIFF header), with its out-of-line values after it."""
    entries = sorted(entries, key=lambda e: e.tag)
    data_offset = offset + 2 + 12 * len(entries) + 4
    table = struct.pack("<H", len(entries))
    data = b""
    for entry in entries:
        if len(entry.value) <= 4:
            inline = entry.value.ljust(4, b"\0")
        else:
            inline = struct.pack("<L", data_offset + len(data))
            data += entry.value
        table += struct.pack("<HHL", entry.tag, entry.kind, entry.count) + inline
    return table + struct.pack("<L", next_ifd) + data


def exif_block(  # noqa: PLR0912 - one branch per detail a test can plant
    *,
    gps: bool = True,
    taken_at: bool = True,
    camera: bool = True,
    serial: bool = True,
    owner: bool = True,
    software: bool = True,
    orientation: int | None = None,
    thumbnail: bytes | None = None,
) -> bytes:
    """Raw EXIF ("Exif\\0\\0" + little-endian TIFF) with the chosen details."""
    ifd0: list[_Entry] = [_short(0x011A, 72)]  # XResolution-ish filler every camera writes
    exif_ifd: list[_Entry] = [_undefined(0x9000, b"0232")]  # ExifVersion
    gps_ifd: list[_Entry] = []
    if camera:
        ifd0 += [_ascii(0x010F, CAMERA_MAKE), _ascii(0x0110, CAMERA_MODEL)]
    if software:
        ifd0.append(_ascii(0x0131, SOFTWARE))
    if owner:
        ifd0.append(_ascii(0x013B, OWNER_NAME))  # Artist
        exif_ifd.append(_ascii(0xA430, OWNER_NAME))  # CameraOwnerName
    if orientation is not None:
        ifd0.append(_short(0x0112, orientation))
    if taken_at:
        exif_ifd.append(_ascii(0x9003, TAKEN_AT))  # DateTimeOriginal
    if serial:
        exif_ifd.append(_ascii(0xA431, SERIAL_NUMBER))  # BodySerialNumber
    if gps:
        gps_ifd = [
            _Entry(0x0000, 1, bytes([2, 3, 0, 0]), 4),  # GPSVersionID (BYTE x4)
            _ascii(0x0001, "N"),
            _rationals(0x0002, (52, 1), (37, 1), (2187, 100)),  # 52°37'21.87"
            _ascii(0x0003, "W"),
            _rationals(0x0004, (1, 1), (7, 1), (4512, 100)),
        ]

    # Pointers are LONGs, so sizes do not depend on the offsets: place, then write.
    ifd0.append(_long(0x8769, 0))
    if gps_ifd:
        ifd0.append(_long(0x8825, 0))
    thumb_ifd: list[_Entry] = []
    if thumbnail is not None:
        thumb_ifd = [_long(0x0201, 0), _long(0x0202, len(thumbnail)), _short(0x0103, 6)]
    offset0 = 8
    offset_exif = offset0 + _ifd_size(ifd0)
    offset_gps = offset_exif + _ifd_size(exif_ifd)
    offset_thumb_ifd = offset_gps + (_ifd_size(gps_ifd) if gps_ifd else 0)
    offset_thumb = offset_thumb_ifd + (_ifd_size(thumb_ifd) if thumb_ifd else 0)
    ifd0 = [e for e in ifd0 if e.tag not in (0x8769, 0x8825)]
    ifd0.append(_long(0x8769, offset_exif))
    if gps_ifd:
        ifd0.append(_long(0x8825, offset_gps))
    if thumb_ifd:
        thumb_ifd = [e for e in thumb_ifd if e.tag != 0x0201]
        thumb_ifd.append(_long(0x0201, offset_thumb))

    tiff = b"II*\0" + struct.pack("<L", offset0)
    tiff += _ifd_bytes(ifd0, offset0, offset_thumb_ifd if thumb_ifd else 0)
    tiff += _ifd_bytes(exif_ifd, offset_exif, 0)
    if gps_ifd:
        tiff += _ifd_bytes(gps_ifd, offset_gps, 0)
    if thumb_ifd and thumbnail is not None:
        tiff += _ifd_bytes(thumb_ifd, offset_thumb_ifd, 0)
        tiff += thumbnail
    return b"Exif\0\0" + tiff


def _pattern(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    # A gradient rather than a flat colour, so re-encoding has real pixels to keep.
    width, height = size
    image = Image.new(mode, size)
    image.putdata(
        [
            (x * 255 // max(width - 1, 1), y * 255 // max(height - 1, 1), 128)[: len(mode)]
            if mode != "L"
            else (x + y) % 256
            for y in range(height)
            for x in range(width)
        ]
    )
    return image


XMP_PACKET = (
    '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:exif="http://ns.adobe.com/exif/1.0/">'
    f"<dc:creator><rdf:Seq><rdf:li>{XMP_CREATOR}</rdf:li></rdf:Seq></dc:creator>"
    "<exif:GPSLatitude>52,37.36N</exif:GPSLatitude>"
    "</rdf:Description></rdf:RDF></x:xmpmeta>"
    '<?xpacket end="w"?>'
).encode()


def jpeg_with_metadata(
    *,
    size: tuple[int, int] = (64, 48),
    orientation: int | None = None,
    thumbnail: bool = True,
    xmp: bool = True,
    icc: bool = True,
    comment: bool = True,
) -> bytes:
    """A phone-like JPEG: EXIF GPS, time taken, make/model, serial, owner, software,
    an embedded preview in IFD1, an XMP packet, an ICC profile and a COM comment."""
    preview = jpeg_plain(size=(16, 12)) if thumbnail else None
    params: dict[str, object] = {
        "exif": exif_block(orientation=orientation, thumbnail=preview),
        "quality": 90,
    }
    if xmp:
        params["xmp"] = XMP_PACKET
    if icc:
        params["icc_profile"] = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    if comment:
        params["comment"] = JPEG_COMMENT
    out = io.BytesIO()
    _pattern(size).save(out, "JPEG", **params)
    return out.getvalue()


def jpeg_plain(*, size: tuple[int, int] = (32, 24)) -> bytes:
    out = io.BytesIO()
    _pattern(size).save(out, "JPEG", quality=85)
    return out.getvalue()


def png_with_text(*, size: tuple[int, int] = (40, 30)) -> bytes:
    """A PNG carrying tEXt chunks (an author and a comment), as screenshots tools write."""
    info = PngInfo()
    info.add_text("Author", OWNER_NAME)
    info.add_text("Comment", PNG_COMMENT)
    info.add_text("Software", SOFTWARE)
    out = io.BytesIO()
    _pattern(size, "RGBA").save(out, "PNG", pnginfo=info)
    return out.getvalue()


def png_plain(*, size: tuple[int, int] = (20, 10)) -> bytes:
    out = io.BytesIO()
    _pattern(size).save(out, "PNG")
    return out.getvalue()


def gif_animated(*, frames: int = 3, size: tuple[int, int] = (12, 8)) -> bytes:
    images = [Image.new("RGB", size, color=(index * 60, 20, 200)) for index in range(frames)]
    out = io.BytesIO()
    images[0].save(
        out, "GIF", save_all=True, append_images=images[1:], duration=80, comment=b"gif note"
    )
    return out.getvalue()


def webp_plain(*, size: tuple[int, int] = (20, 20)) -> bytes:
    out = io.BytesIO()
    _pattern(size).save(out, "WEBP", exif=exif_block(serial=False, owner=False))
    return out.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">L", len(data)) + kind + data + struct.pack(">L", zlib.crc32(kind + data))


def png_header_only(*, width: int, height: int) -> bytes:
    """A PNG that claims to be width x height with almost no pixel data: a decompression
    bomb's header. Opening it reads only the header; loading it would allocate the lot."""
    ihdr = struct.pack(">LLBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def heic_header() -> bytes:
    """The start of an HEIC photo (ftyp box, brand heic); Pillow cannot decode it."""
    ftyp = b"ftypheic" + b"\0\0\0\0" + b"mif1heic"
    box = struct.pack(">L", 4 + len(ftyp)) + ftyp
    return box + struct.pack(">L", 16) + b"meta" + b"\0" * 8 + b"\0" * 512


def pdf(*, author: str = "Pat Author", filler: bytes = b"") -> bytes:
    body = (
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
        b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        b"3 0 obj << /Author (" + author.encode() + b") >> endobj\n"
    )
    return body + filler + b"\ntrailer << /Root 1 0 R /Info 3 0 R >>\n%%EOF\n"


_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="xml" ContentType="application/xml"/></Types>'
)


def docx(*, macro: bool = False) -> bytes:
    """A minimal Word document: [Content_Types].xml, _rels, word/ and docProps/core.xml."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", b"<Relationships/>")
        archive.writestr("word/document.xml", b"<w:document><w:body>Hello</w:body></w:document>")
        archive.writestr("docProps/core.xml", b"<cp:coreProperties><dc:creator>Pat</dc:creator>")
        if macro:
            archive.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0 macro")
    return out.getvalue()


def xlsx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", b"<Relationships/>")
        archive.writestr("xl/workbook.xml", b"<workbook/>")
    return out.getvalue()


def odt() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        # ODF: an uncompressed "mimetype" entry comes first.
        archive.writestr("mimetype", b"application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", b"<office:document-content/>", zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", b"<manifest/>", zipfile.ZIP_DEFLATED)
    return out.getvalue()


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("notes.txt", b"just a zip")
        archive.writestr("run.exe", b"MZ\x90\0")
    return out.getvalue()


def docx_lookalike_zip() -> bytes:
    """A zip that starts like an Office file but has no word/, xl/ or ppt/ part."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("payload/evil.js", b"alert(1)")
    return out.getvalue()


def legacy_doc() -> bytes:
    """An OLE compound file with the Word 97 marker where filetype looks for it."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    return header + b"\xec\xa5\xc1\x00" + b"\0" * 1020


def rtf() -> bytes:
    return b"{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Times;}} Hello \\par}"


def mp3() -> bytes:
    id3 = b"ID3\x04\x00\x00\x00\x00\x00\x0a" + b"\0" * 10
    frame = b"\xff\xfb\x90\x64" + b"\0" * 413
    return id3 + frame * 4


def m4a() -> bytes:
    ftyp = b"ftypM4A " + b"\0\0\0\0" + b"M4A mp42isom"
    return struct.pack(">L", 4 + len(ftyp)) + ftyp + b"\0\0\0\x08free" + b"\0" * 256


def mp4() -> bytes:
    ftyp = b"ftypisom" + b"\0\0\x02\0" + b"isomiso2avc1mp41"
    return struct.pack(">L", 4 + len(ftyp)) + ftyp + b"\0\0\0\x08free" + b"\0" * 256


def mov() -> bytes:
    ftyp = b"ftypqt  " + b"\0\0\x02\0" + b"qt  "
    return struct.pack(">L", 4 + len(ftyp)) + ftyp + b"\0\0\0\x08wide" + b"\0" * 256


def webm() -> bytes:
    return b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm\x42\x87\x81\x04" + b"\0" * 256


def wav() -> bytes:
    samples = b"\0\0" * 800
    fmt = struct.pack("<HHLLHH", 1, 1, 8000, 16000, 2, 16)
    body = b"WAVE" + b"fmt " + struct.pack("<L", len(fmt)) + fmt
    body += b"data" + struct.pack("<L", len(samples)) + samples
    return b"RIFF" + struct.pack("<L", len(body)) + body


def ogg() -> bytes:
    return b"OggS\x00\x02" + b"\0" * 20 + b"\x01\x1e\x01vorbis" + b"\0" * 200


def html_page() -> bytes:
    return b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def svg_with_script() -> bytes:
    return (
        b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg">'
        b"<script>alert(1)</script><circle r='4'/></svg>"
    )


def windows_executable() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\0" * 200


def elf_executable() -> bytes:
    return b"\x7fELF\x02\x01\x01" + b"\0" * 200


def text_note() -> bytes:
    return "He was outside the library again at 9pm — third time this week.\n".encode()


def sized_pdf(size: int, *, marker: bytes = b"") -> bytes:
    """A PDF of exactly `size` bytes whose body repeats `marker` (for canary tests)."""
    head = b"%PDF-1.7\n"
    tail = b"\n%%EOF\n"
    unit = (marker + b" filler text between markers ") if marker else b"0123456789abcdef"
    body_length = size - len(head) - len(tail)
    body = (unit * (body_length // len(unit) + 1))[:body_length]
    return head + body + tail


def zip_bomb_docx(*, uncompressed: int = 200 * 2**20) -> bytes:
    """A Word-shaped zip whose document part inflates to `uncompressed` bytes of zeros
    (about 200 KB on the wire for the default 200 MB). Written in chunks, so building it
    does not need the inflated size in memory either."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        with archive.open("word/document.xml", "w", force_zip64=True) as entry:
            block = b"\0" * 2**20
            for _ in range(uncompressed // len(block)):
                entry.write(block)
    return out.getvalue()


def jpeg_html_polyglot() -> bytes:
    """A real JPEG with a web page appended after its end marker."""
    return jpeg_plain() + html_page()
