"""One pass of one decoder on a grey image: zxing-cpp, pyzbar, OpenCV; and grey images to pass.

The raw decoders below each do one pass on a grey array; ``pipeline.py`` runs them in turn on
prepared copies of an image, and the benchmark compares them with the pipeline. The types they
return are in ``types.py``.
"""

from __future__ import annotations

import math
import threading
from contextlib import contextmanager
from typing import Any, Iterator

import numpy as np
import zxingcpp
from PIL import Image

from .types import CODE_128, QR_CODE, DecodedCode, Point, Quad


def to_grey(image: Image.Image | np.ndarray) -> np.ndarray:
    """A contiguous uint8 grey array from a PIL image or a BGR / BGRA / grey / float / bool array."""
    if isinstance(image, Image.Image):
        if image.mode in ("RGBA", "LA", "P"):
            # Transparent pixels are paper, not ink.
            rgba = image.convert("RGBA")
            background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
            image = Image.alpha_composite(background, rgba)
        return np.ascontiguousarray(np.asarray(image.convert("L"), dtype=np.uint8))
    array = np.asarray(image)
    if array.dtype == np.bool_:
        array = array.astype(np.uint8) * 255
    elif array.dtype != np.uint8:
        if np.issubdtype(array.dtype, np.floating) and array.size and array.max() <= 1.0:
            array = array * 255.0
        array = np.clip(array, 0, 255).astype(np.uint8)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim == 3:
        if array.shape[2] not in (3, 4):
            raise ValueError("expected a BGR, BGRA or grey image, got shape %r" % (array.shape,))
        if array.shape[2] == 3:
            import cv2  # same weights as below, many times faster on camera frames
            return cv2.cvtColor(np.ascontiguousarray(array), cv2.COLOR_BGR2GRAY)
        b = array[:, :, 0].astype(np.float32)
        g = array[:, :, 1].astype(np.float32)
        r = array[:, :, 2].astype(np.float32)
        array = np.clip(0.114 * b + 0.587 * g + 0.299 * r + 0.5, 0, 255).astype(np.uint8)
    elif array.ndim != 2:
        raise ValueError("expected a BGR, BGRA or grey image, got shape %r" % (array.shape,))
    return np.ascontiguousarray(array)


_to_grey = to_grey  # the name the first version used


# -- zxing-cpp ---------------------------------------------------------------------------
_ZXING_FORMATS = {zxingcpp.BarcodeFormat.QRCode: QR_CODE, zxingcpp.BarcodeFormat.Code128: CODE_128}
_failures = threading.local()


@contextmanager
def collecting_failures() -> Iterator[list[Quad]]:
    """Within the block, zxing passes on this thread add the places of symbols they found but
    could not read (checksum or format errors): the pipeline retries exactly there."""
    found: list[Quad] = []
    previous = getattr(_failures, "sink", None)
    _failures.sink = found
    try:
        yield found
    finally:
        _failures.sink = previous


def _decode_zxing(grey: np.ndarray) -> list[DecodedCode]:
    sink = getattr(_failures, "sink", None)
    results = zxingcpp.read_barcodes(grey, formats=tuple(_ZXING_FORMATS), text_mode=zxingcpp.TextMode.Plain,
                                     return_errors=sink is not None)
    found = []
    for result in results:
        name = _ZXING_FORMATS.get(result.format)
        if name is None:
            continue
        p = result.position
        corners = (_point(p.top_left), _point(p.top_right), _point(p.bottom_right), _point(p.bottom_left))
        if not result.valid:
            if sink is not None:
                sink.append(corners)
            continue
        found.append(DecodedCode(result.text, name, corners))
    return found


def _point(q: Any) -> Point:
    return (float(q.x), float(q.y))


