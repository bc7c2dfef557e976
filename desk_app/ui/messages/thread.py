"""One dossier's messages with the citizen, in order, and the box the counter replies in."""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, Qt, QUrl, Signal
from PySide6.QtGui import QImage, QKeyEvent, QPixmap, QTextDocument
from PySide6.QtWidgets import (QDialog, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QScrollArea, QTextBrowser,
                               QVBoxLayout, QWidget)

from ...domain.i18n import tr
from ...domain.roles import Action, may
from ...services import messages
from ...services.context import CurrentUser, DeskContext, ServiceError
from ...services.messages import ThreadMessage
from ..common.banner import Banner
from ..tasks import TaskRunner


def channel_label(channel: str) -> str:
    return {"web": tr("qua trang tra cứu"), "zalo": tr("qua Zalo"), "kiosk": tr("tại kiosk")}.get(channel, channel)


THUMB = 160   # a citizen's image in the thread: at most this wide and high, click for the whole


def image_url(sha256: str) -> str:
    """The thread's link (and the document's resource) of one image."""
    return "image:" + sha256


def images_html(m: ThreadMessage, shown: set[str]) -> str:
    """The message's images: a thumbnail to click once fetched, else a line saying it is coming;
    and how many files the server did not keep."""
    parts = []
    for sha in m.images:
        if sha in shown:
            parts.append("<a href='%s'><img src='%s'></a>" % (image_url(sha), image_url(sha)))
        else:
            parts.append("<a href='%s' style='color:#52606d'>[%s]</a>" % (image_url(sha), html.escape(tr("Ảnh đang tải…"))))
    out = "<br>" + " ".join(parts) if parts else ""
    if m.refused:
        out += "<br><i style='color:#b85c00'>%s</i>" % html.escape(
            tr("{n} tệp công dân gửi không nhận được (chỉ nhận ảnh JPEG, PNG, WebP).").format(n=m.refused))
    return out


def thread_html(items: list[ThreadMessage], shown: set[str] | None = None) -> str:
    """The thread as the clerk reads it: the citizen's on the left, the counter's on the right;
    every text escaped (a citizen writes what they like). ``shown``: the images whose thumbnails
    the document holds."""
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
        body = html.escape(m.text).replace("\n", "<br>") + images_html(m, shown or set())
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


class ImageDialog(QDialog):
    """A citizen's image at its full size (scrolled if larger than the screen)."""

    def __init__(self, path: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(tr("Ảnh công dân gửi"))
        self.label = QLabel()
        self.label.setPixmap(QPixmap(path))
        area = QScrollArea()
        area.setWidget(self.label)
        area.setAlignment(Qt.AlignmentFlag.AlignCenter)
        close = QPushButton(tr("Đóng"))
        close.clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(area, 1)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignRight)
        size = self.label.pixmap().size()
        self.resize(min(1000, size.width() + 60), min(760, size.height() + 100))


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
        self.view.anchorClicked.connect(self._clicked)
        self.shown: dict[str, QImage] = {}      # thumbnails in the document, by SHA-256
        self.paths: dict[str, str] = {}         # the fetched images at the desk
        self.fetching: set[str] = set()
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
        self._render()
        bar = self.view.verticalScrollBar()
        bar.setValue(bar.maximum())  # the newest at the bottom, in sight
        self.set_enabled(True)
        self.loaded.emit(len(items))
        for m in items:
            for sha in m.images:
                self._fetch(code, sha)

    def _render(self) -> None:
        doc = self.view.document()
        for sha, thumb in self.shown.items():
            doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(image_url(sha)), thumb)
        bar = self.view.verticalScrollBar()
        at_end = bar.value() >= bar.maximum() - 4
        self.view.setHtml(thread_html(self.items, set(self.shown)))
        if at_end:
            bar.setValue(bar.maximum())

    def _fetch(self, code: str, sha: str) -> None:
        """Fetch the image (once) and make its thumbnail, off the GUI thread."""
        if sha in self.shown or sha in self.fetching:
            return
        self.fetching.add(sha)
        ctx, user = self.ctx, self.user

        def work():
            path = messages.image(ctx, user, code, sha)
            image = QImage(str(path))
            if image.isNull():
                raise ServiceError(tr("Ảnh công dân gửi không mở được."))
            return str(path), image.scaled(THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio,
                                           Qt.TransformationMode.SmoothTransformation)

        def done(result) -> None:
            self.fetching.discard(sha)
            self.paths[sha], self.shown[sha] = result
            if code == self.code:
                self._render()

        def failed(error: BaseException) -> None:
            self.fetching.discard(sha)
            if code == self.code:
                self.banner.say("error", str(error) if isinstance(error, ServiceError) else
                                tr("Chưa tải được ảnh công dân gửi."))
        self.runner.run(work, on_done=done, on_error=failed, parent=self)

    def _clicked(self, url: QUrl) -> None:
        text = url.toString()
        if not text.startswith("image:"):
            return
        sha = text[len("image:"):]
        if sha in self.paths:
            ImageDialog(self.paths[sha], self).open()
        elif self.code:
            self._fetch(self.code, sha)

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
