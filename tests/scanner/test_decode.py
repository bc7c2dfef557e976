"""decode_image reads QR codes and Code 128 barcodes, with corners, from PIL images and numpy arrays."""

from __future__ import annotations

import numpy as np
import pytest
import qrcode
from PIL import Image
from qrcode.constants import ERROR_CORRECT_M
from reportlab.graphics.barcode.code128 import Code128

from desk_app.scanner import raw
from desk_app.scanner.decode import DecodedCode, decode_image

URL = "https://dvc.thanhhoa.gov.vn/h/000.00.06.H56-261127-0001?k=AbCdEfGhIjKlMnOpQrSt_-"
DOSSIER = "000.00.06.H56-261127-0001"
BOX, BORDER = 6, 4


def qr_image() -> tuple[Image.Image, int]:
    """A QR of URL as a grey PIL image and its side in modules (no quiet zone)."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=BOX, border=BORDER)
    qr.add_data(URL)
    qr.make(fit=True)
    return qr.make_image().get_image().convert("L"), qr.modules_count


def code128_array(text: str, module: int = 3, height: int = 80, quiet: int = 12) -> np.ndarray:
    """A Code 128 of text drawn pixel by pixel from reportlab's encoder, independent of any decoder."""
    pattern = Code128(text, barWidth=1, quiet=0)
    pattern._calculate()
    widths = []
    for c in pattern.decomposed:
        dark = c.isupper()
        widths.append((dark, (ord(c.upper()) - ord("A") + 1) * module))
    total = sum(w for _, w in widths) + 2 * quiet * module
    image = np.full((height + 40, total), 255, dtype=np.uint8)
    x = quiet * module
    for dark, w in widths:
        if dark:
            image[20:20 + height, x:x + w] = 0
        x += w
    return image


def by_format(found: list[DecodedCode], fmt: str) -> DecodedCode:
    matches = [c for c in found if c.format == fmt]
    assert len(matches) == 1, found
    return matches[0]


def assert_near(point: tuple[float, float], expected: tuple[float, float], tolerance: float = 3.0) -> None:
    assert abs(point[0] - expected[0]) <= tolerance and abs(point[1] - expected[1]) <= tolerance, (point, expected)


def test_qr_from_pil_image_has_text_format_and_corners_in_order() -> None:
    image, modules = qr_image()
    code = by_format(decode_image(image), "QRCode")
    assert code.text == URL
    assert len(code.corners) == 4
    lo, hi = BORDER * BOX, (BORDER + modules) * BOX
    # top-left, top-right, bottom-right, bottom-left (image coordinates, y down)
    for corner, expected in zip(code.corners, [(lo, lo), (hi, lo), (hi, hi), (lo, hi)]):
        assert_near(corner, expected)


@pytest.mark.parametrize("kind", ["bgr", "grey", "rgba-transparent"])
def test_qr_from_other_image_kinds(kind: str) -> None:
    image, _ = qr_image()
    grey = np.asarray(image)
    if kind == "bgr":
        source: Image.Image | np.ndarray = np.dstack([grey, grey, grey])
    elif kind == "grey":
        source = grey
    else:  # black modules on a transparent sheet: transparent must count as paper
        alpha = np.where(grey < 128, 255, 0).astype(np.uint8)
        source = Image.fromarray(np.dstack([np.zeros_like(grey)] * 3 + [alpha]), "RGBA")
    found = decode_image(source)
    assert [(c.format, c.text) for c in found] == [("QRCode", URL)]


def test_rotated_qr_reports_the_symbols_own_top_left_first() -> None:
    image, modules = qr_image()
    rotated = image.rotate(90, expand=True, fillcolor=255)  # counter-clockwise
    code = by_format(decode_image(rotated), "QRCode")
    assert code.text == URL
    lo, hi = BORDER * BOX, (BORDER + modules) * BOX
    # The symbol's top-left finder now sits at the image's bottom-left, and so on round.
    for corner, expected in zip(code.corners, [(lo, hi), (lo, lo), (hi, lo), (hi, hi)]):
        assert_near(corner, expected)


def test_code128_with_corners_spanning_the_bars() -> None:
    array = code128_array(DOSSIER)
    code = by_format(decode_image(array), "Code128")
    assert code.text == DOSSIER
    xs = [x for x, _ in code.corners]
    quiet, width = 12 * 3, array.shape[1]
    assert min(xs) == pytest.approx(quiet, abs=4)
    assert max(xs) == pytest.approx(width - quiet, abs=4)
    top_left, top_right, bottom_right, bottom_left = code.corners
    assert top_left[0] < top_right[0] and bottom_left[0] < bottom_right[0]


def test_qr_and_code128_in_one_image() -> None:
    qr, _ = qr_image()
    bars = Image.fromarray(code128_array(DOSSIER))
    sheet = Image.new("L", (max(qr.width, bars.width) + 40, qr.height + bars.height + 60), 255)
    sheet.paste(qr, (20, 20))
    sheet.paste(bars, (20, qr.height + 40))
    found = decode_image(sheet)
    assert by_format(found, "QRCode").text == URL
    assert by_format(found, "Code128").text == DOSSIER


def test_falls_back_to_pyzbar_when_zxing_finds_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    image, modules = qr_image()
    monkeypatch.setattr(raw, "_decode_zxing", lambda grey: [])
    code = by_format(decode_image(image), "QRCode")
    assert code.text == URL
    lo, hi = BORDER * BOX, (BORDER + modules) * BOX
    for corner, expected in zip(code.corners, [(lo, lo), (hi, lo), (hi, hi), (lo, hi)]):
        assert_near(corner, expected)
    assert by_format(decode_image(code128_array(DOSSIER)), "Code128").text == DOSSIER


@pytest.mark.parametrize("image", [
    Image.new("RGB", (320, 240), "white"),
    np.full((240, 320), 255, dtype=np.uint8),
    np.random.default_rng(7).integers(0, 256, size=(240, 320, 3), dtype=np.uint8),
], ids=["white-pil", "white-grey", "noise-bgr"])
def test_image_without_code_gives_empty_list(image: Image.Image | np.ndarray) -> None:
    assert decode_image(image) == []


def test_decoded_code_is_frozen() -> None:
    code = DecodedCode("x", "QRCode", ((0, 0), (1, 0), (1, 1), (0, 1)))
    with pytest.raises(AttributeError):
        code.text = "y"  # type: ignore[misc]
