"""The receipt, Mẫu 01 "Giấy tiếp nhận hồ sơ và hẹn trả kết quả": one PDF, one page per copy (liên)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4, A5
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (BaseDocTemplate, Flowable, Frame, NextPageTemplate, PageBreak,
                                PageTemplate, Paragraph, Spacer, Table, TableStyle)

from ..domain.receipt import ReceiptData
from .codes import Code128Flowable, QRFlowable
from .fonts import SERIF, SERIF_BOLD, SERIF_BOLD_ITALIC, register_fonts
from .layout import BASE_CELL as _BASE_CELL
from .layout import DOTS, UNIT, national_header
from .layout import clean as _clean
from .layout import story_height as _story_height
from .layout import title_case as _title_case
from .layout import when as _when
from .layout import with_style as _with
from .layout import x as _x

TITLE = "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"
COPIES = ("Liên 1: Lưu", "Liên 2: Giao người nộp")

PAPERS = {"A4": A4, "A5": A5}

# Sizes for A4; A5 scales all of them by the ratio of the page widths.
BODY_PT = 12.5
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 22 * mm, 15 * mm, 16 * mm, 12 * mm
QR_SIDE = 34 * mm            # quiet zone included: the symbol itself is close to 30 mm
# Narrowest Code 128 bar, the same on every paper: what a scanner (or a 150 dpi preview) resolves
# does not depend on the page. 0.33 mm is two pixels at 150 dpi.
BAR_WIDTH = 0.33 * mm
BAR_HEIGHT = 10 * mm
SIGNATURE_SPACE = 21 * mm

# When the components table is long the text shrinks step by step, but not below MIN_BODY_PT
# (nor below MIN_TEXT_SCALE of its size); beyond that the copy flows, at full size, onto further pages.
TEXT_STEP = 0.02
MIN_TEXT_SCALE = 0.55
MIN_BODY_PT = 6.0

def _text_scales(paper_scale: float) -> list[float]:
    lowest = max(MIN_TEXT_SCALE, MIN_BODY_PT / (BODY_PT * paper_scale))
    steps = int((1.0 - lowest) / TEXT_STEP + 1e-9)
    return [1.0 - TEXT_STEP * i for i in range(steps + 1)]


def render_receipt(data: ReceiptData, path: str | Path, paper: str = "A4") -> Path:
    """Write the receipt (both copies) as a PDF at path and return the path."""
    target = Path(path)
    target.write_bytes(receipt_pdf_bytes(data, paper))
    return target


def receipt_pdf_bytes(data: ReceiptData, paper: str = "A4") -> bytes:
    """The receipt as PDF bytes: page 1 "Liên 1: Lưu", page 2 "Liên 2: Giao người nộp"."""
    register_fonts()
    key = paper.strip().upper()
    if key not in PAPERS:
        raise ValueError("unsupported paper %r: use one of %s" % (paper, ", ".join(PAPERS)))
    page_w, page_h = PAPERS[key]
    scale = page_w / A4[0]
    frame_x, frame_y = MARGIN_LEFT * scale, MARGIN_BOTTOM * scale
    frame_w = page_w - (MARGIN_LEFT + MARGIN_RIGHT) * scale
    frame_h = page_h - (MARGIN_TOP + MARGIN_BOTTOM) * scale

    # If even the smallest readable size does not fit, the copy flows at full size instead.
    scales = _text_scales(scale)
    text_scale = 1.0
    for candidate in scales:
        if _story_height(_copy_story(data, _Metrics(scale, candidate), frame_w), frame_w, frame_h) <= frame_h:
            text_scale = candidate
            break
    metrics = _Metrics(scale, text_scale)

    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer, pagesize=(page_w, page_h),
        leftMargin=frame_x, rightMargin=MARGIN_RIGHT * scale,
        topMargin=MARGIN_TOP * scale, bottomMargin=frame_y,
        title="%s - %s" % (_title_case(TITLE), _clean(data.dossier_code)),
        author=_clean(data.agency_name), subject=_clean(data.procedure_name),
        creator="desk_app", lang="vi-VN", displayDocTitle=True,
        initialFontName=SERIF, initialFontSize=metrics.body,
    )
    templates = []
    for index, label in enumerate(COPIES, start=1):
        frame = Frame(frame_x, frame_y, frame_w, frame_h, id="body%d" % index,
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        templates.append(PageTemplate(id="lien%d" % index, frames=[frame],
                                      onPage=_copy_label_painter(label, metrics)))
    doc.addPageTemplates(templates)

    story: list[Flowable] = []
    for index, _label in enumerate(COPIES, start=1):
        if index > 1:
            story += [NextPageTemplate("lien%d" % index), PageBreak()]
        story += _copy_story(data, metrics, frame_w)
    doc.build(story)
    return buffer.getvalue()


@dataclass(frozen=True)
class _Metrics:
    """Every size on the page, from the paper's scale and the text's shrink factor."""

    paper: float
    text: float

    @property
    def body(self) -> float:
        return BODY_PT * self.paper * self.text

    def pt(self, size: float) -> float:
        return size * self.paper * self.text

    def space(self, length: float) -> float:
        return length * self.paper * self.text


def _copy_label_painter(label: str, m: _Metrics) -> Any:
    def paint(canvas: Canvas, doc: BaseDocTemplate) -> None:
        size = m.paper * 11.5
        width = stringWidth(label, SERIF_BOLD_ITALIC, size)
        pad = 2.2 * mm * m.paper
        right = doc.pagesize[0] - MARGIN_RIGHT * m.paper
        baseline = doc.pagesize[1] - MARGIN_TOP * m.paper + 2.6 * mm * m.paper + pad
        canvas.saveState()
        canvas.setFont(SERIF_BOLD_ITALIC, size)
        canvas.drawRightString(right - pad, baseline, label)
        canvas.setLineWidth(0.6 * m.paper)
        canvas.rect(right - width - 2 * pad, baseline - pad - 0.22 * size,
                    width + 2 * pad, 0.22 * size + 0.78 * size + 2 * pad, stroke=1, fill=0)
        canvas.restoreState()
    return paint


def _copy_story(data: ReceiptData, m: _Metrics, width: float) -> list[Flowable]:
    s = _Styles(m)
    story: list[Flowable] = [_header(data, s, m, width)]
    story.append(Paragraph(
        "<i>%s, ngày %02d tháng %02d năm %04d</i>" % (
            _x(data.place), data.received_at.day, data.received_at.month, data.received_at.year),
        _with(s.centre, leftIndent=width * 0.44, spaceBefore=m.space(6), spaceAfter=m.space(7))))
    story.append(Paragraph("<b>%s</b>" % TITLE, s.title))
    story.append(Paragraph("<b>Mã hồ sơ: %s</b>" % _x(data.dossier_code),
                           _with(s.centre, spaceBefore=m.space(2), spaceAfter=m.space(3))))
    barcode = Code128Flowable(_clean(data.dossier_code), BAR_WIDTH, BAR_HEIGHT * m.paper,
                              9 * max(m.text, 0.8))
    barcode.hAlign = "CENTER"
    story.append(barcode)
    story.append(Spacer(1, m.space(7)))
    story.append(_applicant_and_qr(data, s, m, width))
    story.append(Paragraph("<b>1. Thành phần hồ sơ nộp gồm:</b>", _with(s.body, spaceBefore=m.space(4))))
    story.append(_components_table(data, s, m, width))
    due, received = data.due_at, data.received_at
    lines = [
        "<b>2. Số lượng hồ sơ:</b> %s (bộ)" % data.sets,
        "<b>3. Thời gian giải quyết hồ sơ theo quy định:</b> %s" % _x(data.legal_time),
        "<b>4. Thời gian nhận hồ sơ:</b> %s" % _when(received),
        "<b>5. Thời gian trả kết quả giải quyết hồ sơ:</b> %s" % _when(due),
        "<b>6. Đăng ký nhận kết quả tại:</b> %s" % _x(data.collect_at),
        # what this dossier owes; left blank (to be filled in by hand) when it is not certain
        "<b>Phí, lệ phí (nếu có):</b> %s" % (_x(data.fee) if _clean(data.fee) else DOTS),
        "Vào Sổ theo dõi hồ sơ, Quyển số: %s, Số thứ tự: %s" % (
            _x(_book_number(data.register_book)), _x(str(data.register_number))),
    ]
    for line in lines:
        story.append(Paragraph(line, s.body))
    story.append(_signatures(data, s, m, width))
    story += _notes(s, m)
    return story


NOTES = (
    "Giấy tiếp nhận hồ sơ và hẹn trả kết quả được lập thành 02 liên; 01 liên chuyển kèm theo Phiếu "
    "kiểm soát quá trình giải quyết hồ sơ và được lưu tại Bộ phận tiếp nhận và trả kết quả; 01 liên "
    "giao cho cá nhân, tổ chức nộp hồ sơ;",
    "Cá nhân, tổ chức có thể đăng ký nhận kết quả tại Bộ phận tiếp nhận và trả kết quả hoặc tại nhà "
    "(trụ sở tổ chức) qua dịch vụ bưu chính.",
)


def _notes(s: "_Styles", m: _Metrics) -> list[Flowable]:
    """The template's "Ghi chú" under the signatures."""
    note = _with(s.body, fontSize=m.pt(10.5), leading=m.pt(10.5) * 1.25, spaceBefore=0, spaceAfter=0)
    items: list[Flowable] = [Paragraph("<b><i>Ghi chú:</i></b>", _with(note, spaceBefore=m.space(6)))]
    items += [Paragraph("<i>- %s</i>" % text, _with(note, leftIndent=m.space(8), firstLineIndent=-m.space(6)))
              for text in NOTES]
    return items


