"""Issue 13 at the desk: the specialist's own steps and keys, small screens, what a clerk looks for,
words and time. Each test would fail if its friction came back."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLabel

from desk_app.domain.codes import parse_capability_url
from desk_app.domain.lifecycle import Stage, stage_words
from desk_app.domain.roles import Role
from desk_app.services import auth, counter, kiosk, workflow
from desk_app.ui.main_window import MainWindow
from desk_app.ui.queue.panel import QueuePanel
from desk_app.ui.supervisor.statistics import StatisticsPanel

from .conftest import show_active
from .offices import clock, office, office_template, take_in  # noqa: F401 - fixtures


def received(office, code: str) -> None:
    workflow.transfer(office.ctx, office.clerk, code, "CAX")
    workflow.receive(office.ctx, office.specialist, code)


def queue_panel(qtbot, office, user, runner, previews) -> QueuePanel:
    panel = QueuePanel(office.ctx, user, runner, preview=previews)
    qtbot.addWidget(panel)
    panel.resize(1366, 700)
    show_active(qtbot, panel)
    return panel


def main_window(qtbot, office, user, runner, previews) -> MainWindow:
    window = MainWindow(office.ctx, user, runner, "Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa",
                        idle_ms=3_600_000, preview=previews)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    show_active(qtbot, window)
    return window


# -- the specialist's flow ------------------------------------------------------------------
def test_the_specialist_opens_a_dossier_and_sees_his_own_steps(qtbot, office, runner, previews):
    code = take_in(office)
    received(office, code)
    panel = queue_panel(qtbot, office, office.specialist, runner, previews)
    with qtbot.waitSignal(panel.dossier_opened, timeout=3000) as opened:
        panel.open_dossier(code)
    actions = opened.args[0].actions
    assert actions.isVisibleTo(opened.args[0])
    shown = {k for k, b in actions.buttons.items() if not b.isHidden()}
    assert {"forward", "supplement", "result", "transfer"} <= shown
    assert not {"return", "withdraw", "record_supplement"} & shown        # the counter's steps are not his
    enabled = {k for k, b in actions.buttons.items() if b.isEnabled()}
    assert {"forward", "supplement", "result"} <= enabled and "receive" not in enabled
    assert actions.buttons["supplement"].text().startswith("F5")
    # the queue's key works in the window too: F5 asks for the supplement's papers
    dialog = opened.args[0]
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=2000)
    qtbot.keyClick(dialog.tabs.tabBar(), Qt.Key.Key_F5)
    assert actions.flow.form is not None and actions.flow.form.isVisible()
    actions.flow.form.reject()


def test_f_keys_act_whatever_has_focus_in_the_window(qtbot, office, runner, previews):
    code = take_in(office)
    received(office, code)
    window = main_window(qtbot, office, office.specialist, runner, previews)
    panel = window.queue
    window.tabs.setCurrentWidget(panel)
    panel.refresh()
    assert panel.select(code)
    for focus in (panel.tabs.tabBar(), panel.scan_box, window.tabs.tabBar()):
        focus.setFocus()
        qtbot.keyClick(focus, Qt.Key.Key_F5)
        assert panel.flow.form is not None and panel.flow.form.isVisible(), focus
        panel.flow.form.reject()
        qtbot.waitUntil(lambda: panel.flow.form is None, timeout=2000)
    # another tab in front: the queue's keys stay quiet (that tab keeps its own)
    window.tabs.setCurrentWidget(window.counter)
    qtbot.keyClick(window.tabs.tabBar(), Qt.Key.Key_F5)
    assert panel.flow.form is None


def test_a_dossier_the_specialist_holds_does_not_wait_for_assignment(qtbot, office, runner, previews):
    code = take_in(office)
    received(office, code)
    panel = queue_panel(qtbot, office, office.specialist, runner, previews)
    assert panel.select(code) and panel.tabs.currentIndex() == 0
    words = [panel.mine_model.index(r, 3).data() for r in range(panel.mine_model.rowCount())]
    assert words and not any(Stage.IN_UNIT.label in w for w in words)
    assert all(stage_words(Stage.IN_UNIT, held_by_viewer=True) in w for w in words)
    assert stage_words("in_unit") == "Chờ phân công"                  # to the unit, as before


# -- small screens --------------------------------------------------------------------------
def test_the_dossier_window_fits_the_screen_and_its_details_scroll(qtbot, office, runner, previews):
    code = take_in(office)
    window = main_window(qtbot, office, office.clerk, runner, previews)
    with qtbot.waitSignal(window.counter.dossier_opened, timeout=3000) as opened:
        window.counter.open_dossier(code)
    dialog = opened.args[0]
    free = QGuiApplication.primaryScreen().availableGeometry()
    assert dialog.height() <= free.height() - 40 and dialog.width() <= free.width()
    dialog.resize(dialog.width(), 560)               # shorter than the details: they scroll, not cut off
    qtbot.wait(10)
    scroll = dialog.info_scroll
    assert scroll.widgetResizable() and scroll.widget().isAncestorOf(dialog.info)
    assert "Cán bộ tiếp nhận" in dialog.info.text()
    scroll.ensureWidgetVisible(dialog.info, 0, 0)
    bar = scroll.verticalScrollBar()
    bar.setValue(bar.maximum())
    assert bar.maximum() > 0 or dialog.info.height() <= scroll.viewport().height()
    dialog.close()


def clipped(window) -> list[str]:
    """Visible labels whose text needs more room than they were given."""
    out = []
    for label in window.findChildren(QLabel):
        if not label.isVisibleTo(window) or not label.text() or label.wordWrap() or label.width() == 0:
            continue
        if label.minimumSizeHint().width() > label.width() + 1 or label.sizeHint().height() > label.height() + 1:
            out.append(label.text()[:40])
    return out


def test_at_1366x768_no_label_is_cut_and_the_intake_form_reaches_every_field(qtbot, office, runner, previews):
    window = main_window(qtbot, office, office.clerk, runner, previews)
    for tab in range(window.tabs.count()):
        window.tabs.setCurrentIndex(tab)
        qtbot.wait(10)
        assert clipped(window) == [], window.tabs.tabText(tab)
    intake = window.intake
    window.tabs.setCurrentWidget(intake)
    intake.submitter_differs.setChecked(True)
    qtbot.wait(10)
    from PySide6.QtWidgets import QScrollArea
    area = next(a for a in intake.findChildren(QScrollArea) if a.widget().isAncestorOf(intake.owner))
    for field in (intake.submitter.address, intake.notes, intake.attachments.add_button):
        area.ensureWidgetVisible(field)
        qtbot.wait(5)
        top_left = field.mapTo(area.viewport(), field.rect().topLeft())
        assert area.viewport().rect().contains(top_left), field


# -- what a clerk looks for -----------------------------------------------------------------
def test_the_saved_banner_reprints_and_opens(qtbot, office, runner, previews):
    from desk_app.domain.intake import PersonInput
    window = main_window(qtbot, office, office.clerk, runner, previews)
    intake = window.intake
    assert intake.reprint_button.isHidden() and intake.open_button.isHidden()
    intake.pick_procedure("1.004222")
    intake.owner.set_value(PersonInput(name="Trần Thị Bích Ngọc", id_number="038190012345", birth_date="12/03/1990",
                                       phone="0912345678", address="Số 5 đường Lê Lợi, phường Hạc Thành"))
    intake.components.tick_all()
    with qtbot.waitSignal(intake.saved, timeout=5000) as saved:
        intake.save()
    code = saved.args[0].code
    assert not intake.reprint_button.isHidden() and not intake.open_button.isHidden()
    printed = len(previews.paths)
    qtbot.mouseClick(intake.reprint_button, Qt.MouseButton.LeftButton)
    assert len(previews.paths) == printed + 1
    with qtbot.waitSignal(window.counter.dossier_opened, timeout=3000) as opened:
        qtbot.mouseClick(intake.open_button, Qt.MouseButton.LeftButton)
    assert opened.args[0].details.summary.code == code and window.tabs.currentWidget() is window.counter
    opened.args[0].close()


def test_history_shows_the_rating_and_a_supplements_papers_whole(qtbot, office, runner, previews):
    code = take_in(office)
    received(office, code)
    papers = ["Hợp đồng thuê nhà có công chứng của bên cho thuê và bên thuê",
              "Giấy xác nhận của chủ hộ về việc đồng ý cho đăng ký thường trú",
              "Bản sao sổ hộ khẩu hoặc giấy tờ chứng minh quan hệ nhân thân"]
    workflow.request_supplement(office.ctx, office.specialist, code, "Thiếu giấy tờ chứng minh chỗ ở", papers)
    link = parse_capability_url(counter.details(office.ctx, code).capability_url, "https://dichvucong.thanhhoa.gov.vn")
    booth = auth.create_user(office.ctx, "kiosk", "Kiosk sảnh A", Role.KIOSK, "matkhau-kiosk")
    kiosk.rate(office.ctx, booth, link.code, link.key, "very_satisfied", "Cán bộ nhiệt tình")
    window = main_window(qtbot, office, office.clerk, runner, previews)
    with qtbot.waitSignal(window.counter.dossier_opened, timeout=3000) as opened:
        window.counter.open_dossier(code)
    dialog = opened.args[0]
    item = next(dialog.history.topLevelItem(i) for i in range(dialog.history.topLevelItemCount())
                if "bổ sung" in dialog.history.topLevelItem(i).text(1).lower())
    assert all(p in item.toolTip(3) for p in papers)
    dialog.show_history_entry(item)
    assert all(p in dialog.entry_box.informativeText() for p in papers)
    dialog.entry_box.close()
    rating = next(dialog.history.topLevelItem(i) for i in range(dialog.history.topLevelItemCount())
                  if dialog.history.topLevelItem(i).text(1) == "Đánh giá")
    assert rating.text(3) == "★★★ Rất hài lòng (tại kiosk) · “Cán bộ nhiệt tình”"
    dialog.close()


def test_an_empty_search_says_so_in_the_middle(qtbot, office, runner, previews):
    window = main_window(qtbot, office, office.clerk, runner, previews)
    panel = window.counter
    with qtbot.waitSignal(panel.results_changed, timeout=3000):
        panel.search.setText("khong co ai ten nay")
        panel.refresh()
    assert panel.results.currentWidget() is panel.empty and panel.empty.isVisibleTo(panel)
    assert panel.empty.text().startswith("Không tìm thấy hồ sơ nào cho \"khong co ai ten nay\"")
    assert panel.empty.alignment() & Qt.AlignmentFlag.AlignCenter


def test_long_names_carry_tooltips(qtbot, office, runner, previews):
    take_in(office)
    panel = queue_panel(qtbot, office, office.leader, runner, previews)
    from desk_app.ui.common.records import Column, RecordTableModel
    model = RecordTableModel([Column("Tên", lambda r: r)])
    name = "Công ty Cổ phần Đầu tư Xây dựng và Thương mại Hạc Thành"
    model.set_records([name, "Ngắn"])
    assert model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole) == name
    assert model.index(1, 0).data(Qt.ItemDataRole.ToolTipRole) is None
    assert panel.unit_model.columnCount() == 9


# -- words and time -------------------------------------------------------------------------
@pytest.mark.parametrize("who, words", [("specialist", "CÔNG AN XÃ QUẢNG PHÚ"),
                                        ("clerk", "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ"),
                                        ("admin", "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG TỈNH THANH HÓA")])
def test_the_header_names_the_users_unit(qtbot, office, runner, previews, who, words):
    window = main_window(qtbot, office, getattr(office, who), runner, previews)
    assert window.header_title.text() == words
    # the centre's name once: on the right only beside a part of it
    assert window.header_agency.isHidden() == (who == "admin")


def test_a_reversed_period_clears_the_old_figures(qtbot, office, runner):
    take_in(office)
    panel = StatisticsPanel(office.ctx, office.leader, runner)
    qtbot.addWidget(panel)
    panel.set_period(date(2026, 11, 1), date(2026, 11, 30))
    panel.compute()
    assert panel.model.rowCount() > 0 and panel.summary.text()
    panel.set_period(date(2026, 11, 30), date(2026, 11, 1))
    panel.compute()
    assert panel.banner.kind == "error"
    assert panel.model.rowCount() == 0 and panel.indicator_model.rowCount() == 0 and not panel.summary.text()
    assert not panel.report_button.isEnabled() and not panel.register_button.isEnabled()


def contrast(fg: str, bg: str) -> float:
    def lum(h: str) -> float:
        c = [int(h.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        c = [x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4 for x in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]
    a, b = lum(fg), lum(bg)
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def test_the_kiosks_rated_button_is_readable(qtbot):
    import re

    from desk_app.ui.kiosk import pages
    rule = re.search(r"QPushButton#primary:disabled \{([^}]*)\}", pages.STYLESHEET)
    colours = dict(re.findall(r"(?<![-\w])(background|color): (#[0-9a-f]{6})", rule.group(1)))
    assert contrast(colours["color"], colours["background"]) >= 4.5
    page = pages.ProgressPage()
    qtbot.addWidget(page)
    page.rate.setText("Đã đánh giá")
    page.rate.setEnabled(False)
    assert not page.rate.isEnabled()


@pytest.mark.parametrize("who", ["clerk", "specialist", "leader", "admin"])
def test_every_roles_window_fits_1366x768(qtbot, office, runner, previews, who):
    """No screen of any role asks for more width than a 1366-px screen has (the statistics' one
    toolbar once needed 1,430 px and pushed the whole window off the screen)."""
    window = main_window(qtbot, office, getattr(office, who), runner, previews)
    hint = window.minimumSizeHint()
    assert hint.width() <= 1366 and hint.height() <= 728, (who, hint)
    assert window.width() <= 1366


def test_the_kiosk_fits_a_768_px_screen(qtbot):
    """At 1366 x 768 the kiosk's type shrinks in proportion, so its idle screen needs no more height
    than the screen has (the steps ran into the receipt's picture before)."""
    from desk_app.ui.kiosk import pages
    assert pages.scaled_stylesheet(900) == pages.STYLESHEET
    small = pages.scaled_stylesheet(768)
    assert "font-size: 29pt" in small and "font-size: 34pt" not in small      # the title, 85 %
    idle = pages.IdlePage()
    idle.setObjectName("kiosk")
    idle.setStyleSheet(small)
    qtbot.addWidget(idle)
    idle.resize(1366, 768 - 60)                       # under the kiosk's header
    assert idle.minimumSizeHint().height() <= 768 - 60
