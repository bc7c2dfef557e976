"""Mẫu 03, "Phiếu từ chối tiếp nhận giải quyết hồ sơ": why the counter does not take a dossier.

As the template: its number, whose dossier (address, phone, e-mail), the request, the reasons, and
the signatures of the person who handed the papers in (the owner, or whoever came for them) and of
the receiving clerk. It can be given at the counter before any dossier exists (no code then).
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from ..domain.forms import RefusalData
from .fonts import register_fonts
from .layout import (BASE_CELL, DOTS, NO_PADDING, UNIT, FormStyles, build_pdf, clean, contact_lines,
                     national_header, number_and_date, signature_block, title_case, with_style, x)

TITLE = "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"
NOTICE = ("Qua xem xét, Bộ phận tiếp nhận và trả kết quả thông báo không tiếp nhận, giải quyết hồ sơ này "
          "với lý do cụ thể như sau:")
CLOSING = "Xin thông báo cho %s được biết và thực hiện./."

MARGINS = (22 * mm, 15 * mm, 16 * mm, 12 * mm)
BODY_PT = 12.5


def render_refusal(data: RefusalData, path: str | Path) -> Path:
    """Write the refusal slip as an A4 PDF at path and return the path."""
    target = Path(path)
    target.write_bytes(refusal_pdf_bytes(data))
    return target


def refusal_pdf_bytes(data: RefusalData) -> bytes:
    register_fonts()  # before anything is measured
    width = A4[0] - MARGINS[0] - MARGINS[1]
    s = FormStyles(BODY_PT)
    h, p = data.header, data.party
    story: list[Flowable] = [national_header(h.parent_agency, h.agency_name, UNIT, width,
                                             s.header.fontSize, s.motto.fontSize)]
    story.append(number_and_date(data.number, h.place, h.issued_at, width, s))
    story.append(Spacer(1, 8))
    story.append(Paragraph(TITLE, s.title))
    if clean(data.dossier_code):
        story.append(Paragraph("<b>Mã hồ sơ: %s</b>" % x(data.dossier_code),
                               with_style(s.centre, spaceBefore=3)))
    story.append(Spacer(1, 10))
    lines = ["Bộ phận tiếp nhận và trả kết quả: %s" % x(h.agency_name),
             "Tiếp nhận hồ sơ của: <b>%s</b>" % x(p.name)]
    lines += contact_lines(p)
    lines.append("Nội dung yêu cầu giải quyết: <b>%s</b>" % x(data.procedure_name))
    for line in lines:
        story.append(Paragraph(line, s.body))
    story.append(Paragraph(NOTICE, with_style(s.justify, spaceBefore=6, spaceAfter=3)))
    reasons = [r for r in (clean(r) for r in data.reasons) if r] or [DOTS]
    for number, reason in enumerate(reasons, start=1):
        story.append(Paragraph("%d. %s" % (number, x(reason)),
                               with_style(s.justify, leftIndent=8 * mm, firstLineIndent=-5 * mm)))
    story.append(Paragraph(CLOSING % p.salutation, with_style(s.body, spaceBefore=6)))
    signature = Table([[signature_block("NGƯỜI NỘP HỒ SƠ", data.submitter_name, s),
                        signature_block("NGƯỜI TIẾP NHẬN HỒ SƠ", data.clerk_name, s)]],
                      colWidths=[width / 2, width / 2])
    signature.setStyle(TableStyle(BASE_CELL + NO_PADDING + [("VALIGN", (0, 0), (-1, -1), "TOP")]))
    signature.spaceBefore = 16
    story.append(signature)
    return build_pdf(story, A4, MARGINS,
                     title=" - ".join(t for t in (title_case(TITLE), clean(data.number), clean(data.dossier_code)) if t),
                     author=h.agency_name, subject=data.procedure_name, body_size=BODY_PT)
