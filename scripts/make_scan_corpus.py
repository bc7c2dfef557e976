"""Generate the scanning corpus: receipts rendered from the real PDF, then 'photographed' in simulation.

    .venv/bin/python scripts/make_scan_corpus.py OUT_DIR [--seed 2026] [--per-category 30]

Writes OUT_DIR/<category>/<n>.jpg|png and OUT_DIR/manifest.json listing, per image, the codes
it holds: text, format, corners (pixels of the image as saved) and whether a reader must find
it. A code is *required* when it is physically legible: a QR always (the generator keeps its
modules at 1.5 px or more and its damage within the error correction); a Code 128 only when
its narrowest bar is at least 2 px wide and the category does not degrade the image at the
scale of the QR's modules (blur, JPEG, low light, glare, occlusion, small modules, screens).
An optional code may be read or not; reading anything that is not in the manifest is a wrong
payload. Same seed, same corpus.

Categories: scan, perspective, rotation, blur, noise, low_light, glare, jpeg, small_modules,
occlusion, phone_screen, id_card, large_photo, no_code.
"""

from __future__ import annotations

import argparse
import json
import string
import sys
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Iterator

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CATEGORIES = ("scan", "perspective", "rotation", "blur", "noise", "low_light", "glare", "jpeg",
              "small_modules", "occlusion", "phone_screen", "id_card", "large_photo", "no_code")
CODE128_CATEGORIES = ("scan", "perspective", "rotation", "noise", "large_photo")
PAGE_DPI = 200
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ",
          "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thu", "Ngọc", "Quang", "Thanh", "Hồng", "Xuân", "Gia"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Lan", "Linh",
         "Mai", "Nam", "Nga", "Nhung", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Yến"]
PLACES = ["phường Hạc Thành, tỉnh Thanh Hóa", "xã Quảng Phú, tỉnh Thanh Hóa", "phường Sầm Sơn, tỉnh Thanh Hóa",
          "xã Hoằng Hóa, tỉnh Thanh Hóa", "phường Bỉm Sơn, tỉnh Thanh Hóa"]
PROCEDURES = ["Đăng ký khai sinh", "Đăng ký kết hôn", "Đăng ký thường trú", "Cấp bản sao trích lục hộ tịch",
              "Cấp đổi Giấy chứng nhận quyền sử dụng đất"]
KEY_ALPHABET = string.ascii_letters + string.digits + "-_"


@dataclass
class Expected:
    text: str
    format: str
    required: bool
    corners: list[list[float]]


@dataclass
class Sample:
    name: str
    category: str
    image: np.ndarray = field(repr=False)  # BGR
    codes: list[Expected]
    params: dict


@dataclass
class Page:
    """A clean render with where its codes are, in page pixels."""

    grey: np.ndarray
    codes: list[tuple[str, str, np.ndarray]]   # text, format, 4x2 corners
    qr_module: float                           # page pixels per QR module
    bar_module: float                          # page pixels per Code 128 module


# -- clean sources ----------------------------------------------------------------------
def _name(rng: np.random.Generator) -> str:
    return "%s %s %s" % (rng.choice(FAMILY), rng.choice(MIDDLE), rng.choice(GIVEN))


