"""Screenshots of the citizen kiosk (a receipt 'photographed' in front of a fake camera) and of
the counter's intake form filled by a scanned chip ID card.

    xvfb-run -a -s "-screen 0 1440x900x24" .venv/bin/python scripts/kiosk_screenshots.py [OUT_DIR]

Builds a small demo desk in a temporary folder, prints the receipt of a dossier that has
travelled a little, simulates the camera seeing it (scripts/make_scan_corpus.py), and saves
kiosk_idle.png, kiosk_progress.png, kiosk_rating.png, kiosk_message.png and counter_id_card.png
(default: screenshots/).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from PySide6.QtWidgets import QApplication  # noqa: E402

import make_scan_corpus as corpus  # noqa: E402
from desk_app.documents.render import pdf_to_images  # noqa: E402
from desk_app.scanner.sources import FakeSource  # noqa: E402
from desk_app.services import auth, counter, demo, receipts  # noqa: E402
from desk_app.services.context import open_desk  # noqa: E402
from desk_app.ui.camera.feed import CameraFeed  # noqa: E402
from desk_app.ui.kiosk.window import KioskWindow  # noqa: E402
from desk_app.ui.style import apply_style  # noqa: E402
from desk_app.ui.tasks import TaskRunner  # noqa: E402


def camera_frame(pdf: Path) -> np.ndarray:
    """The citizen's copy held up to the camera, a little turned."""
    page = np.asarray(pdf_to_images(pdf, dpi=200)[1].convert("L")).copy()
    rng = np.random.default_rng(7)
    h, w = page.shape
    qr_centre = np.array([w * 0.83, h * 0.34])
    H = corpus._homography(rng, w, h, qr_centre, 0.62, 1280, 720, -6.0, 0.03, aim=0.02)
    return corpus._photograph(rng, page, H, 1280, 720)


def main(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv)
    apply_style(app)
    ctx = open_desk(Path(tempfile.mkdtemp(prefix="kiosk-shots-")))
    demo.build(ctx, dossiers=30, receipts_for_today=0)
    clerk = auth.login(ctx, "tiepnhan", demo.DEMO_PASSWORD)
    kiosk_user = auth.login(ctx, "kiosk", demo.DEMO_PASSWORD)
    # a dossier that has moved on: the longest history among those still open
    candidates = sorted(counter.search(ctx, "h56"), key=lambda d: -len(counter.details(ctx, d.code).history))
    code = next(d.code for d in candidates if d.status.value in (4, 5))
    pdf = receipts.produce(ctx, clerk, code)
    frame = camera_frame(pdf)
    camera = FakeSource([frame])
    runner = TaskRunner(synchronous=True)
    window = KioskWindow(ctx, kiosk_user, runner, CameraFeed(lambda: camera),
                         "Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa")
    window.resize(1440, 900)
    window.show()
    app.processEvents()
    window.feed.pump()          # one frame: the code is outlined, not yet accepted
    app.processEvents()
    window.grab().save(str(out / "kiosk_idle.png"))
    window.feed.pump()          # the second frame: accepted, looked up, shown
    app.processEvents()
    assert window.screen.value == "progress", window.screen
    window.grab().save(str(out / "kiosk_progress.png"))
    window.progress_page.rate.click()
    window.rating_page.buttons["very_satisfied"].click()
    app.processEvents()
    window.grab().save(str(out / "kiosk_rating.png"))
    window.flow.done()
    window.scanned("https://dichvucong.thanhhoa.gov.vn/h/%s?k=%s" % (code, "A" * 22))
    app.processEvents()
    window.grab().save(str(out / "kiosk_message.png"))
    window._leaving = True
    window.close()
    counter_shot(ctx, clerk, runner, out)
    for name in ("kiosk_idle", "kiosk_progress", "kiosk_rating", "kiosk_message", "counter_id_card"):
        print(out / (name + ".png"))
    runner.shutdown()
    ctx.db.dispose()
    return 0


CARD = ("038190012345|123456789|Nguyễn Thị Hồng Nhung|12031990|Nữ|"
        "Số 12 ngõ 34, phường Điện Biên, tỉnh Thanh Hóa|15072021")


def counter_shot(ctx, clerk, runner, out: Path) -> None:
    """The intake form just after the clerk scanned a citizen's chip ID card."""
    from desk_app.ui.main_window import MainWindow
    window = MainWindow(ctx, clerk, runner, "Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa",
                        preview=lambda *_a: 0)
    window.resize(1440, 900)
    window.show()
    QApplication.processEvents()
    window.intake.pick_procedure("1.001193")
    window.intake.owner.phone.setText("0912 345 678")
    window.handle_scan(CARD)
    QApplication.processEvents()
    window.grab().save(str(out / "counter_id_card.png"))
    window.idle.stop()
    window.close()


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "screenshots"))
