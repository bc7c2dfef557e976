"""The register and statistics exports from real dossiers."""

from datetime import date, datetime

import pypdfium2
from openpyxl import load_workbook

from desk_app.services import intake, reports, statistics, workflow
from tests.services.test_walk import land_form


def test_register_and_statistics_files(office, clock, tmp_path):
    d = office
    code = intake.save(d, d.clerk_at_counter, land_form(), print_receipt=False).code
    workflow.transfer(d, d.clerk_at_counter, code, "VPDKDD")
    workflow.receive(d, d.specialist, code)
    workflow.result_ready(d, d.specialist, code)
    workflow.transfer(d, d.specialist, code, "MOTCUA")
    workflow.receive(d, d.clerk_at_counter, code)
    workflow.return_result(d, d.clerk_at_counter, code)
    data = reports.register(d, d.leader, date(2026, 11, 1), date(2026, 11, 30))
    assert [(r.dossier_code, r.owner_name, r.received_by) for r in data.rows] == [(code, "Lê Thị Mai", "Lê Thị Mai")]
    x = reports.export_register(d, d.leader, date(2026, 11, 1), date(2026, 11, 30), tmp_path / "so.xlsx")
    values = [c for row in load_workbook(x).active.iter_rows(values_only=True) for c in row if c]
    assert code in values and "Lê Thị Mai" in values
    p = reports.export_register(d, d.leader, date(2026, 11, 1), date(2026, 11, 30), tmp_path / "so.pdf")
    assert len(pypdfium2.PdfDocument(str(p))) >= 1
    s = reports.export_statistics(d, d.leader, date(2026, 11, 1), date(2026, 11, 30),
                                  statistics.GroupBy.PROCEDURE, tmp_path / "tk.xlsx")
    cells = [c for row in load_workbook(s).active.iter_rows(values_only=True) for c in row if c is not None]
    assert "Cấp đổi Giấy chứng nhận quyền sử dụng đất" in cells and "Tổng cộng" in cells
    pdf = reports.export_statistics(d, d.leader, date(2026, 11, 1), date(2026, 11, 30),
                                    statistics.GroupBy.UNIT, tmp_path / "tk.pdf")
    assert "Văn phòng Đăng ký đất đai" in " ".join(pypdfium2.PdfDocument(str(pdf))[0].get_textpage().get_text_range().split())