class _Styles:
    def __init__(self, m: _Metrics) -> None:
        body, lead = m.body, m.body * 1.25
        self.body = ParagraphStyle("body", fontName=SERIF, fontSize=body, leading=lead,
                                   alignment=TA_LEFT, spaceBefore=m.space(1), spaceAfter=m.space(1))
        self.centre = _with(self.body, alignment=TA_CENTER, spaceBefore=0, spaceAfter=0)
        self.header = _with(self.centre, fontSize=m.pt(12.5), leading=m.pt(12.5) * 1.22)
        self.motto = _with(self.header, fontSize=m.pt(13.5), leading=m.pt(13.5) * 1.22)
        self.title = _with(self.centre, fontSize=m.pt(15), leading=m.pt(15) * 1.3)
        self.cell = _with(self.body, fontSize=m.pt(12), leading=m.pt(12) * 1.25, alignment=TA_LEFT,
                          spaceBefore=0, spaceAfter=0)
        self.cell_centre = _with(self.cell, alignment=TA_CENTER)
        hint = 9 * m.paper * max(m.text, 0.85)  # the box keeps its width, so its text need not shrink
        self.hint = _with(self.centre, fontSize=hint, leading=hint * 1.25)


def _header(data: ReceiptData, s: _Styles, m: _Metrics, width: float) -> Table:
    return national_header(data.parent_agency, data.agency_name, UNIT, width,
                           s.header.fontSize, s.motto.fontSize, m.paper, m.text)


