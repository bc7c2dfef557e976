"""Prepared copies of a grey image for decoders that failed on the original.

Each preparation returns views: an array plus how to map its pixels back to the original
(``x_original = x / scale + left``), so every code is reported where it is in the image given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

import cv2
import numpy as np

from .types import Quad


@dataclass(frozen=True)
class View:
    array: np.ndarray
    scale: float = 1.0      # view pixels per original pixel
    left: float = 0.0       # where the view's origin lies in the original
    top: float = 0.0

    def to_original(self, corners: Quad) -> Quad:
        return tuple((x / self.scale + self.left, y / self.scale + self.top)
                     for x, y in corners)  # type: ignore[return-value]


def resize(grey: np.ndarray, factor: float) -> np.ndarray:
    h, w = grey.shape
    size = (max(1, int(round(w * factor))), max(1, int(round(h * factor))))
    interpolation = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
    return cv2.resize(grey, size, interpolation=interpolation)


def clahe(grey: np.ndarray) -> np.ndarray:
    """Local contrast: rescues codes in shadow, low light and beside a glare."""
    return cv2.createCLAHE(clipLimit=3.0, tileGridSize=(8, 8)).apply(grey)


def sharpen(grey: np.ndarray, sigma: float = 1.5, amount: float = 1.0) -> np.ndarray:
    """Unsharp mask: gives back some edge to a slightly blurred or out-of-focus code."""
    blurred = cv2.GaussianBlur(grey, (0, 0), sigma)
    return cv2.addWeighted(grey, 1 + amount, blurred, -amount, 0)


def deblur(grey: np.ndarray) -> np.ndarray:
    """Twice the size, then a strong unsharp mask: an out-of-focus code whose modules ran together."""
    return sharpen(resize(grey, 2.0), 3.0, 1.5)


def smooth(grey: np.ndarray, sigma: float = 1.0) -> np.ndarray:
    """Removes sensor noise, JPEG blocks and a screen's pixel grid before binarising."""
    return cv2.GaussianBlur(grey, (0, 0), sigma)


def stretch(grey: np.ndarray) -> np.ndarray:
    """Full range and a lifted gamma: a dark (or washed-out) frame gets its contrast back."""
    lo, hi = np.percentile(grey, (1, 99))
    if hi - lo < 8:
        return grey
    lut = np.clip((np.arange(256, dtype=np.float32) - lo) / (hi - lo), 0, 1) ** 0.6 * 255
    return cv2.LUT(grey, lut.astype(np.uint8))


def binarize(grey: np.ndarray) -> np.ndarray:
    """Adaptive threshold with a window sized to the image: uneven light becomes black and white."""
    block = max(15, (min(grey.shape) // 24) | 1)
    return cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, block, 7)


def invert(grey: np.ndarray) -> np.ndarray:
    """Light codes on a dark ground (a phone in dark mode): pyzbar reads dark on light only."""
    return cv2.bitwise_not(grey)


def whole(grey: np.ndarray, fn: Callable[[np.ndarray], np.ndarray] | None = None) -> View:
    return View(grey if fn is None else fn(grey))


def scaled(grey: np.ndarray, factor: float, fn: Callable[[np.ndarray], np.ndarray] | None = None) -> View:
    array = resize(grey if fn is None else fn(grey), factor)
    return View(array, factor)


def tiles(grey: np.ndarray, size: int = 1400, overlap: int = 350) -> Iterator[View]:
    """Overlapping full-resolution tiles of a very large photo, where a small code would be
    lost when the decoder shrinks the whole image to its working size."""
    h, w = grey.shape
    step = size - overlap
    for top in range(0, max(1, h - overlap), step):
        for left in range(0, max(1, w - overlap), step):
            yield View(np.ascontiguousarray(grey[top:top + size, left:left + size]), 1.0, left, top)


def around(grey: np.ndarray, quad: Quad, target: int = 360, max_factor: float = 4.0) -> View | None:
    """The neighbourhood of a symbol a decoder saw but could not read, enlarged to a workable size."""
    xs = [x for x, _ in quad]
    ys = [y for _, y in quad]
    side = max(max(xs) - min(xs), max(ys) - min(ys), 8.0)
    margin = 0.25 * side + 8
    h, w = grey.shape
    left, top = int(max(0, min(xs) - margin)), int(max(0, min(ys) - margin))
    right, bottom = int(min(w, max(xs) + margin)), int(min(h, max(ys) + margin))
    if right - left < 8 or bottom - top < 8:
        return None
    crop = grey[top:bottom, left:right]
    factor = min(max_factor, max(1.0, target / side))
    if factor > 1.0:
        crop = resize(crop, factor)
    return View(np.ascontiguousarray(crop), factor, left, top)
