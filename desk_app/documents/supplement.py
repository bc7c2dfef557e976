"""Mẫu 02, "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ": the one written guidance on what is missing.

As the template of Thông tư 01/2018/TT-VPCP: its number, whose dossier (address, phone, e-mail),
the request, the table of papers to add or complete with their form and count, the reason, whom
to ask, and the signature of the person who made the request (the clerk at the counter, or the
specialist who examined the dossier). With a dossier code it carries it as a Code 128 so the counter
finds the dossier with one scan when the papers come back; given at the counter before any dossier
exists, it has none.
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
from .layout import (BASE_CELL, DOTS, NO_PADDING, UNIT, FormStyles, build_pdf, clean, contact_lines,
                     national_header, number_and_date, signature_block, title_case, when, with_style, x)

TITLE = "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"
INTRO = "Yêu cầu %s hoàn thiện hồ sơ gồm những nội dung như sau:"
COLUMNS = ("TT", "Tên giấy tờ, nội dung cần bổ sung, hoàn thiện", "Hình thức", "Số lượng")

MARGINS = (22 * mm, 15 * mm, 16 * mm, 12 * mm)
BODY_PT, CELL_PT = 12.5, 11.5
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
    h, p = data.header, data.party
    story: list[Flowable] = [national_header(h.parent_agency, h.agency_name, UNIT, width,
                                             s.header.fontSize, s.motto.fontSize)]
    story.append(number_and_date(data.number, h.place, h.issued_at, width, s))
    story.append(Spacer(1, 8))
    story.append(Paragraph(TITLE, s.title))
    if clean(data.dossier_code):
        story.append(Paragraph("<b>Mã hồ sơ: %s</b>" % x(data.dossier_code),
                               with_style(s.centre, spaceBefore=3, spaceAfter=3)))
        barcode = Code128Flowable(clean(data.dossier_code), BAR_WIDTH, BAR_HEIGHT, 9)
        barcode.hAlign = "CENTER"
        story.append(barcode)
    story.append(Spacer(1, 8))
    lines = ["Bộ phận tiếp nhận và trả kết quả: %s" % x(h.agency_name),
             "Tiếp nhận hồ sơ của %s: <b>%s</b>" % (p.salutation, x(p.name))]
    lines += contact_lines(p)
    lines.append("Nội dung yêu cầu giải quyết: <b>%s</b>" % x(data.procedure_name))
    if data.received_at is not None:
        lines.append("Thời gian nhận hồ sơ: %s" % when(data.received_at))
    for line in lines:
        story.append(Paragraph(line, s.body))
    story.append(Paragraph(INTRO % p.salutation, with_style(s.body, spaceBefore=6)))
    story.append(_missing_table(data, s, width))
    story.append(Paragraph("<b>Lý do:</b> %s" % (x(data.reason) or DOTS), s.justify))
    contact = "liên hệ với %s" % (x(data.contact_name) or DOTS)
    contact += ", số điện thoại %s" % (x(data.contact_phone) or DOTS)
    story.append(Paragraph(
        "Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, %s %s để được hướng dẫn./." % (p.salutation, contact),
        with_style(s.justify, spaceBefore=4)))
    story.append(Paragraph(
        "<i>Khi nộp bổ sung, vui lòng mang theo Phiếu này.</i>", with_style(s.small, spaceBefore=4)))
    signature = Table([["", signature_block(data.signer_title.upper(), data.signer_name, s)]],
                      colWidths=[width * 0.45, width * 0.55])
    signature.setStyle(TableStyle(BASE_CELL + NO_PADDING + [("VALIGN", (0, 0), (-1, -1), "TOP")]))
    signature.spaceBefore = 12
    story.append(signature)
    return build_pdf(story, A4, MARGINS,
                     title=" - ".join(t for t in (title_case(TITLE), clean(data.number), clean(data.dossier_code)) if t),
                     author=h.agency_name, subject=data.procedure_name, body_size=BODY_PT)


def _missing_table(data: SupplementRequestData, s: FormStyles, width: float) -> Table:
    pad = 3.5
    tt_w, form_w, count_w = 11 * mm, 34 * mm, 20 * mm
    rows: list[list[Any]] = [[Paragraph(c, s.head_cell) for c in COLUMNS]]
    for number, item in enumerate(data.missing, start=1):
        rows.append([Paragraph(str(number), s.cell_centre), Paragraph(x(item.name), s.cell),
                     Paragraph(x(item.form_label), s.cell_centre),
                     Paragraph(str(item.count) if item.count else "", s.cell_centre)])
    if not data.missing:
        rows.append(["", Paragraph("<i>(Xem lý do dưới đây)</i>", s.cell), "", ""])
    table = Table(rows, colWidths=[tt_w, width - tt_w - form_w - count_w, form_w, count_w], repeatRows=1)
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
