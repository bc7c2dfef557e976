"""Every list can be exported and printed, as it is shown.

``attach(view, runner, title)`` gives a table view two actions, in its context menu and on
its keys: "Xuất Excel / CSV..." (Ctrl+E) and "In danh sách..." (Ctrl+Shift+P). Both take what
the view shows: its visible columns in their on-screen order, its rows in the current sort and
filter (a proxy model's, or the view's hidden rows left out), each cell's text as displayed.
The file is written on the database worker (``TaskRunner``); the print goes through the
documents layer's table PDF (Vietnamese font embedded) and the usual print preview.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QAbstractItemModel, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QPushButton, QTableView, QWidget

from ...documents import table
from ...domain.i18n import tr
from .. import printing
from ..tasks import TaskRunner

Title = str | Callable[[], str]
Preview = Callable[[QWidget, Path], object]
ChoosePath = Callable[[QWidget, str, str], Path | None]

XLSX_FILTER = "Excel (*.xlsx)"
CSV_FILTER = "CSV UTF-8 (*.csv)"


def shown_rows(view: QTableView) -> tuple[list[str], list[list[str]]]:
    """The headers and the rows as ``view`` shows them right now."""
    model: QAbstractItemModel = view.model()
    header = view.horizontalHeader()
    columns = [header.logicalIndex(visual) for visual in range(header.count())]
    columns = [c for c in columns if c >= 0 and not header.isSectionHidden(c)]
    display = Qt.ItemDataRole.DisplayRole
    headers = [_text(model.headerData(c, Qt.Orientation.Horizontal, display)) for c in columns]
    rows = []
    for row in range(model.rowCount()):
        if view.isRowHidden(row):
            continue
        rows.append([_text(model.data(model.index(row, c), display)) for c in columns])
    return headers, rows


def _text(value) -> str:
    return "" if value is None else str(value)


def default_name(title: str, suffix: str, now: datetime | None = None) -> str:
    """A file name from the list's title and the time: ``Ho-so-can-xu-ly_20261110-1030.xlsx``."""
    from ...domain.text import fold
    stem = re.sub(r"[^A-Za-z0-9]+", "-", fold(title)).strip("-")[:60] or "danh-sach"
    return "%s_%s%s" % (stem.capitalize(), (now or datetime.now()).strftime("%Y%m%d-%H%M"), suffix)


def ask_path(parent: QWidget, title: str, suggested: str) -> Path | None:
    """The save dialog: Excel or CSV, the suffix following the chosen type."""
    path, chosen = QFileDialog.getSaveFileName(parent, tr("Xuất danh sách: {title}").format(title=title),
                                               suggested, ";;".join((XLSX_FILTER, CSV_FILTER)))
    if not path:
        return None
    target = Path(path)
    if target.suffix.lower() not in (".xlsx", ".csv"):
        target = target.with_suffix(".csv" if chosen == CSV_FILTER else ".xlsx")
    return target


