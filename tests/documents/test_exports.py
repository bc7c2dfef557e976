"""The register (Sổ theo dõi hồ sơ) and the statistics tables, as PDF to print and XLSX to work with."""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from openpyxl import load_workbook

from desk_app.documents.register import (XLSX_COLUMNS, XLSX_HEADER_ROW, register_pdf_bytes,
                                         render_register_pdf, write_register_xlsx)
from desk_app.documents.statistics import (TOTAL_LABEL, format_value, render_statistics_pdf,
                                           statistics_pdf_bytes, totals_row, write_statistics_xlsx)
from desk_app.domain.forms import FormHeader, RegisterData, RegisterRow, StatisticsTable

MM = 72 / 25.4
HEADER = FormHeader(parent_agency="UBND tỉnh Thanh Hóa",
                    agency_name="Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa",
                    place="Thanh Hóa", issued_at=datetime(2026, 12, 1, 8, 0))
PERIOD = "Từ 01/11/2026 đến 30/11/2026"

_PEOPLE = [
    ("Nguyễn Thị Hồng Nhung", "Số 12 ngõ 34, phường Hạc Thành, tỉnh Thanh Hóa", "0912345678"),
    ("Trần Văn Đức", "Thôn Đông, xã Hoằng Hóa, tỉnh Thanh Hóa", "0987654321"),
    ("Công ty TNHH Thương mại và Dịch vụ Sông Mã", "Lô 5 Khu công nghiệp Lễ Môn, phường Quảng Phú, "
     "tỉnh Thanh Hóa", "02373712345"),
    ("Lê Thị Thu Hà", "Số 7 đường Bà Triệu, phường Hạc Thành, tỉnh Thanh Hóa", "0868123456"),
]
_PROCEDURES = [
    ("Cấp đổi Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất", 5),
    ("Đăng ký thành lập hộ kinh doanh", 3),
    ("Đăng ký thường trú", 7),
    ("Cấp bản sao Trích lục hộ tịch", 0),
]


