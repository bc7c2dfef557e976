"""Phone photos made in simulation, with the truth known: where the paper's corners are.

``paper_page`` renders an A4 page of Vietnamese text (the project's Noto fonts) with a dark
block in its top-left corner, so a test can tell which way up a result is. ``photograph``
lays a page on a darker textured desk with a perspective (known corners), a shadow across
it, a warm light, lens blur and sensor noise, and saves a JPEG as a phone does: the sensor's
pixels turned by the EXIF Orientation tag (6 or 8: held upright), with GPS, make and time in
the EXIF. ``id_card`` is a chip ID card (CCCD) with its QR, from the desk's scan corpus
generator. Used by the pipeline's tests, its benchmark and the submission's browser test.
"""

from __future__ import annotations

import importlib.util
import io
import sys
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import ExifTags, Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[3]
FONTS = ROOT / "resources" / "fonts"
A4_PX = (1240, 1754)            # A4 at 150 dpi
MARKER = 0.06                   # the top-left block's side, as a share of the page's width
GPS = {1: "N", 2: (19.0, 48.0, 26.5), 3: "E", 4: (105.0, 46.0, 35.25), 5: 0, 6: 12.5}
LINES = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "",
         "GIẤY XÁC NHẬN THÔNG TIN VỀ CƯ TRÚ", "",
         "Họ, chữ đệm và tên: Nguyễn Thị Hồng Nhung", "Ngày, tháng, năm sinh: 12/03/1990   Giới tính: Nữ",
         "Số định danh cá nhân: 038190012345", "Nơi thường trú: Số 12 ngõ 34, phường Điện Biên,",
         "tỉnh Thanh Hóa", "Quan hệ với chủ hộ: Con đẻ", "",
         "Xác nhận thông tin về cư trú của công dân như trên để", "làm thủ tục đăng ký khai sinh cho con.", "",
         "Thanh Hóa, ngày 05 tháng 01 năm 2026", "TRƯỞNG CÔNG AN PHƯỜNG", "(Ký, ghi rõ họ tên, đóng dấu)"]


@dataclass
class Photo:
    jpeg: bytes                 # the file as the phone sends it
    corners: np.ndarray         # the paper's corners (tl, tr, br, bl) in the upright photo's pixels
    upright_size: tuple[int, int]
    orientation: int
    source: Image.Image         # the page as printed, before it was photographed


def paper_page(seed: int = 0, size: tuple[int, int] = A4_PX) -> Image.Image:
    """A white A4 page: a dark block top left, the lines of a certificate, a red stamp."""
    rng = np.random.default_rng(seed)
    w, h = size
    page = Image.new("RGB", size, (255, 255, 255))
    draw = ImageDraw.Draw(page)
    side = round(MARKER * w)
    draw.rectangle((round(0.06 * w), round(0.04 * h), round(0.06 * w) + side, round(0.04 * h) + side), fill=(15, 15, 20))
    bold = ImageFont.truetype(str(FONTS / "NotoSerif-Bold.ttf"), round(0.026 * w))
    body = ImageFont.truetype(str(FONTS / "NotoSerif-Regular.ttf"), round(0.024 * w))
    y = 0.12 * h
    for i, line in enumerate(LINES):
        font = bold if i in (0, 3, 16) else body
        x = 0.1 * w + (0.25 * w if i in (0, 1, 3) else 0) + rng.uniform(0, 0.01 * w)
        draw.text((x, y), line, fill=(20, 20, 30), font=font)
        y += 0.042 * h
    cx, cy, r = 0.7 * w, 0.86 * h, 0.08 * w
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=(200, 30, 30), width=max(2, round(0.006 * w)))
    return page


def id_card(seed: int = 0) -> tuple[Image.Image, str]:
    """A chip ID card's face with its QR (the desk's scan corpus card) and the QR's text."""
    corpus = _scan_corpus()
    rng = np.random.default_rng(seed)
    card = corpus._id_card(rng)
    text = next(t for t, f, _ in card.codes if f == "QRCode")
    return Image.fromarray(card.grey).convert("RGB"), text