class TableExport(QObject):
    """The export and print actions of one table view; ``written(path)`` after each file."""

    written = Signal(object)

    def __init__(self, view: QTableView, runner: TaskRunner, title: Title, agency: Callable[[], str] | None = None,
                 lines: Callable[[], list[str]] | None = None, preview: Preview = printing.preview_pdf,
                 print_dir: Callable[[], Path] | None = None, choose: ChoosePath = ask_path,
                 clock: Callable[[], datetime] = datetime.now):
        super().__init__(view)
        self.view, self.runner, self.preview, self.choose, self.clock = view, runner, preview, choose, clock
        self._title, self._agency, self._lines, self._print_dir = title, agency, lines, print_dir
        self.export_action = self._action(tr("Xuất Excel / CSV..."), "Ctrl+E", self.export)
        self.print_action = self._action(tr("In danh sách..."), "Ctrl+Shift+P", self.print_)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

    def _action(self, text: str, keys: str, slot) -> QAction:
        action = QAction(text, self.view)
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        self.view.addAction(action)
        return action

    def title(self) -> str:
        return self._title() if callable(self._title) else self._title

    def document(self) -> table.TableDocument:
        """What is shown, with the words around it (read on the GUI thread, written elsewhere)."""
        headers, rows = shown_rows(self.view)
        now = self.clock()
        lines = list(self._lines() if self._lines else [])
        lines.append(tr("Lập lúc {time} ngày {day}").format(time=now.strftime("%H:%M"), day=now.strftime("%d/%m/%Y")))
        return table.TableDocument(self.title(), headers, rows, agency=self._agency() if self._agency else "",
                                   lines=lines, footer=tr("Tổng số: {n} dòng.").format(n=len(rows)))

    # -- export -------------------------------------------------------------------------
    def export(self) -> None:
        target = self.choose(self.view.window(), self.title(), default_name(self.title(), ".xlsx", self.clock()))
        if target is not None:
            self.export_to(target)

    def export_to(self, path: Path | str) -> None:
        """Write what is shown to ``path`` (.xlsx or .csv) in the background."""
        doc = self.document()
        target = Path(path)
        self.runner.run_long(lambda _progress: table.write(doc, target),
                             tr("Đang xuất {n} dòng...").format(n=len(doc.rows)), on_done=self.written.emit,
                             parent=self.view, on_cancelled=lambda: target.unlink(missing_ok=True))

    # -- print --------------------------------------------------------------------------
    def print_(self) -> None:
        """The list as a PDF, then the print preview (print or save from there)."""
        doc = self.document()
        folder = self._print_dir() if self._print_dir else Path.home()
        target = Path(folder) / default_name(doc.title, ".pdf", self.clock())

        def write() -> Path:
            target.parent.mkdir(parents=True, exist_ok=True)
            return table.write(doc, target)
        self.runner.run_long(lambda _progress: write(), tr("Đang chuẩn bị bản in..."), on_done=self._printed,
                             parent=self.view, on_cancelled=lambda: target.unlink(missing_ok=True))

    def _printed(self, path: Path) -> None:
        self.written.emit(path)
        self.preview(self.view.window(), path)


def of(view: QTableView) -> TableExport | None:
    """The export and print actions attached to ``view``, if any."""
    return next((c for c in view.children() if isinstance(c, TableExport)), None)


def menu_button(table: Callable[[], QTableView]) -> QPushButton:
    """A "Xuất / In" button for a screen's top bar, acting on ``table()`` (the list in view)."""
    button = QPushButton(tr("Xuất / In"))
    button.setToolTip(tr("Xuất danh sách đang xem ra Excel / CSV (Ctrl+E) hoặc in (Ctrl+Shift+P); "
                         "cũng có khi bấm chuột phải vào danh sách"))
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    menu = QMenu(button)

    def act(name: str) -> None:
        export = of(table())
        if export is not None:
            getattr(export, name)()
    menu.addAction(tr("Xuất Excel / CSV..."), lambda: act("export"))
    menu.addAction(tr("In danh sách..."), lambda: act("print_"))
    button.setMenu(menu)
    return button


def attach(view: QTableView, runner: TaskRunner, title: Title, ctx=None, lines: Callable[[], list[str]] | None = None,
           preview: Preview = printing.preview_pdf) -> TableExport:
    """Export and print for ``view``; with the desk's ``ctx``, the agency heads the page and the
    PDFs are kept in the desk's folder (``prints``)."""
    agency = print_dir = None
    if ctx is not None:
        from ..desk_info import agency_name
        names: dict[str, str] = {}

        def agency() -> str:   # read once, on first use (the GUI thread, a quick query)
            if "name" not in names:
                names["name"] = agency_name(ctx)
            return names["name"]

        def print_dir() -> Path:
            return Path(ctx.data_dir) / "prints"
    return TableExport(view, runner, title, agency=agency, lines=lines, preview=preview, print_dir=print_dir,
                       clock=ctx.clock if ctx is not None else datetime.now)
