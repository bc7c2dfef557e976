"""Phone photos into clean pages: the paper's corners found, upright, no EXIF left, one PDF.

The photos are made by ``photosim`` with the truth known: the page as printed, where its
corners landed in the photo, the EXIF orientation and GPS the phone wrote.
"""

from __future__ import annotations

import io
import re

import cv2
import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageOps
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from central_server.online import photos
from central_server.online.files import MAX_PAGES, FileRefused
from tests.central_server.online import photosim

CASES = [  # seed, EXIF orientation, angle of the page in the photo (degrees)
    (1, 6, -6.0), (2, 8, 4.0), (3, 6, 0.5), (4, 1, 7.0), (5, 3, -3.0)]


@pytest.fixture(scope="module", params=CASES, ids=lambda c: "seed%d-orientation%d" % c[:2])
def shot(request) -> photosim.Photo:
    seed, orientation, angle = request.param
    sensor = (4000, 3000) if seed == 1 else (2400, 1800)  # one full 12 MP photo; the rest smaller, for time
    return photosim.photograph(photosim.paper_page(seed), seed=seed, sensor=sensor, orientation=orientation,
                               angle=angle, shadow=0.45)


def test_the_photo_carries_what_a_phone_writes(shot) -> None:
    """The fixture is what it claims: pixels turned, the orientation and GPS in the EXIF."""
    raw = Image.open(io.BytesIO(shot.jpeg))
    exif = raw.getexif()
    assert exif[0x0112] == shot.orientation
    assert exif.get_ifd(0x8825)[2] == photosim.GPS[2]
    turned = shot.orientation in (6, 8)
    assert raw.size == (shot.upright_size[::-1] if turned else shot.upright_size)


def test_the_pages_corners_are_found_within_one_percent(shot) -> None:
    upright = photos.open_photo(shot.jpeg)
    assert upright.size == shot.upright_size
    corners = photos.find_page(upright)
    assert corners is not None
    error = np.abs(corners - shot.corners).max()
    assert error <= 0.01 * max(shot.upright_size), (corners, shot.corners)
    # the pipeline's own path: found on a small upright copy, taken back to the stored pixels
    pixels, orientation = photos.decode(shot.jpeg)
    stored = photos.page_corners(pixels, orientation)
    h, w = pixels.shape[:2]
    seen = cv2.perspectiveTransform(stored[None], photos.upright_matrix(orientation, w, h))[0]
    assert np.abs(seen - shot.corners).max() <= 0.01 * max(shot.upright_size), (seen, shot.corners)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_turns_as_pillow_does(orientation: int) -> None:
    stored = np.random.default_rng(orientation).integers(0, 255, (3, 5, 3), dtype=np.uint8)
    image = Image.fromarray(stored)
    exif = Image.Exif()
    exif[0x0112] = orientation
    image.info["exif"] = exif.tobytes()
    expected = np.asarray(ImageOps.exif_transpose(image))
    turned = photos.upright(stored, orientation)
    assert (turned == expected).all()
    matrix = photos.upright_matrix(orientation, 5, 3)
    for y in range(3):
        for x in range(5):
            tx, ty, _ = (matrix @ (x, y, 1)).round().astype(int)
            assert (turned[ty, tx] == stored[y, x]).all()


@pytest.fixture(scope="module")
def page(shot) -> Image.Image:
    return photos.photo_to_page(shot.jpeg)


def test_the_page_comes_out_upright_flat_and_readable(shot, page) -> None:
    assert page.size[0] < page.size[1] and page.size[1] / page.size[0] == pytest.approx(2 ** 0.5, abs=0.01)  # A4
    # at most PAGE_LONG; a smaller photo's page is not enlarged
    assert max(page.size) == photos.PAGE_LONG if max(shot.upright_size) >= 4000 else max(page.size) <= photos.PAGE_LONG
    grey = np.asarray(page.convert("L"), np.float64)
    source = np.asarray(shot.source.convert("L").resize(page.size, Image.Resampling.BILINEAR), np.float64)
    assert _correlation(grey, source) > 0.6
    assert _correlation(grey, source) > _correlation(grey, source[::-1, ::-1]) + 0.3
    # the dark block printed in the top-left corner is in the top-left corner
    h, w = grey.shape
    block = grey[round(0.045 * h):round(0.075 * h), round(0.07 * w):round(0.11 * w)]
    assert block.mean() < 90
    for corner in (grey[:round(0.1 * h), -round(0.15 * w):], grey[-round(0.1 * h):, :round(0.15 * w)]):
        assert np.median(corner) > 200  # paper, evened to white


