"""What every printed form shares: the national header block, text helpers, rules and the PDF builder.

The receipt (``receipt.py``) and the other slips (control slip, supplement request, refusal, apology,
register, statistics) all start with the same two-column block: the agency on the left, the national
name and motto on the right, each underlined by a short centred stroke.
"""

from __future__ import annotations

import io
import unicodedata
from datetime import datetime
from typing import Any, Callable, Sequence
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph, Spacer, Table,
                                TableStyle)

from .fonts import SERIF, SERIF_BOLD, SERIF_ITALIC, register_fonts

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
UNIT = "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ"

# Table cells otherwise name Helvetica, which then sits in the PDF without being embedded.
BASE_CELL: list[tuple[Any, ...]] = [("FONTNAME", (0, 0), (-1, -1), SERIF)]
NO_PADDING: list[tuple[Any, ...]] = [
    ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
]

# Blanks a clerk fills in by hand.
DOTS = "……"


# --- text -------------------------------------------------------------------------------------------

def raw(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


def clean(text: str) -> str:
    """NFC (a decomposed accent would print beside its letter) and one line."""
    return " ".join(raw(text).split())


def x(text: str) -> str:
    """Text for Paragraph markup: cleaned and escaped."""
    return escape(clean(text))


def when(moment: datetime) -> str:
    """"09 giờ 32 phút, ngày 27/11/2026", as the forms write a moment."""
    return "%02d giờ %02d phút, ngày %02d/%02d/%04d" % (
        moment.hour, moment.minute, moment.day, moment.month, moment.year)


def when_blank() -> str:
    """The same line left to be written by hand."""
    return "%s giờ %s phút, ngày %s/%s/%s" % (DOTS, DOTS, DOTS, DOTS, DOTS)


def day(moment: datetime) -> str:
    return "%02d/%02d/%04d" % (moment.day, moment.month, moment.year)


def day_time(moment: datetime) -> str:
    return "%02d/%02d/%04d %02d:%02d" % (moment.day, moment.month, moment.year, moment.hour, moment.minute)


def place_date(place: str, moment: datetime) -> str:
    """"Thanh Hóa, ngày 27 tháng 11 năm 2026" (plain text, not escaped)."""
    return "%s, ngày %02d tháng %02d năm %04d" % (clean(place), moment.day, moment.month, moment.year)


def title_case(text: str) -> str:
    return text[:1] + text[1:].lower()


def fit(text: str, font: str, size: float, width: float) -> float:
    """size, or smaller so one line of text fits in width."""
    natural = stringWidth(text, font, size)
    return size if natural <= width else size * width / natural


# --- styles -----------------------------------------------------------------------------------------

def with_style(style: ParagraphStyle, **changes: Any) -> ParagraphStyle:
    return ParagraphStyle(style.name + "+", parent=style, **changes)


class FormStyles:
    """The paragraph styles of the slips, from one body size (12.5 pt on A4, as on the receipt)."""

    def __init__(self, body: float = 12.5, cell: float = 11.0) -> None:
        self.size = body
        self.body = ParagraphStyle("body", fontName=SERIF, fontSize=body, leading=body * 1.3,
                                   alignment=TA_LEFT, spaceBefore=1, spaceAfter=1)
        self.justify = with_style(self.body, alignment=4)  # TA_JUSTIFY
        self.centre = with_style(self.body, alignment=TA_CENTER, spaceBefore=0, spaceAfter=0)
        self.right = with_style(self.centre, alignment=2)  # TA_RIGHT
        self.header = with_style(self.centre, fontSize=body, leading=body * 1.22)
        self.motto = with_style(self.header, fontSize=body + 1, leading=(body + 1) * 1.22)
        self.title = with_style(self.centre, fontName=SERIF_BOLD, fontSize=body + 2.5,
                                leading=(body + 2.5) * 1.3)
        self.cell = with_style(self.body, fontSize=cell, leading=cell * 1.25, spaceBefore=0, spaceAfter=0)
        self.cell_centre = with_style(self.cell, alignment=TA_CENTER)
        self.cell_right = with_style(self.cell, alignment=2)
        self.head_cell = with_style(self.cell_centre, fontName=SERIF_BOLD)
        self.small = with_style(self.body, fontSize=body - 2.5, leading=(body - 2.5) * 1.25)
        self.note = with_style(self.small, fontName=SERIF_ITALIC)


# --- the header block -------------------------------------------------------------------------------

class Rule(Flowable):
    """A centred horizontal stroke under a heading, as on every Vietnamese administrative form."""

    def __init__(self, length: float, paper: float = 1.0, text: float = 1.0) -> None:
        super().__init__()
        self.length = length
        self.thickness = 0.7 * paper
        self.gap = 2.2 * paper * text
        self.above = 1.5 * paper * text  # clear of the dot below Ậ, Ụ, Ộ

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self._avail = availWidth
        return availWidth, self.gap * 2 + self.above

    def draw(self) -> None:
        x0 = (self._avail - self.length) / 2
        self.canv.setLineWidth(self.thickness)
        self.canv.line(x0, self.gap, x0 + self.length, self.gap)


def national_header(parent_agency: str, agency_name: str, unit: str | None, width: float,
                    header_size: float, motto_size: float, paper: float = 1.0, text: float = 1.0,
                    left_share: float = 0.44) -> Table:
    """The agency (parent, name and, for the counter's own slips, the unit) beside the national motto.

    The parent agency prints in regular capitals, the agency and the unit in bold capitals; the unit
    and the national name shrink rather than wrap. A short stroke sits under the agency block and a
    stroke as wide as the motto under the motto.
    """
    register_fonts()
    left_w, right_w = width * left_share, width * (1 - left_share)
    header = ParagraphStyle("header", fontName=SERIF, fontSize=header_size, leading=header_size * 1.22,
                            alignment=TA_CENTER)
    motto = with_style(header, fontSize=motto_size, leading=motto_size * 1.22)
    left: list[Flowable] = []
    if clean(parent_agency):
        left.append(Paragraph(x(clean(parent_agency).upper()), header))
    agency = clean(agency_name).upper()
    # On one line if a slightly smaller size lets it; otherwise it wraps at full size.
    agency_size = fit(agency, SERIF_BOLD, header_size, left_w - 2)
    if agency_size < header_size * 0.88:
        agency_size = header_size
    left.append(Paragraph("<b>%s</b>" % escape(agency), with_style(header, fontSize=agency_size)))
    if unit:
        left.append(Paragraph("<b>%s</b>" % escape(unit),
                              with_style(header, fontSize=fit(unit, SERIF_BOLD, header_size, left_w - 2))))
        last_w = stringWidth(unit, SERIF_BOLD, header_size)
    else:
        last_w = stringWidth(agency, SERIF_BOLD, header_size)
    left.append(Rule(min(last_w, left_w) * 0.4, paper, text))
    motto_w = stringWidth(MOTTO, SERIF_BOLD, motto_size)
    right = [
        Paragraph("<b>%s</b>" % NATION,
                  with_style(header, fontSize=fit(NATION, SERIF_BOLD, header_size, right_w - 2))),
        Paragraph("<b>%s</b>" % MOTTO, motto),
        Rule(min(motto_w, right_w), paper, text),
    ]
    table = Table([[left, right]], colWidths=[left_w, right_w])
    table.setStyle(TableStyle(BASE_CELL + NO_PADDING + [("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def beside(left: Sequence[Flowable] | Flowable | str, right: Sequence[Flowable] | Flowable | str,
           width: float, left_share: float = 0.44, valign: str = "TOP") -> Table:
    """Two blocks side by side without borders (the number under the agency, the date under the motto)."""
    table = Table([[left, right]], colWidths=[width * left_share, width * (1 - left_share)])
    table.setStyle(TableStyle(BASE_CELL + NO_PADDING + [("VALIGN", (0, 0), (-1, -1), valign)]))
    return table


def signature_block(role: str, name: str, styles: FormStyles, space: float = 22 * mm,
                    hint: str = "(Ký và ghi rõ họ tên)", title: str = "") -> list[Flowable]:
    """A signature column: the role in bold capitals, the hint in italics, room to sign, the name."""
    block: list[Flowable] = []
    if title:
        block.append(Paragraph("<b>%s</b>" % x(title), styles.centre))
    block.append(Paragraph("<b>%s</b>" % x(role), styles.centre))
    if hint:
        block.append(Paragraph("<i>%s</i>" % x(hint), styles.centre))
    block.append(Spacer(1, space))
    block.append(Paragraph("<b>%s</b>" % x(name) if clean(name) else "", styles.centre))
    return block


# --- building the PDF -------------------------------------------------------------------------------

class _NumberedCanvas(Canvas):
    """Prints "Trang n/N" at the foot of every page once the page count is known (only if N > 1)."""

    footer_size = 9.0
    footer_y = 7 * mm

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            if total > 1:
                self.saveState()
                self.setFont(SERIF_ITALIC, self.footer_size)
                self.drawCentredString(self._pagesize[0] / 2, self.footer_y,
                                       "Trang %d/%d" % (self._pageNumber, total))
                self.restoreState()
            Canvas.showPage(self)
        Canvas.save(self)


def build_pdf(story: list[Flowable], pagesize: tuple[float, float],
              margins: tuple[float, float, float, float], *, title: str, author: str = "",
              subject: str = "", body_size: float = 12.5,
              on_page: Callable[[Canvas, BaseDocTemplate], None] | None = None) -> bytes:
    """Lay story out on pages of pagesize; margins are (left, right, top, bottom). Returns the PDF."""
    register_fonts()
    left, right, top, bottom = margins
    page_w, page_h = pagesize
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer, pagesize=pagesize, leftMargin=left, rightMargin=right, topMargin=top, bottomMargin=bottom,
        title=clean(title), author=clean(author), subject=clean(subject), creator="desk_app",
        lang="vi-VN", displayDocTitle=True, initialFontName=SERIF, initialFontSize=body_size,
    )
    frame = Frame(left, bottom, page_w - left - right, page_h - top - bottom, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    if on_page is None:
        doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    else:
        doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=on_page)])
    doc.build(story, canvasmaker=_NumberedCanvas)
    return buffer.getvalue()


def story_height(story: list[Flowable], width: float, height: float) -> float:
    total = 0.0
    for flowable in story:
        _, h = flowable.wrap(width, height)
        total += h + flowable.getSpaceBefore() + flowable.getSpaceAfter()
    return total


# --- what the slips share -----------------------------------------------------------------------------

def contact_lines(party: Any, with_id: bool = True) -> list[str]:
    """The template's lines under the name: the paper's number under its own label (a tax code
    is not a CCCD), address, phone and, only when there is one, e-mail. Markup, escaped."""
    lines = []
    if with_id and clean(party.id_number):
        lines.append("%s: %s" % (x(party.id_label), x(party.id_number)))
    lines.append("Địa chỉ: %s" % (x(party.address) or DOTS))
    phone = "Số điện thoại: %s" % (x(party.phone) or DOTS)
    if clean(party.email):
        phone += "&nbsp;&nbsp;&nbsp;&nbsp;Email: %s" % x(party.email)
    lines.append(phone)
    return lines


def number_and_date(number: str, place: str, moment: datetime, width: float, styles: FormStyles) -> Table:
    """"Số: 15/2026/TB-BS" under the agency, the place and date under the motto."""
    small = with_style(styles.centre, fontSize=styles.size - 0.5, leading=(styles.size - 0.5) * 1.2)
    return beside(Paragraph("Số: %s" % (x(number) or DOTS), small),
                  Paragraph("<i>%s</i>" % x(place_date(place, moment)), small), width)
