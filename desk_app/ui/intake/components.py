"""The components checklist, generated from the picked procedure: tick, form, how many."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QCheckBox, QGridLayout, QLabel, QSpinBox, QWidget

from ...domain.i18n import tr
from ...domain.procedures import Component


class _NameLabel(QLabel):
    """A component's name, wrapped; clicking it ticks the box beside it."""

    def __init__(self, text: str, box: QCheckBox):
        super().__init__(text)
        self._box = box
        self.setWordWrap(True)
        self.setBuddy(box)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._box.isEnabled():
            self._box.toggle()
            self._box.setFocus()
        super().mousePressEvent(event)


class ComponentsChecklist(QWidget):
    """One row per component: checkbox (required ones marked *), paper form, count."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(10)
        self._grid.setVerticalSpacing(4)
        self._grid.setColumnStretch(1, 1)
        self._rows: list[tuple[Component, QCheckBox, QSpinBox]] = []
        self._empty = QLabel(tr("Chọn thủ tục để hiện danh sách thành phần hồ sơ."))
        self._empty.setObjectName("subtitle")
        self._grid.addWidget(self._empty, 0, 0, 1, 4)

    def set_components(self, components: tuple[Component, ...]) -> None:
        self._clear_rows()
        self._empty.setVisible(not components)
        if components:
            for col, text in enumerate((tr("Thành phần hồ sơ (* bắt buộc)"), tr("Hình thức"), tr("Số lượng"))):
                header = QLabel("<b>%s</b>" % text)
                self._grid.addWidget(header, 1, col + (col > 0), 1, 1 + (col == 0))
        for i, comp in enumerate(components, start=2):
            box = QCheckBox()
            box.setAccessibleName(comp.name)
            box.setToolTip(comp.name)
            name = _NameLabel(html.escape(comp.name) + (" <span style='color:#c62828'>*</span>" if comp.required else ""), box)
            name.setTextFormat(Qt.TextFormat.RichText)
            form = QLabel(comp.use.label if comp.shown else comp.form.label)  # an ID card is shown, not handed in
            count = QSpinBox()
            count.setRange(1, 99)
            count.setValue(comp.count)
            count.setEnabled(False)
            count.setFixedWidth(70)
            box.toggled.connect(count.setEnabled)
            box.toggled.connect(self.changed)
            self._grid.addWidget(box, i, 0, Qt.AlignmentFlag.AlignTop)
            self._grid.addWidget(name, i, 1)
            self._grid.addWidget(form, i, 2, Qt.AlignmentFlag.AlignTop)
            self._grid.addWidget(count, i, 3, Qt.AlignmentFlag.AlignTop)
            self._rows.append((comp, box, count))
            for widget in (box, name, form, count):
                widget.setVisible(True)  # now, not on the layout's queued show: focus may go here at once

    def _clear_rows(self) -> None:
        for row in range(1, self._grid.rowCount()):
            for col in range(4):
                item = self._grid.itemAtPosition(row, col)
                if item is not None and item.widget() is not None:
                    widget = item.widget()
                    self._grid.removeWidget(widget)
                    widget.hide()  # now: deletion waits for the event loop
                    widget.deleteLater()
        self._rows = []

    def values(self) -> dict[str, int]:
        """Component name -> count handed in (0 when not ticked), as the intake rules read it."""
        return {comp.name: (count.value() if box.isChecked() else 0) for comp, box, count in self._rows}

    def tick(self, name: str, checked: bool = True) -> None:
        for comp, box, _count in self._rows:
            if comp.name == name:
                box.setChecked(checked)

    def tick_all(self) -> None:
        for _comp, box, _count in self._rows:
            box.setChecked(True)

    def checkboxes(self) -> list[QCheckBox]:
        return [box for _comp, box, _count in self._rows]

    def focus_chain(self) -> list[QWidget]:
        chain: list[QWidget] = []
        for _comp, box, count in self._rows:
            chain += [box, count]
        return chain

    def first_missing(self) -> QWidget | None:
        """The first required component not ticked (where the focus goes on that error)."""
        for comp, box, _count in self._rows:
            if comp.required and not box.isChecked():
                return box
        return self.checkboxes()[0] if self._rows else None

    def clear(self) -> None:
        for comp, box, count in self._rows:
            box.setChecked(False)
            count.setValue(comp.count)