def test_the_shadow_is_evened(page) -> None:
    """Paper reads as paper across the page: the shadow's side and the lit side alike."""
    grey = np.asarray(page.convert("L"), np.float64)
    h, w = grey.shape
    tiles = [grey[y:y + h // 6, x:x + w // 6] for y in range(0, h - h // 6, h // 6) for x in range(0, w - w // 6, w // 6)]
    paper = [np.percentile(t, 90) for t in tiles]
    assert min(paper) > 215 and max(paper) - min(paper) < 30


def test_the_component_pdf_holds_no_exif_and_no_gps(shot) -> None:
    pdf, pages = photos.component_pdf([shot.jpeg, shot.jpeg])
    assert pages == 2
    for needle in (b"Exif\x00", b"MM\x00*", b"II*\x00", b"Galaxy", b"Samsung", b"2026:01:05", b"/Info",
                   b"/Metadata", b"XMP", b"ICC_PROFILE"):
        assert needle not in pdf
    images = _embedded_jpegs(pdf)
    assert len(images) == 2
    for data in images:
        assert _app_segments(data) <= {0xE0}  # JFIF only: no APP1 (EXIF, XMP), no APP2 (ICC)
        image = Image.open(io.BytesIO(data))
        assert not image.getexif() and "exif" not in image.info and "icc_profile" not in image.info
    doc = pdfium.PdfDocument(pdf)
    try:
        assert len(doc) == 2 and doc[0].get_size()[1] == pytest.approx(842, abs=0.5)
        assert all(not v for v in doc.get_metadata_dict().values())
    finally:
        doc.close()


@pytest.mark.parametrize("desk", [(40, 120), (110, 170), (150, 200)], ids=["dark", "middling", "light"])
def test_on_any_desk_the_page_is_found_or_the_whole_photo_kept_never_a_wrong_crop(desk) -> None:
    """Light desks and deep shadows make the page hard to tell from the desk: when it cannot be
    found with confidence the whole photo is kept, but a wrong outline never crops the paper."""
    rng = np.random.default_rng(desk[0])
    found = 0
    for seed in range(100, 108):
        shot = photosim.photograph(
            photosim.paper_page(seed), seed=seed, sensor=(1600, 1200), orientation=int(rng.choice([1, 3, 6, 8])),
            angle=rng.uniform(-12, 12), tilt=rng.uniform(0, 0.08), shadow=rng.uniform(0.2, 0.6),
            fill=rng.uniform(0.55, 0.95), desk=desk)
        corners = photos.find_page(photos.open_photo(shot.jpeg))
        if corners is not None:
            assert np.abs(corners - shot.corners).max() <= 0.01 * 1600, (seed, corners, shot.corners)
            found += 1
    assert found >= 6


def test_without_a_page_the_whole_photo_stands_upright() -> None:
    """A photo filled by the paper (no desk to see) is used whole, turned upright."""
    page = photosim.paper_page(7)
    shot = photosim.photograph(page, seed=7, sensor=(1600, 1200), orientation=6, fill=1.6, angle=0, tilt=0)
    out = photos.photo_to_page(shot.jpeg)
    assert out.size[0] < out.size[1] and max(out.size) <= photos.PAGE_LONG


def test_png_and_webp_photos_too() -> None:
    shot = photosim.photograph(photosim.paper_page(8), seed=8, sensor=(1600, 1200), orientation=1)
    upright = Image.open(io.BytesIO(shot.jpeg))
    for fmt in ("PNG", "WEBP"):
        out = io.BytesIO()
        upright.save(out, fmt)
        corners = photos.find_page(photos.open_photo(out.getvalue()))
        assert corners is not None and np.abs(corners - shot.corners).max() <= 16
    rgba = io.BytesIO()
    upright.convert("RGBA").save(rgba, "PNG")
    assert photos.photo_to_page(rgba.getvalue()).mode == "RGB"


def test_a_citizens_pdf_is_rebuilt_page_by_page_with_the_photos() -> None:
    shot = photosim.photograph(photosim.paper_page(9), seed=9, sensor=(1600, 1200), orientation=8)
    pdf, pages = photos.component_pdf([shot.jpeg, _text_pdf(3)])
    assert pages == 4
    doc = pdfium.PdfDocument(pdf)
    try:
        texts = [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
        assert texts == ["", "", "", ""]  # images only: the citizen's PDF's objects are gone
        page = doc[2].render(scale=1).to_pil().convert("L")
        assert np.asarray(page).min() < 80  # its text survives as pixels
    finally:
        doc.close()


def test_past_the_page_limit_is_refused_with_a_clear_message() -> None:
    with pytest.raises(FileRefused) as refused:
        photos.component_pdf([_text_pdf(MAX_PAGES + 1)])
    assert str(MAX_PAGES) in refused.value.message and "trang" in refused.value.message
    small = io.BytesIO()
    Image.new("RGB", (64, 48), "white").save(small, "JPEG")
    with pytest.raises(FileRefused):
        photos.component_pdf([small.getvalue()] * (MAX_PAGES + 1))
    with pytest.raises(FileRefused):
        photos.component_pdf([_text_pdf(MAX_PAGES - 1), small.getvalue(), small.getvalue()])
    with pytest.raises(FileRefused):
        photos.component_pdf([])


def _text_pdf(pages: int) -> bytes:
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    for i in range(pages):
        c.setFont("Helvetica", 28)
        c.drawString(72, 700, "Page %d" % (i + 1))
        c.rect(72, 72, 200, 100, fill=1)
        c.showPage()
    c.save()
    return out.getvalue()


def _correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Of the two pages' ink, blurred to the size of a letter: a few pixels' shift hardly counts."""
    a, b = (cv2.GaussianBlur(np.ascontiguousarray(x), (0, 0), 6) for x in (a, b))
    a, b = a - a.mean(), b - b.mean()
    return float((a * b).sum() / np.sqrt((a * a).sum() * (b * b).sum()))


def _embedded_jpegs(pdf: bytes) -> list[bytes]:
    found = []
    for m in re.finditer(rb"/Filter /DCTDecode /Length (\d+) >>\nstream\n", pdf):
        found.append(pdf[m.end():m.end() + int(m.group(1))])
    return found


def _app_segments(jpeg: bytes) -> set[int]:
    """The JPEG's APPn markers, read segment by segment up to the scan."""
    assert jpeg[:2] == b"\xff\xd8"
    pos, markers = 2, set()
    while pos + 4 <= len(jpeg):
        marker = jpeg[pos + 1]
        if marker == 0xDA:
            break
        length = int.from_bytes(jpeg[pos + 2:pos + 4], "big")
        if 0xE0 <= marker <= 0xEF or marker == 0xFE:
            markers.add(marker)
        pos += 2 + length
    return markers


def test_clean_pdfs_are_joined_without_a_second_compression() -> None:
    """The component's files, each already a clean PDF, become one: the pages' JPEGs are the
    very bytes of the parts; a PDF of another shape is rasterised instead."""
    shots = [photosim.photograph(photosim.paper_page(s), seed=s, sensor=(1600, 1200), orientation=6) for s in (11, 12)]
    first, n1 = photos.component_pdf([shots[0].jpeg])
    second, n2 = photos.component_pdf([shots[1].jpeg, shots[0].jpeg])
    joined, pages = photos.join_pdfs([first, second])
    assert (n1, n2, pages) == (1, 2, 3)
    assert _embedded_jpegs(joined) == _embedded_jpegs(first) + _embedded_jpegs(second)
    doc = pdfium.PdfDocument(joined)
    try:
        assert len(doc) == 3
    finally:
        doc.close()
    mixed, pages = photos.join_pdfs([first, _text_pdf(2)])  # not ours: its pages rasterised
    assert pages == 3 and _embedded_jpegs(mixed)[0] == _embedded_jpegs(first)[0]
    with pytest.raises(FileRefused):
        photos.join_pdfs([second] * (MAX_PAGES // 2 + 1))


def test_a_pdf_dressed_as_ours_with_exif_inside_is_rasterised_not_copied() -> None:
    shot = photosim.photograph(photosim.paper_page(13), seed=13, sensor=(1600, 1200), orientation=6)
    clean, _ = photos.component_pdf([shot.jpeg])
    body = _embedded_jpegs(clean)[0]
    exif = Image.open(io.BytesIO(shot.jpeg)).info["exif"]
    dirty = body[:2] + b"\xff\xe1" + (len(exif) + 2).to_bytes(2, "big") + exif + body[2:]
    forged = clean.replace(b"/Length %d >>\nstream\n" % len(body), b"/Length %d >>\nstream\n" % len(dirty), 1)
    forged = forged.replace(body, dirty, 1)
    joined, pages = photos.join_pdfs([forged])
    assert pages == 1 and b"Exif\x00" not in joined and b"Galaxy" not in joined
