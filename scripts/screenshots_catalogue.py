"""Screenshots of the catalogue's cases and the fee at intake, on a desk with the shipped catalogue.

    xvfb-run -a -s "-screen 0 1440x900x24" .venv/bin/python scripts/screenshots_catalogue.py [OUT_DIR]

Saves intake_case_fee.png (a building permit: its case chosen, its time, its fee to be confirmed)
and intake_fee_paid.png (the form scrolled to the fee paid with its receipt number) into OUT_DIR (default: screenshots/).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from PySide6.QtWidgets import QApplication  # noqa: E402

from desk_app.domain.intake import PersonInput  # noqa: E402
from desk_app.services import auth, demo  # noqa: E402
from desk_app.services.context import open_desk  # noqa: E402
from desk_app.ui.main_window import MainWindow  # noqa: E402
from desk_app.ui.style import apply_style  # noqa: E402
from desk_app.ui.tasks import TaskRunner  # noqa: E402
from screenshots import SIZE, last_working_moment, save, settle  # noqa: E402


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv)
    apply_style(app)
    moment = last_working_moment()
    clock = lambda: moment  # noqa: E731
    with tempfile.TemporaryDirectory(prefix="desk-shots-") as tmp:
        ctx = open_desk(Path(tmp) / "desk", clock=clock)
        demo.build(ctx, dossiers=5)
        ctx.clock = clock
        runner = TaskRunner(synchronous=True)
        user = auth.login(ctx, "tiepnhan", demo.DEMO_PASSWORD)
        window = MainWindow(ctx, user, runner, demo.DEMO_AGENCY.name, idle_ms=3_600_000,
                            preview=lambda _parent, path: None)
        window.setGeometry(0, 0, *SIZE)
        window.show()
        settle(app)
        panel = window.intake
        window.tabs.setCurrentWidget(panel)
        panel.pick_procedure("1.013225")
        settle(app)
        panel.case_fee.case.setCurrentIndex(panel.case_fee.case.findData("nha-o-rieng-le"))
        panel.owner.set_value(PersonInput(name="Trần Văn Bình", id_number="038085012345", birth_date="05/09/1985",
                                          phone="0912 345 678", address="Số 8 đường Lê Lai, phường Hạc Thành, tỉnh Thanh Hóa"))
        panel.components.tick_all()
        fee = panel.case_fee
        fee.status.setCurrentIndex(fee.status.findData("paid"))
        fee.amount.setText("75.000")
        fee.receipt.setText("0001234/BL")
        settle(app)
        save(window, out, "intake_case_fee.png")
        from PySide6.QtWidgets import QScrollArea
        scroll = panel.findChild(QScrollArea)
        scroll.verticalScrollBar().setValue(scroll.verticalScrollBar().maximum())
        settle(app)
        save(window, out, "intake_fee_paid.png")
        window.idle.stop()
        window.close()
        runner.shutdown()
        ctx.db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
