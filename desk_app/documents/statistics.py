"""A table of figures (per unit, procedure or clerk) as a PDF report and as an XLSX workbook.

The totals row is the table's own when it has one; otherwise the integer columns are summed (counts
add up, rates and averages do not, so those cells stay empty).
"""

from __future__ import annotations

from datetime import date, datetime
from numbers import Number
from pathlib import Path
from typing import Any, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, PageBreak, Paragraph, Table, TableStyle

from ..domain.forms import StatisticsTable
from .fonts import SERIF_BOLD, register_fonts
from .layout import (BASE_CELL, NO_PADDING, FormStyles, build_pdf, clean, day, day_time, national_header,
                     place_date, signature_block, title_case, with_style, x)
from .register import DATE_FORMAT, write_title_block

TOTAL_LABEL = "Tổng cộng"
XLSX_HEADER_ROW = 5
MARGINS_PORTRAIT = (20 * mm, 15 * mm, 15 * mm, 14 * mm)
MARGINS_LANDSCAPE = (15 * mm, 12 * mm, 13 * mm, 13 * mm)
CELL_PT = 10.5


def totals_row(table: StatisticsTable) -> tuple | None:
    """The totals to print: the table's own, or the sums of its integer columns; None if nothing adds up."""
    width = len(table.columns)
    if table.totals is not None:
        totals = list(table.totals) + [None] * (width - len(table.totals))
    else:
        totals = [None] * width
        summed = False
        for col in range(width):
            values = [row[col] for row in table.rows if col < len(row) and row[col] not in (None, "")]
            if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
                totals[col] = sum(values)
                summed = True
        if not summed:
            return None
    if totals and totals[0] in (None, ""):
        totals[0] = TOTAL_LABEL
    return tuple(totals)


