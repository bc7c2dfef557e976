"""Hostile files at the upload: refused with a Vietnamese sentence, or neutralised, never a crash.

Polyglots, a PDF that runs JavaScript and launches a program, decompression bombs, a
truncated JPEG, an encrypted PDF, files that are not documents at all, hostile names; memory
stays bounded (measured in a fresh process) and random or mutated bytes only ever come out
as ``FileRefused``.
"""

from __future__ import annotations

import io
import json
import math
import re
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from reportlab.lib import pdfencrypt
from reportlab.pdfgen import canvas

from central_server.online import files, idcard, photos
from central_server.online.files import FileRefused, safe_name, sniff
from desk_app.domain.i18n import using_language

ROOT = Path(__file__).resolve().parents[3]
ACTIVE = (b"/JavaScript", b"/JS", b"/OpenAction", b"/AA", b"/Launch", b"/EmbeddedFile", b"/Annots",
          b"/AcroForm", b"/URI", b"/Names", b"/XFA", b"/RichMedia")


# -- the files ------------------------------------------------------------------------------
def small_image(fmt: str = "JPEG", size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (240, 240, 235)).save(out, fmt)
    return out.getvalue()


def zip_archive() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("index.html", "<script>alert(document.cookie)</script>")
        z.writestr("run.exe", b"MZ" + bytes(100))
    return out.getvalue()