def _scan_corpus():
    name = "make_scan_corpus"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / "make_scan_corpus.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def photograph(page: Image.Image, seed: int = 0, sensor: tuple[int, int] = (4000, 3000), orientation: int = 6,
               fill: float = 0.8, angle: float | None = None, tilt: float = 0.05, shadow: float = 0.4,
               quality: int = 90, desk: tuple[float, float] = (40, 120)) -> Photo:
    """``page`` photographed with a phone whose sensor is ``sensor`` (landscape) pixels.

    With orientation 6 or 8 the phone was held upright: the upright photo is portrait and the
    file's pixels are it turned a quarter (as phones store them); 1 or 3 for landscape shots.
    ``fill``: the page's long side over the photo's; ``angle`` in degrees (random within 8 if
    None); ``tilt``: corner jitter as a share of the page; ``shadow``: the darkest share lost;
    ``desk``: the range of the desk's brightness (0-255).
    """
    rng = np.random.default_rng(seed)
    sw, sh = sensor
    w, h = (sh, sw) if orientation in (5, 6, 7, 8) else (sw, sh)
    src = np.asarray(page.convert("RGB"))
    ph, pw = src.shape[:2]
    scale = min(fill * max(w, h) / max(pw, ph), 0.92 * min(w, h) / min(pw, ph))
    angle = rng.uniform(-8, 8) if angle is None else angle
    c, s = np.cos(np.radians(angle)), np.sin(np.radians(angle))
    corners = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], np.float64)
    placed = (corners - [pw / 2, ph / 2]) @ np.array([[c, -s], [s, c]]).T * scale
    placed += [w / 2, h / 2] + rng.uniform(-0.03, 0.03, 2) * [w, h]
    placed += rng.uniform(-tilt, tilt, (4, 2)) * scale * np.array([pw, ph]) / 2
    # the whole page in the frame, as a citizen told to photograph the whole page steps back
    low, high = placed.min(axis=0), placed.max(axis=0)
    room = np.array([0.96 * w, 0.96 * h])
    k = min(1.0, *(room / (high - low)))
    placed = (placed - (low + high) / 2) * k + (low + high) / 2
    low, high = placed.min(axis=0), placed.max(axis=0)
    placed += np.maximum(0, 0.02 * np.array([w, h]) - low) - np.maximum(0, high - 0.98 * np.array([w, h]))
    H = cv2.getPerspectiveTransform(corners.astype(np.float32), placed.astype(np.float32))
    # the paper's texture under warm light, blurred to a pixel's footprint (a sensor averages)
    paper = src.astype(np.float32) * rng.uniform([0.93, 0.9, 0.84], [0.98, 0.95, 0.9]).astype(np.float32)
    if scale < 0.9:
        paper = cv2.GaussianBlur(paper, (0, 0), 0.42 / scale)
    image = _desk(rng, w, h, desk)
    cv2.warpPerspective(paper, H, (w, h), dst=image, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_TRANSPARENT)
    # the shadow of the phone and the hand: a soft ramp from one side
    direction = rng.uniform(0, 2 * np.pi)
    yy, xx = np.mgrid[0:h:8, 0:w:8].astype(np.float32)
    ramp = ((xx - w / 2) * np.cos(direction) + (yy - h / 2) * np.sin(direction)) / (0.5 * max(w, h))
    light = 1.0 - shadow * np.clip((ramp + 0.2) / 1.2, 0, 1) ** 1.5
    light = cv2.resize(light, (w, h), interpolation=cv2.INTER_LINEAR)
    image *= light[..., None]
    image = cv2.GaussianBlur(image, (0, 0), 0.6)
    noise = np.empty_like(image)
    cv2.setRNGSeed(int(rng.integers(0, 2**31 - 1)))
    cv2.randn(noise, (0.0, 0.0, 0.0), (3.0, 3.0, 3.0))
    image += noise
    upright = Image.fromarray(np.clip(image, 0, 255).astype(np.uint8))
    stored = upright.transpose(_STORED[orientation]) if orientation in _STORED else upright
    return Photo(_jpeg_with_exif(stored, orientation, quality), placed.astype(np.float32), (w, h), orientation, page)


# the upright photo -> the sensor's pixels that an EXIF orientation turns back upright
_STORED = {3: Image.Transpose.ROTATE_180, 6: Image.Transpose.ROTATE_90, 8: Image.Transpose.ROTATE_270}


def _desk(rng: np.random.Generator, w: int, h: int, brightness: tuple[float, float]) -> np.ndarray:
    """A textured surface with a few edges of things on it (float32 RGB)."""
    base = rng.uniform(*brightness, 3)
    small = rng.normal(0, 14, (max(2, h // 48), max(2, w // 48), 3)).astype(np.float32)
    desk = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC) + base.astype(np.float32)
    grain = rng.normal(0, 6, (h // 4 + 1, w // 4 + 1, 1)).astype(np.float32)
    desk += cv2.resize(grain, (w, h), interpolation=cv2.INTER_NEAREST)[..., None]
    for _ in range(int(rng.integers(2, 5))):
        p1 = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        p2 = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        cv2.line(desk, p1, p2, tuple(float(v) for v in rng.uniform(20, 140, 3)), int(rng.integers(4, 20)))
    return desk


def _jpeg_with_exif(image: Image.Image, orientation: int, quality: int) -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "Samsung"
    exif[ExifTags.Base.Model] = "Galaxy A15"
    exif[ExifTags.Base.DateTime] = "2026:01:05 08:14:03"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps.update(GPS)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, exif=exif.tobytes())
    return out.getvalue()
