"""Mẫu 02, "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ": the one written guidance on what is missing.

It lists, once and completely, what the citizen must add or correct and why, names the clerk to ask,
and carries the dossier code as a Code 128 so the counter finds the dossier with one scan when the
citizen brings the papers back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from ..domain.forms import SupplementRequestData
from .codes import Code128Flowable
from .fonts import register_fonts
from .layout import (BASE_CELL, NO_PADDING, UNIT, FormStyles, build_pdf, clean, national_header,
                     place_date, signature_block, title_case, when, with_style, x)

TITLE = "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"
INTRO = "Yêu cầu Ông/Bà hoàn thiện hồ sơ gồm những nội dung như sau:"
SIGNER = "NGƯỜI HƯỚNG DẪN"

MARGINS = (22 * mm, 15 * mm, 16 * mm, 12 * mm)
BODY_PT, CELL_PT = 12.5, 12.0
BAR_WIDTH, BAR_HEIGHT = 0.33 * mm, 9 * mm


def render_supplement_request(data: SupplementRequestData, path: str | Path) -> Path:
    """Write the supplement request as an A4 PDF at path and return the path."""
    target = Path(path)
    target.write_bytes(supplement_request_pdf_bytes(data))
    return target


def supplement_request_pdf_bytes(data: SupplementRequestData) -> bytes:
    register_fonts()  # before anything is measured
    width = A4[0] - MARGINS[0] - MARGINS[1]
    s = FormStyles(BODY_PT, CELL_PT)
    h = data.header
    story: list[Flowable] = [national_header(h.parent_agency, h.agency_name, UNIT, width,
                                             s.header.fontSize, s.motto.fontSize)]
    story.append(Paragraph("<i>%s</i>" % x(place_date(h.place, h.issued_at)),
                           with_style(s.centre, leftIndent=width * 0.44, spaceBefore=5, spaceAfter=10)))
    story.append(Paragraph(TITLE, s.title))
    if clean(data.dossier_code):
        story.append(Paragraph("<b>Mã hồ sơ: %s</b>" % x(data.dossier_code),
                               with_style(s.centre, spaceBefore=3, spaceAfter=3)))
        barcode = Code128Flowable(clean(data.dossier_code), BAR_WIDTH, BAR_HEIGHT, 9)
        barcode.hAlign = "CENTER"
        story.append(barcode)
    story.append(Spacer(1, 8))
    for line in (
        "%s: %s" % ("Bộ phận tiếp nhận và trả kết quả", x(h.agency_name)),
        "Tiếp nhận hồ sơ/yêu cầu của Ông/Bà: <b>%s</b>" % x(data.owner_name),
        "Nội dung yêu cầu giải quyết: <b>%s</b>" % x(data.procedure_name),
        "Thời gian nhận hồ sơ: %s" % when(data.received_at),
    ):
        story.append(Paragraph(line, s.body))
    story.append(Paragraph(INTRO, with_style(s.body, spaceBefore=6)))
    story.append(_missing_table(data, s, width))
    story.append(Paragraph("<b>Lý do:</b> %s" % x(data.reason), s.justify))
    contact = "liên hệ với công chức %s" % x(data.clerk_name)
    if clean(data.counter_phone):
        contact += ", số điện thoại %s" % x(data.counter_phone)
    story.append(Paragraph(
        "Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, Ông/Bà %s để được hướng dẫn./." % contact,
        with_style(s.justify, spaceBefore=4)))
    story.append(Paragraph(
        "<i>Khi nộp bổ sung, Ông/Bà vui lòng mang theo Phiếu này.</i>", with_style(s.small, spaceBefore=4)))
    signature = Table([["", signature_block(SIGNER, data.clerk_name, s)]], colWidths=[width * 0.5, width * 0.5])
    signature.setStyle(TableStyle(BASE_CELL + NO_PADDING + [("VALIGN", (0, 0), (-1, -1), "TOP")]))
    signature.spaceBefore = 12
    story.append(signature)
    return build_pdf(story, A4, MARGINS, title="%s - %s" % (title_case(TITLE), clean(data.dossier_code)),
                     author=h.agency_name, subject=data.procedure_name, body_size=BODY_PT)


def _missing_table(data: SupplementRequestData, s: FormStyles, width: float) -> Table:
    pad = 3.5
    tt_w = 12 * mm
    rows: list[list[Any]] = [[Paragraph("TT", s.head_cell),
                              Paragraph("Thành phần hồ sơ, nội dung cần bổ sung, hoàn thiện", s.head_cell)]]
    for number, item in enumerate(data.missing, start=1):
        rows.append([Paragraph(str(number), s.cell_centre), Paragraph(x(item), s.cell)])
    if not data.missing:
        rows.append(["", Paragraph("<i>(Xem lý do dưới đây)</i>", s.cell)])
    table = Table(rows, colWidths=[tt_w, width - tt_w], repeatRows=1)
    table.setStyle(TableStyle(BASE_CELL + [
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), pad), ("RIGHTPADDING", (0, 0), (-1, -1), pad),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, 0), 4.5),  # room above the stacked accents of the headings
    ]))
    table.spaceBefore = 4
    table.spaceAfter = 6
    return table
