"""The apology letter, "Phiếu xin lỗi và hẹn lại ngày trả kết quả", for a dossier that will be late.

Issued by the centre (at least one working day before the due date) in the name of its director: it
names the dossier, the original appointment, the unit that is late and why, and the new appointment
(date, time and place).
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
SUBJECT = "V/v xin lỗi đối với hồ sơ giải quyết quá hạn và hẹn lại thời gian trả kết quả"

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
    h = data.header
    agency = clean(h.agency_name)
    story: list[Flowable] = [national_header(h.parent_agency, h.agency_name, None, width,
                                             12.5, 13.5)]
    small_centre = with_style(s.centre, fontSize=12, leading=14.5)
    story.append(beside(
        [Paragraph("Số: %s/%s" % (DOTS, DOTS), with_style(small_centre, spaceBefore=2)),
         # Two balanced lines, broken where an official letter breaks it.
         Paragraph(x(SUBJECT).replace(" quá hạn và", "<br/>quá hạn và", 1),
                   with_style(small_centre, fontSize=10.5, leading=13, spaceBefore=3))],
        Paragraph("<i>%s</i>" % x(place_date(h.place, h.issued_at)), with_style(small_centre, spaceBefore=2)),
        width))
    story.append(Spacer(1, 14))
    story.append(Paragraph(TITLE, s.title))
    story.append(Paragraph("Kính gửi: Ông/Bà <b>%s</b>" % x(data.owner_name),
                           with_style(s.centre, spaceBefore=8, spaceAfter=10)))
    para = with_style(s.justify, firstLineIndent=10 * mm, spaceBefore=3, spaceAfter=3, leading=BODY_PT * 1.4)
    story.append(Paragraph(
        "%s đã tiếp nhận hồ sơ của Ông/Bà vào lúc %s, về việc đề nghị giải quyết thủ tục "
        "<b>%s</b>, mã hồ sơ: <b>%s</b>. Thời gian hẹn trả kết quả là <b>%s</b>." % (
            x(agency), when(data.received_at), x(data.procedure_name), x(data.dossier_code),
            when(data.original_due)), para))
    story.append(Paragraph(
        "Tuy nhiên, hồ sơ của Ông/Bà chưa có kết quả đúng thời hạn đã hẹn do đơn vị giải quyết "
        "<b>%s</b> chưa hoàn thành, với lý do: %s." % (x(data.late_unit), x(_sentence(data.reason))), para))
    story.append(Paragraph(
        "%s chân thành xin lỗi Ông/Bà vì sự chậm trễ này và hẹn lại thời gian trả kết quả vào "
        "<b>%s</b>, tại %s." % (x(agency), when(data.new_due), x(_sentence(data.place))), para))
    story.append(Paragraph("Rất mong nhận được sự thông cảm của Ông/Bà. Trân trọng./.", para))

    recipients = with_style(s.small, fontSize=10.5, leading=13)
    left = [Paragraph("Nơi nhận:", with_style(recipients, fontName=SERIF_BOLD_ITALIC, fontSize=11.5)),
            Paragraph("- Như trên;", recipients),
            Paragraph("- %s;" % x(data.late_unit), recipients),
            Paragraph("- Lưu: VT.", recipients)]
    right = signature_block(data.director_title.upper(), data.director_name, s, space=24 * mm, hint="")
    signature = Table([[left, right]], colWidths=[width * 0.45, width * 0.55])
    signature.setStyle(TableStyle(BASE_CELL + NO_PADDING + [("VALIGN", (0, 0), (-1, -1), "TOP")]))
    signature.spaceBefore = 14
    story.append(signature)
    return build_pdf(story, A4, MARGINS, title="%s - %s" % (title_case(TITLE), clean(data.dossier_code)),
                     author=agency, subject=data.procedure_name, body_size=BODY_PT)


def _sentence(text: str) -> str:
    """The text without the full stop the sentence around it adds."""
    return clean(text).rstrip(" .;")
