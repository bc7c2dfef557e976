"""Mẫu 04, "Phiếu xin lỗi và hẹn lại ngày trả kết quả", for a dossier that will be late.

The agency that is late apologises, under its own header, number and head's signature, and sends
the letter to the citizen through the centre (Bộ phận Một cửa), before the deadline passes: it names
the dossier, the appointment the citizen was given, why, and the new appointment (time and place).
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from ..domain.forms import ApologyData
from .fonts import SERIF_BOLD_ITALIC, register_fonts
from .layout import (BASE_CELL, DOTS, NO_PADDING, FormStyles, beside, build_pdf, clean, national_header,
                     place_date, signature_block, title_case, when, with_style, x)

TITLE = "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"
SIGN_HINT = "(Ký, ghi rõ họ tên và đóng dấu)"

MARGINS = (25 * mm, 15 * mm, 16 * mm, 14 * mm)
BODY_PT = 13.0


def render_apology(data: ApologyData, path: str | Path) -> Path:
    """Write the apology letter as an A4 PDF at path and return the path."""
    target = Path(path)
    target.write_bytes(apology_pdf_bytes(data))
    return target


def apology_pdf_bytes(data: ApologyData) -> bytes:
    register_fonts()  # before anything is measured
    width = A4[0] - MARGINS[0] - MARGINS[1]
    s = FormStyles(BODY_PT)
    h, p = data.header, data.party
    agency = clean(h.agency_name)
    # the header in capitals; the letter names the agency as it is written
    story: list[Flowable] = [national_header(h.parent_agency.upper(), agency.upper(), None, width, 12.5, 13.5)]
    small_centre = with_style(s.centre, fontSize=12, leading=14.5)
    story.append(beside(Paragraph("Số: %s" % (x(data.number) or DOTS), with_style(small_centre, spaceBefore=2)),
                        Paragraph("<i>%s</i>" % x(place_date(h.place, h.issued_at)),
                                  with_style(small_centre, spaceBefore=2)), width))
    story.append(Spacer(1, 14))
    story.append(Paragraph(TITLE, s.title))
    story.append(Paragraph("Kính gửi: %s <b>%s</b>" % (p.salutation, x(p.name)),
                           with_style(s.centre, spaceBefore=8, spaceAfter=10)))
    para = with_style(s.justify, firstLineIndent=10 * mm, spaceBefore=3, spaceAfter=3, leading=BODY_PT * 1.4)
    story.append(Paragraph(
        "Ngày %s, %s tiếp nhận giải quyết hồ sơ đề nghị <b>%s</b> của %s." % (
            data.received_at.strftime("%d/%m/%Y"), x(agency), x(data.procedure_name), p.salutation), para))
    story.append(Paragraph("Mã hồ sơ: <b>%s</b>." % x(data.dossier_code), para))
    story.append(Paragraph("Thời gian hẹn trả kết quả giải quyết hồ sơ: <b>%s</b>." % when(data.original_due), para))
    story.append(Paragraph(
        "Tuy nhiên đến nay, %s chưa trả kết quả giải quyết hồ sơ của %s, lý do: %s." % (
            x(agency), p.salutation, x(_sentence(data.reason)) or DOTS), para))
    story.append(Paragraph(
        "Sự chậm trễ này đã gây phiền hà, tốn kém chi phí đi lại của %s. %s xin lỗi %s và hẹn lại thời "
        "gian trả kết quả vào <b>%s</b>, tại %s." % (p.salutation, x(agency), p.salutation, when(data.new_due),
                                                     x(_sentence(data.place)) or DOTS), para))
    story.append(Paragraph("Mong nhận được sự thông cảm của %s./." % p.salutation, para))

    recipients = with_style(s.small, fontSize=10.5, leading=13)
    left = [Paragraph("Nơi nhận:", with_style(recipients, fontName=SERIF_BOLD_ITALIC, fontSize=11.5)),
            Paragraph("- Như trên;", recipients),
            Paragraph("- %s (để chuyển);" % x(data.centre_name), recipients),
            Paragraph("- Lưu: VT.", recipients)]
    right = signature_block(data.signer_title.upper(), data.signer_name, s, space=24 * mm, hint=SIGN_HINT)
    signature = Table([[left, right]], colWidths=[width * 0.45, width * 0.55])
    signature.setStyle(TableStyle(BASE_CELL + NO_PADDING + [("VALIGN", (0, 0), (-1, -1), "TOP")]))
    signature.spaceBefore = 14
    story.append(signature)
    return build_pdf(story, A4, MARGINS,
                     title=" - ".join(t for t in (title_case(TITLE), clean(data.number), clean(data.dossier_code)) if t),
                     author=agency, subject=data.procedure_name, body_size=BODY_PT)


def _sentence(text: str) -> str:
    """The text without the full stop the sentence around it adds."""
    return clean(text).rstrip(" .;")