def zeros_deflated(row: int, rows: int) -> bytes:
    """A zlib stream of rows x row zero bytes, made in a moment whatever the size: after a full
    flush deflate starts afresh, so one compressed block of a thousand rows, repeated, is the
    stream of all of them."""
    block_rows = math.gcd(rows, 1000)
    zeros = bytes(row * block_rows)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = deflate.compress(zeros) + deflate.flush(zlib.Z_FULL_FLUSH)
    adler = 1
    for _ in range(rows // block_rows):
        adler = zlib.adler32(zeros, adler)
    return b"\x78\xda" + block * (rows // block_rows) + deflate.flush() + adler.to_bytes(4, "big")


def png_bomb(side: int = 20_000) -> bytes:
    """A valid grey PNG of side x side pixels (400 MB unpacked) in under half a megabyte."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")
    ihdr = side.to_bytes(4, "big") * 2 + bytes([8, 0, 0, 0, 0])
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zeros_deflated(side + 1, side))
            + chunk(b"IEND", b""))


def pdf_with_picture(side: int, pages: int = 1) -> bytes:
    """Pages that each show the same grey side x side picture (one object, drawn on every page)."""
    stream = zeros_deflated(side, side)
    content = b"q 595 0 0 842 0 0 cm /Im0 Do Q"
    kids = b" ".join(b"%d 0 R" % (5 + i) for i in range(pages))
    return handmade_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 "
        b"/Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream" % (side, side, len(stream), stream),
    ] + [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R "
         b"/Resources << /XObject << /Im0 4 0 R >> >> >>"] * pages)


def jpeg_claiming(width: int, height: int) -> bytes:
    """A small JPEG whose frame header says it is width x height."""
    data = bytearray(small_image())
    sof = next(i for i in range(2, len(data) - 1) if data[i] == 0xFF and data[i + 1] in (0xC0, 0xC2))
    data[sof + 5:sof + 9] = height.to_bytes(2, "big") + width.to_bytes(2, "big")
    return bytes(data)


def handmade_pdf(objects: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def pdf_with_javascript() -> bytes:
    """JavaScript on opening and on the page, a link that launches a program, an attached .exe,
    a form: everything a PDF can carry besides its pages."""
    page_text = b"BT /F1 36 Tf 72 700 Td (Giay to cong dan) Tj ET 72 500 200 100 re f"
    exe = b"MZ\x90\x00" + bytes(200)
    return handmade_pdf([
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R /AcroForm << /Fields [] /XFA 5 0 R >> "
        b"/Names << /JavaScript << /Names [(a) 5 0 R] >> /EmbeddedFiles << /Names [(run.exe) 7 0 R] >> >> >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /AA << /O 5 0 R >> "
        b"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> /Annots [8 0 R] >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(page_text), page_text),
        b"<< /Type /Action /S /JavaScript /JS (app.launchURL\\('https://evil.example/'\\); this.exportDataObject\\({cName: 'run.exe', nLaunch: 2}\\)) >>",
        b"<< /Type /EmbeddedFile /Length %d >>\nstream\n%s\nendstream" % (len(exe), exe),
        b"<< /Type /Filespec /F (run.exe) /EF << /F 6 0 R >> >>",
        b"<< /Type /Annot /Subtype /Link /Rect [0 0 595 842] /A << /S /Launch /F (cmd.exe) >> >>",
    ])


def encrypted_pdf(user_password: str) -> bytes:
    out = io.BytesIO()
    c = canvas.Canvas(out, encrypt=pdfencrypt.StandardEncryption(user_password, ownerPassword="chu-so-huu"))
    c.drawString(72, 700, "Giay to")
    c.showPage()
    c.save()
    return out.getvalue()


def _structure(pdf: bytes) -> bytes:
    """The PDF without its streams' contents: the objects' dictionaries, where actions live."""
    return re.sub(rb"stream\n.*?\nendstream", b"stream endstream", pdf, flags=re.S)


def _refusal(call, *args) -> FileRefused:
    with pytest.raises(FileRefused) as refused:
        call(*args)
    message = refused.value.message
    assert message and message[-1] in ".!" and any(ord(c) > 127 for c in message)  # a Vietnamese sentence
    return refused.value


# -- polyglots and things that are not documents ------------------------------------------
@pytest.mark.parametrize("name, data", [
    ("png + zip", small_image("PNG") + zip_archive()),
    ("jpeg + zip", small_image("JPEG") + zip_archive()),
    ("webp + zip", small_image("WEBP") + zip_archive()),
    ("pdf + zip", encrypted_pdf("") + zip_archive()),
    ("zip", zip_archive()),
    ("html", b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"),
    ("svg", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    ("exe", b"MZ\x90\x00\x03" + bytes(200)),
    ("elf", b"\x7fELF\x02\x01\x01" + bytes(200)),
    ("gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;" + bytes(20)),
    ("heic", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(40)),
    ("bmp", b"BM" + bytes(100)),
    ("empty", b""),
    ("pdf later in the file", b"\n\n<html>" + b"%PDF-1.4\n" + bytes(40)),
])
def test_not_a_document_or_two_files_in_one_is_refused(name: str, data: bytes) -> None:
    _refusal(sniff, data)
    _refusal(photos.component_pdf, [data])


def test_the_real_types_pass() -> None:
    assert [sniff(small_image(f)) for f in ("JPEG", "PNG", "WEBP")] == [files.JPEG, files.PNG, files.WEBP]
    assert sniff(encrypted_pdf("")) == files.PDF  # a PDF it is; pdf_pages refuses it for its password


def test_a_file_over_the_size_limit_is_refused_before_anything_else() -> None:
    refused = _refusal(sniff, small_image() + bytes(files.MAX_FILE_BYTES))
    assert "MB" in refused.message


# -- a PDF that acts ----------------------------------------------------------------------
def test_a_pdf_with_javascript_actions_and_an_attachment_is_neutralised() -> None:
    hostile = pdf_with_javascript()
    doc = pdfium.PdfDocument(hostile)  # the fixture does carry what it claims
    try:
        assert pdfium.raw.FPDFDoc_GetJavaScriptActionCount(doc.raw) == 1
        assert pdfium.raw.FPDFDoc_GetAttachmentCount(doc.raw) == 1
    finally:
        doc.close()
    pdf, pages = photos.component_pdf([hostile])
    assert pages == 1
    structure = _structure(pdf)
    for token in ACTIVE:
        assert token not in structure, token
    assert b"MZ\x90" not in pdf and b"evil.example" not in pdf and b"cmd.exe" not in pdf
    doc = pdfium.PdfDocument(pdf)
    try:
        assert pdfium.raw.FPDFDoc_GetJavaScriptActionCount(doc.raw) == 0
        assert pdfium.raw.FPDFDoc_GetAttachmentCount(doc.raw) == 0
        assert doc[0].get_textpage().get_text_range() == ""  # the text is pixels now
        assert min(doc[0].render(scale=0.5).to_pil().convert("L").getextrema()) < 60
    finally:
        doc.close()


@pytest.mark.parametrize("user_password", ["", "mat-khau"])
def test_an_encrypted_pdf_is_refused(user_password: str) -> None:
    refused = _refusal(photos.component_pdf, [encrypted_pdf(user_password)])
    assert "mật khẩu" in refused.message


# -- bombs and broken images ----------------------------------------------------------------
def test_a_20000_by_20000_png_is_refused_from_its_header() -> None:
    bomb = png_bomb()
    assert len(bomb) < 1_000_000 and sniff(bomb) == files.PNG
    for call in (photos.photo_to_page, photos.open_photo, idcard.id_card_from_photo):
        assert "triệu điểm ảnh" in _refusal(call, bomb).message
    _refusal(photos.component_pdf, [bomb])


def test_a_pdf_with_a_huge_picture_is_refused_before_it_is_unpacked() -> None:
    """pdfium would stream it down in little memory, but for seconds a page, on every page."""
    assert "triệu điểm ảnh" in _refusal(photos.component_pdf, [pdf_with_picture(60_000)]).message
    _refusal(photos.component_pdf, [pdf_with_picture(7_000, pages=8)])  # 49 MP each, 392 MP in all
    pdf, pages = photos.component_pdf([pdf_with_picture(2_000, pages=2)])  # a scan's worth: fine
    assert pages == 2


@pytest.mark.parametrize("width, height", [(60_000, 60_000), (8000, 7000), (65_535, 1)])
def test_a_jpeg_claiming_too_many_pixels_is_refused(width: int, height: int) -> None:
    _refusal(photos.photo_to_page, jpeg_claiming(width, height))


def test_a_truncated_or_corrupt_jpeg_is_refused() -> None:
    whole = io.BytesIO()
    Image.effect_noise((800, 600), 60).convert("RGB").save(whole, "JPEG", quality=90)
    data = whole.getvalue()
    for broken in (data[:len(data) // 2], data[:200], data[:len(data) // 2] + bytes(len(data) // 2)):
        _refusal(photos.photo_to_page, broken)
    corrupt = bytearray(data)
    corrupt[300:340] = b"\xff" * 40
    try:
        photos.photo_to_page(bytes(corrupt))  # either a (damaged) page or a refusal: never a crash
    except FileRefused:
        pass


@pytest.mark.parametrize("size", [(1, 1), (1, 5000), (5000, 1), (31, 600), (40, 900), (3, 2)])
@pytest.mark.parametrize("mode", ["RGB", "L", "RGBA", "P", "1", "I;16", "LA"])
def test_icons_and_slivers_are_refused_as_photos_of_papers(size, mode) -> None:
    data = io.BytesIO()
    Image.new(mode, size).save(data, "PNG")
    assert "quá hẹp" in _refusal(photos.photo_to_page, data.getvalue()).message


@pytest.mark.parametrize("mode", ["RGB", "L", "RGBA", "P", "1", "I;16", "LA", "CMYK"])
def test_every_pixel_format_becomes_an_rgb_page(mode) -> None:
    data = io.BytesIO()
    Image.new(mode, (48, 64)).save(data, "JPEG" if mode == "CMYK" else "PNG")
    assert photos.photo_to_page(data.getvalue()).mode == "RGB"


def test_uploads_on_many_threads_at_once_keep_their_answers_and_the_process_as_it_was() -> None:
    """The server cleans files on a pool of threads: pdfium and the warnings filter are shared."""
    import warnings
    from concurrent.futures import ThreadPoolExecutor
    before = list(warnings.filters)
    photo = io.BytesIO()
    Image.effect_noise((900, 1200), 40).convert("RGB").save(photo, "JPEG")
    work = [photo.getvalue(), png_bomb(12_000), pdf_with_javascript(), encrypted_pdf("x")] * 4

    def clean(data: bytes) -> str:
        try:
            return "pages %d" % photos.component_pdf([data])[1]
        except FileRefused as refused:
            return refused.message
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(clean, work))
    assert answers == [clean(data) for data in work[:4]] * 4
    assert answers[:2] == ["pages 1", files.too_many_pixels().message]
    assert warnings.filters == before


def test_memory_stays_bounded_through_every_hostile_file() -> None:
    """In a fresh process (its peak is its own): the bombs and the hostile PDF cost < 200 MB."""
    script = (
        "import json\n"
        "from tests.central_server.online import test_hostile_files as h\n"
        "from central_server.online import photos, idcard\n"
        "from central_server.online.files import FileRefused\n"
        "samples = [h.png_bomb(), h.jpeg_claiming(60000, 60000), h.pdf_with_javascript(), h.pdf_with_picture(60000),\n"
        "           h.encrypted_pdf('x'), h.small_image('PNG') + h.zip_archive()]\n"
        "def status(key):\n"
        "    return int(open('/proc/self/status').read().split(key + ':')[1].split()[0])\n"
        "try:  # forget the peak of making the samples (Linux 4.0+), so only the cleaning counts\n"
        "    open('/proc/self/clear_refs', 'w').write('5')\n"
        "    base = status('VmRSS')\n"
        "except OSError:\n"
        "    base = status('VmHWM')\n"
        "for data in samples:\n"
        "    for call in (photos.component_pdf, ):\n"
        "        try:\n"
        "            call([data])\n"
        "        except FileRefused:\n"
        "            pass\n"
        "    try:\n"
        "        idcard.id_card_from_photo(data)\n"
        "    except FileRefused:\n"
        "        pass\n"
        "peak = status('VmHWM')\n"
        "print(json.dumps({'base_kb': base, 'peak_kb': peak}))\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["peak_kb"] - figures["base_kb"] < 200 * 1024, figures


# -- names ------------------------------------------------------------------------------------
@pytest.mark.parametrize("given_name, shown", [
    ("../../x.pdf", "x.pdf"),
    ("..\\..\\windows\\system32\\x.pdf", "x.pdf"),
    ("/etc/passwd", "passwd"),
    ("ảnh\x00.jpg", "ảnh.jpg"),
    ("bi\u0300a.pdf", "bìa.pdf"),                          # NFC
    ("gdp\u202egpj.exe", "gdpgpj.exe"),                      # right-to-left override dropped
    ("tai\ud800lieu.pdf", "tai?lieu.pdf"),                   # a lone surrogate
    ("  .hidden  ", "hidden"),
    ("..", "tệp không tên"),
    ("", "tệp không tên"),
    ("line\nbreak\r.png", "linebreak.png"),
])
def test_names_are_for_display_only(given_name: str, shown: str) -> None:
    assert safe_name(given_name) == shown


def test_a_long_name_keeps_its_extension() -> None:
    name = safe_name("Giấy khai sinh " * 40 + ".pdf")
    assert len(name) <= files.MAX_NAME and name.endswith(".pdf")
    assert safe_name(None) == "tệp không tên"  # type: ignore[arg-type]


@given(st.text(max_size=400))
def test_any_name_gives_a_plain_bounded_name(name: str) -> None:
    shown = safe_name(name)
    assert 0 < len(shown) <= files.MAX_NAME
    assert "/" not in shown and "\\" not in shown and not shown.startswith(".")
    assert all(c >= " " and c != "\x7f" for c in shown)
    shown.encode("utf-8")  # no lone surrogate left


# -- messages in English too ----------------------------------------------------------------
def test_refusals_are_translated() -> None:
    with using_language("en"):
        with pytest.raises(FileRefused) as refused:
            sniff(zip_archive())
    assert refused.value.message.isascii()


# -- fuzz -------------------------------------------------------------------------------------
SEEDS = [small_image("JPEG", (40, 30)), small_image("PNG", (40, 30)), small_image("WEBP", (40, 30)),
         handmade_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                       b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] >>"])]
MAGIC = [b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"RIFF\x00\x00\x00\x00WEBPVP8 ", b"%PDF-1.4\n"]


@st.composite
def mutated(draw) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        how = draw(st.sampled_from(["flip", "cut", "insert", "repeat"]))
        i = draw(st.integers(0, len(data) - 1))
        if how == "flip":
            data[i] = draw(st.integers(0, 255))
        elif how == "cut":
            del data[i:i + draw(st.integers(1, 64))]
        elif how == "insert":
            data[i:i] = draw(st.binary(min_size=1, max_size=16))
        else:
            data[i:i] = data[i:i + 8] * draw(st.integers(1, 50))
        if not data:
            data = bytearray(b"x")
    return bytes(data)


hostile_bytes = st.one_of(st.binary(max_size=2048), st.builds(bytes.__add__, st.sampled_from(MAGIC), st.binary(max_size=2048)),
                          mutated())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_bytes)
def test_fuzz_only_file_refused_comes_out(data: bytes) -> None:
    for call in (sniff, photos.photo_to_page, idcard.id_card_from_photo):
        try:
            call(data)
        except FileRefused:
            pass
    try:
        photos.component_pdf([data])
    except FileRefused:
        pass


@st.composite
def odd_images(draw) -> bytes:
    """Real images of any small size, shape, pixel format and file type, EXIF orientation too."""
    width, height = draw(st.integers(1, 3000)), draw(st.integers(1, 3000))
    if width * height > 300_000:
        width = max(1, 300_000 // height)
    mode = draw(st.sampled_from(["RGB", "L", "RGBA", "P", "1", "LA", "I;16"]))
    fmt = draw(st.sampled_from(["PNG", "WEBP", "JPEG"]))
    image = Image.new(mode, (width, height), draw(st.integers(0, 255)) if mode != "RGB" else (255, 255, 255))
    if fmt != "PNG":
        image = image.convert("RGB")
    exif = Image.Exif()
    exif[0x0112] = draw(st.integers(0, 9))
    out = io.BytesIO()
    try:
        image.save(out, fmt, exif=exif.tobytes())
    except (OSError, ValueError):  # a size the format cannot hold (WebP past 16383)
        image.save(out := io.BytesIO(), "PNG")
    return out.getvalue()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(odd_images())
def test_fuzz_any_real_image_is_a_page_or_a_refusal(data: bytes) -> None:
    try:
        page = photos.photo_to_page(data)
    except FileRefused:
        return
    assert page.mode == "RGB" and max(page.size) <= photos.PAGE_LONG
