"""What every admin page shares: the desk, the runner, and one line saying what the last change did."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QGroupBox, QLabel, QVBoxLayout, QWidget

from ...services.admin import UnitView
from ...services.context import CurrentUser, DeskContext, ServiceError
from ..common.banner import Banner
from ..tasks import TaskRunner


class Page(QWidget):
    """``changed`` after every change saved through ``apply``; ``loaded`` after every ``reload``."""

    changed = Signal()
    loaded = Signal()

    def __init__(self, ctx: DeskContext, user: CurrentUser, runner: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.user, self.runner = ctx, user, runner
        self.banner = Banner()

    def reload(self) -> None:  # pragma: no cover - each page has its own
        raise NotImplementedError

    def load(self, fn: Callable[[], Any], show: Callable[[Any], None]) -> None:
        def done(result: Any) -> None:
            show(result)
            self.loaded.emit()
        self.runner.run(fn, on_done=done, parent=self)

    def apply(self, fn: Callable[[], Any], said: str | Callable[[Any], str]) -> None:
        """Save a change on the worker; say it went through, or why not, then reload the page."""
        def done(result: Any) -> None:
            self.banner.say("ok", said(result) if callable(said) else said)
            self.changed.emit()
            self.reload()

        def failed(error: BaseException) -> None:
            if isinstance(error, ServiceError):
                self.banner.say("error", str(error))
            else:
                self.runner.report_error(error, self)
        self.runner.run(fn, on_done=done, on_error=failed, parent=self)


def group(title: str, *widgets: QWidget | Any) -> QGroupBox:
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    for w in widgets:
        if isinstance(w, QWidget):
            layout.addWidget(w)
        else:
            layout.addLayout(w)
    return box


def fill_units(box: QComboBox, units: list[UnitView], none_text: str | None = None) -> None:
    """Units in a combo (data: the unit code); keeps the choice when it still exists."""
    keep = box.currentData()
    box.blockSignals(True)
    box.clear()
    if none_text is not None:
        box.addItem(none_text, "")
    for u in units:
        box.addItem(u.name, u.code)
    box.setCurrentIndex(max(0, box.findData(keep)))
    box.blockSignals(False)


def hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("subtitle")
    label.setWordWrap(True)
    return label
