"""The register of guidance given at the counter ("Sổ theo dõi hướng dẫn, từ chối tại quầy"): one line
per numbered Mẫu 02 or Mẫu 03 handed to a citizen whose papers did not become a dossier."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from ..domain.forms import FormHeader
from .fonts import register_fonts
from .layout import BASE_CELL, UNIT, FormStyles, build_pdf, clean, national_header, title_case, with_style, x

TITLE = "SỔ THEO DÕI HƯỚNG DẪN, TỪ CHỐI TIẾP NHẬN HỒ SƠ TẠI QUẦY"
COLUMNS = ("STT", "Số phiếu", "Loại phiếu", "Thời gian", "Cá nhân, tổ chức", "Thủ tục hành chính",
           "Nội dung hướng dẫn / lý do từ chối", "Người lập")
MARGINS = (10 * mm, 10 * mm, 10 * mm, 12 * mm)


@dataclass(frozen=True)
class GuidanceLine:
    number: str
    kind_label: str
    issued_at: datetime
    applicant: str
    procedure_name: str
    content: str
    by: str


def render_guidance_register(header: FormHeader, period: str, lines: list[GuidanceLine], path: str | Path) -> Path:
    register_fonts()
    page = landscape(A4)
    width = page[0] - MARGINS[0] - MARGINS[1]
    s = FormStyles(11.0, 8.5)
    story: list[Flowable] = [national_header(header.parent_agency, header.agency_name, UNIT, width, 12, 13,
                                             left_share=0.5)]
    story.append(Paragraph(TITLE, with_style(s.title, fontSize=15, leading=19, spaceBefore=8)))
    if clean(period):
        story.append(Paragraph("<i>%s</i>" % x(period), with_style(s.centre, spaceBefore=2)))
    shares = (0.04, 0.09, 0.1, 0.09, 0.15, 0.18, 0.23, 0.12)
    rows = [[Paragraph(c, s.head_cell) for c in COLUMNS]]
    for n, g in enumerate(lines, start=1):
        rows.append([Paragraph(str(n), s.cell_centre), Paragraph(x(g.number), s.cell), Paragraph(x(g.kind_label), s.cell),
                     Paragraph(g.issued_at.strftime("%H:%M %d/%m/%Y"), s.cell), Paragraph(x(g.applicant), s.cell),
                     Paragraph(x(g.procedure_name), s.cell), Paragraph(x(g.content), s.cell), Paragraph(x(g.by), s.cell)])
    if not lines:
        rows.append([Paragraph("<i>(Không có phiếu trong kỳ)</i>", s.cell)] + [""] * 7)
    table = Table(rows, colWidths=[width * f for f in shares], repeatRows=1)
    table.setStyle(TableStyle(BASE_CELL + [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.92, 0.92, 0.92)),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
    ] + ([("SPAN", (0, 1), (-1, 1))] if not lines else [])))
    table.spaceBefore = 6
    story.append(table)
    story.append(Paragraph("Tổng số: <b>%d</b> phiếu." % len(lines), with_style(s.body, spaceBefore=6)))
    target = Path(path)
    target.write_bytes(build_pdf(story, page, MARGINS, title=title_case(TITLE), author=header.agency_name,
                                 subject=TITLE, body_size=11))
    return target
