"""The dossier dialog of an online submission the counter has not accepted (waiting for its
check, or refused or withdrawn before it): never received, it reads as the citizen's page does,
"Nộp trực tuyến lúc" and no appointment, no receiving clerk, and its receipt buttons are off,
saying why. Accepted, the control, it reads as any received dossier, its receiving clerk the one
who accepted it, and its receipt is made.

The submissions are made by a citizen on a real server and pulled by the desk's sync; the
steps are the counter's services."""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import Qt

from desk_app.domain.lifecycle import Stage
from desk_app.services import auth, counter, online, sync, workflow
from desk_app.ui.counter.dossier_dialog import DossierDialog
from tests.central_server import kit
from tests.central_server.conftest import server_factory  # noqa: F401 (fixture)
from tests.services.test_statistics_rollup import _submit
from tests.sync import desks

SHOTS = os.environ.get("DESK_SCREENSHOTS")
WHY = "nộp trực tuyến chưa được tiếp nhận nên không có giấy tiếp nhận"


@pytest.fixture
def counter_desk(tmp_path, server_factory):  # noqa: F811
    """A counter desk enrolled on a real server that takes online submissions."""
    from tests.sync.test_online import photo
    server = server_factory("sqlite", env={"DESK_SERVER_WEB_ONLINE_RATE_PER_SECOND": "1000",
                                           "DESK_SERVER_WEB_ONLINE_BURST": "1000"})
    agency = kit.new_agency()
    ctx = desks.enrolled_desk(tmp_path, server, "quay-" + agency, agency, ["MOTCUA"])
    sync.sync_once(ctx)   # the counter unit and the catalogue reach the server's pages
    ctx.server, ctx.agency_code, ctx.photos = server, agency, (photo(1), photo(2))
    ctx.clerk_user = auth.login(ctx, "tiepnhan", desks.PASSWORD)
    yield ctx
    ctx.db.dispose()


def _dialog(qtbot, ctx, runner, previews, code) -> DossierDialog:
    dialog = DossierDialog(ctx, ctx.clerk_user, runner, counter.details(ctx, code), preview=previews)
    qtbot.addWidget(dialog)
    dialog.print_direct = lambda _parent, path: previews.paths.append(path)
    dialog.confirm_new_key = lambda: True
    dialog.show()
    return dialog


def _shoot(qtbot, dialog, name: str) -> None:
    if SHOTS:
        qtbot.wait(100)
        dialog.grab().save(os.path.join(SHOTS, name + ".png"))


def _refuse(ctx, code):
    online.refuse(ctx, ctx.clerk_user, code, ["Giấy chứng sinh không hợp lệ"])


def _withdraw(ctx, code):
    workflow.withdraw(ctx, ctx.clerk_user, code, "Công dân gọi điện xin rút hồ sơ")


@pytest.mark.parametrize("step, stage", [(None, Stage.ONLINE), (_refuse, Stage.ONLINE_CLOSED),
                                         (_withdraw, Stage.ONLINE_CLOSED)],
                         ids=["waiting", "refused at the check", "withdrawn before the check"])
def test_a_submission_not_accepted_reads_as_never_received(qtbot, counter_desk, runner, previews, error_boxes,
                                                           step, stage):
    ctx = counter_desk
    code, _key, _citizen = _submit(ctx)
    if step is not None:
        step(ctx, code)
    details = counter.details(ctx, code)
    assert details.summary.stage == stage.value
    dialog = _dialog(qtbot, ctx, runner, previews, code)
    info, state = dialog.info.text(), dialog.state.text()
    submitted = details.summary.received_at.strftime("%H:%M, %d/%m/%Y")
    assert "Nộp trực tuyến lúc" in info and submitted in info
    assert "Tiếp nhận lúc" not in info and "Cán bộ tiếp nhận" not in info and "citizen" not in info
    assert "<b>%s</b>" % submitted not in info            # no bold appointment at the submission's time
    if stage is Stage.ONLINE:
        assert "Hẹn trả kết quả" in info and "Sẽ hẹn khi cán bộ tiếp nhận hồ sơ" in info
    else:
        assert "Hẹn trả kết quả" not in info
    assert "Hẹn trả" not in state and details.summary.status.label in state
    for button in (dialog.view_button, dialog.print_button, dialog.new_key_button):
        assert button.isVisible() and not button.isEnabled()
        assert WHY in button.toolTip() and code in button.toolTip()
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)   # off: nothing happens
    dialog.view_receipt()                                    # and if asked anyway, the service refuses
    assert previews.paths == [] and counter.details(ctx, code).receipt_path is None
    assert len(error_boxes.shown) == 1 and WHY in str(error_boxes.shown[0])
    _shoot(qtbot, dialog, "dossier_" + ("waiting" if step is None else step.__name__.strip("_")))
    dialog.close()


def test_accepted_it_reads_as_received_and_its_receipt_is_made(qtbot, counter_desk, runner, previews):
    ctx = counter_desk
    code, _key, _citizen = _submit(ctx)
    dialog = _dialog(qtbot, ctx, runner, previews, code)
    assert not dialog.view_button.isEnabled()
    online.accept(ctx, ctx.clerk_user, code)
    dialog.show_details(counter.details(ctx, code))          # as the dialog reloads after a step
    details = dialog.details
    info = dialog.info.text()
    assert "Tiếp nhận lúc" in info and "Nộp trực tuyến lúc" not in info and "Cán bộ tiếp nhận" in info
    # its receiving clerk is the clerk who accepted it, not the server's account that opened it
    assert details.clerk_name == ctx.clerk_user.full_name and "citizen" not in info
    assert "Cán bộ tiếp nhận</td><td style='padding:4px 0'>%s" % ctx.clerk_user.full_name in info
    assert "<b>%s</b>" % details.summary.due_at.strftime("%H:%M, %d/%m/%Y") in info
    assert "Hẹn trả" in dialog.state.text()
    for button in (dialog.view_button, dialog.print_button, dialog.new_key_button):
        assert button.isEnabled() and WHY not in button.toolTip()
    assert dialog.print_button.toolTip() == "Chọn máy in và in giấy tiếp nhận, không xem trước"
    qtbot.mouseClick(dialog.view_button, Qt.MouseButton.LeftButton)
    assert len(previews.paths) == 1 and previews.paths[0].read_bytes().startswith(b"%PDF")
    _shoot(qtbot, dialog, "dossier_accepted")
    dialog.close()
