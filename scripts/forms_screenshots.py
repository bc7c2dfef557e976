"""Render every printed form, made by the real services for real dossiers, to PNG in screenshots/forms/.

    .venv/bin/python scripts/forms_screenshots.py

Mẫu 01 (a citizen with e-mail; an organisation by proxy), 02 (from a specialist; at the counter before
any dossier), 03 (after intake; at the counter), 04, 05 and 06 (the register), and the register of
guidance given is listed by the services."""

from __future__ import annotations

import json
import sys
import tempfile
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from desk_app.documents.register import render_register_pdf  # noqa: E402
from desk_app.documents.render import pdf_to_images  # noqa: E402
from desk_app.domain.forms import FormKind  # noqa: E402
from desk_app.domain.roles import Role  # noqa: E402
from desk_app.services import admin, auth, catalogue, forms, intake, reports, setup, workflow  # noqa: E402
from desk_app.services.context import open_desk  # noqa: E402
from desk_app.services.workflow import WorkflowStep, set_workflow  # noqa: E402
from tests.conftest import SMALL_CATALOGUE, Clock  # noqa: E402
from tests.services.test_forms_guidance import incomplete  # noqa: E402
from tests.services.test_forms_printed import citizen, company_by_proxy  # noqa: E402

OUT = ROOT / "screenshots" / "forms"


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="forms-shots-"))
    clock = Clock(datetime(2026, 11, 10, 9, 30))
    d = open_desk(tmp / "desk", desk_id="desk-A", clock=clock)
    setup.configure(d, setup.AgencyInput(
        code="000.00.06.H56", name="Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa",
        parent_name="UBND tỉnh Thanh Hóa", place="Thanh Hóa", address="28 Đại lộ Lê Lợi, phường Hạc Thành",
        public_base_url="https://dichvucong.thanhhoa.gov.vn"), "admin", "Lê Văn Quản", "matkhau-admin")
    clerk = auth.create_user(d, "tiepnhan", "Nguyễn Thị Thu Hương", Role.CLERK, "matkhau-clerk")
    cat = tmp / "catalogue.json"
    cat.write_text(json.dumps(SMALL_CATALOGUE, ensure_ascii=False), "utf-8")
    catalogue.import_file(d, cat)
    boss = auth.login(d, "admin", "matkhau-admin")
    admin.save_unit(d, boss, "VPDKDD", "Văn phòng Đăng ký đất đai")
    admin.save_unit(d, boss, "PTNMT", "Phòng Tài nguyên và Môi trường")
    spec = admin.add_person(d, boss, "chuyenvien", "Phạm Quốc Bảo", Role.SPECIALIST, "matkhau-spec", "VPDKDD")
    lead = admin.add_person(d, boss, "lanhdao", "Hoàng Thị Lan Anh", Role.SUPERVISOR, "matkhau-lead", "VPDKDD")
    set_workflow(d, boss, "1.012783", [WorkflowStep("VPDKDD", 16), WorkflowStep("PTNMT", 8), WorkflowStep("MOTCUA", 4)])

    pdfs: dict[str, Path] = {}
    one = intake.save(d, clerk, citizen())
    two = intake.save(d, clerk, company_by_proxy())
    pdfs["mau01-receipt-citizen"] = one.receipt_path
    pdfs["mau01-receipt-organisation-proxy"] = two.receipt_path
    clock.now = datetime(2026, 11, 10, 10, 0)
    pdfs["mau05-control-slip"] = workflow.transfer(d, clerk, one.code, "VPDKDD").form_path
    workflow.transfer(d, clerk, two.code, "VPDKDD")
    clock.now = datetime(2026, 11, 10, 10, 30)
    for code in (one.code, two.code):
        workflow.receive(d, spec, code)
        workflow.assign(d, lead, code, "chuyenvien")
    clock.now = datetime(2026, 11, 12, 9, 0)
    pdfs["mau02-supplement-by-specialist"] = workflow.request_supplement(
        d, spec, two.code, "Đơn chưa ghi đủ thông tin thửa đất",
        ["Đơn đề nghị cấp đổi Giấy chứng nhận", "Sơ đồ thửa đất"]).form_path
    clock.now = datetime(2026, 11, 16, 9, 0)
    pdfs["mau04-apology"] = workflow.apologise(d, lead, one.code, "Cần xác minh nguồn gốc đất",
                                               datetime(2026, 11, 25, 9, 0)).form_path
    clock.now = datetime(2026, 11, 16, 10, 0)
    three = intake.save(d, clerk, company_by_proxy())
    pdfs["mau03-refusal-after-intake"] = workflow.refuse(d, clerk, three.code, ["Thửa đất đang có tranh chấp"]).form_path
    clock.now = datetime(2026, 11, 16, 10, 20)
    pdfs["mau02-guidance-at-counter"] = forms.give_guidance(
        d, clerk, incomplete(), FormKind.SUPPLEMENT, ["Bản gốc Giấy chứng nhận đã cấp", "Sơ đồ thửa đất"],
        "Thiếu bản gốc Giấy chứng nhận đã cấp").path
    pdfs["mau03-refusal-at-counter"] = forms.give_guidance(
        d, clerk, company_by_proxy(), FormKind.REFUSAL, ["Thửa đất không thuộc địa bàn tỉnh Thanh Hóa"]).path
    pdfs["mau06-register"] = render_register_pdf(reports.register(d, lead, date(2026, 11, 1), date(2026, 11, 30)),
                                                 tmp / "register.pdf")

    screens(d, clerk, two.code)
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.png"):
        if not old.name.startswith(("statistics", "desk-")):   # the statistics export is another screen's
            old.unlink()
    for name, path in pdfs.items():
        for n, image in enumerate(pdf_to_images(path, dpi=110), start=1):
            target = OUT / ("%s-%d.png" % (name, n))
            image.save(target, optimize=True)
            print(target.relative_to(ROOT))


