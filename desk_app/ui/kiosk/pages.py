"""The kiosk's screens, in large type for people who may not read small print: idle (how to
hold the receipt, the live camera), the dossier's progress, the rating, and a message."""

from __future__ import annotations

import re

from datetime import datetime

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (QButtonGroup, QFrame, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QScrollArea, QSizePolicy, QVBoxLayout, QWidget)

from ...domain.dossier import Rating, Status
from ...domain.i18n import tr
from ..camera.view import CameraView

BLUE = "#0d4a8f"
GREEN = "#1b7f3b"
ORANGE = "#b85c00"
RED = "#b3261e"
GREY = "#3e4c59"

STYLESHEET = """
QWidget#kiosk { background: #eef3f9; }
QWidget#kiosk QLabel { color: #13202e; font-size: 21pt; }
QWidget#kiosk QFrame#kioskHeader { background: %(blue)s; }
QWidget#kiosk QFrame#kioskHeader QLabel { color: white; font-size: 19pt; font-weight: bold; }
QWidget#kiosk QLabel#kioskClock { font-size: 19pt; }
QWidget#kiosk QLabel#title { font-size: 34pt; font-weight: bold; color: %(blue)s; }
QWidget#kiosk QLabel#lead { font-size: 22pt; color: #33475b; }
QWidget#kiosk QLabel#step { font-size: 23pt; }
QWidget#kiosk QLabel#stepNumber { font-size: 24pt; font-weight: bold; color: white; background: %(blue)s;
                    border-radius: 28px; min-width: 56px; max-width: 56px; min-height: 56px; max-height: 56px; }
QWidget#kiosk QLabel#banner { font-size: 26pt; font-weight: bold; color: white; background: %(green)s; border-radius: 14px;
                padding: 16px 24px; }
QWidget#kiosk QLabel#busy { font-size: 24pt; font-weight: bold; color: %(blue)s; }
QWidget#kiosk QLabel#status { font-size: 26pt; font-weight: bold; color: white; border-radius: 14px; padding: 18px 24px; }
QWidget#kiosk QLabel#factLabel { font-size: 20pt; color: #52606d; }
QWidget#kiosk QLabel#factValue { font-size: 23pt; font-weight: bold; }
QWidget#kiosk QLabel#note { font-size: 17pt; color: #52606d; }
QWidget#kiosk QLabel#timelineDate { font-size: 19pt; color: #52606d; }
QWidget#kiosk QLabel#timelineText { font-size: 21pt; }
QWidget#kiosk QLabel#message { font-size: 28pt; font-weight: bold; }
QWidget#kiosk QLabel#messageIcon { font-size: 54pt; font-weight: bold; color: white; background: %(orange)s;
                    border-radius: 55px; min-width: 110px; max-width: 110px; min-height: 110px; max-height: 110px; }
QWidget#kiosk QFrame#card { background: white; border: 1px solid #c9d6e4; border-radius: 16px; }
QWidget#kiosk QFrame#notices { background: #fff8e6; border: 2px solid #f0c27a; border-radius: 16px; }
QWidget#kiosk QLabel#noticeHeading { font-size: 15pt; font-weight: bold; color: %(orange)s; }
QWidget#kiosk QLabel#noticeTitle { font-size: 18pt; font-weight: bold; color: #13202e; }
QWidget#kiosk QLabel#noticeBody { font-size: 15pt; color: #33475b; }
QWidget#kiosk QPushButton { font-size: 24pt; font-weight: bold; border-radius: 16px; padding: 18px 36px; min-height: 64px;
              background: white; color: #13202e; border: 3px solid #9aa5b1; }
QWidget#kiosk QPushButton#primary { background: %(blue)s; color: white; border: 3px solid %(blue)s; }
QWidget#kiosk QPushButton:disabled, QWidget#kiosk QPushButton#primary:disabled {
              background: #e4e9ef; color: #3e4c59; border-color: #b8c2cc; }
QWidget#kiosk QPushButton#face { font-size: 24pt; padding: 12px; min-height: 230px; min-width: 250px; border-width: 4px; }
QWidget#kiosk QPushButton#face:checked { border: 8px solid %(blue)s; background: #dce9f8; }
QWidget#kiosk QScrollBar:vertical { width: 28px; background: #e4ebf3; border-radius: 14px; }
QWidget#kiosk QScrollBar::handle:vertical { background: #9aa5b1; border-radius: 14px; min-height: 60px; }
QWidget#kiosk QScrollBar::add-line, QWidget#kiosk QScrollBar::sub-line { height: 0; }
QWidget#kiosk QLineEdit { font-size: 22pt; padding: 14px; border: 2px solid #9aa5b1; border-radius: 12px; background: white; }
""" % {"blue": BLUE, "green": GREEN, "orange": ORANGE}

