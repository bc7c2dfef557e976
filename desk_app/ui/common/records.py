"""A read-only table of plain records described by columns, and the table view that shows it.

The queues, the holdings, the statistics and the admin lists are all "one dataclass per
row, a few columns"; one model class, checked once by ``qtmodeltester``, serves them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Generic, Sequence, TypeVar

from PySide6.QtCore import QAbstractTableModel, QLocale, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

T = TypeVar("T")
RecordRole = Qt.ItemDataRole.UserRole + 1
_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column(Generic[T]):
    """One column: its header and how a record shows in it."""

    header: str
    text: Callable[[T], str]
    align: Qt.AlignmentFlag | None = None
    foreground: Callable[[T], str | None] | None = None   # "#rrggbb"
    background: Callable[[T], str | None] | None = None
    tooltip: Callable[[T], str | None] | None = None
    bold: Callable[[T], bool] | None = None


LONG_TEXT = 24  # characters past which a cell may be elided, so it carries its text as a tooltip


class RecordTableModel(QAbstractTableModel, Generic[T]):
    """Rows of plain records; ``RecordRole`` gives the record itself."""

    def __init__(self, columns: Sequence[Column[T]], parent: QObject | None = None):
        super().__init__(parent)
        self.columns = list(columns)
        self._records: list[T] = []
        self._bold = QFont()
        self._bold.setBold(True)

    def set_records(self, records: Sequence[T], columns: Sequence[Column[T]] | None = None) -> None:
        """New rows (and, for reports whose columns depend on the grouping, new columns)."""
        self.beginResetModel()
        self._records = list(records)
        if columns is not None:
            self.columns = list(columns)
        self.endResetModel()

    def records(self) -> list[T]:
        return list(self._records)

    def record(self, row: int) -> T:
        return self._records[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._records)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(self.columns):
            return self.columns[section].header
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._records) \
                or not 0 <= index.column() < len(self.columns):
            return None
        rec, col = self._records[index.row()], self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.text(rec)
        if role == RecordRole:
            return rec
        if role == Qt.ItemDataRole.TextAlignmentRole and col.align is not None:
            return int(col.align | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and col.foreground is not None:
            colour = col.foreground(rec)
            return QBrush(QColor(colour)) if colour else None
        if role == Qt.ItemDataRole.BackgroundRole and col.background is not None:
            colour = col.background(rec)
            return QBrush(QColor(colour)) if colour else None
        if role == Qt.ItemDataRole.ToolTipRole:
            if col.tooltip is not None:
                return col.tooltip(rec)
            # a long name (a procedure, a company) is cut with "…" in a narrow column: whole here
            text = col.text(rec)
            return text if isinstance(text, str) and len(text) > LONG_TEXT else None
        if role == Qt.ItemDataRole.FontRole and col.bold is not None and col.bold(rec):
            return self._bold
        return None


def record_table(model: QAbstractTableModel, stretch: int | None = None, widths: dict[int, int] | None = None,
                 parent: QWidget | None = None) -> QTableView:
    """A table view as every list of this program looks: whole rows, one at a time, read-only.

    Columns fit their contents, but ``stretch`` takes the room left and ``widths`` start at a
    width the user can drag (long names would otherwise push the rest out of sight).
    """
    view = QTableView(parent)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(28)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setHighlightSections(False)
    if stretch is not None:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    else:
        header.setStretchLastSection(True)
    for column, width in (widths or {}).items():
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(column, width)
    return view


def selected_record(view: QTableView) -> Any:
    """The record of the view's current row, or None."""
    index = view.currentIndex()
    if not index.isValid():
        return None
    return view.model().data(index.siblingAtColumn(0), RecordRole)


def vietnamese(widget: QWidget) -> QWidget:
    """Numbers written the Vietnamese way in this widget: 1.500.000 and 16,5."""
    widget.setLocale(QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam))
    return widget


def fmt_moment(moment) -> str:
    return moment.strftime("%H:%M %d/%m/%Y") if moment else ""
