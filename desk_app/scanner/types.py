"""The scanner's shared types and constants: a leaf that imports nothing else of the scanner.

Every other module of ``desk_app.scanner`` may import this one; it imports none of them, so the
types a decoder returns, a validator checks and a screen shows never pull a pipeline along (an
import-linter contract in pyproject.toml keeps it so).
"""

from __future__ import annotations

from dataclasses import dataclass

Point = tuple[float, float]
Quad = tuple[Point, Point, Point, Point]

QR_CODE = "QRCode"
CODE_128 = "Code128"

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")
VIDEO_SUFFIXES = (".mp4", ".avi", ".mkv", ".mov", ".webm", ".m4v", ".mpg", ".mpeg")


@dataclass(frozen=True)
class DecodedCode:
    text: str
    format: str                                   # "QRCode" or "Code128"
    # The symbol's top-left, top-right, bottom-right, bottom-left, in image pixels (y down); a
    # rotated symbol keeps its own order. pyzbar does not say which corner is which, so for its
    # results the order is by position in the image.
    corners: Quad
