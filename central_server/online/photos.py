"""A phone photo of a paper into a clean page, and the pages of one component into one PDF.

The photo is decoded only after its header has been checked (type by content, pixel count),
turned upright by its EXIF orientation and then rebuilt from bare pixels, so no EXIF field
(GPS, camera, time) nor any other metadata travels on. The paper is found (the quadrilateral
whose sides run on the paper's edges), its perspective corrected, the light evened (shadows of the hand and the phone)
and the page scaled to about 2,000 pixels on its long side: readable, and a few hundred KB.

A citizen's PDF is never passed on: each page is rasterised with pdfium and the PDF rebuilt
from the images by ``write_pdf``, which writes pages of images and nothing else, so a
JavaScript, an action, a form or an attachment cannot survive it.
"""

from __future__ import annotations

import io
import math
import re
import threading
import warnings

import cv2
import numpy as np
import pypdfium2 as pdfium
from PIL import Image

from desk_app.domain.i18n import tr

from .files import (IMAGE_TYPES, JPEG, MAX_PAGES, MAX_PIXELS, PDF, PNG, WEBP, FileRefused, sniff,
                    too_many_pages, too_many_pixels, unreadable)

PAGE_LONG = 2000        # pixels on the long side of a page: about 170 dpi on A4
WORK_LONG = 4200        # a photo is decoded at no more than this (JPEG's DCT scaling, or reduce)
DETECT_LONG = 640       # the paper is looked for on a copy this size
JPEG_QUALITY = 80
PDF_PIXELS = MAX_PAGES * 12_000_000  # pictures in one PDF: thirty A4 pages scanned at 300 dpi fit
A4 = math.sqrt(2)
MIN_SIDE = 32           # pixels: less is an icon, not a photo of a paper
MAX_ASPECT = 20         # long side over short: a till receipt is under 1:10

_FORMATS = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP"}
_UPRIGHT = (2, 3, 4, 5, 6, 7, 8)  # the EXIF orientations that turn or mirror the stored pixels
# pdfium is not thread-safe, and the server answers requests on a pool of threads
_PDFIUM = threading.Lock()
_OPENING = threading.Lock()


# -- decoding -----------------------------------------------------------------------------
def open_photo(data: bytes) -> Image.Image:
    """The photo's pixels, upright, RGB, at most ``WORK_LONG`` on the long side, no metadata.

    ``FileRefused`` for anything else: not an image, too many pixels (decided from the header,
    before the pixels are unpacked), truncated or corrupt.
    """
    pixels, orientation = decode(data)
    return Image.fromarray(upright(pixels, orientation))


def decode(data: bytes) -> tuple[np.ndarray, int]:
    """The photo's pixels as stored (RGB, at most ``WORK_LONG`` on the long side) and its EXIF
    orientation; nothing else of the file is kept (no EXIF, ICC, XMP, comment)."""
    kind = sniff(data)
    if kind not in IMAGE_TYPES:
        raise FileRefused(tr("Tệp PDF không phải ảnh chụp: hãy chọn ảnh."))
    try:
        # Pillow's own bomb check (in open: the header only) warns from 89 MP; ours is lower and
        # refuses. The warnings filter is the process's: one thread at a time changes it.
        with _OPENING, warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[_FORMATS[kind]])
        width, height = image.size
        if width <= 0 or height <= 0 or width * height > MAX_PIXELS:
            raise too_many_pixels()
        if min(width, height) < MIN_SIDE or max(width, height) > MAX_ASPECT * min(width, height):
            raise FileRefused(tr("Ảnh quá nhỏ hoặc quá hẹp để là ảnh chụp giấy tờ."))
        orientation = _orientation(image)
        shrink = WORK_LONG / max(width, height)
        if kind == JPEG and shrink < 1:  # libjpeg decodes at 1/2, 1/4 or 1/8 for free
            image.draft("RGB", (math.ceil(width * shrink), math.ceil(height * shrink)))
        image.load()
        image = _rgb(image)
    except FileRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_many_pixels() from None
    except Exception:  # whatever a hostile file makes the decoder say, for the citizen it is unreadable
        raise unreadable() from None
    factor = math.ceil(max(image.size) / WORK_LONG)
    if factor > 1:
        image = image.reduce(factor)
    return np.asarray(image), orientation if orientation in _UPRIGHT else 1


