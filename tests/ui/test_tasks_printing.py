"""The background task helper in its real (threaded) mode, and printing a receipt PDF."""

from __future__ import annotations

import threading

from PIL import ImageChops
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog

from desk_app.documents.render import pdf_to_images
from desk_app.domain.intake import IntakeInput, PersonInput
from desk_app.services import intake
from desk_app.services.context import ServiceError
from desk_app.ui import printing
from desk_app.ui.tasks import TaskRunner


def test_work_runs_on_the_worker_and_results_come_back_on_the_gui_thread(qtbot):
    runner = TaskRunner()
    seen = {}
    try:
        with qtbot.waitSignal(runner.finished, timeout=3000):
            runner.run(lambda: threading.current_thread().name,
                       on_done=lambda name: seen.update(worker=name, gui=threading.current_thread().name))
        assert seen["worker"].startswith("desk-db")
        assert seen["gui"] == threading.main_thread().name
        assert not runner.busy
    finally:
        runner.shutdown()


def test_errors_reach_on_error_or_the_message_box(qtbot):
    shown = []
    runner = TaskRunner(show_error=lambda _parent, error: shown.append(error))
    got = []

    def refuse():
        raise ServiceError("Không tìm thấy hồ sơ.")

    try:
        with qtbot.waitSignal(runner.finished, timeout=3000):
            runner.run(refuse, on_error=got.append)
        assert [str(e) for e in got] == ["Không tìm thấy hồ sơ."] and shown == []
        with qtbot.waitSignal(runner.finished, timeout=3000):
            runner.run(refuse)
        assert [str(e) for e in shown] == ["Không tìm thấy hồ sơ."]
    finally:
        runner.shutdown()


def test_synchronous_mode_delivers_before_run_returns(runner):
    got = []
    runner.run(lambda: 41 + 1, on_done=got.append)
    assert got == [42]


def _receipt(desk, clerk):
    form = IntakeInput(procedure_code="1.001193",
                       owner=PersonInput(name="Nguyễn Văn An", id_number="038090012345", birth_date="05/09/1990",
                                         phone="0912345678", address="Số 1 đường Lê Lợi, tỉnh Thanh Hóa"),
                       components={"Tờ khai đăng ký khai sinh theo mẫu": 1, "Giấy chứng sinh": 1})
    return intake.save(desk, clerk, form).receipt_path


def test_render_pdf_onto_a_printer(qapp, desk, clerk, tmp_path):
    receipt = _receipt(desk, clerk)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printing.prepare_printer(printer, receipt)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    pages = printing.render_pdf(receipt, printer)
    assert pages == len(pdf_to_images(receipt, dpi=10))
    printed = pdf_to_images(out, dpi=40)
    source = pdf_to_images(receipt, dpi=40)
    assert len(printed) == pages
    for got, want in zip(printed, source):
        # same paper, and the ink where the receipt puts it (no shift, no clipping)
        assert abs(got.width - want.width) <= 1 and abs(got.height - want.height) <= 1
        got_box = ImageChops.invert(got.convert("L")).getbbox()
        want_box = ImageChops.invert(want.convert("L")).getbbox()
        assert all(abs(a - b) <= 2 for a, b in zip(got_box, want_box)), (got_box, want_box)


def test_preview_dialog_paints_the_receipt(qtbot, desk, clerk, monkeypatch):
    receipt = _receipt(desk, clerk)
    rendered = []
    real_render = printing.render_pdf
    monkeypatch.setattr(printing, "render_pdf", lambda path, printer: rendered.append(real_render(path, printer)))

    def fake_exec(dialog):
        # show the real preview (it asks for the pages), then close it instead of blocking
        with qtbot.waitSignal(dialog.paintRequested, timeout=5000):
            dialog.show()
        dialog.close()
        return 0

    monkeypatch.setattr(QPrintPreviewDialog, "exec", fake_exec)
    assert printing.preview_pdf(None, receipt) == 0
    assert rendered and rendered[0] == len(pdf_to_images(receipt, dpi=10))
