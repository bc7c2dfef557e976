"""Find the QR codes and Code 128 barcodes in one image.

``decode_image`` is the whole pipeline (``pipeline.py``): zxing-cpp first, then pyzbar, OpenCV
and prepared copies of the image while a time budget allows, every result validated. The raw
decoders, one pass each, are in ``raw.py``; the types in ``types.py``. This module sits above the
pipeline and re-exports what callers used to find here.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from .pipeline import FILE, scan
from .raw import RAW_DECODERS, read_raw, to_grey
from .types import CODE_128, QR_CODE, DecodedCode, Point, Quad

__all__ = ["CODE_128", "QR_CODE", "RAW_DECODERS", "DecodedCode", "Point", "Quad", "decode_image", "read_raw",
           "to_grey"]


def decode_image(image: Image.Image | np.ndarray, budget_ms: float | None = None) -> list[DecodedCode]:
    """Every QR code and Code 128 in image (PIL, or a numpy BGR / BGRA / grey array)."""
    options = FILE if budget_ms is None else FILE.with_budget(budget_ms)
    return scan(image, options).codes
