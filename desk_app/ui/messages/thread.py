"""One dossier's messages with the citizen, in order, and the box the counter replies in."""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from ...domain.i18n import tr
from ...domain.roles import Action, may
from ...services import messages
from ...services.context import CurrentUser, DeskContext, ServiceError
from ...services.messages import ThreadMessage
from ..common.banner import Banner
from ..tasks import TaskRunner


def channel_label(channel: str) -> str:
    return {"web": tr("qua trang tra cứu"), "zalo": tr("qua Zalo"), "kiosk": tr("tại kiosk")}.get(channel, channel)


def thread_html(items: list[ThreadMessage]) -> str:
    """The thread as the clerk reads it: the citizen's on the left, the counter's on the right;
    every text escaped (a citizen writes what they like)."""
    if not items:
        return "<p style='color:#52606d'>%s</p>" % html.escape(tr("Chưa có tin nhắn nào về hồ sơ này."))
    rows = []
    for m in items:
        when = m.at.strftime("%H:%M %d/%m/%Y")
        if m.from_citizen:
            head = html.escape("%s · %s · %s" % (tr("Công dân"), when, channel_label(m.channel)))
            if not m.answered:
                head += " · <b style='color:#b85c00'>%s</b>" % html.escape(tr("chờ trả lời"))
            colour, margin = "#f1f4f8", "margin-right:80px"
        else:
            head = "%s · %s" % (html.escape(tr("Trả lời của {name}").format(name=m.author)), when)
            if not m.synced:
                head += " · <i>%s</i>" % html.escape(tr("chờ gửi lên máy chủ"))
            colour, margin = "#e3eefb", "margin-left:80px"
        body = html.escape(m.text).replace("\n", "<br>")
        rows.append("<table width='100%%' cellpadding='8' style='%s; margin-bottom:8px; background:%s'>"
                    "<tr><td><span style='color:#52606d; font-size:9pt'>%s</span><br>%s</td></tr></table>"
                    % (margin, colour, head, body))
    return "".join(rows)


class ReplyEdit(QPlainTextEdit):
    """The reply box: Ctrl+Enter sends, Escape gives the focus back."""

    send_requested = Signal()
    escaped = Signal()

    @staticmethod
    def _ours(event: QKeyEvent) -> bool:
        return event.key() == Qt.Key.Key_Escape or (
            event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier))

    def event(self, event) -> bool:
        # before any window shortcut (the intake form's Escape clears the form): these keys are the box's
        if event.type() == QEvent.Type.ShortcutOverride and self._ours(event):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and \
                event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.send_requested.emit()
            return
        if event.key() == Qt.Key.Key_Escape:
            self.escaped.emit()
            return
        super().keyPressEvent(event)


class ThreadView(QWidget):
    """``load(code)`` shows a dossier's thread; ``replied(code)`` after a reply is saved."""

    replied = Signal(str)
    loaded = Signal(int)      # how many messages

    def __init__(self, ctx: DeskContext, user: CurrentUser, runner: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.user, self.runner = ctx, user, runner
        self.code: str | None = None
        self.items: list[ThreadMessage] = []
        self.title = QLabel()
        self.title.setObjectName("subtitle")
        self.view = QTextBrowser()
        self.view.setOpenLinks(False)
        self.view.setPlaceholderText(tr("Chọn một hồ sơ để xem tin nhắn."))
        self.banner = Banner()
        self.reply_box = ReplyEdit()
        self.reply_box.setPlaceholderText(tr("Nhập nội dung trả lời công dân… (Ctrl+Enter để gửi)"))
        self.reply_box.setTabChangesFocus(True)
        self.reply_box.setFixedHeight(96)
        self.reply_box.textChanged.connect(self._count)
        self.reply_box.send_requested.connect(self.send)
        self.length = QLabel()
        self.length.setObjectName("subtitle")
        self.send_button = QPushButton(tr("Gửi trả lời (Ctrl+Enter)"))
        self.send_button.setObjectName("primary")
        self.send_button.clicked.connect(self.send)
        row = QHBoxLayout()
        row.addWidget(self.length)
        row.addStretch(1)
        row.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.banner)
        layout.addWidget(self.reply_box)
        layout.addLayout(row)
        can_reply = may(user.role, Action.ANSWER_CITIZENS)
        for w in (self.reply_box, self.length, self.send_button):
            w.setVisible(can_reply)
        self._count()
        self.set_enabled(False)

    def set_enabled(self, enabled: bool) -> None:
        self.reply_box.setEnabled(enabled)
        self.send_button.setEnabled(enabled)

    def _count(self) -> None:
        n = len(self.reply_box.toPlainText())
        self.length.setText(tr("{n}/{max} ký tự").format(n=n, max=messages.MAX_MESSAGE))
        self.length.setStyleSheet("color: #b71c1c;" if n > messages.MAX_MESSAGE else "")

    def load(self, code: str | None) -> None:
        self.code = code
        self.banner.clear_message()
        if not code:
            self.items = []
            self.title.setText("")
            self.view.setHtml("")
            self.set_enabled(False)
            return
        ctx, user = self.ctx, self.user
        self.runner.run(lambda: messages.thread(ctx, user, code), on_done=lambda items: self._show(code, items),
                        parent=self)

    def _show(self, code: str, items: list[ThreadMessage]) -> None:
        if code != self.code:  # another dossier was picked meanwhile
            return
        self.items = items
        waiting = sum(1 for m in items if m.from_citizen and not m.answered)
        self.title.setText(tr("Hồ sơ {code}: {n} tin nhắn, {w} chờ trả lời").format(code=code, n=len(items), w=waiting))
        self.view.setHtml(thread_html(items))
        bar = self.view.verticalScrollBar()
        bar.setValue(bar.maximum())  # the newest at the bottom, in sight
        self.set_enabled(True)
        self.loaded.emit(len(items))

    def send(self) -> None:
        if self.code is None or not self.send_button.isEnabled():
            return
        ctx, user, code, text = self.ctx, self.user, self.code, self.reply_box.toPlainText()
        try:
            messages.check_reply(text)   # said at once, before any database work
        except ServiceError as e:
            self.banner.say("error", str(e))
            return
        self.set_enabled(False)

        def done(_message) -> None:
            self.reply_box.clear()
            self.banner.say("ok", tr("Đã gửi trả lời. Công dân sẽ thấy trên trang tra cứu hồ sơ sau lần đồng bộ tới."))
            self.replied.emit(code)
            self.load(code)

        def failed(error: BaseException) -> None:
            self.set_enabled(True)
            if isinstance(error, ServiceError):
                self.banner.say("error", str(error))
            else:
                self.runner.report_error(error, self)
        self.runner.run(lambda: messages.reply(ctx, user, code, text), on_done=done, on_error=failed, parent=self)