# -- pyzbar ------------------------------------------------------------------------------
def _decode_pyzbar(grey: np.ndarray) -> list[DecodedCode]:
    try:
        from pyzbar import pyzbar
        from pyzbar.pyzbar import ZBarSymbol
    except ImportError:  # the zbar shared library is missing: zxing stands alone
        return []
    names = {"QRCODE": QR_CODE, "CODE128": CODE_128}
    found = []
    for symbol in pyzbar.decode(grey, symbols=[ZBarSymbol.QRCODE, ZBarSymbol.CODE128]):
        name = names.get(symbol.type)
        if name is None:
            continue
        text = _text(symbol.data)
        if text is not None and name == QR_CODE:
            text = _undo_charset_guess(text)
        if text is None:
            continue
        found.append(DecodedCode(text, name, _corners(symbol)))
    return found


def _text(data: bytes) -> str | None:
    # zbar hands back UTF-8; anything else is a misread or a code in a legacy charset we do not use.
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _foreign(text: str) -> bool:
    """CJK or half-width forms: what UTF-8 Vietnamese looks like after zbar took it for Shift JIS."""
    return any(0x3000 <= ord(c) <= 0x9FFF or 0xFF00 <= ord(c) <= 0xFFEF for c in text)


def _undo_charset_guess(text: str) -> str | None:
    """zbar guesses a QR's character set and converts to UTF-8; it takes UTF-8 Vietnamese for
    Shift JIS or Latin-1 now and then ("Vũ" comes back as "Vﾅｩ"). Undo the guess when the bytes
    were UTF-8 all along; refuse a text that still looks foreign."""
    if text.isascii():
        return text
    for charset in ("shift_jis", "cp932", "latin-1", "cp1252"):
        try:
            original = text.encode(charset).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if original != text and not _foreign(original):
            return original
    return None if _foreign(text) else text


def _corners(symbol: Any) -> Quad:
    points = [(float(p.x), float(p.y)) for p in symbol.polygon]
    if len(points) != 4:
        left, top, width, height = (float(v) for v in symbol.rect)
        if len(points) > 4:  # zbar's outline of a skewed symbol: take its minimal box
            import cv2
            box = cv2.minAreaRect(np.asarray(points, dtype=np.float32))
            points = [(float(x), float(y)) for x, y in cv2.boxPoints(box)]
        else:
            points = [(left, top), (left + width, top), (left + width, top + height), (left, top + height)]
    return order_by_position(points)


def order_by_position(points: list[Point]) -> Quad:
    """Top-left first, then clockwise (in image coordinates, y down), as zxing orders them."""
    cx = sum(x for x, _ in points) / 4.0
    cy = sum(y for _, y in points) / 4.0
    points = sorted(points, key=lambda q: math.atan2(q[1] - cy, q[0] - cx))
    start = min(range(4), key=lambda i: points[i][0] + points[i][1])
    ordered = points[start:] + points[:start]
    return (ordered[0], ordered[1], ordered[2], ordered[3])


# -- OpenCV ------------------------------------------------------------------------------
_opencv = threading.local()


def _decode_opencv(grey: np.ndarray) -> list[DecodedCode]:
    """QR codes only: OpenCV's barcode module reads EAN/UPC, not Code 128."""
    import cv2
    detector = getattr(_opencv, "detector", None)
    if detector is None:  # a detector is not safe to share between threads
        detector = _opencv.detector = cv2.QRCodeDetectorAruco()
    try:
        ok, texts, points, _ = detector.detectAndDecodeMulti(grey)
    except cv2.error:
        return []
    if not ok or points is None:
        return []
    found = []
    for text, quad in zip(texts, points):
        if not text:
            continue
        corners = tuple((float(x), float(y)) for x, y in quad[:4])
        found.append(DecodedCode(text, QR_CODE, corners))  # type: ignore[arg-type]
    return found


RAW_DECODERS = {"zxing": _decode_zxing, "pyzbar": _decode_pyzbar, "opencv": _decode_opencv}


def read_raw(decoder: str, image: Image.Image | np.ndarray) -> list[DecodedCode]:
    """One pass of one decoder on the image as it is, for comparisons."""
    return globals()["_decode_" + decoder](to_grey(image))
