"""Frames for scanner tests: a camera-sized frame showing a QR, and an empty one."""

from __future__ import annotations

import numpy as np
import qrcode
from qrcode.constants import ERROR_CORRECT_M

LINK = "https://dichvucong.thanhhoa.gov.vn/h/000.00.06.H56-261110-0001?k=AbCdEfGhIjKlMnOpQrSt_-"


def qr_frame(text: str = LINK, width: int = 640, height: int = 480, box: int = 4) -> np.ndarray:
    """A grey desk-coloured BGR frame with a QR of ``text`` in the middle."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box, border=4)
    qr.add_data(text.encode("utf-8"))
    qr.make(fit=True)
    symbol = np.asarray(qr.make_image().get_image().convert("L"))
    frame = np.full((height, width), 120, np.uint8)
    top, left = (height - symbol.shape[0]) // 2, (width - symbol.shape[1]) // 2
    frame[top:top + symbol.shape[0], left:left + symbol.shape[1]] = symbol
    return np.dstack([frame] * 3)


def empty_frame(width: int = 640, height: int = 480) -> np.ndarray:
    return np.full((height, width, 3), 120, np.uint8)
