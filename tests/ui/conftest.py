"""A small desk for GUI tests: one agency, a clerk, three procedures, a synchronous task runner."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from desk_app.domain.roles import Role
from desk_app.services import auth, catalogue, setup
from desk_app.services.context import CurrentUser, DeskContext, open_desk

PASSWORD = "matkhau-2026"

# Qt 6.12's offscreen platform warns on every top-level show() and raise(); it says nothing about
# our code. (Worth moving to pyproject's qt_log_ignore, as qutebrowser's pytest.ini does.)
OFFSCREEN_NOISE = (r"^This plugin does not support propagateSizeHints\(\)",
                   r"^This plugin does not support raise\(\)")


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE, extend=True))

AGENCY = setup.AgencyInput(
    code="000.00.06.H56", name="Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa",
    parent_name="UBND tỉnh Thanh Hóa", place="Thanh Hóa",
    address="Số 28 Đại lộ Lê Lợi, phường Hạc Thành, tỉnh Thanh Hóa",
    public_base_url="https://dichvucong.thanhhoa.gov.vn")

# The catalogue's JSON shape (desk_app.domain.procedures.procedure_to_dict), kept small.
CATALOGUE = {"procedures": [
    {"code": "1.001193", "name": "Thủ tục đăng ký khai sinh", "field": "Hộ tịch", "level": "Cấp xã",
     "agency": "Ủy ban nhân dân cấp xã", "result": "Giấy khai sinh (bản chính)",
     "legal_basis": "Luật Hộ tịch số 60/2014/QH13", "effective_from": "2025-07-01",
     "source": "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.001193",
     "version": 1,
     "channels": {"direct": {"time": 0, "unit": "working_days", "cutoff": "15:00", "fee": 0, "fee_note": ""},
                  "online": {"time": 0, "unit": "working_days", "cutoff": "15:00", "fee": 0, "fee_note": ""}},
     "components": [
         {"name": "Tờ khai đăng ký khai sinh theo mẫu", "form": "original", "count": 1, "required": True},
         {"name": "Giấy chứng sinh", "form": "original", "count": 1, "required": True},
         {"name": "Văn bản ủy quyền (nếu nộp thay)", "form": "certified_copy", "count": 1, "required": False},
     ]},
    {"code": "1.004222", "name": "Đăng ký thường trú", "field": "Đăng ký, quản lý cư trú", "level": "Cấp xã",
     "agency": "Công an cấp xã", "result": "Thông tin cư trú được cập nhật", "legal_basis": "Luật Cư trú 2020",
     "effective_from": "2025-07-01", "source": "https://dichvucong.gov.vn", "version": 1,
     "channels": {"direct": {"time": 7, "unit": "working_days", "cutoff": None, "fee": 20000, "fee_note": ""}},
     "components": [{"name": "Tờ khai thay đổi thông tin cư trú (CT01)", "form": "original", "count": 1,
                     "required": True}]},
    {"code": "2.000635", "name": "Cấp bản sao trích lục hộ tịch", "field": "Hộ tịch", "level": "Cấp xã",
     "agency": "Ủy ban nhân dân cấp xã", "result": "Bản sao trích lục", "legal_basis": "Nghị định 123/2015/NĐ-CP",
     "effective_from": "2025-07-01", "source": "https://dichvucong.gov.vn", "version": 1,
     "channels": {"direct": {"time": 0, "unit": "working_days", "cutoff": "15:00", "fee": 8000,
                             "fee_note": "mỗi bản sao"}},
     "components": [{"name": "Tờ khai cấp bản sao trích lục hộ tịch", "form": "original", "count": 1,
                     "required": True}]},
]}


@pytest.fixture(scope="session")
def desk_template(tmp_path_factory) -> tuple[Path, CurrentUser]:
    """Configured once (holidays, migrations and password hashing are slow), copied for each test."""
    folder = tmp_path_factory.mktemp("template") / "desk"
    ctx = open_desk(folder)
    setup.configure(ctx, AGENCY, "admin", "Lê Văn Quản", PASSWORD)
    path = folder.parent / "catalogue.json"
    path.write_text(json.dumps(CATALOGUE, ensure_ascii=False), "utf-8")
    catalogue.import_file(ctx, path)
    clerk = auth.create_user(ctx, "tiepnhan", "Nguyễn Thị Thu Hương", Role.CLERK, PASSWORD)
    ctx.db.dispose()  # checkpoints the WAL: the folder is a complete copyable database
    return folder, clerk


@pytest.fixture
def desk(tmp_path: Path, desk_template) -> DeskContext:
    shutil.copytree(desk_template[0], tmp_path / "desk")
    ctx = open_desk(tmp_path / "desk")
    yield ctx
    ctx.db.dispose()


@pytest.fixture
def clerk(desk: DeskContext, desk_template) -> CurrentUser:
    return desk_template[1]


class ErrorBoxes:
    """Stands in for the runner's message box: records what would have been shown."""

    def __init__(self) -> None:
        self.shown: list[BaseException] = []

    def __call__(self, _parent, error: BaseException) -> None:
        self.shown.append(error)


@pytest.fixture
def error_boxes() -> ErrorBoxes:
    return ErrorBoxes()


@pytest.fixture
def runner(qapp, error_boxes):
    from desk_app.ui.tasks import TaskRunner
    r = TaskRunner(synchronous=True, show_error=error_boxes)
    yield r
    r.shutdown()


class Previews:
    """Stands in for the print preview: records which PDFs would have been previewed."""

    def __init__(self) -> None:
        self.paths: list[Path] = []

    def __call__(self, _parent, path) -> int:
        self.paths.append(Path(path))
        return 0


@pytest.fixture
def previews() -> Previews:
    return Previews()


def type_text(widget, text: str) -> None:
    """Type any text, Vietnamese included, as key presses (QTest.keyClicks takes ASCII only)."""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication
    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, char))


def show_active(qtbot, widget) -> None:
    """Show a window and make it the active one (offscreen windows are not activated on show)."""
    with qtbot.waitActive(widget):
        widget.show()
        widget.activateWindow()