DESIGN_HEIGHT = 900  # the kiosk's type and spacing are drawn for a screen this tall


def scaled_stylesheet(height: int) -> str:
    """The kiosk's style for a screen ``height`` px tall: on a 1366 x 768 screen the type and the
    paddings shrink in proportion (never below 70 %), so the steps no longer run into the picture."""
    scale = max(0.7, min(1.0, round(height / DESIGN_HEIGHT / 0.05) * 0.05))
    if scale >= 1.0:
        return STYLESHEET
    return re.sub(r"(\d+)(pt|px)", lambda m: "%d%s" % (max(1, round(int(m.group(1)) * scale)), m.group(2)),
                  STYLESHEET)


def _label(text: str = "", name: str = "", wrap: bool = True) -> QLabel:
    label = QLabel(text)
    if name:
        label.setObjectName(name)
    label.setWordWrap(wrap)
    return label


def _when(at: datetime) -> str:
    return tr("{time} ngày {date}").format(time=at.strftime("%H:%M"), date=at.strftime("%d/%m/%Y"))


class ReceiptPicture(QWidget):
    """A drawing of the receipt held up with its QR towards the camera: what to do, without words."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMinimumSize(200, 110)  # it gives way first on a short screen
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        h = self.height()
        s = min(self.width() / 1.5, h) / 200.0
        ox = (self.width() - 300 * s) / 2
        # the sheet, with text lines and its QR in a green frame
        sheet = QRectF(ox + 10 * s, 10 * s, 120 * s, 170 * s)
        p.setPen(QPen(QColor("#7b8794"), 2))
        p.setBrush(QColor("white"))
        p.drawRect(sheet)
        p.setPen(QPen(QColor("#c1c9d2"), 4 * s))
        for i in range(5):
            y = sheet.top() + (22 + 14 * i) * s
            p.drawLine(QPointF(sheet.left() + 12 * s, y), QPointF(sheet.right() - (50 if i < 3 else 12) * s, y))
        qr = QRectF(sheet.right() - 48 * s, sheet.top() + 14 * s, 38 * s, 38 * s)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("#13202e"))
        cell = qr.width() / 7
        pattern = ["1110111", "1010101", "1110111", "0001000", "1110101", "1010010", "1110111"]
        for r, row in enumerate(pattern):
            for c, bit in enumerate(row):
                if bit == "1":
                    p.drawRect(QRectF(qr.left() + c * cell, qr.top() + r * cell, cell, cell))
        p.setPen(QPen(QColor("#34d17a"), 5 * s))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRoundedRect(qr.adjusted(-7 * s, -7 * s, 7 * s, 7 * s), 6 * s, 6 * s)
        # an arrow towards the camera
        arrow = QPen(QColor(BLUE), 7 * s)
        arrow.setCapStyle(Qt.PenCapStyle.RoundCap)
        p.setPen(arrow)
        a, b = QPointF(ox + 150 * s, 95 * s), QPointF(ox + 215 * s, 95 * s)
        p.drawLine(a, b)
        p.drawLine(b, QPointF(b.x() - 16 * s, b.y() - 14 * s))
        p.drawLine(b, QPointF(b.x() - 16 * s, b.y() + 14 * s))
        # the camera
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("#2d3a48"))
        p.drawRoundedRect(QRectF(ox + 232 * s, 68 * s, 62 * s, 54 * s), 10 * s, 10 * s)
        p.setBrush(QColor("#8fb8e8"))
        p.drawEllipse(QPointF(ox + 263 * s, 95 * s), 17 * s, 17 * s)
        p.setBrush(QColor("#13202e"))
        p.drawEllipse(QPointF(ox + 263 * s, 95 * s), 8 * s, 8 * s)
        p.end()


class IdlePage(QWidget):
    """How to hold the receipt, beside the live camera."""

    MAX_NOTICES = 3
    MAX_BODY = 160   # characters of a body shown; the whole one is on the public page

    def __init__(self, parent: QWidget | None = None, mirror: bool = True):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 24)
        layout.setSpacing(28)
        left = QVBoxLayout()
        left.setSpacing(16)
        # the centre's current announcements, under the camera (hidden when none): the camera
        # gives up the room, the steps beside it keep theirs
        self.notices = QFrame()
        self.notices.setObjectName("notices")
        self.notices_layout = QVBoxLayout(self.notices)
        self.notices_layout.setContentsMargins(24, 14, 24, 14)
        self.notices_layout.setSpacing(6)
        self.notices.hide()
        self.notice_labels: list[QLabel] = []
        self.camera = CameraView(mirror=mirror, aim=0.6, fill=True, guide_text=tr("Đưa mã QR vào khung xanh"))
        self.camera.hint_text = tr("Đã thấy mã. Xin giữ yên giấy, đưa lại gần hơn một chút")
        left.addWidget(self.camera, 1)
        left.addWidget(self.notices)
        layout.addLayout(left, 11)
        side = QVBoxLayout()
        side.setSpacing(14)
        side.addWidget(_label(tr("TRA CỨU HỒ SƠ"), "title"))
        side.addWidget(_label(tr("Xem hồ sơ của ông/bà đang ở đâu và ngày nào có kết quả."), "lead"))
        side.addWidget(ReceiptPicture(), 1)
        steps = [tr("Cầm giấy tiếp nhận hồ sơ (giấy hẹn), mặt có mã QR quay về phía camera."),
                 tr("Đưa mã QR (ô vuông đen trắng) vào giữa khung xanh trên màn hình."),
                 tr("Giữ yên giấy một chút, cách camera khoảng một gang tay.")]
        for n, text in enumerate(steps, 1):
            row = QHBoxLayout()
            number = _label(str(n), "stepNumber", wrap=False)
            number.setAlignment(Qt.AlignmentFlag.AlignCenter)
            row.addWidget(number, 0, Qt.AlignmentFlag.AlignTop)
            row.addWidget(_label(text, "step"), 1)
            side.addLayout(row)
        side.addStretch(1)
        self.busy = _label(tr("Đang tìm hồ sơ, xin chờ một chút..."), "busy")
        self.busy.hide()
        side.addWidget(self.busy)
        self.banner = _label("", "banner")
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.banner.hide()
        side.addWidget(self.banner)
        side.addWidget(_label(tr("Không có giấy hẹn, hoặc cần giúp đỡ? Xin mời hỏi cán bộ tại quầy."), "note"))
        layout.addLayout(side, 9)

    def show_state(self, busy: bool, banner: str) -> None:
        self.busy.setVisible(busy)
        self.banner.setText(banner)
        self.banner.setVisible(bool(banner))

    def show_announcements(self, items: list[tuple[str, str]]) -> None:
        """(title, body) of the announcements valid now, the newest first; a few at most, as plain text."""
        for label in self.notice_labels:
            self.notices_layout.removeWidget(label)
            label.deleteLater()
        self.notice_labels = []
        items = items[: self.MAX_NOTICES]
        if items:
            heading = _label(tr("THÔNG BÁO CỦA TRUNG TÂM"), "noticeHeading")
            self.notice_labels.append(heading)
            for title, body in items:
                text = " ".join(body.split())
                if len(text) > self.MAX_BODY:
                    text = text[: self.MAX_BODY - 1].rstrip() + "…"
                self.notice_labels.append(_label(title, "noticeTitle"))
                self.notice_labels.append(_label(text, "noticeBody"))
            for label in self.notice_labels:
                label.setTextFormat(Qt.TextFormat.PlainText)
                self.notices_layout.addWidget(label)
        self.notices.setVisible(bool(items))


class ProgressPage(QWidget):
    """Where the dossier is: procedure, masked owner, dates, holder, verdict and a timeline."""

    rate_clicked = Signal()
    done_clicked = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 24, 40, 24)
        layout.setSpacing(16)
        self.procedure = _label("", "title")
        layout.addWidget(self.procedure)
        self.status = _label("", "status")
        layout.addWidget(self.status)
        body = QHBoxLayout()
        body.setSpacing(24)
        facts = QFrame()
        facts.setObjectName("card")
        grid = QGridLayout(facts)
        grid.setContentsMargins(24, 18, 24, 18)
        grid.setHorizontalSpacing(20)
        grid.setVerticalSpacing(12)
        self.values: dict[str, QLabel] = {}
        for row, (key, label) in enumerate([("owner", tr("Người nộp")), ("code", tr("Mã hồ sơ")),
                                            ("received", tr("Ngày nhận")), ("due", tr("Ngày hẹn trả")),
                                            ("holder", tr("Hồ sơ đang ở")), ("verdict", tr("Tiến độ"))]):
            grid.addWidget(_label(label, "factLabel", wrap=False), row, 0, Qt.AlignmentFlag.AlignTop)
            value = _label("", "factValue")
            grid.addWidget(value, row, 1)
            self.values[key] = value
        grid.setColumnStretch(1, 1)
        body.addWidget(facts, 11)
        history = QFrame()
        history.setObjectName("card")
        hl = QVBoxLayout(history)
        hl.setContentsMargins(24, 18, 24, 18)
        hl.addWidget(_label(tr("Các bước đã qua (mới nhất ở trên)"), "factLabel"))
        self.timeline = QVBoxLayout()
        self.timeline.setSpacing(8)
        holder = QWidget()
        holder.setLayout(self.timeline)
        scroll = QScrollArea()
        scroll.setWidget(holder)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setStyleSheet("background: transparent;")
        hl.addWidget(scroll, 1)
        body.addWidget(history, 9)
        layout.addLayout(body, 1)
        buttons = QHBoxLayout()
        self.note = _label(tr("Màn hình sẽ tự trở về sau 30 giây nếu không chạm."), "note")
        buttons.addWidget(self.note, 1)
        self.rate = QPushButton(tr("Đánh giá cán bộ"))
        self.rate.setObjectName("primary")
        self.rate.clicked.connect(self.rate_clicked)
        self.done = QPushButton(tr("Xong"))
        self.done.clicked.connect(self.done_clicked)
        buttons.addWidget(self.rate)
        buttons.addWidget(self.done)
        layout.addLayout(buttons)
        self._shown = None

    def show_view(self, view) -> None:
        if view is self._shown:
            return
        self._shown = view
        self.procedure.setText(view.procedure_name)
        self.status.setText(view.status_text)
        self.status.setStyleSheet("background: %s;" % _status_colour(view.status))
        self.values["owner"].setText(view.owner_masked)
        self.values["code"].setText(view.code)
        self.values["received"].setText(_when(view.received_at))
        due = _when(view.due_at)
        if view.result_ready_at is not None:
            due = tr("Đã có kết quả từ {when}, mời ông/bà đến nhận").format(when=_when(view.result_ready_at))
        elif view.appointment_moved == "later":
            due += "\n" + tr("(đã đổi, hẹn ban đầu là ngày {first})").format(first=view.first_due_at.strftime("%d/%m/%Y"))
            if view.apology_reason:
                due += "\n" + tr("Lý do: {reason}").format(reason=view.apology_reason)
        elif view.appointment_moved == "earlier":
            due += "\n" + tr("(đã đổi sớm hơn, hẹn ban đầu là ngày {first})").format(
                first=view.first_due_at.strftime("%d/%m/%Y"))
        self.values["due"].setText(due)
        self.values["holder"].setText(view.holder)
        self.values["verdict"].setText(view.verdict_text)
        colour = {"bad": RED, "warn": ORANGE, "good": GREEN}.get(view.verdict.tone, GREY)
        self.values["verdict"].setStyleSheet("color: %s;" % colour)
        while self.timeline.count():
            item = self.timeline.takeAt(0)
            if item.widget() is not None:
                item.widget().hide()
                item.widget().setParent(None)
        for step in reversed(view.timeline):  # the newest first: it is what the citizen wants to know
            box = QWidget()
            row = QVBoxLayout(box)
            row.setContentsMargins(0, 0, 0, 6)
            row.setSpacing(0)
            row.addWidget(_label(_when(step.at), "timelineDate"))
            row.addWidget(_label(step.text, "timelineText"))
            self.timeline.addWidget(box)
        self.timeline.addStretch(1)
        self.rate.setText(tr("Đã đánh giá") if view.rated else tr("Đánh giá cán bộ"))
        self.rate.setEnabled(not view.rated)


def _status_colour(status: Status) -> str:
    if status in (Status.RESULT_READY, Status.RETURNED):
        return GREEN
    if status in (Status.SUPPLEMENT_REQUESTED, Status.PAYMENT_REQUESTED, Status.REFUSED, Status.STOPPED):
        return ORANGE  # the citizen has something to do
    return BLUE


class Face(QWidget):
    """A smiling, content or unhappy face: the rating understood before it is read."""

    def __init__(self, mood: int, colour: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.mood, self.colour = mood, colour
        self.setFixedSize(120, 120)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = QRectF(6, 6, 108, 108)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(self.colour))
        p.drawEllipse(r)
        p.setBrush(QColor("white"))
        p.drawEllipse(QPointF(42, 48), 8, 10)
        p.drawEllipse(QPointF(78, 48), 8, 10)
        pen = QPen(QColor("white"), 8)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        if self.mood == 2:
            p.drawArc(QRectF(30, 44, 60, 46), 200 * 16, 140 * 16)
        elif self.mood == 1:
            p.drawArc(QRectF(34, 58, 52, 24), 210 * 16, 120 * 16)
        else:
            p.drawArc(QRectF(34, 74, 52, 34), 30 * 16, 120 * 16)
        p.end()


class RatingPage(QWidget):
    submitted = Signal(str, str)   # level, comment
    back_clicked = Signal()

    LEVELS = ((Rating.VERY_SATISFIED, 2, GREEN), (Rating.SATISFIED, 1, BLUE), (Rating.UNSATISFIED, 0, RED))

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 28, 40, 28)
        layout.setSpacing(18)
        layout.addWidget(_label(tr("Ông/bà có hài lòng với cán bộ tiếp nhận hồ sơ không?"), "title"))
        self.clerk = _label("", "lead")
        layout.addWidget(self.clerk)
        layout.addWidget(_label(tr("Chạm vào một khuôn mặt, rồi chạm \"Gửi đánh giá\"."), "lead"))
        faces = QHBoxLayout()
        faces.setSpacing(28)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[str, QPushButton] = {}
        for level, mood, colour in self.LEVELS:
            button = QPushButton()
            button.setObjectName("face")
            button.setCheckable(True)
            inner = QVBoxLayout(button)
            inner.setContentsMargins(12, 16, 12, 16)
            inner.addWidget(Face(mood, colour), 0, Qt.AlignmentFlag.AlignHCenter)
            text = _label(level.label, "factValue", wrap=False)
            text.setAlignment(Qt.AlignmentFlag.AlignCenter)
            text.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            inner.addWidget(text)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            self.group.addButton(button)
            self.buttons[level.value] = button
            button.toggled.connect(self._chosen)
            faces.addWidget(button)
        layout.addLayout(faces)
        self.comment = QLineEdit()
        self.comment.setPlaceholderText(tr("Góp ý thêm (không bắt buộc)"))
        self.comment.setMaxLength(500)
        layout.addWidget(self.comment)
        layout.addStretch(1)
        row = QHBoxLayout()
        back = QPushButton(tr("Quay lại"))
        back.clicked.connect(self.back_clicked)
        row.addWidget(back)
        row.addStretch(1)
        self.send = QPushButton(tr("Gửi đánh giá"))
        self.send.setObjectName("primary")
        self.send.setEnabled(False)
        self.send.clicked.connect(self._send)
        row.addWidget(self.send)
        layout.addLayout(row)

    def reset(self, clerk_name: str) -> None:
        self.clerk.setText(tr("Cán bộ tiếp nhận: {name}").format(name=clerk_name))
        self.group.setExclusive(False)
        for b in self.buttons.values():
            b.setChecked(False)
        self.group.setExclusive(True)
        self.comment.clear()
        self.send.setEnabled(False)

    def chosen(self) -> str | None:
        return next((level for level, b in self.buttons.items() if b.isChecked()), None)

    def _chosen(self, _checked: bool) -> None:
        self.send.setEnabled(self.chosen() is not None)

    def _send(self) -> None:
        level = self.chosen()
        if level is not None:
            self.submitted.emit(level, self.comment.text())


class MessagePage(QWidget):
    back_clicked = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(80, 60, 80, 60)
        layout.addStretch(1)
        card = QFrame()
        card.setObjectName("card")
        inner = QVBoxLayout(card)
        inner.setContentsMargins(48, 40, 48, 40)
        inner.setSpacing(24)
        icon = _label("!", "messageIcon", wrap=False)
        icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        inner.addWidget(icon, 0, Qt.AlignmentFlag.AlignHCenter)
        self.text = _label("", "message")
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        inner.addWidget(self.text)
        help_text = _label(tr("Cần giúp đỡ, xin mời ông/bà hỏi cán bộ tại quầy."), "lead")
        help_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        inner.addWidget(help_text)
        self.back = QPushButton(tr("Quay lại"))
        self.back.setObjectName("primary")
        self.back.clicked.connect(self.back_clicked)
        inner.addWidget(self.back, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(card)
        layout.addStretch(1)

    def show_message(self, text: str) -> None:
        self.text.setText(text)