def _receipt_page(rng: np.random.Generator, n: int) -> Page:
    from desk_app.documents.codes import qr_matrix
    from desk_app.documents.receipt import BAR_WIDTH, receipt_pdf_bytes
    from desk_app.documents.render import pdf_to_images
    from desk_app.domain.receipt import ReceiptData, ReceiptLine

    received = datetime(2026, 1, 5, 7, 30) + timedelta(days=int(rng.integers(0, 330)), minutes=int(rng.integers(0, 540)))
    code = "000.00.06.H56-%s-%04d" % (received.strftime("%y%m%d"), int(rng.integers(1, 400)) + n)
    key = "".join(rng.choice(list(KEY_ALPHABET), 22))
    url = "https://dichvucong.thanhhoa.gov.vn/h/%s?k=%s" % (code, key)
    owner = _name(rng)
    data = ReceiptData(
        parent_agency="UBND TỈNH THANH HÓA", agency_name="TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG",
        place="Thanh Hóa", dossier_code=code, owner_name=owner, id_number="0381%08d" % rng.integers(0, 10**8),
        address="Số %d, %s" % (rng.integers(1, 200), rng.choice(PLACES)), phone="09%08d" % rng.integers(0, 10**8),
        email="", procedure_name=str(rng.choice(PROCEDURES)),
        components=(ReceiptLine("Tờ khai theo mẫu", "Bản chính", 1), ReceiptLine("Giấy tờ kèm theo", "Bản photo", 2)),
        sets=1, legal_time="05 ngày làm việc", received_at=received, due_at=received + timedelta(days=7),
        collect_at="Bộ phận Một cửa, 28 Đại lộ Lê Lợi", fee="Không thu phí, lệ phí", register_book="01/2026",
        register_number=int(rng.integers(1, 9000)), submitter_name=owner, clerk_name=_name(rng),
        capability_url=url, check_progress_hint="Quét mã QR bằng Zalo hoặc tại kiosk để xem tiến độ.")
    page = pdf_to_images(receipt_pdf_bytes(data), dpi=PAGE_DPI)[1]  # Liên 2, the citizen's copy
    grey = np.asarray(page.convert("L")).copy()
    codes = _locate(grey, {url: "QRCode", code: "Code128"})
    modules = len(qr_matrix(url))
    qr = next(c for t, f, c in codes if f == "QRCode")
    side = float(np.linalg.norm(qr[1] - qr[0]))
    return Page(grey, codes, side / modules, BAR_WIDTH / 72.0 * PAGE_DPI)


def _locate(grey: np.ndarray, expected: dict[str, str]) -> list[tuple[str, str, np.ndarray]]:
    """Where the codes of a clean render are (read by zxing, checked against what was printed)."""
    import zxingcpp
    found = []
    for r in zxingcpp.read_barcodes(grey, text_mode=zxingcpp.TextMode.Plain):
        if r.text in expected:
            p = r.position
            corners = np.array([[p.top_left.x, p.top_left.y], [p.top_right.x, p.top_right.y],
                                [p.bottom_right.x, p.bottom_right.y], [p.bottom_left.x, p.bottom_left.y]], np.float64)
            found.append((r.text, expected[r.text], corners))
    if {t for t, _, _ in found} != set(expected):
        raise RuntimeError("the clean render does not hold the codes printed on it")
    return found


def _cccd(rng: np.random.Generator) -> tuple[str, str]:
    from desk_app.domain.identity import CCCD_PROVINCES
    province = str(rng.choice(sorted(CCCD_PROVINCES)))
    year = int(rng.integers(1950, 2006))
    male = bool(rng.integers(0, 2))
    digit = (0 if year < 2000 else 2) + (0 if male else 1)
    born = datetime(year, int(rng.integers(1, 13)), int(rng.integers(1, 29)))
    number = "%s%d%02d%06d" % (province, digit, year % 100, rng.integers(0, 10**6))
    issued = datetime(int(rng.integers(2021, 2026)), int(rng.integers(1, 13)), int(rng.integers(1, 29)))
    old = "" if rng.random() < 0.3 else "%09d" % rng.integers(10**8, 10**9)
    name = _name(rng) if male else _name(rng).replace("Văn", "Thị")
    text = "|".join([number, old, name, born.strftime("%d%m%Y"), "Nam" if male else "Nữ",
                     "Thôn %d, %s" % (rng.integers(1, 12), rng.choice(PLACES)), issued.strftime("%d%m%Y")])
    return text, name