def upright(pixels: np.ndarray, orientation: int) -> np.ndarray:
    """The stored pixels turned as their EXIF orientation says (Pillow's ``exif_transpose``)."""
    if orientation == 2:
        return cv2.flip(pixels, 1)
    if orientation == 3:
        return cv2.rotate(pixels, cv2.ROTATE_180)
    if orientation == 4:
        return cv2.flip(pixels, 0)
    if orientation == 5:
        return cv2.transpose(pixels)
    if orientation == 6:
        return cv2.rotate(pixels, cv2.ROTATE_90_CLOCKWISE)
    if orientation == 7:
        return cv2.rotate(cv2.transpose(pixels), cv2.ROTATE_180)
    if orientation == 8:
        return cv2.rotate(pixels, cv2.ROTATE_90_COUNTERCLOCKWISE)
    return np.ascontiguousarray(pixels)


def upright_matrix(orientation: int, width: int, height: int) -> np.ndarray:
    """Stored pixel (x, y) -> upright pixel, as ``upright`` moves it: a 3 x 3 matrix."""
    w, h = width - 1, height - 1
    rows = {2: ((-1, 0, w), (0, 1, 0)), 3: ((-1, 0, w), (0, -1, h)), 4: ((1, 0, 0), (0, -1, h)),
            5: ((0, 1, 0), (1, 0, 0)), 6: ((0, -1, h), (1, 0, 0)), 7: ((0, -1, h), (-1, 0, w)),
            8: ((0, 1, 0), (-1, 0, w))}.get(orientation, ((1, 0, 0), (0, 1, 0)))
    return np.array([*rows, (0, 0, 1)], np.float64)


def _orientation(image: Image.Image) -> int:
    try:
        value = image.getexif().get(0x0112, 1)
        return value if isinstance(value, int) else 1
    except Exception:  # a broken EXIF block is ignored, not fatal: the photo is still a photo
        return 1


