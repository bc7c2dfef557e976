"""The register of dossiers, "Sổ theo dõi hồ sơ": a landscape PDF to print and an XLSX to work with.

Both hold, per dossier: code, procedure, number of sets, owner, address and phone, when it was
received, when it is due, when the result was ready, when it was returned and to whom, and a note.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, PageBreak, Paragraph, Table, TableStyle

from ..domain.forms import RegisterData
from .fonts import SERIF, SERIF_BOLD, register_fonts
from .layout import (BASE_CELL, UNIT, FormStyles, build_pdf, clean, day, national_header, story_height,
                     title_case, with_style, x)

TITLE = "SỔ THEO DÕI HỒ SƠ"

# The PDF: two header rows, the result's return spanning three columns (when, who, the signature).
PDF_COLUMNS = ("TT", "Mã hồ sơ", "Tên thủ tục hành chính", "Số lượng hồ sơ (bộ)", "Tên cá nhân, tổ chức",
               "Địa chỉ, số điện thoại", "Nhận hồ sơ", "Hẹn trả kết quả", "Có kết quả",
               "Trả kết quả cho cá nhân, tổ chức", "Ghi chú")
PDF_RETURN_SUBCOLUMNS = ("Ngày, giờ", "Người nhận", "Ký nhận")

# The XLSX: one header row, one value per cell, so it sorts and filters.
XLSX_COLUMNS = ("TT", "Mã hồ sơ", "Tên thủ tục hành chính", "Số lượng hồ sơ (bộ)", "Tên cá nhân, tổ chức",
                "Địa chỉ", "Số điện thoại", "Ngày nhận hồ sơ", "Ngày hẹn trả kết quả", "Ngày có kết quả",
                "Ngày trả kết quả", "Người nhận kết quả", "Ghi chú")
XLSX_WIDTHS = (6, 27, 42, 10, 26, 40, 14, 17, 17, 17, 17, 24, 24)
XLSX_HEADER_ROW = 5          # rows 1-3: agency, title, period; the data starts on the row after it
DATE_FORMAT = "dd/mm/yyyy hh:mm"

MARGINS = (10 * mm, 10 * mm, 8 * mm, 11 * mm)
CELL_PT = 8.0
HEAD_PT = 7.5


# --- PDF --------------------------------------------------------------------------------------------

def render_register_pdf(data: RegisterData, path: str | Path) -> Path:
    """Write the register as an A4 landscape PDF (header rows repeated on every page); returns path."""
    target = Path(path)
    target.write_bytes(register_pdf_bytes(data))
    return target


def register_pdf_bytes(data: RegisterData) -> bytes:
    register_fonts()  # before anything is measured
    page = landscape(A4)
    width = page[0] - MARGINS[0] - MARGINS[1]
    height = page[1] - MARGINS[2] - MARGINS[3]
    s = FormStyles(12.0, CELL_PT)
    h = data.header
    story: list[Flowable] = [national_header(h.parent_agency, h.agency_name, UNIT, width, 12, 13,
                                             left_share=0.5)]
    story.append(Paragraph(TITLE, with_style(s.title, fontSize=16, leading=20, spaceBefore=8)))
    if clean(data.period):
        story.append(Paragraph("<i>%s</i>" % x(data.period), with_style(s.centre, spaceBefore=2)))
    first_page_left = height - story_height(story, width, height) - TABLE_SPACE_BEFORE
    story += _table_pages(data, s, width, first_page_left, height)
    story.append(Paragraph("Tổng số: <b>%d</b> hồ sơ." % len(data.rows),
                           with_style(s.body, fontSize=11, leading=14, spaceBefore=6)))
    return build_pdf(story, page, MARGINS, title=" - ".join(p for p in (title_case(TITLE), clean(data.period)) if p),
                     author=h.agency_name, subject=TITLE, body_size=12)


TABLE_SPACE_BEFORE = 6
MAX_CELL_LINES = 3    # a row is at most three lines, so a page holds 15 or more: longer text ends in "…"
MAX_NAME_LINES = 8    # names and notes: whole, however long
SIGN_W = 15 * mm      # room for the citizen's signature when the result is taken
NOTE_W = 15 * mm


def _table_pages(data: RegisterData, s: FormStyles, width: float, first_left: float,
                 page_height: float) -> list[Flowable]:
    """The table, one Table per page, each with the two header rows.

    reportlab re-measures a whole table at every page break, which made a register of a few
    thousand dossiers take minutes; measured once and cut here, it grows linearly.
    """
    rows, style, col_widths = _table_parts(data, s, width)
    whole = Table(rows, colWidths=col_widths)
    whole.setStyle(TableStyle(style))
    whole.wrap(width, 1e12)  # all rows: a smaller height stops measuring at the first page
    heights = whole._rowHeights
    header_h = heights[0] + heights[1]
    pages: list[list[int]] = [[]]
    left = first_left - header_h
    for index in range(2, len(rows)):
        if pages[-1] and heights[index] > left - 1:
            pages.append([])
            left = page_height - header_h
        pages[-1].append(index)
        left -= heights[index]
    if len(pages) > 1 and not pages[0]:
        pages.pop(0)
    flowables: list[Flowable] = []
    for number, indexes in enumerate(pages):
        if number:
            flowables.append(PageBreak())
        part = Table(rows[:2] + [rows[i] for i in indexes], colWidths=col_widths, repeatRows=2)
        part.setStyle(TableStyle(style))
        part.spaceBefore = TABLE_SPACE_BEFORE if number == 0 else 0
        flowables.append(part)
    return flowables


def _table_parts(data: RegisterData, s: FormStyles,
                 width: float) -> tuple[list[list[Any]], list[tuple[Any, ...]], list[float]]:
    """Columns as narrow as what they hold (dates on two lines, the code broken after its agency
    part), the rest to the names, so that a row is two or three lines and a page holds 15 or more."""
    pad = 2.2
    head = with_style(s.head_cell, fontSize=HEAD_PT, leading=HEAD_PT * 1.2)

    def one_line(*texts: str, font: str = SERIF, size: float = CELL_PT) -> float:
        return max(stringWidth(t, font, size) for t in texts) + 2 * pad + 1.5

    codes = [_code_lines(r.dossier_code) for r in data.rows]
    tt_w = one_line("TT", *(clean(r.number) for r in data.rows))
    code_w = one_line("Mã hồ sơ", *(part for c in codes for part in c.split("\n")))
    date_w = one_line("00/00/0000", "Hẹn trả")
    sets_w = one_line("lượng", font=SERIF_BOLD, size=HEAD_PT)
    fixed = tt_w + code_w + sets_w + 4 * date_w + SIGN_W + NOTE_W
    rest = width - fixed
    # What is left goes to the text columns, in these shares.
    shares = {"procedure": 0.37, "owner": 0.16, "address": 0.36, "receiver": 0.11}
    w = {k: rest * v for k, v in shares.items()}
    col_widths = [tt_w, code_w, w["procedure"], sets_w, w["owner"], w["address"], date_w, date_w, date_w,
                  date_w, w["receiver"], SIGN_W, NOTE_W]

    top: list[Any] = [Paragraph(t, head) for t in PDF_COLUMNS[:9]]
    top += [Paragraph(PDF_COLUMNS[9], head), "", "", Paragraph(PDF_COLUMNS[10], head)]
    second: list[Any] = [""] * 9 + [Paragraph(t, head) for t in PDF_RETURN_SUBCOLUMNS] + [""]
    rows: list[list[Any]] = [top, second]

    # Body cells are plain strings wrapped here: a Paragraph per cell is many times slower to lay out.
    def wrapped(text: str, col: int, most: int = MAX_CELL_LINES) -> str:
        lines = simpleSplit(clean(text), SERIF, CELL_PT, col_widths[col] - 2 * pad)
        if len(lines) > most:
            last = lines[most - 1]
            while " " in last and stringWidth(last + " …", SERIF, CELL_PT) > col_widths[col] - 2 * pad:
                last = last.rsplit(" ", 1)[0]  # whole words
            lines = lines[:most - 1] + [last.rstrip() + " …"]
        return "\n".join(lines)

    for row, code in zip(data.rows, codes):
        rows.append([
            clean(row.number),
            code,
            wrapped(row.procedure_name, 2),
            str(row.sets),
            wrapped(row.owner_name, 4, MAX_NAME_LINES),  # a name is never cut short
            wrapped("; ".join(p for p in (clean(row.address), "ĐT: %s" % clean(row.phone) if clean(row.phone)
                                          else "") if p), 5),
            _moment(row.received_at),
            _moment(row.due_at),
            _moment(row.finished_at),
            _moment(row.returned_at),
            wrapped(row.received_by, 10),
            "",
            wrapped(row.note, 12, MAX_NAME_LINES),
        ])
    if not data.rows:
        rows.append([Paragraph("<i>(Không có hồ sơ trong kỳ)</i>", with_style(s.cell, alignment=1))]
                    + [""] * 12)
    style: list[tuple[Any, ...]] = BASE_CELL + [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, 1), "MIDDLE"),
        ("VALIGN", (0, 2), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), pad), ("RIGHTPADDING", (0, 0), (-1, -1), pad),
        ("TOPPADDING", (0, 0), (-1, -1), 1.2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.6),
        ("TOPPADDING", (0, 0), (-1, 1), 4),  # room above the stacked accents of the headings
        ("BACKGROUND", (0, 0), (-1, 1), colors.Color(0.92, 0.92, 0.92)),
        ("SPAN", (9, 0), (11, 0)),
        ("FONTSIZE", (0, 2), (-1, -1), CELL_PT), ("LEADING", (0, 2), (-1, -1), CELL_PT * 1.15),
    ]
    style += [("SPAN", (c, 0), (c, 1)) for c in list(range(9)) + [12]]
    style += [("ALIGN", (c, 2), (c, -1), "CENTER") for c in (0, 1, 3, 6, 7, 8, 9)]
    if not data.rows:
        style.append(("SPAN", (0, 2), (-1, 2)))
    return rows, style, col_widths


def _code_lines(code: str) -> str:
    """"000.00.06.H56-261110-0001" on two lines, broken after the agency's part."""
    code = clean(code)
    head, sep, tail = code.partition("-")
    return "%s-\n%s" % (head, tail) if sep and tail else code