def _id_card(rng: np.random.Generator) -> Page:
    """A chip ID card's front at 20 px/mm: tinted guilloche ground, text, photo, QR top right."""
    import qrcode
    from PIL import Image, ImageDraw, ImageFont
    fonts = ROOT / "resources" / "fonts"
    text, name = _cccd(rng)
    w, h = 1712, 1080
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    ground = 232 + 10 * np.sin(xx / 37.0 + 6 * np.sin(yy / 90.0)) + 6 * np.cos(yy / 23.0)
    card = Image.fromarray(np.clip(ground, 0, 255).astype(np.uint8)).convert("RGB")
    draw = ImageDraw.Draw(card)
    bold = ImageFont.truetype(str(fonts / "NotoSans-Bold.ttf"), 52)
    body = ImageFont.truetype(str(fonts / "NotoSans-Regular.ttf"), 40)
    draw.text((420, 60), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", fill=(30, 30, 60), font=body)
    draw.text((470, 170), "CĂN CƯỚC CÔNG DÂN", fill=(170, 20, 20), font=bold)
    draw.rectangle((70, 300, 400, 720), fill=(180, 180, 185))
    number = text.split("|")[0]
    for i, line in enumerate(["Số / No.: " + number, "Họ và tên / Full name:", name.upper(),
                              "Ngày sinh: " + text.split("|")[3][:2] + "/" + text.split("|")[3][2:4] + "/" + text.split("|")[3][4:],
                              "Giới tính: " + text.split("|")[4] + "   Quốc tịch: Việt Nam"]):
        draw.text((450, 300 + 80 * i), line, fill=(20, 20, 40), font=body)
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2, box_size=6)
    qr.add_data(text.encode("utf-8"))
    qr.make(fit=True)
    img = qr.make_image().get_image().convert("RGB")
    card.paste(img, (w - img.width - 60, 40))
    grey = np.asarray(card.convert("L")).copy()
    codes = _locate(grey, {text: "QRCode"})
    return Page(grey, codes, 6.0, 0.0)


