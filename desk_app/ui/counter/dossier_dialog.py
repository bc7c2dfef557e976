"""One dossier: its details, attachments and history; view, print or reprint its receipt."""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (QDialog, QFrame, QHBoxLayout, QHeaderView, QLabel, QListWidget, QListWidgetItem,
                               QMessageBox, QPushButton, QScrollArea, QTabWidget, QTreeWidget, QTreeWidgetItem,
                               QVBoxLayout, QWidget)

from ...domain import lifecycle
from ...domain.dossier import ApplicantType
from ...domain.i18n import tr
from ...domain.identity import IdKind
from ...domain.procedures import Channel
from ...domain.roles import Action, may
from ...services import counter, receipts
from ...services.context import CurrentUser, DeskContext
from ...services.counter import DossierDetails
from .. import printing
from ..messages.thread import ThreadView
from .notices_tab import NoticesTab
from .printed_papers import PrintedPapersTab
from ..steps.counter_actions import CounterActions
from ..tasks import TaskRunner
from .model import VERDICT_COLOURS

Preview = Callable[[QWidget, Path], object]


def _fmt(moment) -> str:
    return moment.strftime("%H:%M, %d/%m/%Y")


def _person_html(p: dict) -> str:
    parts = ["<b>%s</b>" % html.escape(p.get("name", ""))]
    if p.get("id_number"):
        kind = IdKind(p.get("id_kind", "cccd")).label
        parts.append("%s: %s" % (html.escape(kind), html.escape(p["id_number"])))
    if p.get("birth_date"):
        parts.append(tr("Ngày sinh: {date}").format(date=date.fromisoformat(p["birth_date"]).strftime("%d/%m/%Y")))
    if p.get("phone"):
        parts.append(tr("Điện thoại: {phone}").format(phone=html.escape(p["phone"])))
    if p.get("email"):
        parts.append(tr("Email: {email}").format(email=html.escape(p["email"])))
    if p.get("address"):
        parts.append(tr("Địa chỉ: {address}").format(address=html.escape(p["address"])))
    return "<br>".join(parts)


def never_received(d: DossierDetails) -> bool:
    """An online submission the counter has not accepted (waiting for its check, or refused or
    withdrawn before it): no time of receipt, no appointment, no receiving clerk, no receipt."""
    return lifecycle.never_received(d.summary.stage)


def details_html(d: DossierDetails) -> str:
    """The dossier as the clerk reads it, in the receipt's order."""
    s = d.summary
    applicant = (tr("Tổ chức, doanh nghiệp") if d.applicant_type == ApplicantType.ORGANISATION.value
                 else tr("Cá nhân"))
    rows = [
        (tr("Thủ tục"), "%s — %s" % (html.escape(d.procedure_code), html.escape(s.procedure_name))),
        (tr("Chủ hồ sơ") + " (%s)" % applicant, _person_html(d.owner)),
    ]
    if d.submitter:
        rows.append((tr("Người nộp hồ sơ"), _person_html(d.submitter)))
    comps = "<br>".join("%d. %s — %s, %s" % (i, html.escape(name), html.escape(form),
                                               tr("{n} bản").format(n=count))
                        for i, (name, form, count) in enumerate(d.components, start=1))
    rows += [
        (tr("Thành phần hồ sơ"), comps or tr("(không có)")),
        (tr("Số bộ hồ sơ"), str(d.sets)),
        (tr("Kênh tiếp nhận"), Channel(d.channel).label),
        (tr("Nhận kết quả"), tr("Qua dịch vụ bưu chính") if d.collect_by_post else tr("Tại Bộ phận Một cửa")),
    ]
    if never_received(d):
        # its time is the citizen's submission's, as the citizen's page says it
        rows.append((tr(lifecycle.SUBMITTED_ONLINE_AT), _fmt(s.received_at)))
        if lifecycle.Stage(s.stage) in lifecycle.AWAITING_CHECK_STAGES:
            rows.append((tr("Hẹn trả kết quả"), tr(lifecycle.APPOINTMENT_AFTER_CHECK)))
    else:
        rows += [
            (tr("Tiếp nhận lúc"), _fmt(s.received_at)),
            (tr("Hẹn trả kết quả"), "<b>%s</b>" % _fmt(s.due_at)),
            (tr("Cán bộ tiếp nhận"), html.escape(d.clerk_name)),
        ]
    if d.notes:
        rows.append((tr("Ghi chú"), html.escape(d.notes)))
    body = "".join("<tr><td style='color:#52606d; padding:4px 14px 4px 0; white-space:nowrap'>%s</td>"
                   "<td style='padding:4px 0'>%s</td></tr>" % (label, value) for label, value in rows)
    return "<table>%s</table>" % body


def _as_list(detail: str) -> str:
    """"Lý do: giấy A; giấy B" (the history's one line) as a reason over one paper per line."""
    head, colon, tail = detail.partition(": ")
    items = (tail if colon else detail).split("; ")
    if len(items) < 2:
        return detail
    return (head + ":\n" if colon else "") + "\n".join("• " + i for i in items)