def _rgb(image: Image.Image) -> Image.Image:
    if image.mode == "RGB":
        return image
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        grey = np.asarray(image.convert("I"), dtype=np.int64)
        top = 65535 if grey.max(initial=0) > 255 else 255
        return Image.fromarray((np.clip(grey, 0, top) * 255 // top).astype(np.uint8)).convert("RGB")
    if image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return image.convert("RGB")


# -- the page -----------------------------------------------------------------------------
def photo_to_page(data: bytes) -> Image.Image:
    """The page in a phone photo: upright, flattened, light evened, about ``PAGE_LONG`` px long.

    Without a page to be found, the whole photo (upright, evened, scaled) stands for it.
    """
    pixels, orientation = decode(data)
    return Image.fromarray(even_light(flatten(pixels, page_corners(pixels, orientation))))


def page_corners(pixels: np.ndarray, orientation: int) -> np.ndarray:
    """The page's corners (tl, tr, br, bl as seen upright) in the stored pixels; without a page,
    the whole frame's.

    The page is looked for on a small upright copy (an integer shrink: OpenCV's fast area path)
    and its corners taken back to the stored pixels, so the full photo is never turned, greyed
    or copied: ``flatten`` warps it straight to the upright page.
    """
    h, w = pixels.shape[:2]
    k = max(1, math.ceil(max(h, w) / DETECT_LONG))
    small = cv2.resize(pixels[:h // k * k, :w // k * k], (max(1, w // k), max(1, h // k)),
                       interpolation=cv2.INTER_AREA) if k > 1 else pixels
    small = upright(small, orientation)
    corners = find_page(small)
    if corners is None:
        sh, sw = small.shape[:2]
        corners = np.array([[0, 0], [sw, 0], [sw, sh], [0, sh]], np.float32) - 0.5
    corners = (corners.astype(np.float64) + 0.5) * k - 0.5
    return cv2.perspectiveTransform(corners[None], np.linalg.inv(upright_matrix(orientation, w, h)))[0]


def find_page(image) -> np.ndarray | None:
    """The page's four corners (tl, tr, br, bl) in ``image``'s pixels (float32, 4 x 2), or None.

    ``image``: a PIL image or an 8-bit RGB / grey array. Outlines come from a few masks, the
    bright regions (paper on a darker desk) and what the strong edges enclose; each one with
    four corners is fitted side by side to the edge pixels along it that get brighter inwards
    (twice, the second time in a narrow band), as a shadow bends the bright region's outline
    and a dark block printed near the edge would pull a plain fit. The page is the outline, at
    least a sixth of the frame, most of whose length runs on such edges (85% at least); of two
    as good, the larger.
    """
    arr = np.asarray(image.convert("L") if isinstance(image, Image.Image) else image)
    if arr.dtype != np.uint8:
        arr = np.clip(arr, 0, 255).astype(np.uint8)
    if arr.ndim == 3:
        arr = cv2.cvtColor(np.ascontiguousarray(arr[..., :3]), cv2.COLOR_RGB2GRAY)
    h, w = arr.shape[:2]
    if min(h, w) < 16:
        return None
    scale = min(1.0, DETECT_LONG / max(h, w))
    small = cv2.resize(arr, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA) \
        if scale < 1 else arr
    sh, sw = small.shape
    blur = cv2.GaussianBlur(small, (5, 5), 0)
    # fixed gradient levels: a paper's edge on a light desk is a step of some 30 grey levels,
    # whatever the photo's brightness; the clutter this also lets in is sorted out below
    edges = cv2.Canny(blur, 25, 60)
    ys, xs = np.nonzero(edges)
    points = np.stack([xs, ys], axis=1).astype(np.float64)
    # which way each edge pixel gets brighter: into the paper, on the paper's own edge
    gx = cv2.Sobel(blur, cv2.CV_32F, 1, 0, ksize=3)[ys, xs]
    gy = cv2.Sobel(blur, cv2.CV_32F, 0, 1, ksize=3)[ys, xs]
    gradients = np.stack([gx, gy], axis=1).astype(np.float64)
    # a wrong outline (cut along a shadow, or along a line on the desk) leaves a side or more
    # off the paper's edge: under 85% of its length on edges, the whole photo is safer than it
    best, best_score = None, (0.8, 0.0)
    for mask in _masks(blur, edges):
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
        for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:3]:
            quad = _quad(contour, sw, sh)
            if quad is None:
                continue
            quad = _fit_sides(points, gradients, quad, 0.03)
            quad = _fit_sides(points, gradients, quad, 0.006)
            area = cv2.contourArea(quad.astype(np.float32))
            if area < (sw * sh) / 6.0:
                continue
            # the outline most of whose length is paper edge; of two as good, the larger
            score = (round(_support(points, gradients, quad), 1), area)
            if score > best_score:
                best, best_score = quad, score
    if best is None:
        return None
    return ((best + 0.5) / scale - 0.5).astype(np.float32)


def _support(points: np.ndarray, gradients: np.ndarray, quad: np.ndarray) -> float:
    """The share of the outline's length that runs along the paper's edge pixels (0 to 1)."""
    strength = np.hypot(gradients[:, 0], gradients[:, 1]) + 1e-6
    shares = []
    for i in range(4):
        a, b = quad[i], quad[(i + 1) % 4]
        d = b - a
        length = max(float(np.hypot(*d)), 1.0)
        n = np.array([-d[1], d[0]]) / length
        t = (points - a) @ d / length ** 2
        on = (t >= 0) & (t <= 1) & (np.abs((points - a) @ n) <= 1.5) & (gradients @ n > 0.8 * strength)
        covered = np.unique(np.round(t[on] * length).astype(np.int64)).size
        shares.append(min(1.0, covered / length))
    return float(np.mean(shares))


def _masks(blur: np.ndarray, edges: np.ndarray):
    """Candidate regions of the paper: brighter than the desk at a few levels (a shadow darkens
    part of the page below the best single level), brighter than its surroundings, and what
    the strong edges enclose."""
    level, bright = cv2.threshold(blur, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    close = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (9, 9))
    yield cv2.morphologyEx(bright, cv2.MORPH_CLOSE, close)
    for share in (0.85, 0.7):
        _, lower = cv2.threshold(blur, level * share, 255, cv2.THRESH_BINARY)
        yield cv2.morphologyEx(lower, cv2.MORPH_CLOSE, close)
    block = (max(blur.shape) // 4) | 1
    local = cv2.adaptiveThreshold(blur, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, block, -4)
    yield cv2.morphologyEx(local, cv2.MORPH_CLOSE, close)
    yield cv2.morphologyEx(edges, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5)))


def _quad(contour: np.ndarray, w: int, h: int) -> np.ndarray | None:
    hull = cv2.convexHull(contour)
    peri = cv2.arcLength(hull, True)
    approx = cv2.approxPolyDP(hull, 0.02 * peri, True)
    if len(approx) != 4 or not cv2.isContourConvex(approx):
        return None
    quad = approx.reshape(4, 2).astype(np.float64)
    # the frame itself (a photo of nothing but paper, or the edge mask's border) is no page
    margin = 2
    on_border = ((quad[:, 0] <= margin) | (quad[:, 0] >= w - 1 - margin) |
                 (quad[:, 1] <= margin) | (quad[:, 1] >= h - 1 - margin))
    if on_border.all():
        return None
    return _order(quad)


def _order(quad: np.ndarray) -> np.ndarray:
    """Corners clockwise on screen (y down), starting from the one nearest the top-left."""
    centre = quad.mean(axis=0)
    angles = np.arctan2(quad[:, 1] - centre[1], quad[:, 0] - centre[0])
    quad = quad[np.argsort(angles)]
    start = int(np.argmin(quad.sum(axis=1)))
    return np.roll(quad, -start, axis=0)


def _fit_sides(points: np.ndarray, gradients: np.ndarray, quad: np.ndarray, band: float) -> np.ndarray:
    """Each side as a line through the edge pixels within ``band`` (a share of its length) of
    it, away from the corners, that get brighter towards the inside (the paper's edge, not a
    dark block or line of text printed near it); the corners where consecutive lines meet. A
    side with too few such pixels (the page running off the frame) keeps its line."""
    strength = np.hypot(gradients[:, 0], gradients[:, 1]) + 1e-6
    lines = []
    for i in range(4):
        a, b = quad[i], quad[(i + 1) % 4]
        d = b - a
        length = float(np.hypot(*d))
        if length < 8:
            return quad
        n = np.array([-d[1], d[0]]) / length  # clockwise corners on screen: this points inwards
        t = (points - a) @ d / length ** 2
        inwards = gradients @ n > 0.8 * strength
        near = points[(t > 0.08) & (t < 0.92) & inwards & (np.abs((points - a) @ n) <= max(2.0, band * length))]
        if len(near) < 0.25 * length:
            lines.append((a, d / length))
            continue
        vx, vy, x0, y0 = cv2.fitLine(near.astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        lines.append((np.array([x0, y0], np.float64), np.array([vx, vy], np.float64)))
    out = []
    for i in range(4):
        (p, u), (q, v) = lines[i - 1], lines[i]
        m = np.array([u, -v]).T
        if abs(np.linalg.det(m)) < 1e-6:
            return quad
        s = np.linalg.solve(m, q - p)[0]
        out.append(p + s * u)
    fitted = np.array(out)
    # a fit that moved a corner far is a fit gone wrong: keep the polygon's corners then
    return fitted if np.abs(fitted - quad).max() < 0.08 * max(np.ptp(quad, axis=0)) else quad


def page_size(corners: np.ndarray) -> tuple[int, int]:
    """The flattened page's width and height: the mean of opposite sides, snapped to A4's
    proportions when that close (perspective makes the measured ratio approximate), with the
    long side at most ``PAGE_LONG`` (a page is never enlarged)."""
    tl, tr, br, bl = corners.astype(np.float64)
    width = (np.hypot(*(tr - tl)) + np.hypot(*(br - bl))) / 2
    height = (np.hypot(*(bl - tl)) + np.hypot(*(br - tr))) / 2
    long, short = max(width, height), max(1.0, min(width, height))
    if abs(long / short / A4 - 1) < 0.06:
        short = long / A4
    target = min(long, PAGE_LONG)
    short = short * target / long
    w, h = (target, short) if width >= height else (short, target)
    return max(1, round(w)), max(1, round(h))


def flatten(photo: np.ndarray, corners: np.ndarray) -> np.ndarray:
    """The quadrilateral ``corners`` (tl, tr, br, bl) of ``photo`` as an upright rectangle of
    ``page_size``."""
    w, h = page_size(corners)
    src = corners.astype(np.float32)
    # warpPerspective samples points: past a halving, shrink first by averaging (an integer
    # factor, OpenCV's fast path) so small text does not alias; less than that, a lens's blur
    # is enough
    span = max(np.ptp(src[:, 0]), np.ptp(src[:, 1]))
    factor = int(span / max(w, h, 1))
    if factor >= 2:
        ph, pw = photo.shape[:2]
        photo = cv2.resize(photo[:ph // factor * factor, :pw // factor * factor], (pw // factor, ph // factor),
                           interpolation=cv2.INTER_AREA)
        src = (src + 0.5) / factor - 0.5
    # a hair inside the found edges, so no sliver of the desk shows along the page's border
    mx, my = 0.004 * w, 0.004 * h
    dst = np.array([[-mx, -my], [w + mx, -my], [w + mx, h + my], [-mx, h + my]], np.float32)
    matrix = cv2.getPerspectiveTransform(src, dst)
    return cv2.warpPerspective(photo, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def even_light(page: np.ndarray) -> np.ndarray:
    """Divide out the light falling on the paper: its brightness per colour, estimated on a
    small copy where text is thinner than the max filter (so it reads as paper), then smoothed.
    Shadows and a warm lamp's tint go; ink, stamps and photos larger than the filter stay."""
    h, w = page.shape[:2]
    k = 96.0 / max(h, w)
    small = cv2.resize(page, (max(1, round(w * k)), max(1, round(h * k))), interpolation=cv2.INTER_AREA)
    paper = cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (7, 7)))
    paper = cv2.GaussianBlur(paper, (0, 0), 3)
    paper = cv2.resize(paper, (w, h), interpolation=cv2.INTER_LINEAR)
    np.maximum(paper, 24, out=paper)  # a black photo is not lit up into noise
    return cv2.divide(page, paper, scale=245)


# -- the component's PDF ------------------------------------------------------------------
def component_pdf(files: list[bytes]) -> tuple[bytes, int]:
    """The photos and PDFs of one component as one clean PDF, and its number of pages.

    Photos become pages (``photo_to_page``); a PDF's pages are rasterised. ``FileRefused`` for
    any file refused, and past ``MAX_PAGES`` pages in all.
    """
    if not files:
        raise FileRefused(tr("Chưa có tệp nào cho thành phần hồ sơ này."))
    if len(files) > MAX_PAGES:
        raise too_many_pages()
    pages: list[Image.Image] = []
    for data in files:
        if sniff(data) == PDF:
            pages.extend(pdf_pages(data, MAX_PAGES - len(pages)))
        else:
            pages.append(photo_to_page(data))
        if len(pages) > MAX_PAGES:
            raise too_many_pages()
    return write_pdf(pages), len(pages)


def pdf_pages(data: bytes, room: int = MAX_PAGES) -> list[Image.Image]:
    """Each page of a citizen's PDF as an image, ``PAGE_LONG`` px on the long side; refused if
    encrypted, unreadable, empty or longer than ``room`` pages."""
    with _PDFIUM:
        try:
            pdf = pdfium.PdfDocument(bytes(data))
        except pdfium.PdfiumError as e:
            if "password" in str(e).lower():
                raise _encrypted() from None
            raise unreadable() from None
        try:
            if pdfium.raw.FPDF_GetSecurityHandlerRevision(pdf.raw) != -1:
                raise _encrypted()
            count = len(pdf)
            if count == 0:
                raise unreadable()
            if count > room:
                raise too_many_pages()
            _check_images(pdf, count)
            return [_render(pdf, i) for i in range(count)]
        finally:
            pdf.close()


def _check_images(pdf: pdfium.PdfDocument, count: int) -> None:
    """Refuse a PDF whose pictures would take too long to unpack, before any is: pdfium streams
    a huge image down to the page's size without the memory, but not without the time (a 3.5 MB
    PDF of one 60,000 x 60,000 picture takes 8 s a page, and every page may show it again).
    Images inside forms count, as pdfium draws them too."""
    total = 0
    for index in range(count):
        page = None
        try:
            page = pdf[index]
            for image in page.get_objects(filter=(pdfium.raw.FPDF_PAGEOBJ_IMAGE,), max_depth=8):
                width, height = image.get_px_size()
                if width * height > MAX_PIXELS:
                    raise too_many_pixels()
                total += width * height
        except FileRefused:
            raise
        except Exception:
            raise unreadable() from None
        finally:
            if page is not None:
                page.close()
        if total > PDF_PIXELS:
            raise too_many_pixels()


def _encrypted() -> FileRefused:
    return FileRefused(tr("Tệp PDF có mật khẩu hoặc bị mã hóa: hãy gửi bản không đặt mật khẩu."))


def _render(pdf: pdfium.PdfDocument, index: int) -> Image.Image:
    page = None
    try:
        page = pdf[index]
        w, h = page.get_size()
        if not (w > 0 and h > 0 and math.isfinite(w) and math.isfinite(h)):
            raise unreadable()
        # the long side is PAGE_LONG whatever size the PDF claims: memory stays bounded
        scale = PAGE_LONG / max(w, h)
        if max(1.0, w * scale) * max(1.0, h * scale) > MAX_PIXELS:
            raise too_many_pixels()
        bitmap = page.render(scale=scale, may_draw_forms=False)
        return Image.fromarray(np.asarray(bitmap.to_pil().convert("RGB")))
    except FileRefused:
        raise
    except Exception:
        raise unreadable() from None
    finally:
        if page is not None:
            page.close()


def write_pdf(pages: list[Image.Image]) -> bytes:
    """A PDF of nothing but pages of JPEG images, each fitted to an A4-sized box: no document
    information, no metadata stream, no actions, no outline; the images carry no EXIF."""
    jpegs = []
    for page in pages:
        out = io.BytesIO()
        Image.fromarray(np.asarray(page.convert("RGB"))).save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
        jpegs.append((out.getvalue(), page.size[0], page.size[1]))
    return _pdf_of_jpegs(jpegs)


_OUR_IMAGE = re.compile(rb"<< /Type /XObject /Subtype /Image /Width (\d{1,5}) /Height (\d{1,5}) /ColorSpace "
                        rb"/DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length (\d{1,9}) >>\nstream\n")


def join_pdfs(pdfs: list[bytes]) -> tuple[bytes, int]:
    """Clean PDFs (``component_pdf``'s) as one, and its page count: their JPEG pages are lifted
    out and written again as they are, neither decoded nor compressed a second time. A PDF
    not of exactly that shape, or a picture in it that is not a bare JPEG of its stated size,
    is rasterised like a citizen's (``pdf_pages``); ``FileRefused`` past ``MAX_PAGES``."""
    jpegs: list[tuple[bytes, int, int]] = []
    for pdf in pdfs:
        lifted = _our_jpegs(pdf)
        if lifted is None:
            lifted = []
            for page in pdf_pages(pdf, MAX_PAGES - len(jpegs)):
                out = io.BytesIO()
                page.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
                lifted.append((out.getvalue(), page.size[0], page.size[1]))
        jpegs.extend(lifted)
        if len(jpegs) > MAX_PAGES:
            raise too_many_pages()
    if not jpegs:
        raise FileRefused(tr("Chưa có tệp nào cho thành phần hồ sơ này."))
    return _pdf_of_jpegs(jpegs), len(jpegs)


def _our_jpegs(pdf: bytes) -> list[tuple[bytes, int, int]] | None:
    """The pages' JPEGs of a PDF ``write_pdf`` wrote, checked; None if it is not one."""
    if not pdf.startswith(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>"):
        return None
    count = re.search(rb"2 0 obj\n<< /Type /Pages /Kids \[[0-9 R]*\] /Count (\d+) >>", pdf)
    found = []
    for m in _OUR_IMAGE.finditer(pdf):
        width, height, length = (int(g) for g in m.groups())
        body = pdf[m.end():m.end() + length]
        if len(body) != length or not _bare_jpeg(body, width, height):
            return None
        found.append((body, width, height))
    if count is None or int(count.group(1)) != len(found) or not found:
        return None
    return found


def _bare_jpeg(body: bytes, width: int, height: int) -> bool:
    """A JPEG of that size whose only application segment is JFIF's: no EXIF, XMP or ICC."""
    if not body.startswith(b"\xff\xd8") or not body.endswith(b"\xff\xd9"):
        return False
    pos = 2
    while pos + 4 <= len(body):
        if body[pos] != 0xFF:
            return False
        marker = body[pos + 1]
        if marker == 0xDA:
            break
        if (0xE1 <= marker <= 0xEF) or marker == 0xFE:
            return False
        pos += 2 + int.from_bytes(body[pos + 2:pos + 4], "big")
    try:
        with Image.open(io.BytesIO(body), formats=["JPEG"]) as image:
            return image.size == (width, height) and image.mode == "RGB"
    except Exception:
        return False


def _pdf_of_jpegs(jpegs: list[tuple[bytes, int, int]]) -> bytes:
    objects: list[bytes] = [b"", b""]  # 1: catalogue, 2: page tree; filled in below
    kids = []
    for body, w, h in jpegs:
        k = 842.0 / max(w, h)  # A4's long side in points
        pw, ph = w * k, h * k
        image_id = len(objects) + 1
        objects.append(b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB "
                       b"/BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n%s\nendstream"
                       % (w, h, len(body), body))
        content = b"q %.2f 0 0 %.2f 0 0 cm /Im0 Do Q" % (pw, ph)
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Resources << /XObject "
                       b"<< /Im0 %d 0 R >> >> /Contents %d 0 R >>" % (pw, ph, image_id, image_id + 1))
        kids.append(b"%d 0 R" % len(objects))
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
