"""QR codes and Code 128 barcodes drawn as vectors on a reportlab canvas, and as flowables."""

from __future__ import annotations

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.graphics.barcode.code128 import Code128
from reportlab.pdfbase.pdfmetrics import getAscent, getDescent, stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from .fonts import SANS, register_fonts

QR_QUIET_MODULES = 4     # the quiet zone ISO/IEC 18004 asks for
CODE128_QUIET_MODULES = 10


def qr_matrix(text: str) -> list[list[bool]]:
    """The QR modules for text (error correction M), without quiet zone; True is dark."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    qr.add_data(text)
    qr.make(fit=True)
    return [[bool(cell) for cell in row] for row in qr.get_matrix()]


def draw_qr(canvas: Canvas, text: str, x: float, y: float, size: float,
            quiet_modules: int = QR_QUIET_MODULES) -> None:
    """Draw a QR for text as a square of side size (quiet zone included) with its lower left at (x, y)."""
    matrix = qr_matrix(text)
    n = len(matrix)
    module = size / (n + 2 * quiet_modules)
    canvas.saveState()
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    # One path of horizontal runs, filled once: adjacent modules then leave no anti-aliasing seams.
    path = canvas.beginPath()
    origin_x = x + quiet_modules * module
    top = y + size - quiet_modules * module
    for r, row in enumerate(matrix):
        c = 0
        while c < n:
            if not row[c]:
                c += 1
                continue
            start = c
            while c < n and row[c]:
                c += 1
            path.rect(origin_x + start * module, top - (r + 1) * module, (c - start) * module, module)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


class QRFlowable(Flowable):
    """A QR of side size (quiet zone included), for platypus stories and tables."""

    def __init__(self, text: str, size: float, quiet_modules: int = QR_QUIET_MODULES) -> None:
        super().__init__()
        self.text = text
        self.size = size
        self.quiet_modules = quiet_modules
        self.width = self.height = size

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        draw_qr(self.canv, self.text, 0, 0, self.size, self.quiet_modules)


def _code128(value: str, bar_width: float, bar_height: float) -> Code128:
    if not value or any(ord(c) > 127 for c in value):
        # reportlab would silently drop such characters and print a barcode of something else.
        raise ValueError("Code 128 holds ASCII only, got %r" % value)
    return Code128(value, barWidth=bar_width, barHeight=bar_height, humanReadable=0,
                   quiet=1, lquiet=CODE128_QUIET_MODULES * bar_width,
                   rquiet=CODE128_QUIET_MODULES * bar_width)


def _bars(barcode: Code128) -> list[tuple[bool, int]]:
    """(is a bar, width in modules) from left to right; reportlab spells bars A-Z and spaces a-z."""
    barcode._calculate()
    runs = []
    for c in barcode.decomposed:
        if "A" <= c <= "Z":
            runs.append((True, ord(c) - ord("A") + 1))
        elif "a" <= c <= "z":
            runs.append((False, ord(c) - ord("a") + 1))
    return runs


def code128_size(value: str, bar_width: float, bar_height: float, font_size: float,
                 font_name: str = SANS) -> tuple[float, float]:
    """Width (quiet zones included) and height (bars and the text under them) of a Code 128."""
    register_fonts()
    width = _code128(value, bar_width, bar_height).width
    return width, bar_height + _text_height(font_name, font_size)


def _text_height(font_name: str, font_size: float) -> float:
    return 0.15 * font_size + (getAscent(font_name) - getDescent(font_name)) * font_size / 1000.0


def draw_code128(canvas: Canvas, value: str, x: float, y: float, bar_width: float,
                 bar_height: float, font_size: float, font_name: str = SANS) -> tuple[float, float]:
    """Draw a Code 128 of value with its text centred under the bars; (x, y) is the lower left.

    Returns the (width, height) drawn, quiet zones included.
    """
    register_fonts()
    barcode = _code128(value, bar_width, bar_height)
    text_h = _text_height(font_name, font_size)
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    # reportlab's own draw paints bar by bar; one filled path renders without per-bar pixel
    # snapping, which at some resolutions turned 1-module bars into 2-pixel misreads.
    path = canvas.beginPath()
    left = x + barcode.lquiet
    for bar, module_count in _bars(barcode):
        if bar:
            path.rect(left, y + text_h, module_count * bar_width, bar_height)
        left += module_count * bar_width
    canvas.drawPath(path, stroke=0, fill=1)
    bars_width = barcode.width - barcode.lquiet - barcode.rquiet
    size = font_size
    if stringWidth(value, font_name, size) > bars_width:
        size *= bars_width / stringWidth(value, font_name, size)
    canvas.setFont(font_name, size)
    baseline = y + (-getDescent(font_name)) * size / 1000.0
    canvas.drawCentredString(x + barcode.width / 2.0, baseline, value)
    canvas.restoreState()
    return barcode.width, bar_height + text_h


class Code128Flowable(Flowable):
    """A Code 128 with its human-readable text, sized so layouts leave room for the text."""

    def __init__(self, value: str, bar_width: float, bar_height: float, font_size: float,
                 font_name: str = SANS) -> None:
        super().__init__()
        self.value = value
        self.bar_width = bar_width
        self.bar_height = bar_height
        self.font_size = font_size
        self.font_name = font_name
        self.width, self.height = code128_size(value, bar_width, bar_height, font_size, font_name)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        draw_code128(self.canv, self.value, 0, 0, self.bar_width, self.bar_height,
                     self.font_size, self.font_name)