def screens(d, clerk, code: str) -> None:
    """The dossier window's "Giấy tờ đã in" tab and the intake's guidance dialog, as a clerk sees them
    (run under xvfb-run for real fonts; offscreen works too)."""
    from PySide6.QtWidgets import QApplication

    from desk_app.ui.counter.panel import CounterPanel
    from desk_app.ui.intake.panel import IntakePanel
    from desk_app.ui.style import apply_style
    from desk_app.ui.tasks import TaskRunner

    app = QApplication.instance() or QApplication([])
    apply_style(app)
    runner = TaskRunner(synchronous=True)
    shown: list[Path] = []
    panel = CounterPanel(d, clerk, runner, preview=lambda _w, path: shown.append(Path(path)))
    panel.resize(1300, 760)
    panel.show()
    panel.open_dossier(code)
    dialog = panel.dialog
    dialog.tabs.setCurrentWidget(dialog.papers)
    dialog.resize(1000, 640)
    for _ in range(5):
        app.processEvents()
    OUT.mkdir(parents=True, exist_ok=True)
    dialog.grab().save(str(OUT / "desk-dossier-printed-papers.png"))
    dialog.close()
    intake_panel = IntakePanel(d, clerk, runner, preview=lambda _w, path: shown.append(Path(path)))
    intake_panel.resize(1300, 860)
    intake_panel.show()
    intake_panel.pick_procedure("1.012783")
    intake_panel.owner.name.setText("Lê Thị Mai")
    intake_panel.owner.phone.setText("0936 111 222")
    intake_panel.owner.address.setText("Thôn 3, xã Hoằng Hóa, tỉnh Thanh Hóa")
    intake_panel.guide()
    guidance = intake_panel.guidance
    guidance.reason.setText("Thiếu bản gốc Giấy chứng nhận đã cấp")
    for _ in range(5):
        app.processEvents()
    guidance.grab().save(str(OUT / "desk-intake-guidance-dialog.png"))
    guidance.close()
    runner.shutdown()


if __name__ == "__main__":
    main()
