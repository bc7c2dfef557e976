"""Any list as the screen shows it, on paper or in a spreadsheet: a PDF, an XLSX, a CSV.

The screens hand over plain text (the headers and rows they show, in their order, already
filtered and sorted) and the words around it (title, agency, a line saying what was shown);
nothing here knows which list it is. The PDF embeds the Vietnamese font; the CSV is UTF-8 with
a byte-order mark, so Excel opens "Nguyễn" as "Nguyễn"; the XLSX keeps every cell as text.

Cells come from citizens too (names, messages): a cell that starts like a formula (=, +, -, @)
is never a formula here (text cells in the XLSX, a leading apostrophe in the CSV), control
characters that break the files are dropped, and lone surrogates become U+FFFD.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

MAX_CELL = 32_000          # Excel holds 32,767 characters a cell
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class TableDocument:
    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[str]]
    agency: str = ""                  # printed above the title
    lines: Sequence[str] = field(default_factory=tuple)   # under the title: the filter, when printed
    footer: str = ""                  # under the table: e.g. "Tổng số: 12 hồ sơ."
    weights: Sequence[float] | None = None   # relative column widths; from the text if None


def cell_text(value: object) -> str:
    """One cell as safe text: NFC, no control characters or lone surrogates, not too long."""
    text = "" if value is None else str(value)
    text = _SURROGATE.sub("\ufffd", text)
    text = _CONTROL.sub("", unicodedata.normalize("NFC", text))
    return text[:MAX_CELL]


def _cells(doc: TableDocument) -> tuple[list[str], list[list[str]]]:
    width = len(doc.headers)
    headers = [cell_text(h) for h in doc.headers]
    rows = [[cell_text(c) for c in list(row)[:width]] + [""] * max(0, width - len(row)) for row in doc.rows]
    return headers, rows


# --- CSV and XLSX -------------------------------------------------------------------------------------

def csv_bytes(doc: TableDocument) -> bytes:
    """UTF-8 with BOM, comma-separated, every cell quoted when needed; no formulas."""
    headers, rows = _cells(doc)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["'" + c if c.startswith(FORMULA_START) else c for c in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(doc: TableDocument) -> bytes:
    """One sheet: the title, the lines, then the header row (bold, frozen, filterable) and the rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    headers, rows = _cells(doc)
    book = Workbook()
    sheet = book.active
    sheet.title = (re.sub(r"[\[\]:*?/\\]", " ", cell_text(doc.title)).strip() or "Sheet")[:31]

    def put(row: int, column: int, text: str, bold: bool = False):
        cell = sheet.cell(row=row, column=column)
        cell.value = text
        cell.data_type = "s"          # text, whatever it starts with: never a formula
        if bold:
            cell.font = Font(bold=True)
        return cell

    line = 1
    for text in [doc.agency, doc.title, *doc.lines]:
        if cell_text(text):
            put(line, 1, cell_text(text), bold=line <= 2)
            line += 1
    header_row = line + 1
    for column, text in enumerate(headers, 1):
        put(header_row, column, text, bold=True).alignment = Alignment(wrap_text=True, vertical="center")
    for r, row in enumerate(rows, header_row + 1):
        for column, text in enumerate(row, 1):
            put(r, column, text)
    for column, text in enumerate(headers, 1):
        longest = max([len(text)] + [len(row[column - 1]) for row in rows[:500]])
        sheet.column_dimensions[get_column_letter(column)].width = min(60, max(8, longest + 2))
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    if headers:
        sheet.auto_filter.ref = "A%d:%s%d" % (header_row, get_column_letter(len(headers)),
                                               header_row + max(1, len(rows)))
    if cell_text(doc.footer):
        put(header_row + len(rows) + 2, 1, cell_text(doc.footer))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- PDF ------------------------------------------------------------------------------------------------

def pdf_bytes(doc: TableDocument) -> bytes:
    """A4, landscape when the table is wide; the header row again on every page; page numbers."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import LongTable, Paragraph, Spacer, TableStyle

    from .fonts import SERIF, SERIF_BOLD, register_fonts
    from .layout import BASE_CELL, FormStyles, build_pdf, with_style, x

    register_fonts()
    headers, rows = _cells(doc)
    wide = len(headers) > 5 or sum(_weights(doc, headers, rows)) > 90
    page = landscape(A4) if wide else A4
    margins = (12 * mm, 12 * mm, 12 * mm, 14 * mm)
    width = page[0] - margins[0] - margins[1]
    s = FormStyles(11.0, 9.0)
    cell = with_style(s.body, fontName=SERIF, fontSize=8.5, leading=10.5, alignment=0, spaceBefore=0, spaceAfter=0,
                      firstLineIndent=0)
    head = with_style(cell, fontName=SERIF_BOLD)
    agency, title, footer = cell_text(doc.agency), cell_text(doc.title), cell_text(doc.footer)
    story: list = []
    if agency:
        story.append(Paragraph("<b>%s</b>" % x(agency), with_style(s.body, fontSize=10, leading=13)))
    story.append(Paragraph(x(title).upper(), with_style(s.title, fontSize=14, leading=18, spaceBefore=4)))
    for text in map(cell_text, doc.lines):
        if text:
            story.append(Paragraph("<i>%s</i>" % x(text), with_style(s.centre, fontSize=9.5, leading=12)))
    story.append(Spacer(1, 3 * mm))
    if headers:
        weights = _weights(doc, headers, rows)
        total = sum(weights) or 1.0
        widths = [width * w / total for w in weights]
        data = [[Paragraph(x(h), head) for h in headers]]
        data += [[Paragraph(x(c), cell) for c in row] for row in rows]
        table = LongTable(data, colWidths=widths, repeatRows=1)
        table.setStyle(TableStyle(BASE_CELL + [
            ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef6")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ]))
        story.append(table)
    if footer:
        story.append(Paragraph(x(footer), with_style(s.body, fontSize=10, leading=13, spaceBefore=6)))
    return build_pdf(story, page, margins, title=title, author=agency, subject=title, body_size=10)


def _weights(doc: TableDocument, headers: list[str], rows: list[list[str]]) -> list[float]:
    """Relative widths: as given, else from the longest text of each column (between 4 and 40)."""
    if doc.weights is not None and len(doc.weights) == len(headers):
        return [max(0.5, float(w)) for w in doc.weights]
    sample = rows[:300]
    return [float(min(40, max(4, len(h) * 0.6, *(len(r[i]) for r in sample)))) if sample else
            float(min(40, max(4, len(h)))) for i, h in enumerate(headers)]


# --- files ------------------------------------------------------------------------------------------------

WRITERS = {".pdf": pdf_bytes, ".xlsx": xlsx_bytes, ".csv": csv_bytes}


def write(doc: TableDocument, path: str | Path) -> Path:
    """Write the table in the format the path's suffix names (.pdf, .xlsx, .csv)."""
    target = Path(path)
    writer = WRITERS.get(target.suffix.lower())
    if writer is None:
        raise ValueError("unknown table format: %r" % target.suffix)
    data = writer(doc)
    partial = target.with_name(target.name + ".part")
    partial.write_bytes(data)
    partial.replace(target)     # a half-written file never takes the name
    return target
