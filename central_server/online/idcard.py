"""The owner's details from a photo of a chip ID card (CCCD), read from its QR as at the counter.

The photo goes through the same checks and decoding as any photo (``photos.open_photo``); the
QR is read with zxing-cpp, as the desk's scanner reads it first, on a few copies (the whole
photo at a size zxing likes, the flattened card, full size) until one yields a text that
``parse_id_card_qr`` accepts. A QR that is not a card's, or whose parts disagree, fills nothing.
"""

from __future__ import annotations

import cv2
import numpy as np
import zxingcpp

from desk_app.domain.scan_payloads import IdCard, parse_id_card_qr

from .photos import PAGE_LONG, find_page, open_photo

_SIZES = (1600, 2400)   # long sides tried first: a card's QR holds its modules at these


def id_card_from_photo(data: bytes) -> IdCard | None:
    """The card's fields if the photo shows a chip ID card's QR; ``None`` if it shows none.

    ``FileRefused`` (from ``open_photo``) for a file that is not a readable photo.
    """
    grey = cv2.cvtColor(np.asarray(open_photo(data)), cv2.COLOR_RGB2GRAY)
    for image in _views(grey):
        for text in _qr_texts(image):
            card = parse_id_card_qr(text)
            if card is not None:
                return card
    return None


def _views(grey: np.ndarray):
    h, w = grey.shape
    for size in _SIZES:
        k = size / max(h, w)
        if k < 1:
            yield cv2.resize(grey, (round(w * k), round(h * k)), interpolation=cv2.INTER_AREA)
    corners = find_page(grey)
    if corners is not None:  # the card flattened: a steep angle no longer squeezes the modules
        width = int(max(np.hypot(*(corners[1] - corners[0])), np.hypot(*(corners[2] - corners[3]))))
        height = int(max(np.hypot(*(corners[3] - corners[0])), np.hypot(*(corners[2] - corners[1]))))
        k = min(1.0, PAGE_LONG / max(width, height, 1))
        width, height = max(1, round(width * k)), max(1, round(height * k))
        dst = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
        matrix = cv2.getPerspectiveTransform(corners.astype(np.float32), dst)
        yield cv2.warpPerspective(grey, matrix, (width, height), flags=cv2.INTER_AREA)
    yield grey


def _qr_texts(grey: np.ndarray) -> list[str]:
    try:
        results = zxingcpp.read_barcodes(np.ascontiguousarray(grey), formats=zxingcpp.BarcodeFormat.QRCode,
                                         text_mode=zxingcpp.TextMode.Plain, try_rotate=True, try_downscale=True)
    except Exception:  # zxing's own refusals of an odd image mean no code, not a crash
        return []
    return [r.text for r in results if r.valid and r.text]
