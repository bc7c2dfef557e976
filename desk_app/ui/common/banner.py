"""One line at the top of a screen that says what just happened: done, a warning, or refused."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

_STYLES = {
    "ok": "background: #e7f4ea; border: 1px solid #9fd0ad; color: #0f5323;",
    "warning": "background: #fff4e5; border: 1px solid #f0c27a; color: #7a3e00;",
    "error": "background: #fdecea; border: 1px solid #ef9a9a; color: #b71c1c;",
}


class Banner(QLabel):
    """Hidden until ``say``; ``kind`` is "ok", "warning" or "error"."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.kind = ""
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def say(self, kind: str, text: str) -> None:
        self.kind = kind
        self.setStyleSheet("QLabel { %s border-radius: 4px; padding: 7px 10px; font-weight: bold; }"
                           % _STYLES.get(kind, _STYLES["ok"]))
        self.setText(text)
        self.setVisible(bool(text))

    def clear_message(self) -> None:
        self.kind = ""
        self.setText("")
        self.hide()
