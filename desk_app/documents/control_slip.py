"""The process-control slip, "Phiếu kiểm soát quá trình giải quyết hồ sơ", that travels with the paper dossier.

One block per hand-over (hop): the giving and the receiving unit, the time of the hand-over, the
signatures of the giver and the receiver over their printed names, the hop's verdict (early, on time,
late) and a note. Blocks for the hops still to come are left empty, to be filled in by hand, and a
Code 128 of the dossier code lets the receiving unit take the dossier in with one scan.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from ..domain.forms import ControlSlipData, Hop
from .codes import Code128Flowable
from .fonts import SERIF, register_fonts
from .layout import (BASE_CELL, DOTS, UNIT, FormStyles, build_pdf, clean, fit, national_header, place_date,
                     story_height, title_case, when, when_blank, with_style, x)

TITLE = "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"
COLUMNS = ("TÊN CƠ QUAN", "THỜI GIAN GIAO, NHẬN HỒ SƠ", "KẾT QUẢ GIẢI QUYẾT HỒ SƠ", "GHI CHÚ")
VERDICT_HINT = "(Trước hạn/Đúng hạn/Quá hạn)"
GIVER, RECEIVER = "Người giao", "Người nhận"

MARGINS = (22 * mm, 15 * mm, 12 * mm, 12 * mm)  # left, right, top, bottom: the receipt's, a little less on top
BODY_PT, CELL_PT = 12.5, 11.0
BAR_WIDTH, BAR_HEIGHT = 0.33 * mm, 9 * mm       # as on the receipt: reads at 150 dpi and up
SIGN_SPACE = 9.5 * mm                           # room for a handwritten signature in a hop block
MIN_BLANK_HOPS, MAX_BLANK_HOPS = 1, 8


def render_control_slip(data: ControlSlipData, path: str | Path, blank_hops: int | None = None) -> Path:
    """Write the control slip as an A4 PDF at path and return the path.

    blank_hops: how many empty blocks to leave for hops still to come; by default as many as fill
    the page (at least one), or two when the recorded hops already run onto a second page.
    """
    target = Path(path)
    target.write_bytes(control_slip_pdf_bytes(data, blank_hops))
    return target


def control_slip_pdf_bytes(data: ControlSlipData, blank_hops: int | None = None) -> bytes:
    register_fonts()  # before anything is measured
    width = A4[0] - MARGINS[0] - MARGINS[1]
    height = A4[1] - MARGINS[2] - MARGINS[3]
    s = FormStyles(BODY_PT, CELL_PT)
    if blank_hops is None:
        blank_hops = _blank_hops_filling_the_page(data, s, width, height)
    if blank_hops < 0:
        raise ValueError("blank_hops must not be negative, got %r" % blank_hops)
    return build_pdf(
        _story(data, s, width, blank_hops), A4, MARGINS,
        title="%s - %s" % (title_case(TITLE), clean(data.dossier_code)),
        author=data.header.agency_name, subject=data.procedure_name, body_size=BODY_PT)


def _blank_hops_filling_the_page(data: ControlSlipData, s: FormStyles, width: float, height: float) -> int:
    best = None
    for n in range(MIN_BLANK_HOPS, MAX_BLANK_HOPS + 1):  # each block adds height: stop at the first misfit
        if story_height(_story(data, s, width, n), width, height) > height:
            break
        best = n
    return 2 if best is None else best


def _story(data: ControlSlipData, s: FormStyles, width: float, blank_hops: int) -> list[Flowable]:
    h = data.header
    story: list[Flowable] = [national_header(h.parent_agency, h.agency_name, UNIT, width,
                                             s.header.fontSize, s.motto.fontSize)]
    story.append(Paragraph("<i>%s</i>" % x(place_date(h.place, h.issued_at)),
                           with_style(s.centre, leftIndent=width * 0.44, spaceBefore=5, spaceAfter=8)))
    story.append(Paragraph(TITLE, s.title))
    story.append(Paragraph("<b>Mã hồ sơ: %s</b>" % x(data.dossier_code),
                           with_style(s.centre, spaceBefore=3, spaceAfter=3)))
    barcode = Code128Flowable(clean(data.dossier_code), BAR_WIDTH, BAR_HEIGHT, 9)
    barcode.hAlign = "CENTER"
    story.append(barcode)
    story.append(Spacer(1, 3))
    for line in (
        "Kèm theo hồ sơ của: <b>%s</b>" % x(data.owner_name),
        "Nội dung yêu cầu giải quyết: <b>%s</b>" % x(data.procedure_name),
        "Thời gian nhận hồ sơ: %s" % when(data.received_at),
        "Thời gian hẹn trả kết quả: %s" % when(data.due_at),
        # the template's two lines: who decides, and who else takes part ("liên thông")
        "Cơ quan (bộ phận) giải quyết hồ sơ: %s" % (x(data.handling_agency) or DOTS),
        "Cơ quan phối hợp giải quyết hồ sơ: %s" % ("; ".join(x(a) for a in data.coordinating_agencies
                                                           if clean(a)) or DOTS),
    ):
        story.append(Paragraph(line, s.body))
    story.append(_hop_table(data.hops, blank_hops, s, width))
    return story


def _hop_table(hops: tuple[Hop, ...], blank_hops: int, s: FormStyles, width: float) -> Table:
    pad = 3.5
    # A recorded hand-over time stays on one line ("09 giờ 45 phút, ngày 27/11/2026"); the dotted
    # blank of a hop to come takes two, which leaves room to write.
    times = [when(hop.handed_at) for hop in hops if hop.handed_at is not None]
    time_text_w = max((stringWidth(t, SERIF, s.cell.fontSize) for t in times), default=0)
    time_w = max(64 * mm, time_text_w + 2 * pad + 2)
    verdict_w = 32 * mm
    note_w = 27 * mm
    unit_w = width - time_w - verdict_w - note_w
    col_widths = [unit_w, time_w / 2, time_w / 2, verdict_w, note_w]

    head = with_style(s.head_cell, fontSize=s.cell.fontSize - 0.5, leading=(s.cell.fontSize - 0.5) * 1.2)
    hint = with_style(s.cell_centre, fontName=SERIF, fontSize=s.cell.fontSize - 1,
                      leading=(s.cell.fontSize - 1) * 1.2)
    rows: list[list[Any]] = [[
        Paragraph(COLUMNS[0], head),
        Paragraph(COLUMNS[1], head), "",
        [Paragraph(COLUMNS[2], head), Paragraph("<i>%s</i>" % VERDICT_HINT.replace("/", "/<br/>"), hint)],
        Paragraph(COLUMNS[3], head),
    ]]
    style: list[tuple[Any, ...]] = BASE_CELL + [
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), pad), ("RIGHTPADDING", (0, 0), (-1, -1), pad),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, 0), 4.5),  # room above the stacked accents of the headings
        ("SPAN", (1, 0), (2, 0)),
    ]
    blocks = list(hops) + [None] * blank_hops
    for index, hop in enumerate(blocks):
        top = 1 + 2 * index
        rows.append([_units_cell(hop, s), _time_cell(hop, s), "", _verdict_cell(hop, s), _note_cell(hop, s)])
        name_w = time_w / 2 - 2 * pad - 1
        rows.append(["", _signature_cell(GIVER, hop.giver_name if hop else "", s, name_w),
                     _signature_cell(RECEIVER, hop.receiver_name if hop else "", s, name_w), "", ""])
        style += [
            ("SPAN", (0, top), (0, top + 1)),
            ("SPAN", (1, top), (2, top)),
            ("SPAN", (3, top), (3, top + 1)),
            ("SPAN", (4, top), (4, top + 1)),
            ("VALIGN", (0, top), (0, top + 1), "TOP"),
            ("VALIGN", (1, top + 1), (2, top + 1), "TOP"),
            ("VALIGN", (4, top), (4, top + 1), "TOP"),
        ]
    table = Table(rows, colWidths=col_widths, repeatRows=1)
    table.setStyle(TableStyle(style))
    table.spaceBefore = 5
    return table


def _units_cell(hop: Hop | None, s: FormStyles) -> list[Flowable]:
    giver = x(hop.giver_unit) if hop else ""
    receiver = x(hop.receiver_unit) if hop else ""
    return [
        Paragraph("<b>1. Giao:</b> %s" % giver, s.cell),
        Spacer(1, 5 if hop else 16),
        Paragraph("<b>2. Nhận:</b> %s" % receiver, s.cell),
    ]


def _time_cell(hop: Hop | None, s: FormStyles) -> Paragraph:
    if hop is None or hop.handed_at is None:
        hours, date = when_blank().split(" ngày ")
        return Paragraph("%s<br/>ngày %s" % (hours, date), s.cell_centre)
    return Paragraph(when(hop.handed_at), s.cell_centre)


def _signature_cell(role: str, name: str, s: FormStyles, width: float) -> list[Flowable]:
    # A printed name stays on one line, a little smaller if it must (but not below 8.5 pt).
    size = max(8.5, fit(clean(name), SERIF, s.cell.fontSize, width))
    return [
        Paragraph("<b>%s</b>" % role, s.cell_centre),
        Spacer(1, SIGN_SPACE),
        Paragraph(x(name), with_style(s.cell_centre, fontSize=size, leading=max(size * 1.25, 11))),
    ]


def _verdict_cell(hop: Hop | None, s: FormStyles) -> Paragraph:
    return Paragraph("<b>%s</b>" % x(hop.verdict) if hop and clean(hop.verdict) else "", s.cell_centre)


def _note_cell(hop: Hop | None, s: FormStyles) -> Paragraph:
    return Paragraph(x(hop.note) if hop and clean(hop.note) else "", s.cell)