def format_value(value: Any) -> str:
    """A figure as Vietnamese print writes it: 1.234 and 95,5; dates dd/mm/yyyy."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, int):
        return "{:,}".format(value).replace(",", ".")
    if isinstance(value, float):
        text = "{:,.1f}".format(value) if round(value, 1) == value else "{:,.2f}".format(value)
        return text.replace(",", " ").replace(".", ",").replace(" ", ".")
    if isinstance(value, datetime):
        return day_time(value) if (value.hour, value.minute) != (0, 0) else day(value)
    if isinstance(value, date):
        return "%02d/%02d/%04d" % (value.day, value.month, value.year)
    return clean(str(value))


# --- PDF --------------------------------------------------------------------------------------------

def render_statistics_pdf(table: StatisticsTable, path: str | Path, indicators: StatisticsTable | None = None,
                          notes: Sequence[str] = ()) -> Path:
    """Write the table as an A4 PDF report (landscape when it is wide) and return the path;
    ``indicators`` (the 766 indicators per unit), when given, follow on a new page with ``notes``
    under them."""
    target = Path(path)
    target.write_bytes(statistics_pdf_bytes(table, indicators, notes))
    return target


def _is_wide(widths: list[float]) -> bool:
    portrait_w = A4[0] - MARGINS_PORTRAIT[0] - MARGINS_PORTRAIT[1]
    # Figures under a heading need about 20 mm each to keep the heading to three lines.
    return sum(max(w, 20 * mm) for w in widths[1:]) + 60 * mm > portrait_w


def _section(table: StatisticsTable, s: FormStyles, widths: list[float], width: float) -> list[Flowable]:
    """The title, the period and the table."""
    story: list[Flowable] = [Paragraph(x(clean(table.title).upper()), with_style(s.title, spaceBefore=14))]
    if clean(table.period):
        story.append(Paragraph("<i>%s</i>" % x(table.period), with_style(s.centre, spaceBefore=2)))
    story.append(_pdf_table(table, s, widths, width))
    return story


def statistics_pdf_bytes(table: StatisticsTable, indicators: StatisticsTable | None = None,
                         notes: Sequence[str] = ()) -> bytes:
    register_fonts()  # before anything is measured
    if not table.columns or (indicators is not None and not indicators.columns):
        raise ValueError("a statistics table needs at least one column")
    s = FormStyles(12.5, CELL_PT)
    widths = _natural_widths(table, s)
    extra_widths = _natural_widths(indicators, s) if indicators is not None else []
    wide = _is_wide(widths) or (indicators is not None and _is_wide(extra_widths))
    page, margins = (landscape(A4), MARGINS_LANDSCAPE) if wide else (A4, MARGINS_PORTRAIT)
    width = page[0] - margins[0] - margins[1]
    h = table.header
    story: list[Flowable] = [national_header(h.parent_agency, h.agency_name, None, width, 12.5, 13.5,
                                             left_share=0.5 if wide else 0.44)]
    story += _section(table, s, widths, width)
    if indicators is not None:
        story.append(PageBreak())
        story += _section(indicators, s, extra_widths, width)
        note = with_style(s.cell, fontSize=CELL_PT - 0.5, leading=(CELL_PT - 0.5) * 1.3)
        for n, text in enumerate(notes):
            story.append(Paragraph("<i>%s</i>" % x(clean(text)), with_style(note, spaceBefore=6 if n == 0 else 1)))
    sign = Table([[
        signature_block("NGƯỜI LẬP BIỂU", "", s, space=20 * mm),
        [Paragraph("<i>%s</i>" % x(place_date(h.place, h.issued_at)), s.centre)]
        + signature_block("THỦ TRƯỞNG ĐƠN VỊ", "", s, space=20 * mm),
    ]], colWidths=[width / 2, width / 2])
    sign.setStyle(TableStyle(BASE_CELL + NO_PADDING + [("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))
    story.append(KeepTogether([sign]))
    sign.spaceBefore = 14
    return build_pdf(story, page, margins,
                     title=" - ".join(p for p in (clean(table.title), clean(table.period)) if p),
                     author=h.agency_name, subject=title_case(clean(table.title)), body_size=12.5)


def _is_number(value: Any) -> bool:
    return isinstance(value, Number) and not isinstance(value, bool)


def _numeric_columns(table: StatisticsTable) -> list[bool]:
    numeric = []
    for col in range(len(table.columns)):
        values = [row[col] for row in table.rows if col < len(row) and row[col] not in (None, "")]
        numeric.append(bool(values) and all(_is_number(v) for v in values))
    return numeric


def _natural_widths(table: StatisticsTable, s: FormStyles) -> list[float]:
    """Each column as wide as its widest value on one line, and its longest heading word."""
    pad = 3.0
    totals = totals_row(table)
    widths = []
    for col, name in enumerate(table.columns):
        cells = [format_value(row[col]) for row in table.rows if col < len(row)]
        if totals is not None:
            cells.append(format_value(totals[col]))
        value_w = max([stringWidth(c, SERIF_BOLD, CELL_PT) for c in cells] + [0])
        word_w = max(stringWidth(w, SERIF_BOLD, CELL_PT) for w in (clean(name).split() or [""]))
        widths.append(max(value_w, word_w, 11 * mm) + 2 * pad + 1)
    return widths


def _pdf_table(table: StatisticsTable, s: FormStyles, natural: list[float], width: float) -> Table:
    numeric = _numeric_columns(table)
    cols = len(table.columns)
    # The first column (the unit, procedure or clerk) takes what the figures leave; the figures
    # share any surplus so the table spans the page.
    tt_w = 10 * mm
    figures = natural[1:]
    label_w = width - tt_w - sum(figures)
    if label_w < 45 * mm:
        label_w = 45 * mm
        scale = (width - tt_w - label_w) / sum(figures) if figures else 1.0
        figures = [w * scale for w in figures]
    elif figures and label_w > (cap := min(85 * mm, max(45 * mm, natural[0]))):
        # no wider than its longest name needs: the figures' headings get the room (fewer lines)
        spare = label_w - cap
        figures = [w + spare / len(figures) for w in figures]
        label_w = cap
    col_widths = [tt_w, label_w] + figures

    head = with_style(s.head_cell, fontSize=CELL_PT, leading=CELL_PT * 1.25)
    cell = with_style(s.cell, fontSize=CELL_PT, leading=CELL_PT * 1.25)
    right = with_style(cell, alignment=2)
    centre = with_style(cell, alignment=1)
    rows: list[list[Any]] = [[Paragraph("TT", head)] + [Paragraph(x(c), head) for c in table.columns]]
    for number, row in enumerate(table.rows, start=1):
        line: list[Any] = [Paragraph(str(number), centre)]
        for col in range(cols):
            value = row[col] if col < len(row) else None
            line.append(Paragraph(x(format_value(value)), right if numeric[col] else cell))
        rows.append(line)
    style: list[tuple[Any, ...]] = BASE_CELL + [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
        ("VALIGN", (0, 1), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, 0), 4.5),  # room above the stacked accents of the headings
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.92, 0.92, 0.92)),
    ]
    if not table.rows:
        rows.append([Paragraph("<i>(Không có số liệu trong kỳ)</i>", centre)] + [""] * cols)
        style.append(("SPAN", (0, 1), (-1, 1)))
    totals = totals_row(table)
    if totals is not None:
        bold_cell = with_style(cell, fontName=SERIF_BOLD)
        bold_right = with_style(right, fontName=SERIF_BOLD)
        line = [Paragraph("", centre)]
        for col in range(cols):
            value = totals[col]
            line.append(Paragraph(x(format_value(value)), bold_right if _is_number(value) else bold_cell))
        rows.append(line)
        style.append(("LINEABOVE", (0, len(rows) - 1), (-1, len(rows) - 1), 1.2, colors.black))
    result = Table(rows, colWidths=col_widths, repeatRows=1)
    result.setStyle(TableStyle(style))
    result.spaceBefore = 10
    return result


# --- XLSX -------------------------------------------------------------------------------------------

_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_TOTAL_BOX = Border(left=_THIN, right=_THIN, top=Side(style="medium", color="000000"), bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="EBEBEB")


INDICATORS_SHEET = "Chỉ số 766"


def write_statistics_xlsx(table: StatisticsTable, path: str | Path, indicators: StatisticsTable | None = None) -> Path:
    """Write the table as an XLSX workbook at path and return the path.

    Rows 1-3: agency, title, period; row 5: the bold header (frozen, with an auto filter over the
    data); then one row per line and the bold totals row. Numbers stay numbers, dates real dates.
    ``indicators`` (the 766 indicators per unit), when given, are a second sheet of the same shape.
    """
    target = Path(path)
    wb = Workbook()
    ws = wb.active
    ws.title = "Thống kê"
    _write_sheet(ws, table)
    if indicators is not None:
        _write_sheet(wb.create_sheet(INDICATORS_SHEET), indicators)
    wb.properties.title = " - ".join(p for p in (clean(table.title), clean(table.period)) if p)
    wb.properties.creator = "desk_app"
    wb.save(target)
    return target


def _write_sheet(ws: Any, table: StatisticsTable) -> None:
    cols = len(table.columns)
    write_title_block(ws, table.header.agency_name, table.title, table.period, max(cols, 1))
    numeric = _numeric_columns(table)
    for col, name in enumerate(table.columns, start=1):
        cell = ws.cell(row=XLSX_HEADER_ROW, column=col, value=clean(name))
        cell.font = Font(bold=True)
        cell.fill = _HEAD_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = _BOX
    ws.row_dimensions[XLSX_HEADER_ROW].height = 45

    r = XLSX_HEADER_ROW
    for row in table.rows:
        r += 1
        for col in range(cols):
            value = row[col] if col < len(row) else None
            _put(ws, r, col + 1, value, _BOX)
    data_last = r
    totals = totals_row(table)
    if totals is not None:
        r += 1
        for col in range(cols):
            cell = _put(ws, r, col + 1, totals[col], _TOTAL_BOX)
            cell.font = Font(bold=True)

    for col, name in enumerate(table.columns, start=1):
        values = [format_value(row[col - 1]) for row in table.rows if col - 1 < len(row)]
        longest = max([len(v) for v in values] + [len(TOTAL_LABEL) if col == 1 else 0])
        header_word = max((len(w) for w in clean(name).split()), default=4)
        limit = 48 if not numeric[col - 1] else 18
        ws.column_dimensions[get_column_letter(col)].width = min(max(longest + 2, header_word + 2, 10), limit)
    ws.freeze_panes = ws.cell(row=XLSX_HEADER_ROW + 1, column=2)
    if cols:
        ws.auto_filter.ref = "A%d:%s%d" % (XLSX_HEADER_ROW, get_column_letter(cols),
                                           max(data_last, XLSX_HEADER_ROW + 1))
    ws.print_title_rows = "%d:%d" % (XLSX_HEADER_ROW, XLSX_HEADER_ROW)
    ws.page_setup.orientation = "landscape" if cols > 6 else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _put(ws: Any, row: int, col: int, value: Any, border: Border) -> Any:
    if isinstance(value, str):
        value = clean(value)
    cell = ws.cell(row=row, column=col, value=value)
    cell.border = border
    if isinstance(value, bool):
        pass
    elif isinstance(value, int):
        cell.number_format = "#,##0"
    elif isinstance(value, float):
        cell.number_format = "#,##0.0#"
    elif isinstance(value, datetime):
        cell.number_format = DATE_FORMAT
    elif isinstance(value, date):
        cell.number_format = "dd/mm/yyyy"
    cell.alignment = Alignment(vertical="top", wrap_text=isinstance(value, str))
    return cell