def _moment(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return "%s\n%02d:%02d" % (day(moment), moment.hour, moment.minute)


# --- XLSX -------------------------------------------------------------------------------------------

_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def write_register_xlsx(data: RegisterData, path: str | Path) -> Path:
    """Write the register as an XLSX workbook at path and return the path.

    Rows 1-3 carry the agency, the title and the period; row 5 the bold header, frozen, with an auto
    filter; dates are real Excel dates shown as dd/mm/yyyy hh:mm.
    """
    target = Path(path)
    wb = Workbook()
    ws = wb.active
    ws.title = "Sổ theo dõi hồ sơ"
    last_col = get_column_letter(len(XLSX_COLUMNS))
    write_title_block(ws, data.header.agency_name, TITLE, data.period, len(XLSX_COLUMNS))

    for col, (name, col_width) in enumerate(zip(XLSX_COLUMNS, XLSX_WIDTHS), start=1):
        cell = ws.cell(row=XLSX_HEADER_ROW, column=col, value=name)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = _BOX
        ws.column_dimensions[get_column_letter(col)].width = col_width
    ws.row_dimensions[XLSX_HEADER_ROW].height = 32

    for offset, row in enumerate(data.rows, start=1):
        r = XLSX_HEADER_ROW + offset
        values: list[Any] = [row.number, clean(row.dossier_code), clean(row.procedure_name), row.sets,
                             clean(row.owner_name), clean(row.address), clean(row.phone), row.received_at,
                             row.due_at, row.finished_at, row.returned_at, clean(row.received_by),
                             clean(row.note)]
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=col, value=value)
            cell.border = _BOX
            cell.alignment = Alignment(vertical="top", wrap_text=col in (3, 5, 6, 12, 13))
            if isinstance(value, datetime):
                cell.number_format = DATE_FORMAT
            elif col in (2, 7):
                cell.number_format = "@"  # a phone number keeps its leading 0
    last_row = XLSX_HEADER_ROW + max(len(data.rows), 1)
    ws.freeze_panes = ws.cell(row=XLSX_HEADER_ROW + 1, column=3)  # the header, and TT and code, stay
    ws.auto_filter.ref = "A%d:%s%d" % (XLSX_HEADER_ROW, last_col, last_row)
    ws.print_title_rows = "%d:%d" % (XLSX_HEADER_ROW, XLSX_HEADER_ROW)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    wb.properties.title = "%s - %s" % (title_case(TITLE), clean(data.period))
    wb.properties.creator = "desk_app"
    wb.save(target)
    return target


def write_title_block(ws: Any, agency: str, title: str, period: str, columns: int) -> None:
    """Rows 1-3 of an export: the agency, the title in bold and the period, across the table's width."""
    last = get_column_letter(columns)
    for row, (text, font) in enumerate((
        (clean(agency).upper(), Font(bold=True, size=11)),
        (clean(title).upper(), Font(bold=True, size=14)),
        (clean(period), Font(italic=True, size=11)),
    ), start=1):
        ws.merge_cells("A%d:%s%d" % (row, last, row))
        cell = ws.cell(row=row, column=1, value=text)
        cell.font = font
        cell.alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[2].height = 22