def _applicant_and_qr(data: ReceiptData, s: _Styles, m: _Metrics, width: float) -> Table:
    qr_side = QR_SIDE * m.paper
    pad = 3.5 * mm * m.paper  # wide enough that the hint under the QR wraps into few lines
    box_w = qr_side + 2 * pad
    gap = 4 * mm * m.paper
    lines = [
        "Bộ phận tiếp nhận và trả kết quả: %s" % _x(data.agency_name),
        "Tiếp nhận hồ sơ của: <b>%s</b>" % _x(data.owner_name),
        "%s: %s" % (_x(data.id_label), _x(data.id_number)),
        "Địa chỉ: %s" % _x(data.address),
        "Số điện thoại: %s" % _x(data.phone),
    ]
    if _clean(data.email):
        lines.append("Email: %s" % _x(data.email))
    if _clean(data.proxy_name):  # handed in for the owner: who, and with which paper
        lines.append("Người nộp thay: <b>%s</b>, Số CCCD/CMND/Hộ chiếu: %s" % (
            _x(data.proxy_name), _x(data.proxy_id_number) or DOTS))
    lines.append("Nội dung yêu cầu giải quyết: <b>%s</b>" % _x(data.procedure_name))
    left = [Paragraph(line, s.body) for line in lines]
    qr = QRFlowable(data.capability_url, qr_side)  # exactly as given: it is a key
    qr.hAlign = "CENTER"
    box = Table([[qr], [Paragraph("<i>%s</i>" % _x(data.check_progress_hint), s.hint)]],
                colWidths=[box_w])
    box.setStyle(TableStyle(_BASE_CELL + [
        ("BOX", (0, 0), (-1, -1), 0.8 * m.paper, colors.black),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("LEFTPADDING", (0, 0), (-1, -1), pad), ("RIGHTPADDING", (0, 0), (-1, -1), pad),
        ("TOPPADDING", (0, 0), (0, 0), pad / 2), ("BOTTOMPADDING", (0, 0), (0, 0), 0),
        ("TOPPADDING", (0, 1), (0, 1), 0), ("BOTTOMPADDING", (0, 1), (0, 1), pad / 2),
        ("LEFTPADDING", (0, 1), (0, 1), pad / 3), ("RIGHTPADDING", (0, 1), (0, 1), pad / 3),
    ]))
    table = Table([[left, box]], colWidths=[width - box_w - gap, box_w + gap])
    table.setStyle(TableStyle(_BASE_CELL + [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (1, 0), (1, 0), "RIGHT"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]))
    return table


