"""The dossier window's "Giấy tờ đã in" tab: every form printed for the dossier (kind, number, when,
who, reprints marked), each printed again from its kept PDF (Enter): the same paper and number,
recorded as a reprint in the dossier's history."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QHBoxLayout, QHeaderView, QLabel, QPushButton, QTreeWidget, QTreeWidgetItem,
                               QVBoxLayout, QWidget)

from ...domain.i18n import tr
from ...services import forms
from ...services.context import CurrentUser, DeskContext
from ...services.forms import PrintedPaper
from ..tasks import TaskRunner

Preview = Callable[[QWidget, Path], object]


class PrintedPapersTab(QWidget):
    """Loads off the GUI thread when a dossier is shown; ``reprinted`` after a reprint is recorded."""

    loaded = Signal(int)
    reprinted = Signal(str)   # the dossier code

    def __init__(self, ctx: DeskContext, user: CurrentUser, runner: TaskRunner, preview: Preview,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.user, self.runner, self.preview = ctx, user, runner, preview
        self.code: str | None = None
        self.papers: list[PrintedPaper] = []
        self.list = QTreeWidget()
        self.list.setRootIsDecorated(False)
        self.list.setAlternatingRowColors(True)
        self.list.setHeaderLabels([tr("Giấy tờ"), tr("Số"), tr("Thời gian in"), tr("Người in"), tr("Ghi chú")])
        self.list.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.list.header().setStretchLastSection(True)
        self.list.itemActivated.connect(lambda _item, _col=0: self.reprint())
        self.list.currentItemChanged.connect(lambda *_: self._enable())
        self.reprint_button = QPushButton(tr("In lại (Enter)"))
        self.reprint_button.setToolTip(tr("In lại đúng bản đã lưu: cùng số, không cấp số mới"))
        self.reprint_button.clicked.connect(self.reprint)
        self.status = QLabel()
        self.status.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(self.reprint_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.list, 1)
        layout.addLayout(row)
        self._enable()

    def show_dossier(self, code: str) -> None:
        self.code = code
        self.load()

    def load(self) -> None:
        if self.code is None:
            return
        code, ctx, user = self.code, self.ctx, self.user
        self.runner.run(lambda: forms.printed_papers(ctx, user, code), on_done=self._show, parent=self)

    def _show(self, papers: list[PrintedPaper]) -> None:
        self.papers = papers
        self.list.clear()
        for p in papers:
            note = tr("In lại") if p.reprint else ("" if p.path else tr("Không còn tệp trên máy này"))
            item = QTreeWidgetItem([p.label, p.number or "—", p.printed_at.strftime("%H:%M %d/%m/%Y"), p.by, note])
            item.setData(0, Qt.ItemDataRole.UserRole, p.event_id)
            self.list.addTopLevelItem(item)
        if papers:
            self.list.setCurrentItem(self.list.topLevelItem(len(papers) - 1))
        originals = sum(1 for p in papers if not p.reprint)
        self.status.setText(tr("{n} giấy tờ đã in, {r} lần in lại.").format(n=originals, r=len(papers) - originals)
                            if papers else tr("Chưa in giấy tờ nào cho hồ sơ này."))
        self._enable()
        self.loaded.emit(len(papers))

    def _current(self) -> PrintedPaper | None:
        item = self.list.currentItem()
        if item is None:
            return None
        wanted = item.data(0, Qt.ItemDataRole.UserRole)
        return next((p for p in self.papers if p.event_id == wanted), None)

    def _enable(self) -> None:
        paper = self._current()
        self.reprint_button.setEnabled(paper is not None and paper.path is not None)

    def reprint(self) -> None:
        paper = self._current()
        if paper is None or paper.path is None or self.code is None:
            return
        code, ctx, user, event = self.code, self.ctx, self.user, paper.event_id
        self.runner.run(lambda: forms.reprint(ctx, user, code, event), on_done=self._reprinted, parent=self)

    def _reprinted(self, path: Path) -> None:
        self.preview(self, path)
        self.load()
        if self.code:
            self.reprinted.emit(self.code)