def register_rows(count: int) -> tuple[RegisterRow, ...]:
    rows = []
    for i in range(count):
        name, address, phone = _PEOPLE[i % len(_PEOPLE)]
        procedure, days = _PROCEDURES[i % len(_PROCEDURES)]
        day = datetime(2026, 11, 2) + timedelta(days=(i // 2) % 26)
        if day.weekday() >= 5:  # the counter is closed at the weekend: take it on the Monday
            day += timedelta(days=7 - day.weekday())
        received = day + timedelta(hours=7, minutes=30 + (37 * i) % 520)
        due = received + timedelta(days=max(days, 0) + (2 if days else 0))
        finished = max(due - timedelta(days=1), received + timedelta(hours=2)) if i % 3 != 2 else None
        while finished and finished.weekday() >= 5:
            finished -= timedelta(days=1)
        returned = max(finished + timedelta(hours=2), due) if finished and i % 2 == 0 else None
        while returned and returned.weekday() >= 5:
            returned += timedelta(days=1)
        rows.append(RegisterRow(
            number="%s-%04d" % (received.strftime("%y%m%d"), i + 1),
            dossier_code="000.00.06.H56-%s-%04d" % (received.strftime("%y%m%d"), i + 1),
            procedure_name=procedure, sets=1 + (i % 5 == 4), owner_name=name, address=address, phone=phone,
            received_at=received, due_at=due, finished_at=finished, returned_at=returned,
            received_by=("%s (ủy quyền)" % "Phạm Văn Long") if returned and i % 4 == 2 else
            (name if returned else ""),
            note="Bổ sung hồ sơ ngày 05/11/2026" if i == 1 else ""))
    return tuple(rows)


def register(count: int = 6) -> RegisterData:
    return RegisterData(header=HEADER, period=PERIOD, rows=register_rows(count))


STAT_COLUMNS = ("Đơn vị", "Tiếp nhận", "Đã giải quyết", "Trước hạn", "Đúng hạn", "Quá hạn",
                "Tỷ lệ đúng hạn (%)", "Thời gian xử lý trung bình (ngày)")


def statistics(with_totals: bool = True) -> StatisticsTable:
    rows = (
        ("Văn phòng Đăng ký đất đai tỉnh Thanh Hóa", 1250, 1180, 820, 300, 60, 94.9, 6.4),
        ("Sở Nông nghiệp và Môi trường", 342, 330, 250, 75, 5, 98.5, 4.2),
        ("Công an tỉnh Thanh Hóa", 2104, 2098, 1900, 190, 8, 99.6, 1.8),
        ("Sở Tư pháp", 87, 87, 60, 27, 0, 100.0, 2.0),
    )
    totals = ("Tổng cộng", 3783, 3695, 3030, 592, 73, 98.0, 3.6) if with_totals else None
    return StatisticsTable(header=HEADER, title="Báo cáo tình hình giải quyết hồ sơ theo đơn vị",
                           period=PERIOD, columns=STAT_COLUMNS, rows=rows, totals=totals)


def render_all(folder: Path) -> list[Path]:
    """The register and a statistics table, as PDF and XLSX files in folder (for the screenshots too)."""
    folder.mkdir(parents=True, exist_ok=True)
    return [
        render_register_pdf(register(30), folder / "register.pdf"),
        write_register_xlsx(register(30), folder / "register.xlsx"),
        render_statistics_pdf(statistics(), folder / "statistics.pdf"),
        write_statistics_xlsx(statistics(), folder / "statistics.xlsx"),
    ]


def page_texts(pdf: bytes) -> list[str]:
    doc = pdfium.PdfDocument(pdf)
    try:
        texts = []
        for index in range(len(doc)):
            textpage = doc[index].get_textpage()
            texts.append(" ".join(unicodedata.normalize("NFC", textpage.get_text_range()).split()))
            textpage.close()
        return texts
    finally:
        doc.close()


def page_sizes_mm(pdf: bytes) -> list[tuple[int, int]]:
    doc = pdfium.PdfDocument(pdf)
    try:
        return [(round(doc[i].get_size()[0] / MM), round(doc[i].get_size()[1] / MM)) for i in range(len(doc))]
    finally:
        doc.close()


def assert_fonts_embedded(pdf: bytes) -> None:
    assert b"/FontFile2" in pdf
    assert b"/Helvetica" not in pdf and b"/Times-Roman" not in pdf and b"/Courier" not in pdf


def assert_inside_margins(pdf: bytes, margin_mm: float = 5) -> None:
    doc = pdfium.PdfDocument(pdf)
    try:
        for index in range(len(doc)):
            page = doc[index]
            width, height = page.get_size()
            textpage = page.get_textpage()
            for i in range(textpage.count_chars()):
                left, bottom, right, top = textpage.get_charbox(i)
                if right - left <= 0:
                    continue
                assert margin_mm * MM <= left and right <= width - margin_mm * MM, (index, i)
                assert margin_mm * MM <= bottom and top <= height - margin_mm * MM, (index, i)
    finally:
        doc.close()


# --- register, PDF ----------------------------------------------------------------------------------

def test_register_pdf_is_a4_landscape_with_every_row(tmp_path: Path) -> None:
    data = register(6)
    path = render_register_pdf(data, tmp_path / "register.pdf")
    pdf = path.read_bytes()
    texts = page_texts(pdf)
    assert page_sizes_mm(pdf) == [(297, 210)] * len(texts)
    text = " ".join(texts)
    for expected in ["SỔ THEO DÕI HỒ SƠ", PERIOD, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                     "Độc lập - Tự do - Hạnh phúc", "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ",
                     "TT", "Mã hồ sơ", "Tên thủ tục hành chính", "Tên cá nhân, tổ chức", "Địa chỉ, số điện thoại",
                     "Nhận hồ sơ", "Hẹn trả kết quả", "Trả kết quả cho cá nhân, tổ chức", "Người nhận", "Ghi chú",
                     "Tổng số: 6 hồ sơ."]:
        assert expected in text, expected
    for row in data.rows:
        assert row.dossier_code.replace("-", "- ", 1) in text  # broken only after the agency part
        assert row.owner_name in text
        assert "%s %s" % (row.received_at.strftime("%d/%m/%Y"), row.received_at.strftime("%H:%M")) in text
        assert row.due_at.strftime("%d/%m/%Y %H:%M") in text
        if row.returned_at:
            assert row.returned_at.strftime("%d/%m/%Y %H:%M") in text
            assert row.received_by in text
    assert "ĐT: 0912345678" in text
    assert "Bổ sung hồ sơ ngày 05/11/2026" in text
    assert_fonts_embedded(pdf)
    assert_inside_margins(pdf)


def test_register_pdf_repeats_the_header_rows_on_every_page() -> None:
    data = register(60)
    texts = page_texts(register_pdf_bytes(data))
    assert len(texts) >= 3
    for number, text in enumerate(texts, start=1):
        assert "Mã hồ sơ" in text and "Trả kết quả cho cá nhân, tổ chức" in text and "Hẹn trả kết quả" in text
        assert "Trang %d/%d" % (number, len(texts)) in text
    whole = " ".join(texts)
    for row in data.rows:
        assert row.dossier_code.replace("-", "- ", 1) in whole
    assert "Tổng số: 60 hồ sơ." in texts[-1]


def test_empty_register_says_so() -> None:
    text = " ".join(page_texts(register_pdf_bytes(RegisterData(HEADER, PERIOD, ()))))
    assert "(Không có hồ sơ trong kỳ)" in text and "Tổng số: 0 hồ sơ." in text


# --- register, XLSX ---------------------------------------------------------------------------------

def test_register_xlsx_has_the_headers_values_and_real_dates(tmp_path: Path) -> None:
    data = register(6)
    path = write_register_xlsx(data, tmp_path / "register.xlsx")
    ws = load_workbook(path).active
    assert ws["A2"].value == "SỔ THEO DÕI HỒ SƠ" and ws["A3"].value == PERIOD
    assert ws["A1"].value == "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG TỈNH THANH HÓA"
    header = [c.value for c in ws[XLSX_HEADER_ROW]]
    assert tuple(header) == XLSX_COLUMNS
    assert all(c.font.bold for c in ws[XLSX_HEADER_ROW])
    assert ws.freeze_panes is not None and ws.freeze_panes.endswith(str(XLSX_HEADER_ROW + 1))
    assert ws.auto_filter.ref == "A%d:M%d" % (XLSX_HEADER_ROW, XLSX_HEADER_ROW + 6)
    for letter in "ABCDEFGHIJKLM":
        assert ws.column_dimensions[letter].width and ws.column_dimensions[letter].width >= 6
    assert ws.column_dimensions["C"].width > ws.column_dimensions["A"].width

    for offset, row in enumerate(data.rows, start=1):
        cells = {name: ws.cell(row=XLSX_HEADER_ROW + offset, column=col).value
                 for col, name in enumerate(XLSX_COLUMNS, start=1)}
        assert cells["TT"] == row.number
        assert cells["Mã hồ sơ"] == row.dossier_code
        assert cells["Tên thủ tục hành chính"] == row.procedure_name
        assert cells["Số lượng hồ sơ (bộ)"] == row.sets
        assert cells["Tên cá nhân, tổ chức"] == row.owner_name
        assert cells["Số điện thoại"] == row.phone  # text: the leading 0 stays
        assert cells["Ngày nhận hồ sơ"] == row.received_at
        assert isinstance(cells["Ngày hẹn trả kết quả"], datetime) and cells["Ngày hẹn trả kết quả"] == row.due_at
        assert cells["Ngày có kết quả"] == row.finished_at
        assert cells["Ngày trả kết quả"] == row.returned_at
        assert (cells["Người nhận kết quả"] or "") == row.received_by
        date_cell = ws.cell(row=XLSX_HEADER_ROW + offset, column=XLSX_COLUMNS.index("Ngày nhận hồ sơ") + 1)
        assert date_cell.is_date and date_cell.number_format == "dd/mm/yyyy hh:mm"
    assert ws.max_row == XLSX_HEADER_ROW + 6


def test_register_xlsx_empty_still_opens(tmp_path: Path) -> None:
    path = write_register_xlsx(RegisterData(HEADER, PERIOD, ()), tmp_path / "empty.xlsx")
    ws = load_workbook(path).active
    assert tuple(c.value for c in ws[XLSX_HEADER_ROW]) == XLSX_COLUMNS


# --- statistics -------------------------------------------------------------------------------------

def test_statistics_pdf_prints_title_rows_and_totals(tmp_path: Path) -> None:
    pdf = render_statistics_pdf(statistics(), tmp_path / "stats.pdf").read_bytes()
    texts = page_texts(pdf)
    assert len(texts) == 1
    text = texts[0]
    for expected in ["BÁO CÁO TÌNH HÌNH GIẢI QUYẾT HỒ SƠ THEO ĐƠN VỊ", PERIOD,
                     "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG TỈNH THANH HÓA",
                     "Đơn vị", "Tiếp nhận", "Đã giải quyết", "Trước hạn", "Đúng hạn", "Quá hạn",
                     "Tỷ lệ đúng hạn (%)",
                     "Văn phòng Đăng ký đất đai tỉnh Thanh Hóa 1.250 1.180 820 300 60 94,9 6,4",
                     "Sở Tư pháp 87 87 60 27 0 100,0 2,0",
                     "Tổng cộng 3.783 3.695 3.030 592 73 98,0 3,6",
                     "NGƯỜI LẬP BIỂU", "THỦ TRƯỞNG ĐƠN VỊ", "Thanh Hóa, ngày 01 tháng 12 năm 2026"]:
        assert expected in text, expected
    assert text.index("Sở Tư pháp") < text.index("Tổng cộng")
    assert page_sizes_mm(pdf) == [(297, 210)]  # eight columns: landscape
    assert_fonts_embedded(pdf)
    assert_inside_margins(pdf)


def test_statistics_without_totals_sums_the_counts_only() -> None:
    table = statistics(with_totals=False)
    totals = totals_row(table)
    assert totals == (TOTAL_LABEL, 3783, 3695, 3030, 592, 73, None, None)
    text = " ".join(page_texts(statistics_pdf_bytes(table)))
    assert "Tổng cộng 3.783 3.695 3.030 592 73" in text


def test_narrow_statistics_table_is_portrait() -> None:
    table = StatisticsTable(HEADER, "Số hồ sơ theo lĩnh vực", PERIOD, ("Lĩnh vực", "Số hồ sơ"),
                            (("Đất đai", 1250), ("Hộ tịch", 3400)))
    pdf = statistics_pdf_bytes(table)
    assert page_sizes_mm(pdf) == [(210, 297)]
    assert "Tổng cộng 4.650" in " ".join(page_texts(pdf))


def test_values_print_the_vietnamese_way() -> None:
    assert format_value(1234567) == "1.234.567"
    assert format_value(95.5) == "95,5"
    assert format_value(100.0) == "100,0"
    assert format_value(1234.25) == "1.234,25"
    assert format_value(None) == ""
    assert format_value(datetime(2026, 11, 27)) == "27/11/2026"
    assert format_value(datetime(2026, 11, 27, 9, 5)) == "27/11/2026 09:05"


def test_statistics_xlsx_keeps_numbers_and_has_a_bold_totals_row(tmp_path: Path) -> None:
    table = statistics()
    path = write_statistics_xlsx(table, tmp_path / "stats.xlsx")
    ws = load_workbook(path).active
    assert ws["A2"].value == "BÁO CÁO TÌNH HÌNH GIẢI QUYẾT HỒ SƠ THEO ĐƠN VỊ" and ws["A3"].value == PERIOD
    assert tuple(c.value for c in ws[XLSX_HEADER_ROW]) == STAT_COLUMNS
    assert all(c.font.bold for c in ws[XLSX_HEADER_ROW])
    assert ws.freeze_panes == "B%d" % (XLSX_HEADER_ROW + 1)
    for offset, row in enumerate(table.rows, start=1):
        assert tuple(c.value for c in ws[XLSX_HEADER_ROW + offset]) == row
    totals = ws[XLSX_HEADER_ROW + len(table.rows) + 1]
    assert tuple(c.value for c in totals) == table.totals
    assert all(c.font.bold for c in totals)
    assert totals[1].number_format == "#,##0"
    # An integral float reads back as an int; its format still shows the decimal.
    assert totals[6].value == 98.0 and totals[6].number_format == "#,##0.0#"
    assert ws.cell(row=XLSX_HEADER_ROW + 1, column=7).value == 94.9
    assert ws.max_row == XLSX_HEADER_ROW + len(table.rows) + 1
    assert ws.auto_filter.ref == "A%d:H%d" % (XLSX_HEADER_ROW, XLSX_HEADER_ROW + len(table.rows))


def test_statistics_xlsx_with_dates(tmp_path: Path) -> None:
    table = StatisticsTable(HEADER, "Hồ sơ quá hạn", PERIOD, ("Mã hồ sơ", "Hạn trả", "Số ngày quá hạn"),
                            (("000.00.06.H56-261127-0001", datetime(2026, 12, 4, 9, 32), 3),))
    ws = load_workbook(write_statistics_xlsx(table, tmp_path / "late.xlsx")).active
    cell = ws.cell(row=XLSX_HEADER_ROW + 1, column=2)
    assert cell.is_date and cell.value == datetime(2026, 12, 4, 9, 32)
    assert tuple(c.value for c in ws[XLSX_HEADER_ROW + 2]) == (TOTAL_LABEL, None, 3)


@pytest.mark.parametrize("count", [0, 1])
def test_statistics_with_few_rows_render(count: int) -> None:
    table = replace(statistics(with_totals=False), rows=statistics().rows[:count])
    text = " ".join(page_texts(statistics_pdf_bytes(table)))
    assert "BÁO CÁO TÌNH HÌNH GIẢI QUYẾT HỒ SƠ THEO ĐƠN VỊ" in text


def test_render_all_writes_the_files(tmp_path: Path) -> None:
    paths = render_all(tmp_path / "out")
    assert [p.name for p in paths] == ["register.pdf", "register.xlsx", "statistics.pdf", "statistics.xlsx"]
    assert all(p.stat().st_size > 0 for p in paths)


@pytest.mark.parametrize("render", ["statistics", "register", "control_slip", "supplement", "refusal",
                                    "apology"])
def test_every_renderer_registers_the_fonts_it_measures_with(render: str,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """As in a fresh process, where no other document has registered the fonts first."""
    from reportlab.pdfbase import pdfmetrics

    from desk_app.documents import fonts
    from tests.documents import test_forms as forms

    monkeypatch.setattr(fonts, "_registered", False)
    monkeypatch.setattr(pdfmetrics, "_fonts", {k: v for k, v in pdfmetrics._fonts.items()
                                               if not k.startswith("Noto")})
    pdf = {
        "statistics": lambda: statistics_pdf_bytes(statistics()),
        "register": lambda: register_pdf_bytes(register(2)),
        "control_slip": lambda: forms.control_slip_pdf_bytes(forms.control_slip()),
        "supplement": lambda: forms.supplement_request_pdf_bytes(forms.supplement()),
        "refusal": lambda: forms.refusal_pdf_bytes(forms.refusal()),
        "apology": lambda: forms.apology_pdf_bytes(forms.apology()),
    }[render]()
    assert pdf.startswith(b"%PDF")
