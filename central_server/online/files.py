"""What a citizen's file is, by its content, and the limits every upload must keep.

A file from the public is hostile until proved otherwise. Its type is read from its first
bytes, never from its name or the browser's word; a file that is also something else (a PNG
with a ZIP appended, a JPEG carrying a ZIP archive) is refused; the pixel count is read from
the header before any decoding (``photos.py``), so a small file that would unpack to gigabytes
never does. The name the citizen gave is kept for display only: files are stored by SHA-256.
"""

from __future__ import annotations

import re
import struct
import unicodedata

from desk_app.domain.i18n import tr

MAX_FILE_BYTES = 15 * 1024 * 1024   # one photo or PDF; a 50 MP phone JPEG is about 12-20 MB at most
MAX_PIXELS = 50_000_000             # a 50 MP sensor's photo; more is refused before decoding
MAX_PAGES = 30                      # pages of one component (photos and PDF pages together)
MAX_NAME = 120                      # characters of a display name

JPEG, PNG, WEBP, PDF = "image/jpeg", "image/png", "image/webp", "application/pdf"
IMAGE_TYPES = (JPEG, PNG, WEBP)


class FileRefused(ValueError):
    """A file we will not take; ``message`` is one Vietnamese sentence for the citizen."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def not_a_document() -> FileRefused:
    return FileRefused(tr("Chỉ nhận ảnh chụp (JPEG, PNG, WebP) hoặc tệp PDF."))


def unreadable() -> FileRefused:
    return FileRefused(tr("Tệp bị hỏng hoặc không đọc được, xin chụp lại hoặc chọn tệp khác."))


def too_large() -> FileRefused:
    return FileRefused(tr("Tệp quá lớn: mỗi tệp tối đa {mb} MB.").format(mb=MAX_FILE_BYTES // (1024 * 1024)))


def too_many_pixels() -> FileRefused:
    return FileRefused(tr("Ảnh quá lớn: tối đa {mp} triệu điểm ảnh.").format(mp=MAX_PIXELS // 1_000_000))


def too_many_pages() -> FileRefused:
    return FileRefused(tr("Quá nhiều trang: mỗi thành phần hồ sơ tối đa {n} trang.").format(n=MAX_PAGES))


def sniff(data: bytes) -> str:
    """The file's type by its content: one of ``IMAGE_TYPES`` or ``PDF``; ``FileRefused`` otherwise.

    Checks the structure as far as it is cheap to: a JPEG's end marker after its scan starts, a
    PNG's chunks up to IEND with nothing after, a WebP's RIFF length, and no ZIP archive's end record at the end of any file (a polyglot that
    an unzipping tool or a careless browser would read as something else).
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise not_a_document()
    data = bytes(data)
    if len(data) > MAX_FILE_BYTES:
        raise too_large()
    if len(data) < 16:
        raise unreadable() if data else FileRefused(tr("Tệp rỗng."))
    if data.startswith(b"\xff\xd8\xff"):
        # The scan's data can hold no 0xFFD9 but the end marker (a 0xFF there is followed by 0):
        # without one after the scan starts, the photo was cut short, whatever follows.
        if data.rfind(b"\xff\xd9") < data.find(b"\xff\xda") or b"\xff\xda" not in data:
            raise unreadable()
        kind = JPEG
    elif data.startswith(b"\x89PNG\r\n\x1a\n"):
        _check_png(data)
        kind = PNG
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        size = struct.unpack("<I", data[4:8])[0]
        if not len(data) - 9 <= size <= len(data) - 8:  # one pad byte at most; more is another file
            raise not_a_document()
        kind = WEBP
    elif data.startswith(b"%PDF-"):
        kind = PDF
    else:
        raise not_a_document()
    if _ends_with_zip(data):
        raise not_a_document()
    return kind


def _check_png(data: bytes) -> None:
    """Walk the chunks: each length within the file, IHDR first, IEND last with nothing after."""
    pos, first = 8, True
    while True:
        if pos + 12 > len(data):
            raise unreadable()
        length, ctype = struct.unpack(">I4s", data[pos:pos + 8])
        end = pos + 12 + length
        if length > len(data) or end > len(data):
            raise unreadable()
        if first and ctype != b"IHDR":
            raise unreadable()
        first = False
        if ctype == b"IEND":
            if end != len(data):
                raise not_a_document()  # bytes after the image: another file rides on it
            return
        pos = end


_EOCD = re.compile(rb"PK\x05\x06")


def _ends_with_zip(data: bytes) -> bool:
    """A ZIP archive's end-of-central-directory record whose comment length reaches exactly the
    end of the file: what a ZIP reader looks for. A random match inside compressed image data
    practically never also has the right length, so real photos are not refused by chance."""
    tail_start = max(0, len(data) - 22 - 65535)
    for m in _EOCD.finditer(data, tail_start):
        p = m.start()
        if p + 22 <= len(data):
            comment = struct.unpack("<H", data[p + 20:p + 22])[0]
            if p + 22 + comment == len(data):
                return True
    return False


def safe_name(name: str) -> str:
    """A name to show beside the file (never to store it by): the last part of any path, NFC,
    without control, format or private characters, lone surrogates or leading dots, at most
    ``MAX_NAME`` characters with its extension kept."""
    if not isinstance(name, str):
        name = ""
    name = name.encode("utf-8", "replace").decode("utf-8")  # lone surrogates become '?'
    name = unicodedata.normalize("NFC", name)
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"))
    name = " ".join(name.split()).strip(". ")
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[:MAX_NAME - len(ext) - 1].rstrip(". ") + "." + ext
        else:
            name = name[:MAX_NAME]
    return name or tr("tệp không tên")

