"""The live picture: the frame scaled to fit, an aiming guide, found codes outlined, and plain
messages when there is no camera or it has gone."""

from __future__ import annotations

import time

from PySide6.QtCore import QPointF, QRectF, Qt, Slot
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from ...scanner.decode import DecodedCode
from .feed import CameraFeed

OUTLINE_MS = 600   # an outline stays this long after the last frame that found its code
HINT_MS = 1500     # "hold still" stays this long after the last frame with an unreadable code


class CameraView(QWidget):
    def __init__(self, parent: QWidget | None = None, mirror: bool = False, aim: float = 0.6,
                 guide_text: str = "", fill: bool = False):
        super().__init__(parent)
        # fill: the frame covers the whole widget (its edges cropped) instead of fitting inside it
        self.mirror, self.aim, self.guide_text, self.fill = mirror, aim, guide_text, fill
        self._image: QImage | None = None
        self._codes: list[DecodedCode] = []
        self._codes_size = (1, 1)
        self._codes_at = 0.0
        self._message = ""
        self._hint_at = 0.0
        self.hint_text = ""
        self._feed: CameraFeed | None = None
        self.setMinimumSize(320, 240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def attach(self, feed: CameraFeed) -> None:
        self._feed = feed
        feed.frame_ready.connect(self.show_frame)
        feed.decoded.connect(self.show_codes)
        feed.state_changed.connect(self.show_state)
        feed.unreadable.connect(self.show_hint)

    @property
    def message(self) -> str:
        return self._message

    @property
    def has_frame(self) -> bool:
        return self._image is not None

    @Slot(QImage, int)
    def show_frame(self, image: QImage, _number: int = 0) -> None:
        self._image = image
        if self._message and not self._message_is_sticky():
            self._message = ""
        self.update()
        if self._feed is not None:
            self._feed.frame_shown()

    @Slot(int, object, int, int, float)
    def show_codes(self, _number: int, codes: list, width: int, height: int, _captured: float = 0.0) -> None:
        if codes:
            self._codes, self._codes_size, self._codes_at = list(codes), (width, height), time.monotonic()
            self.update()

    @Slot()
    def show_hint(self) -> None:
        """A code is there but unreadable: say how to help (if this view has words for it)."""
        self._hint_at = time.monotonic()
        self.update()

    @property
    def hinting(self) -> bool:
        return bool(self.hint_text) and (time.monotonic() - self._hint_at) * 1000 <= HINT_MS

    @Slot(str, str)
    def show_state(self, state: str, message: str) -> None:
        self._message = message
        if state != "running":
            self._image = None if state in ("no_source", "stopped") else self._image
        self.update()

    def _message_is_sticky(self) -> bool:
        return False

    # -- painting ---------------------------------------------------------------------------------
    def _frame_rect(self) -> QRectF:
        if self._image is None:
            return QRectF(self.rect())
        iw, ih = self._image.width(), self._image.height()
        scale = (max if self.fill else min)(self.width() / iw, self.height() / ih)
        w, h = iw * scale, ih * scale
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("#101820"))
        target = self._frame_rect()
        if self._image is not None:
            if self.mirror:  # like a mirror: the receipt moves the way the hand moves
                p.save()
                p.translate(target.right(), target.top())
                p.scale(-1, 1)
                p.drawImage(QRectF(0, 0, target.width(), target.height()), self._image)
                p.restore()
            else:
                p.drawImage(target, self._image)
            if self._message:  # a frozen last frame under a message is dimmed
                p.fillRect(target, QColor(0, 0, 0, 150))
        self._paint_guide(p, target.intersected(QRectF(self.rect())))
        self._paint_codes(p, target)
        if self._message:
            self._paint_message(p)
        p.end()

    def _paint_guide(self, p: QPainter, target: QRectF) -> None:
        side = self.aim * min(target.width(), target.height())
        box = QRectF(target.center().x() - side / 2, target.center().y() - side / 2, side, side)
        # the world outside the guide a little darker, so the eye goes to the middle
        outside = QPainterPath()
        outside.addRect(target)
        inner = QPainterPath()
        inner.addRoundedRect(box, 18, 18)
        p.fillPath(outside.subtracted(inner), QColor(0, 0, 0, 70))
        pen = QPen(QColor("#34d17a"), max(6.0, side / 40))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        p.setPen(pen)
        arm = side / 5
        for cx, cy, dx, dy in ((box.left(), box.top(), 1, 1), (box.right(), box.top(), -1, 1),
                               (box.right(), box.bottom(), -1, -1), (box.left(), box.bottom(), 1, -1)):
            p.drawLine(QPointF(cx, cy), QPointF(cx + dx * arm, cy))
            p.drawLine(QPointF(cx, cy), QPointF(cx, cy + dy * arm))
        text = self.hint_text if self.hinting else self.guide_text
        if text and not self._message:  # no camera: its message alone, not also "hold the QR here"
            font = QFont(self.font())
            font.setPointSizeF(max(12.0, side / 16))
            font.setBold(True)
            p.setFont(font)
            flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
            width = target.width() * 0.8
            needed = p.fontMetrics().boundingRect(QRectF(0, 0, width, 1000).toRect(), int(flags.value), text)
            band = QRectF(target.center().x() - width / 2, box.bottom() + 10, width, needed.height() + 16)
            p.fillRect(band, QColor(0, 0, 0, 150))
            p.setPen(QColor("#ffd400") if self.hinting else QColor("white"))
            p.drawText(band, flags, text)

    def _paint_codes(self, p: QPainter, target: QRectF) -> None:
        if not self._codes or self._image is None:
            return
        if (time.monotonic() - self._codes_at) * 1000 > OUTLINE_MS:
            self._codes = []
            return
        fw, fh = self._codes_size
        sx, sy = target.width() / fw, target.height() / fh
        pen = QPen(QColor("#ffd400"), 5)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        p.setPen(pen)
        p.setBrush(QColor(255, 212, 0, 50))
        for code in self._codes:
            points = []
            for x, y in code.corners:
                if self.mirror:
                    x = fw - x
                points.append(QPointF(target.left() + x * sx, target.top() + y * sy))
            p.drawPolygon(QPolygonF(points))

    def _paint_message(self, p: QPainter) -> None:
        font = QFont(self.font())
        font.setPointSizeF(max(13.0, self.height() / 26))
        font.setBold(True)
        p.setFont(font)
        box = QRectF(self.rect()).adjusted(self.width() * 0.08, self.height() * 0.35,
                                           -self.width() * 0.08, -self.height() * 0.35)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(0, 0, 0, 190))
        p.drawRoundedRect(box, 16, 16)
        p.setPen(QColor("white"))
        p.drawText(box.adjusted(16, 8, -16, -8), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                   self._message)
