"""Bar charts drawn with QPainter (QtCharts is not in PySide6-Essentials).

Horizontal bars suit Vietnamese unit and procedure names, which are long: the name reads
on the left, the bar and its figure on the right.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ...domain.i18n import tr


@dataclass(frozen=True)
class Series:
    label: str
    colour: str


def nice_step(span: float, ticks: int = 4) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) that cuts ``span`` into about ``ticks`` parts."""
    raw = max(span, 1e-9) / ticks
    power = 10 ** math.floor(math.log10(raw))
    return next(f * power for f in (1, 2, 2.5, 5, 10) if f * power >= raw - 1e-12)


def number(value: float) -> str:
    """Vietnamese style: a decimal comma, no needless zero."""
    text = ("%.1f" % value).rstrip("0").rstrip(".")
    return text.replace(".", ",")


class BarChart(QWidget):
    """One row per category; the series' values stacked along it."""

    ROW = 26

    def __init__(self, title: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.title = title
        self.categories: list[str] = []
        self.series: list[Series] = []
        self.values: list[list[float]] = []
        self.suffix = ""
        self.maximum: float | None = None
        self.empty_text = tr("Chưa có số liệu.")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(150)

    def set_data(self, categories: list[str], series: list[Series], values: list[list[float]],
                 suffix: str = "", maximum: float | None = None, title: str | None = None) -> None:
        """``values[i][j]``: category i, series j."""
        self.categories, self.series, self.values = list(categories), list(series), [list(v) for v in values]
        self.suffix, self.maximum = suffix, maximum
        if title is not None:
            self.title = title
        self.updateGeometry()
        self.update()

    def totals(self) -> list[float]:
        return [sum(v) for v in self.values]

    def sizeHint(self) -> QSize:
        return QSize(520, 84 + self.ROW * max(3, len(self.categories)))

    def minimumSizeHint(self) -> QSize:
        return QSize(320, 150)

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("white"))
        p.setPen(QPen(QColor("#d3dae3")))
        p.drawRect(self.rect().adjusted(0, 0, -1, -1))
        area = QRectF(self.rect()).adjusted(14, 10, -14, -10)
        base = QFont(self.font())
        bold = QFont(base)
        bold.setBold(True)
        p.setFont(bold)
        p.setPen(QColor("#0d4a8f"))
        title_h = QFontMetrics(bold).height() + 4
        p.drawText(QRectF(area.left(), area.top(), area.width(), title_h), Qt.AlignmentFlag.AlignLeft, self.title)
        top = area.top() + title_h + 2
        p.setFont(base)
        fm = QFontMetrics(base)
        if len(self.series) > 1:
            x = area.left()
            for s in self.series:
                p.fillRect(QRectF(x, top + 4, 12, 12), QColor(s.colour))
                p.setPen(QColor("#1f2933"))
                p.drawText(QRectF(x + 16, top, 400, fm.height() + 4), Qt.AlignmentFlag.AlignVCenter, s.label)
                x += 16 + fm.horizontalAdvance(s.label) + 18
            top += fm.height() + 10
        if not self.categories:
            p.setPen(QColor("#7b8794"))
            p.drawText(QRectF(area.left(), top, area.width(), area.bottom() - top), Qt.AlignmentFlag.AlignCenter,
                       self.empty_text)
            p.end()
            return
        totals = self.totals()
        top_value = self.maximum or max(totals + [1.0])
        step = max(1.0, nice_step(top_value)) if self.maximum is None else nice_step(top_value)
        parts = max(1, math.ceil(top_value / step - 1e-9))
        peak = step * parts
        label_w = min(area.width() * 0.38, max(fm.horizontalAdvance(c) for c in self.categories) + 12)
        value_w = fm.horizontalAdvance("0000" + self.suffix) + 10
        bar_left = area.left() + label_w
        bar_w = max(10.0, area.width() - label_w - value_w)
        axis_h = fm.height() + 4
        row_h = min(float(self.ROW), (area.bottom() - top - axis_h) / len(self.categories))
        # light grid at round values, labelled under the bars
        grid_bottom = top + row_h * len(self.categories)
        for n in range(parts + 1):
            x = bar_left + bar_w * n / parts
            p.setPen(QPen(QColor("#e4e9ef"), 1))
            p.drawLine(int(x), int(top), int(x), int(grid_bottom))
            p.setPen(QColor("#7b8794"))
            p.drawText(QRectF(x - 30, grid_bottom + 2, 60, axis_h), Qt.AlignmentFlag.AlignHCenter,
                       number(step * n) + self.suffix)
        for i, name in enumerate(self.categories):
            y = top + i * row_h
            p.setPen(QColor("#1f2933"))
            label = fm.elidedText(name, Qt.TextElideMode.ElideRight, int(label_w - 10))
            p.drawText(QRectF(area.left(), y, label_w - 10, row_h),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)
            x = bar_left
            bar_h = max(6.0, row_h * 0.62)
            for value, s in zip(self.values[i], self.series):
                w = bar_w * value / peak if peak else 0
                if w > 0:
                    p.fillRect(QRectF(x, y + (row_h - bar_h) / 2, w, bar_h), QColor(s.colour))
                x += w
            p.setPen(QColor("#1f2933"))
            p.drawText(QRectF(x + 6, y, value_w + 40, row_h), Qt.AlignmentFlag.AlignVCenter,
                       number(totals[i]) + self.suffix)
        p.end()