# -- the camera -------------------------------------------------------------------------
def _background(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    base = rng.uniform(60, 170, 3)
    small = rng.normal(0, 18, (max(2, h // 64), max(2, w // 64), 3)).astype(np.float32)
    texture = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    bg = np.clip(base + texture, 0, 255).astype(np.uint8)
    for _ in range(int(rng.integers(2, 6))):  # the edges of things on a desk
        p1 = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        p2 = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        cv2.line(bg, p1, p2, tuple(int(c) for c in rng.uniform(30, 220, 3)), int(rng.integers(2, 12)))
    return bg


def _homography(rng: np.random.Generator, src_w: int, src_h: int, target: np.ndarray, scale: float,
                out_w: int, out_h: int, angle: float, tilt: float, aim: float = 0.15) -> np.ndarray:
    """Source -> image: ``target`` (a source point) lands near the image centre at ``scale``,
    turned by ``angle`` degrees, the source's corners then moved by up to ``tilt`` of its size."""
    c, s = np.cos(np.radians(angle)), np.sin(np.radians(angle))
    centre = np.array([out_w / 2 + rng.uniform(-aim, aim) * out_w, out_h / 2 + rng.uniform(-aim, aim) * out_h])
    src = np.array([[0, 0], [src_w, 0], [src_w, src_h], [0, src_h]], np.float64)
    rot = np.array([[c, -s], [s, c]])
    dst = (src - target) @ rot.T * scale + centre
    size = scale * max(src_w, src_h)
    dst += rng.uniform(-tilt, tilt, (4, 2)) * size
    return cv2.getPerspectiveTransform(src.astype(np.float32), dst.astype(np.float32))


def _local_scale(H: np.ndarray, point: np.ndarray) -> float:
    """Image pixels per source pixel around ``point`` (the smaller axis)."""
    pts = np.array([[point, point + [1, 0], point + [0, 1]]], np.float64)
    out = cv2.perspectiveTransform(pts, H)[0]
    return float(min(np.linalg.norm(out[1] - out[0]), np.linalg.norm(out[2] - out[0])))


def _photograph(rng: np.random.Generator, source: np.ndarray, H: np.ndarray, out_w: int, out_h: int,
                tint: bool = True) -> np.ndarray:
    bgr = cv2.cvtColor(source, cv2.COLOR_GRAY2BGR) if source.ndim == 2 else source
    if tint:  # paper under warm office light
        bgr = cv2.multiply(bgr, tuple(float(v) for v in rng.uniform([0.85, 0.9, 0.93], [0.95, 0.98, 1.0])) + (0.0,))
    # A sensor pixel gathers the light of its whole area; warpPerspective samples points (it has
    # no area mode), so the source is first blurred to the footprint of a pixel, a little under
    # it, as a lens and a Bayer mosaic leave some aliasing (the moiré of a photographed screen).
    scale = _scale_of(H)
    if scale < 0.9:
        bgr = cv2.GaussianBlur(bgr, (0, 0), 0.42 / scale)
    # the page laid over the desk (a transparent border keeps the desk where the page is not)
    image = _background(rng, out_w, out_h)
    cv2.warpPerspective(bgr, H, (out_w, out_h), dst=image, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_TRANSPARENT)
    image = image.astype(np.float32)
    # uneven light across the frame
    gx, gy = rng.uniform(-0.25, 0.25, 2)
    yy, xx = _grid(out_w, out_h)
    light = (1.0 + gx * (xx / out_w - 0.5) + gy * (yy / out_h - 0.5)).astype(np.float32)
    image *= light[..., None]
    # a real lens is never perfectly sharp
    image = cv2.GaussianBlur(image, (0, 0), rng.uniform(0.4, 0.7))
    image += _noise(rng, image.shape, 2.5)
    return _to_u8(image)


def _to_u8(image: np.ndarray) -> np.ndarray:
    np.clip(image, 0, 255, out=image)
    return image.astype(np.uint8)


def _noise(rng: np.random.Generator, shape: tuple[int, ...], sigma: float) -> np.ndarray:
    out = np.empty(shape, np.float32)
    cv2.setRNGSeed(int(rng.integers(0, 2**31 - 1)))  # OpenCV's generator is much faster; seeded from ours
    channels = shape[2] if len(shape) == 3 else 1
    cv2.randn(out, (0.0,) * channels, (float(sigma),) * channels)
    return out


def _grid(w: int, h: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column coordinates that broadcast against each other (no full-size arrays)."""
    return np.arange(h, dtype=np.float32)[:, None], np.arange(w, dtype=np.float32)[None, :]


def _scale_of(H: np.ndarray) -> float:
    return float(abs(np.linalg.det(H[:2, :2])) ** 0.5)


def _project(H: np.ndarray, corners: np.ndarray) -> np.ndarray:
    return cv2.perspectiveTransform(corners.reshape(1, -1, 2).astype(np.float64), H)[0]


def _jpeg(image: np.ndarray, quality: int) -> np.ndarray:
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    assert ok
    return cv2.imdecode(data, cv2.IMREAD_COLOR)


def _expected(page: Page, H: np.ndarray, category: str, extra_ok: bool = True) -> list[Expected]:
    out = []
    for text, fmt, corners in page.codes:
        projected = _project(H, corners)
        if fmt == "QRCode":
            required = True
        else:
            bar = page.bar_module * _local_scale(H, corners.mean(axis=0))
            required = extra_ok and category in CODE128_CATEGORIES and bar >= 2.0
        out.append(Expected(text, fmt, required, projected.round(1).tolist()))
    return out


def _qr(page: Page) -> tuple[np.ndarray, float]:
    corners = next(c for _, f, c in page.codes if f == "QRCode")
    return corners, float(np.linalg.norm(corners[1] - corners[0]))


# -- categories --------------------------------------------------------------------------
def _receipt_shot(rng: np.random.Generator, page: Page, category: str) -> tuple[np.ndarray, list[Expected], dict]:
    qr, qr_side = _qr(page)
    h, w = page.grey.shape
    out_w, out_h = (1280, 720) if rng.random() < 0.6 else (1920, 1080)
    module = rng.uniform(2.6, 4.5)
    angle = rng.uniform(-12, 12)
    tilt = rng.uniform(0.0, 0.05)
    params: dict = {}
    source = page.grey.copy()
    if category == "scan":
        out_w, out_h = w, h
        H = _homography(rng, w, h, np.array([w / 2, h / 2]), 1.0, w, h, rng.uniform(-2, 2), 0.0, aim=0.005)
        image = cv2.warpPerspective(cv2.cvtColor(source, cv2.COLOR_GRAY2BGR), H, (w, h), borderValue=(255, 255, 255))
        image = cv2.GaussianBlur(image, (0, 0), 0.5)
        return image, _expected(page, H, category), {"angle": "small"}
    if category == "perspective":
        tilt = rng.uniform(0.08, 0.16)
    if category == "rotation":
        angle = rng.uniform(0, 360)
    if category == "small_modules":
        module = rng.uniform(1.6, 2.2)
        out_w, out_h = 1280, 720
    if category == "large_photo":
        out_w, out_h = 4000, 3000
        module = rng.uniform(2.2, 3.2)
    # The QR module's size in the image sets the scale; it is then held near the frame's centre.
    focus = qr.mean(axis=0) + rng.uniform(-0.6, 0.6, 2) * qr_side
    scale = module / page.qr_module
    if category == "occlusion":
        # a thumb over the QR's lower right corner (the one without a finder pattern), up to ~11% of it
        side = qr_side
        centre = qr[2] + np.array([0.06, 0.06]) * side
        axes = (int(rng.uniform(0.22, 0.28) * side), int(rng.uniform(0.3, 0.4) * side))
        tone = int(rng.uniform(150, 200))
        cv2.ellipse(source, (int(centre[0]), int(centre[1])), axes, float(rng.uniform(20, 70)), 0, 360, tone, -1)
        params["thumb"] = axes
    H = _homography(rng, w, h, focus, scale, out_w, out_h, angle, tilt)
    image = _photograph(rng, source, H, out_w, out_h).astype(np.float32)
    local_module = page.qr_module * _local_scale(H, qr.mean(axis=0))
    params.update(module=round(local_module, 2), angle=round(angle, 1), tilt=round(tilt, 3), size=[out_w, out_h])
    if category == "blur":
        if rng.random() < 0.5:
            sigma = rng.uniform(0.35, 0.6) * local_module
            image = cv2.GaussianBlur(image, (0, 0), sigma)
            params["gaussian"] = round(sigma, 2)
        else:
            length = max(3, int(round(rng.uniform(0.8, 1.4) * local_module)))
            kernel = np.zeros((length, length), np.float32)
            kernel[length // 2, :] = 1.0 / length
            rot = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), rng.uniform(0, 180), 1.0)
            kernel = cv2.warpAffine(kernel, rot, (length, length))
            image = cv2.filter2D(image, -1, kernel / kernel.sum())
            params["motion"] = length
    if category == "noise":
        sigma = rng.uniform(14, 30)
        image += _noise(rng, image.shape, sigma)
        params["noise"] = round(sigma, 1)
    if category == "low_light":
        gain = rng.uniform(0.1, 0.25)
        image = image * gain + _noise(rng, image.shape, rng.uniform(2.0, 5.0))
        params["gain"] = round(gain, 2)
    if category == "glare":
        centre_img = _project(H, np.array([qr.mean(axis=0) + rng.uniform(-0.45, 0.45, 2) * qr_side]))[0]
        radius = rng.uniform(0.25, 0.45) * qr_side * scale
        yy, xx = _grid(out_w, out_h)
        blob = np.exp(-(((xx - centre_img[0]) ** 2 + (yy - centre_img[1]) ** 2) / (2 * radius ** 2)))
        strength = rng.uniform(110, 190)
        image += (strength * blob)[..., None]
        params.update(glare=round(strength), radius=round(radius, 1))
    image = _to_u8(image)
    if category == "jpeg":
        quality = int(rng.integers(10, 26))
        image = _jpeg(image, quality)
        params["quality"] = quality
    return image, _expected(page, H, category), params


def _phone_shot(rng: np.random.Generator, page: Page) -> tuple[np.ndarray, list[Expected], dict]:
    """A phone held up with the receipt on its screen: subpixel grid, bezel, reflection, maybe dark mode."""
    qr, qr_side = _qr(page)
    # What the phone shows: the receipt zoomed on its QR, at the screen's own resolution.
    screen_w, screen_h = 540, 1080
    zoom = screen_w * rng.uniform(0.55, 0.8) / qr_side
    src_centre = qr.mean(axis=0)
    to_screen = np.array([[zoom, 0, screen_w / 2 - zoom * src_centre[0]],
                          [0, zoom, screen_h / 2 - zoom * src_centre[1]], [0, 0, 1]], np.float64)
    content = cv2.warpPerspective(page.grey, to_screen, (screen_w, screen_h), flags=cv2.INTER_AREA,
                                  borderValue=255)
    content[:70] = 235
    content[-90:] = 235
    dark = rng.random() < 0.25
    if dark:
        content = 255 - content
    # The panel: each pixel three vertical subpixels (R, G, B) with a dark gap between rows.
    k = 3
    panel = np.zeros((screen_h * k, screen_w * k, 3), np.float32)
    big = np.repeat(np.repeat(content.astype(np.float32), k, axis=0), k, axis=1)
    for channel, column in ((2, 0), (1, 1), (0, 2)):
        panel[:, column::k, channel] = big[:, column::k] * 0.98
    panel[k - 1::k, :, :] *= 0.55
    # The body around the screen.
    bezel = 40
    body = np.full((panel.shape[0] + 2 * bezel * k, panel.shape[1] + 2 * bezel * k, 3), 18, np.float32)
    # Each subpixel lights a third of the area: the camera's exposure brings the screen back up.
    body[bezel * k:-bezel * k, bezel * k:-bezel * k] = panel * rng.uniform(2.2, 2.8)
    body = np.clip(body, 0, 255).astype(np.uint8)
    out_w, out_h = 1280, 720
    module = rng.uniform(2.8, 4.5)
    screen_module = page.qr_module * zoom * k
    focus = np.array([body.shape[1] / 2, body.shape[0] / 2]) + rng.uniform(-0.15, 0.15, 2) * qr_side * zoom * k
    H = _homography(rng, body.shape[1], body.shape[0], focus, module / screen_module, out_w, out_h,
                    rng.uniform(-15, 15), rng.uniform(0.0, 0.06), aim=0.1)
    image = _photograph(rng, body, H, out_w, out_h, tint=False).astype(np.float32)
    # Moiré: the panel's grid beating against the sensor's, bands across the screen.
    yy, xx = _grid(out_w, out_h)
    screen = cv2.warpPerspective(np.full(body.shape[:2], 255, np.uint8), H, (out_w, out_h)) > 0
    period, turn = rng.uniform(4.0, 9.0), rng.uniform(0, np.pi)
    beat = 1 + rng.uniform(0.1, 0.25) * np.sin(2 * np.pi * (xx * np.cos(turn) + yy * np.sin(turn)) / period)
    image[screen] *= np.broadcast_to(beat, screen.shape)[screen][:, None]
    # a window reflected in the glass
    band = np.clip(1 - np.abs((xx * rng.uniform(0.5, 1.5) + yy) / out_w - rng.uniform(0.3, 1.2)) * 4, 0, 1)
    image += (rng.uniform(15, 45) * band)[..., None]
    image = _jpeg(np.clip(image, 0, 255).astype(np.uint8), int(rng.integers(70, 90)))
    # Codes in the screen's own coordinates, then through the camera.
    on_screen = [(t, f, cv2.perspectiveTransform(c.reshape(1, -1, 2), to_screen)[0] * k + bezel * k)
                 for t, f, c in page.codes]
    expected = []
    for text, fmt, corners in on_screen:
        inside = (corners[:, 0].min() > bezel * k and corners[:, 0].max() < body.shape[1] - bezel * k and
                  corners[:, 1].min() > (bezel + 70) * k and corners[:, 1].max() < body.shape[0] - (bezel + 90) * k)
        if not inside:
            continue
        expected.append(Expected(text, fmt, fmt == "QRCode", _project(H, corners).round(1).tolist()))
    return image, expected, {"dark_mode": dark, "module": round(module, 2), "moire_period": round(period, 1)}


def _id_card_shot(rng: np.random.Generator, card: Page) -> tuple[np.ndarray, list[Expected], dict]:
    qr, qr_side = _qr(card)
    h, w = card.grey.shape
    out_w, out_h = 1280, 720
    module = rng.uniform(2.4, 4.0)
    focus = qr.mean(axis=0) + rng.uniform(-0.8, 0.8, 2) * qr_side
    H = _homography(rng, w, h, focus, module / card.qr_module, out_w, out_h, rng.uniform(-20, 20),
                    rng.uniform(0.0, 0.07))
    image = _photograph(rng, card.grey, H, out_w, out_h).astype(np.float32)
    if rng.random() < 0.5:  # the laminate catches the light, away from the QR
        yy, xx = _grid(out_w, out_h)
        centre = _project(H, np.array([[w * rng.uniform(0.1, 0.5), h * rng.uniform(0.3, 0.9)]]))[0]
        blob = np.exp(-(((xx - centre[0]) ** 2 + (yy - centre[1]) ** 2) / (2 * (0.08 * out_w) ** 2)))
        image += (rng.uniform(60, 140) * blob)[..., None]
    image += _noise(rng, image.shape, rng.uniform(2, 8))
    image = _to_u8(image)
    return image, [Expected(t, f, True, _project(H, c).round(1).tolist()) for t, f, c in card.codes], \
        {"module": round(module, 2)}


def _no_code_shot(rng: np.random.Generator, page: Page) -> tuple[np.ndarray, list[Expected], dict]:
    kind = ["blank_receipt", "stripes", "grid", "dark", "text"][int(rng.integers(0, 5))]
    out_w, out_h = 1280, 720
    h, w = page.grey.shape
    if kind in ("blank_receipt", "text"):
        source = page.grey.copy()
        for _, _, corners in page.codes:  # the codes cut out of the page: everything else stays
            x0, y0 = corners.min(axis=0).astype(int) - 12
            x1, y1 = corners.max(axis=0).astype(int) + 12
            source[max(0, y0):y1, max(0, x0):x1] = 250
        target = np.array([w / 2, h * rng.uniform(0.25, 0.6)])
        scale = rng.uniform(0.5, 1.2) if kind == "text" else rng.uniform(0.35, 0.6)
        H = _homography(rng, w, h, target, scale, out_w, out_h, rng.uniform(-20, 20), rng.uniform(0, 0.06))
        image = _photograph(rng, source, H, out_w, out_h)
    elif kind == "stripes":  # bars of random widths: a barcode's look without its grammar
        widths = rng.integers(1, 5, 400)
        row = np.concatenate([np.full(int(wd) * 3, 0 if i % 2 else 255, np.uint8) for i, wd in enumerate(widths)])
        source = np.tile(row[:1600], (500, 1))
        H = _homography(rng, source.shape[1], source.shape[0], np.array([800, 250]), rng.uniform(0.4, 0.9),
                        out_w, out_h, rng.uniform(-10, 10), 0.03)
        image = _photograph(rng, source, H, out_w, out_h)
    elif kind == "grid":  # squares like a QR's modules, in no QR's order
        cells = (rng.random((60, 60)) < 0.5).astype(np.uint8) * 255
        source = cv2.resize(cells, (900, 900), interpolation=cv2.INTER_NEAREST)
        H = _homography(rng, 900, 900, np.array([450, 450]), rng.uniform(0.4, 0.8), out_w, out_h,
                        rng.uniform(0, 90), 0.04)
        image = _photograph(rng, source, H, out_w, out_h)
    else:  # a covered lens, a dark room
        image = np.clip(rng.normal(12, 6, (out_h, out_w, 3)), 0, 255).astype(np.uint8)
    return image, [], {"kind": kind}


def generate(seed: int = 2026, per_category: int = 30, categories: tuple[str, ...] = CATEGORIES,
             receipts: int | None = None) -> Iterator[Sample]:
    """The corpus, sample by sample, deterministically from ``seed``."""
    rng = np.random.default_rng(seed)
    pages = [_receipt_page(rng, i) for i in range(receipts or max(2, min(8, per_category)))]
    cards = [_id_card(rng) for _ in range(max(2, min(6, per_category)))] if "id_card" in categories else []
    for category in categories:
        crng = np.random.default_rng([seed, CATEGORIES.index(category)])
        for i in range(per_category):
            page = pages[i % len(pages)]
            if category == "phone_screen":
                image, codes, params = _phone_shot(crng, page)
            elif category == "id_card":
                image, codes, params = _id_card_shot(crng, cards[i % len(cards)])
            elif category == "no_code":
                image, codes, params = _no_code_shot(crng, page)
            else:
                image, codes, params = _receipt_shot(crng, page, category)
            yield Sample("%s/%03d" % (category, i), category, image, codes, params)


@dataclass
class Score:
    required: int = 0   # codes a reader had to find
    read: int = 0       # of those, found with the right text
    wrong: int = 0      # texts found that the image does not hold

    def add(self, other: "Score") -> None:
        self.required += other.required
        self.read += other.read
        self.wrong += other.wrong

    @property
    def share(self) -> float:
        return self.read / self.required if self.required else 1.0


def score(found: list[str], expected: list[dict] | list[Expected]) -> Score:
    """How a reader did on one image: ``found`` are the texts it returned."""
    items = [asdict(e) if isinstance(e, Expected) else e for e in expected]
    present = {e["text"] for e in items}
    required = {e["text"] for e in items if e["required"]}
    texts = set(found)
    return Score(len(required), len(required & texts), len(texts - present))


def write(out: Path, samples: Iterator[Sample]) -> list[dict]:
    """Save each sample (PNG for scans, JPEG as a camera would for the rest) and the manifest."""
    out.mkdir(parents=True, exist_ok=True)
    manifest = []
    for sample in samples:
        lossless = sample.category in ("scan", "jpeg", "phone_screen")  # the latter two carry their JPEG already
        path = out / (sample.name + (".png" if lossless else ".jpg"))
        path.parent.mkdir(parents=True, exist_ok=True)
        params = [] if lossless else [cv2.IMWRITE_JPEG_QUALITY, 92]
        if not cv2.imwrite(str(path), sample.image, params):
            raise OSError("cannot write %s" % path)
        manifest.append({"file": str(path.relative_to(out)), "category": sample.category,
                         "codes": [asdict(c) for c in sample.codes], "params": sample.params})
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), "utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out", type=Path)
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--per-category", type=int, default=30)
    p.add_argument("--categories", default=",".join(CATEGORIES))
    args = p.parse_args(argv)
    categories = tuple(c for c in args.categories.split(",") if c)
    unknown = set(categories) - set(CATEGORIES)
    if unknown:
        p.error("unknown categories: %s" % ", ".join(sorted(unknown)))
    manifest = write(args.out, generate(args.seed, args.per_category, categories))
    print("%d images in %s" % (len(manifest), args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