class DossierDialog(QDialog):
    """Details, attachments, history; receipt preview and reprint with a new QR key."""

    def __init__(self, ctx: DeskContext, user: CurrentUser, runner: TaskRunner, details: DossierDetails,
                 parent: QWidget | None = None, preview: Preview = printing.preview_pdf):
        super().__init__(parent)
        self.ctx, self.user, self.runner, self.preview = ctx, user, runner, preview
        self.details = details
        self.confirm_new_key: Callable[[], bool] = self._ask_new_key
        self.print_direct: Callable[[QWidget, Path], object] = printing.print_pdf
        self.setWindowTitle(tr("Hồ sơ {code}").format(code=details.summary.code))

        self.heading = QLabel()
        self.heading.setObjectName("appTitle")
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.state = QLabel()
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.info.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.attachments = QListWidget()
        self.attachments.itemActivated.connect(self._open_attachment)
        self.history = QTreeWidget()
        self.history.setRootIsDecorated(False)
        self.history.setAlternatingRowColors(True)
        self.history.setHeaderLabels([tr("Thời gian"), tr("Thao tác"), tr("Người thực hiện"), tr("Chi tiết")])
        self.history.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.history.header().setStretchLastSection(True)
        # a long detail (the papers a supplement asks for) is cut in its cell: whole in the
        # tooltip, and in a window of its own on double-click or Enter
        self.history.itemActivated.connect(self.show_history_entry)
        self.tabs = QTabWidget()
        info_page = QWidget()
        QVBoxLayout(info_page).addWidget(self.info)
        info_page.layout().addStretch(1)
        # on a small screen the details scroll instead of being cut off at the bottom
        self.info_scroll = QScrollArea()
        self.info_scroll.setWidgetResizable(True)
        self.info_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.info_scroll.setWidget(info_page)
        self.tabs.addTab(self.info_scroll, tr("Thông tin hồ sơ"))
        self.tabs.addTab(self.attachments, "")
        self.tabs.addTab(self.history, "")
        # the citizen's messages and the counter's replies (Ctrl+Enter sends)
        self.thread = ThreadView(ctx, user, runner)
        self.thread.layout().setContentsMargins(8, 8, 8, 8)
        self.thread.loaded.connect(self._messages_loaded)
        self.tabs.addTab(self.thread, tr("Tin nhắn"))
        # what the citizen was told by Zalo or e-mail (asked of the server when the tab opens)
        self.notices = NoticesTab(ctx, user, runner)
        self.tabs.addTab(self.notices, tr("Thông báo cho công dân"))
        self.tabs.currentChanged.connect(lambda i: self.notices.load() if self.tabs.widget(i) is self.notices else None)
        # every form printed for the dossier, each printed again from its kept PDF (issue 12)
        self.papers = PrintedPapersTab(ctx, user, runner, preview)
        self.papers.loaded.connect(lambda n: self.tabs.setTabText(self.tabs.indexOf(self.papers),
                                                                  tr("Giấy tờ đã in ({n})").format(n=n)))
        self.tabs.addTab(self.papers, tr("Giấy tờ đã in"))

        self.view_button = QPushButton(tr("Xem / in giấy tiếp nhận"))
        self.view_button.setObjectName("primary")
        self.view_button.clicked.connect(self.view_receipt)
        self.print_button = QPushButton(tr("In ngay"))   # its tooltip: show_details
        self.print_button.clicked.connect(self.print_receipt)
        self.new_key_button = QPushButton(tr("In lại với mã QR mới"))
        self.new_key_button.setObjectName("danger")
        self.new_key_button.clicked.connect(self.reprint_new_key)
        for button in (self.view_button, self.print_button, self.new_key_button):
            button.setVisible(may(user.role, Action.PRINT_RECEIPT))
        close = QPushButton(tr("Đóng"))
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_key_button)
        buttons.addStretch(1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.view_button)
        buttons.addWidget(close)

        self.actions = CounterActions(ctx, user, runner, preview, self)  # the counter's workflow steps
        self.actions.changed.connect(self._reload)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.state)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.actions)
        layout.addLayout(buttons)
        self.show_details(details)
        self.fit_screen()

    def fit_screen(self) -> None:
        """1000 x 700 where there is room (its six tabs side by side), never more than the screen's
        free area (a 1366 x 768 screen leaves about 728 px under the task bar), centred on it."""
        screen = (self.parentWidget().screen() if self.parentWidget() is not None else None) \
            or QGuiApplication.primaryScreen()
        if screen is None:
            self.resize(1000, 700)
            return
        free = screen.availableGeometry()
        frame = 40  # the title bar and borders the window manager adds
        width, height = min(1000, free.width() - 16), min(700, free.height() - frame)
        self.setMaximumHeight(free.height() - frame)
        self.resize(width, height)
        self.move(free.x() + (free.width() - width) // 2, free.y() + max(0, (free.height() - frame - height) // 2))

    def show_details(self, d: DossierDetails) -> None:
        self.details = d
        s = d.summary
        self.notices.show_dossier(s.code)
        self.papers.show_dossier(s.code)
        self.heading.setText(tr("Hồ sơ {code}").format(code=s.code))
        fg, _bg = VERDICT_COLOURS.get(s.verdict, ("#1f2933", None))
        state = tr("Trạng thái: <b>{status}</b> &nbsp;·&nbsp; Tiến độ: <b style='color:{colour}'>{verdict}</b>").format(
            status=s.status.label, colour=fg, verdict=s.verdict.label)
        if not never_received(d):   # an appointment is given at acceptance
            state += " &nbsp;·&nbsp; " + tr("Hẹn trả: <b>{due}</b>").format(due=_fmt(s.due_at))
        self.state.setText(state)
        # no receipt before acceptance: the buttons say why (the service refuses it too)
        why = receipts.refusal(s.code, s.stage)
        for button, tip in ((self.view_button, ""),
                            (self.print_button, tr("Chọn máy in và in giấy tiếp nhận, không xem trước")),
                            (self.new_key_button, "")):
            button.setEnabled(why is None)
            button.setToolTip(why or tip)
        self.info.setText(details_html(d))
        self.attachments.clear()
        for a in d.attachments:
            item = QListWidgetItem("%s  (%s)" % (a.filename, tr("{kb} KB").format(kb=max(1, a.size // 1024))))
            item.setData(Qt.ItemDataRole.UserRole, str(a.path))
            item.setToolTip(tr("Nhấn đúp hoặc Enter để mở tệp"))
            self.attachments.addItem(item)
        self.tabs.setTabText(1, tr("Tệp đính kèm ({n})").format(n=len(d.attachments)))
        self.history.clear()
        for h in d.history:
            item = QTreeWidgetItem([_fmt(h.at), h.label, h.actor, h.detail])
            if h.detail:
                item.setToolTip(3, "<p>%s</p>" % html.escape(h.detail))  # rich text: Qt wraps it
            self.history.addTopLevelItem(item)
        self.tabs.setTabText(2, tr("Lịch sử xử lý ({n})").format(n=len(d.history)))
        self.actions.show_for(d)
        self.thread.load(s.code)

    def show_history_entry(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        """One history row whole, wrapped: what a supplement asked for, a refusal's reasons..."""
        box = QMessageBox(self)
        box.setWindowTitle(item.text(1))
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText("%s — %s" % (item.text(0), item.text(2)))
        box.setInformativeText(_as_list(item.text(3)) or tr("(không có chi tiết)"))
        box.setStandardButtons(QMessageBox.StandardButton.Close)
        self.entry_box = box
        box.open()

    def _messages_loaded(self, n: int) -> None:
        waiting = sum(1 for m in self.thread.items if m.from_citizen and not m.answered)
        self.tabs.setTabText(self.tabs.indexOf(self.thread),
                             tr("Tin nhắn ({n}, {w} chờ trả lời)").format(n=n, w=waiting) if waiting
                             else tr("Tin nhắn ({n})").format(n=n))

    def show_messages(self) -> None:
        """Bring the thread forward, the reply box ready."""
        self.tabs.setCurrentWidget(self.thread)
        self.thread.reply_box.setFocus()

    def _reload(self, code: str) -> None:
        self.runner.run(lambda: counter.details(self.ctx, code), on_done=self.show_details, parent=self)

    def _open_attachment(self, item: QListWidgetItem) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(item.data(Qt.ItemDataRole.UserRole)))

    # -- receipts ----------------------------------------------------------------------
    def view_receipt(self) -> None:
        """Preview the kept receipt; a dossier without one gets it made first."""
        self._with_receipt(lambda path: self.preview(self, path))

    def print_receipt(self) -> None:
        """Straight to the printer the clerk chooses, without the preview."""
        self._with_receipt(lambda path: self.print_direct(self, path))

    def _with_receipt(self, use: Callable[[Path], object]) -> None:
        path = self.details.receipt_path
        if path is not None and path.exists():
            use(path)
            return
        code = self.details.summary.code
        self.runner.run(lambda: receipts.produce(self.ctx, self.user, code),
                        on_done=lambda made: self._produced(made, use), parent=self)

    def _ask_new_key(self) -> bool:
        answer = QMessageBox.question(
            self, tr("In lại với mã QR mới"),
            tr("Mã QR trên giấy tiếp nhận cũ sẽ không còn dùng được để tra cứu hồ sơ. "
               "Chỉ làm khi người dân làm mất giấy tiếp nhận hoặc lộ mã QR.\n\nTiếp tục in lại với mã QR mới?"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def reprint_new_key(self) -> None:
        if not self.confirm_new_key():
            return
        code = self.details.summary.code
        self.runner.run(lambda: receipts.produce(self.ctx, self.user, code, replace_key=True),
                        on_done=lambda path: self._produced(path, lambda p: self.preview(self, p)), parent=self)

    def _produced(self, path: Path, use: Callable[[Path], object]) -> None:
        code = self.details.summary.code
        self.runner.run(lambda: counter.details(self.ctx, code), on_done=self.show_details, parent=self)
        use(path)