def _components_table(data: ReceiptData, s: _Styles, m: _Metrics, width: float) -> Table:
    pad = m.space(3.5)

    def fits(*words: str) -> float:  # a column as wide as its longest heading or entry, on one line
        return max(stringWidth(w, SERIF_BOLD, s.cell.fontSize) for w in words) + 2 * pad + 1

    tt_w = max(11 * mm * m.paper, fits("TT", str(len(data.components))))
    form_w = max(36 * mm * m.paper, fits("Hình thức", *(_clean(c.form_label) for c in data.components)))
    count_w = max(20 * mm * m.paper, fits("Số lượng", *(str(c.count) for c in data.components)))
    form_w = min(form_w, width * 0.3)
    head = [Paragraph("<b>%s</b>" % h, s.cell_centre) for h in ("TT", "Tên giấy tờ", "Hình thức", "Số lượng")]
    rows: list[list[Any]] = [head]
    for number, line in enumerate(data.components, start=1):
        rows.append([
            Paragraph(str(number), s.cell_centre),
            Paragraph(_x(line.name), s.cell),
            Paragraph(_x(line.form_label), s.cell_centre),
            Paragraph(str(line.count), s.cell_centre),
        ])
    if not data.components:
        rows.append([Paragraph("", s.cell), Paragraph("<i>(Không có giấy tờ)</i>", s.cell), "", ""])
    table = Table(rows, colWidths=[tt_w, width - tt_w - form_w - count_w, form_w, count_w], repeatRows=1)
    table.setStyle(TableStyle(_BASE_CELL + [
        ("GRID", (0, 0), (-1, -1), 0.6 * m.paper, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), pad), ("RIGHTPADDING", (0, 0), (-1, -1), pad),
        ("TOPPADDING", (0, 0), (-1, -1), pad * 0.6), ("BOTTOMPADDING", (0, 0), (-1, -1), pad * 0.9),
    ]))
    table.spaceBefore = m.space(3)
    table.spaceAfter = m.space(4)
    return table


def _signatures(data: ReceiptData, s: _Styles, m: _Metrics, width: float) -> Table:
    def column(role: str, name: str) -> list[Flowable]:
        return [
            Paragraph("<b>%s</b>" % role, s.centre),
            Paragraph("<i>(Ký và ghi rõ họ tên)</i>", s.centre),
            Spacer(1, SIGNATURE_SPACE * m.paper * m.text),
            Paragraph("<b>%s</b>" % _x(name), s.centre),
        ]
    table = Table([[column("NGƯỜI NỘP HỒ SƠ", data.submitter_name),
                    column("NGƯỜI TIẾP NHẬN HỒ SƠ", data.clerk_name)]],
                  colWidths=[width / 2, width / 2])
    table.setStyle(TableStyle(_BASE_CELL + [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]))
    table.spaceBefore = m.space(10)
    return table


_BOOK_PREFIX = re.compile(r"^\s*quyển\s*số\s*:?\s*", re.IGNORECASE)


def _book_number(book: str) -> str:
    """The book as it follows the form's own "Quyển số:": "Quyển số 01/2026" prints as "01/2026"."""
    return _BOOK_PREFIX.sub("", _clean(book))
