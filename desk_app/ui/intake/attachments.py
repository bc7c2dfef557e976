"""Scans handed in with the dossier: image and PDF files, added and removed before saving."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QListWidget, QListWidgetItem, QPushButton,
                               QVBoxLayout, QWidget)

from ...domain.i18n import tr
from ...domain.intake import ATTACHMENT_SUFFIXES


class AttachmentList(QWidget):
    """The files to store with the dossier; the paths go to the intake service as they are."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.list = QListWidget()
        self.list.setMaximumHeight(64)  # two files in view; it scrolls past that
        self.list.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.add_button = QPushButton(tr("Thêm tệp..."))
        self.add_button.setToolTip(tr("Ảnh chụp hoặc bản quét (PDF, JPG, PNG, TIFF)"))
        self.add_button.clicked.connect(self.choose_files)
        self.remove_button = QPushButton(tr("Bỏ tệp"))
        self.remove_button.clicked.connect(self.remove_selected)
        buttons = QVBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)

    def choose_files(self) -> None:
        patterns = " ".join("*" + s for s in ATTACHMENT_SUFFIXES)
        paths, _ = QFileDialog.getOpenFileNames(self, tr("Chọn tệp đính kèm"), str(Path.home()),
                                                tr("Ảnh và PDF ({patterns})").format(patterns=patterns))
        self.add_files(paths)

    def add_files(self, paths: list[str]) -> None:
        known = set(self.paths())
        for path in paths:
            if path and path not in known:
                item = QListWidgetItem(Path(path).name)
                item.setData(Qt.ItemDataRole.UserRole, path)
                item.setToolTip(path)
                self.list.addItem(item)
                known.add(path)

    def remove_selected(self) -> None:
        for item in self.list.selectedItems():
            self.list.takeItem(self.list.row(item))

    def paths(self) -> list[str]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]

    def clear(self) -> None:
        self.list.clear()
