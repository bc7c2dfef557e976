"""Checks every decoded symbol passes before anyone sees it: a wrong payload is worse than none.

A result is kept only if its text is clean, its outline is a plausible quadrilateral inside the
image, and no other decoder (or another pass) read something different at the same place.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import cv2
import numpy as np

from .types import CODE_128, QR_CODE, DecodedCode, Quad

MAX_TEXT = 4296  # the most a QR code can hold


def clean_text(code: DecodedCode) -> bool:
    text = code.text
    if not text or len(text) > MAX_TEXT or "\ufffd" in text:
        return False
    if code.format == CODE_128:
        # Our barcodes carry dossier codes; a Code 128 with control characters is a misread.
        return all(32 <= ord(c) < 127 for c in text)
    for c in text:
        if c in "\t\r\n":
            continue
        if unicodedata.category(c) in ("Cc", "Cs", "Co", "Cn"):
            return False
    return True


def plausible_outline(corners: Quad, width: int, height: int) -> bool:
    points = np.asarray(corners, dtype=np.float64)
    if points.shape != (4, 2) or not np.all(np.isfinite(points)):
        return False
    slack_x, slack_y = 0.1 * width + 4, 0.1 * height + 4
    if (points[:, 0].min() < -slack_x or points[:, 0].max() > width + slack_x
            or points[:, 1].min() < -slack_y or points[:, 1].max() > height + slack_y):
        return False
    area = cv2.contourArea(points.astype(np.float32))
    # A Code 128's outline can be a line (zxing reports the scan line): allow thin, not empty.
    span = float(np.ptp(points[:, 0]) + np.ptp(points[:, 1]))
    return span >= 4 and (area >= 4 or span >= 20)


def valid(code: DecodedCode, width: int, height: int) -> bool:
    return code.format in (QR_CODE, CODE_128) and clean_text(code) and plausible_outline(code.corners, width, height)


def _centre(corners: Quad) -> tuple[float, float]:
    return (sum(x for x, _ in corners) / 4.0, sum(y for _, y in corners) / 4.0)


def _radius(corners: Quad) -> float:
    cx, cy = _centre(corners)
    return max(((x - cx) ** 2 + (y - cy) ** 2) ** 0.5 for x, y in corners)


def same_place(a: Quad, b: Quad) -> bool:
    """Do two outlines cover the same symbol? Their centres lie within each other's reach."""
    (ax, ay), (bx, by) = _centre(a), _centre(b)
    distance = ((ax - bx) ** 2 + (ay - by) ** 2) ** 0.5
    return distance <= 0.6 * max(_radius(a), _radius(b), 4.0)


@dataclass
class Findings:
    """What the passes found so far in one image: kept codes, disputed places, unread symbols."""

    width: int
    height: int
    codes: list[DecodedCode] = field(default_factory=list)
    disputed: list[Quad] = field(default_factory=list)
    unread: list[Quad] = field(default_factory=list)

    def add(self, code: DecodedCode) -> bool:
        """Keep ``code`` if valid and new; True when it added something."""
        if not valid(code, self.width, self.height):
            if code.format == CODE_128 and not clean_text(code) and plausible_outline(code.corners, self.width, self.height):
                # Code 128's checksum is weak: garbage read where a barcode is means that barcode
                # is hard to read, and a clean reading of it is no longer to be trusted either.
                self._dispute(code)
            return False
        if any(same_place(code.corners, q) for q in self.disputed):
            return False
        for kept in self.codes:
            if kept.format != code.format or not same_place(kept.corners, code.corners):
                continue
            if kept.text == code.text:
                return False  # the same symbol again; the first outline (zxing's, in order) stays
            # Two readings of one symbol disagree: neither can be trusted.
            self._dispute(code)
            return False
        self.codes.append(code)
        return True

    def _dispute(self, code: DecodedCode) -> None:
        self.disputed.append(code.corners)
        self.codes = [c for c in self.codes if c.format != code.format or not same_place(c.corners, code.corners)]

    def add_unread(self, quad: Quad) -> None:
        if plausible_outline(quad, self.width, self.height):
            self.unread.append(quad)

    def pending(self) -> list[Quad]:
        """Symbols seen but not yet read by any pass."""
        return [q for q in self.unread
                if not any(same_place(q, c.corners) for c in self.codes)
                and not any(same_place(q, d) for d in self.disputed)]
