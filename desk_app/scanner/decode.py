"""Find the QR codes and Code 128 barcodes in one image: zxing-cpp first, pyzbar when zxing finds nothing."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import zxingcpp
from PIL import Image

Point = tuple[float, float]

QR_CODE = "QRCode"
CODE_128 = "Code128"


@dataclass(frozen=True)
class DecodedCode:
    text: str
    format: str                                   # "QRCode" or "Code128"
    # The symbol's top-left, top-right, bottom-right, bottom-left, in image pixels (y down); a
    # rotated symbol keeps its own order. pyzbar does not say which corner is which, so for its
    # results the order is by position in the image.
    corners: tuple[Point, Point, Point, Point]


def decode_image(image: Image.Image | np.ndarray) -> list[DecodedCode]:
    """Every QR code and Code 128 in image (PIL, or a numpy BGR / BGRA / grey array)."""
    grey = _to_grey(image)
    return _decode_zxing(grey) or _decode_pyzbar(grey)


def _to_grey(image: Image.Image | np.ndarray) -> np.ndarray:
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
        b = array[:, :, 0].astype(np.float32)
        g = array[:, :, 1].astype(np.float32)
        r = array[:, :, 2].astype(np.float32)
        array = np.clip(0.114 * b + 0.587 * g + 0.299 * r + 0.5, 0, 255).astype(np.uint8)
    elif array.ndim != 2:
        raise ValueError("expected a BGR, BGRA or grey image, got shape %r" % (array.shape,))
    return np.ascontiguousarray(array)


def _decode_zxing(grey: np.ndarray) -> list[DecodedCode]:
    formats = {zxingcpp.BarcodeFormat.QRCode: QR_CODE, zxingcpp.BarcodeFormat.Code128: CODE_128}
    results = zxingcpp.read_barcodes(grey, formats=tuple(formats), text_mode=zxingcpp.TextMode.Plain)
    found = []
    for result in results:
        name = formats.get(result.format)
        if name is None or not result.valid:
            continue
        p = result.position
        corners = (_point(p.top_left), _point(p.top_right), _point(p.bottom_right), _point(p.bottom_left))
        found.append(DecodedCode(result.text, name, corners))
    return found


def _point(q: Any) -> Point:
    return (float(q.x), float(q.y))


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
        found.append(DecodedCode(_text(symbol.data), name, _corners(symbol)))
    return found


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _corners(symbol: Any) -> tuple[Point, Point, Point, Point]:
    points = [(float(p.x), float(p.y)) for p in symbol.polygon]
    if len(points) != 4:
        left, top, width, height = (float(v) for v in symbol.rect)
        points = [(left, top), (left + width, top), (left + width, top + height), (left, top + height)]
    # Order as zxing does: top-left first, then clockwise (in image coordinates, y down).
    cx = sum(x for x, _ in points) / 4.0
    cy = sum(y for _, y in points) / 4.0
    points.sort(key=lambda q: math.atan2(q[1] - cy, q[0] - cx))
    start = min(range(4), key=lambda i: points[i][0] + points[i][1])
    ordered = points[start:] + points[:start]
    return (ordered[0], ordered[1], ordered[2], ordered[3])
