"""The counter list as a table model: one dossier summary per row."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from ...domain.lifecycle import Verdict
from ...domain.i18n import tr
from ...services.counter import DossierSummary

SummaryRole = Qt.ItemDataRole.UserRole + 1
SortRole = Qt.ItemDataRole.UserRole + 2
_Index = QModelIndex | QPersistentModelIndex

CODE, OWNER, PROCEDURE, RECEIVED, DUE, STATUS, PROGRESS = range(7)

# text colour and a soft background per tone of the verdict (``Verdict.tone``: one table, in the domain)
TONE_COLOURS: dict[str, tuple[str, str | None]] = {
    "good": ("#1b7f3b", None),
    "neutral": ("#1f2933", None),
    "info": ("#52606d", "#eef1f5"),
    "warn": ("#9a4d00", "#fff3e0"),
    "bad": ("#b71c1c", "#fdecea"),
}
VERDICT_COLOURS: dict[Verdict, tuple[str, str | None]] = {v: TONE_COLOURS[v.tone] for v in Verdict}


def _headers() -> list[str]:
    return [tr("Mã hồ sơ"), tr("Chủ hồ sơ"), tr("Thủ tục"), tr("Tiếp nhận"), tr("Hẹn trả"),
            tr("Trạng thái"), tr("Tiến độ")]


class DossierTableModel(QAbstractTableModel):
    """Read-only rows of ``DossierSummary``; ``SummaryRole`` gives the summary itself."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._rows: list[DossierSummary] = []
        self._headers = _headers()

    def set_dossiers(self, rows: list[DossierSummary]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def dossier(self, row: int) -> DossierSummary:
        return self._rows[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._headers)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(self._headers):
            return self._headers[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        d, col = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(d, col)
        if role == SortRole:
            return {RECEIVED: d.received_at.isoformat(), DUE: d.due_at.isoformat(),
                    STATUS: d.status.value}.get(col, self._text(d, col))
        if role == SummaryRole:
            return d
        if role == Qt.ItemDataRole.ToolTipRole and col in (OWNER, PROCEDURE):
            return self._text(d, col)
        if col == PROGRESS:
            fg, bg = VERDICT_COLOURS.get(d.verdict, ("#1f2933", None))
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(QColor(fg))
            if role == Qt.ItemDataRole.BackgroundRole and bg:
                return QBrush(QColor(bg))
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (RECEIVED, DUE):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    @staticmethod
    def _text(d: DossierSummary, col: int) -> str:
        if col == CODE:
            return d.code
        if col == OWNER:
            return d.owner_name
        if col == PROCEDURE:
            return d.procedure_name
        if col == RECEIVED:
            return d.received_at.strftime("%H:%M %d/%m/%Y")
        if col == DUE:
            return d.due_at.strftime("%H:%M %d/%m/%Y")
        if col == STATUS:
            return d.status.label
        return d.verdict.label
