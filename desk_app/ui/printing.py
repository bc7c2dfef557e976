"""Printing a receipt PDF through Qt's print system: preview, or straight to a chosen printer.

Qt's own PDF module is not in PySide6-Essentials, so each page is rasterised with pdfium
at printer resolution (capped, so a 1200 dpi printer does not need gigabytes) and
painted onto the QPrinter page.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QDialog, QWidget

from ..documents.render import pdf_to_images
from ..domain.i18n import tr

MAX_DPI = 300


def _to_qimage(image) -> QImage:
    """A PIL RGB image as a QImage that owns its pixels."""
    data = image.tobytes("raw", "RGB")
    qimage = QImage(data, image.width, image.height, 3 * image.width, QImage.Format.Format_RGB888)
    return qimage.copy()


def page_size_of(image, dpi: float) -> QPageSize:
    """The paper a rendered page was drawn for (A4, A5... matched loosely)."""
    points = QSizeF(image.width * 72.0 / dpi, image.height * 72.0 / dpi)
    return QPageSize(points, QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.FuzzyMatch)


def prepare_printer(printer: QPrinter, pdf_path: Path | str) -> None:
    """Paper size and orientation from the PDF's first page; margins are in the PDF itself."""
    pages = pdf_to_images(pdf_path, dpi=18)  # tiny: only the page size is wanted
    if not pages:
        return
    size = page_size_of(pages[0], 18)
    orientation = (QPageLayout.Orientation.Landscape if pages[0].width > pages[0].height
                   else QPageLayout.Orientation.Portrait)
    # no margins of our own: the PDF has its margins drawn in, and the preview would shift by ours
    printer.setPageLayout(QPageLayout(size, orientation, QMarginsF(0, 0, 0, 0)))
    printer.setFullPage(True)
    printer.setDocName(Path(pdf_path).stem)


def render_pdf(pdf_path: Path | str, printer: QPrinter) -> int:
    """Paint every page of the PDF on ``printer``; return the number of pages."""
    dpi = min(printer.resolution(), MAX_DPI)
    pages = pdf_to_images(pdf_path, dpi=dpi)
    painter = QPainter()
    if not painter.begin(printer):
        return 0
    try:
        for index, page in enumerate(pages):
            if index:
                printer.newPage()
            image = _to_qimage(page)
            target = QRectF(painter.viewport())  # the whole sheet (full page, no margins)
            # keep the page's proportions inside the paper rectangle
            scale = min(target.width() / image.width(), target.height() / image.height())
            w, h = image.width() * scale, image.height() * scale
            painter.drawImage(QRectF(target.x() + (target.width() - w) / 2, target.y(), w, h), image)
    finally:
        painter.end()
    return len(pages)


def preview_pdf(parent: QWidget | None, pdf_path: Path | str, title: str | None = None) -> int:
    """Show the print preview of a PDF (the clerk can print from it); return the dialog's result."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    prepare_printer(printer, pdf_path)
    dialog = QPrintPreviewDialog(printer, parent)
    dialog.setWindowTitle(title or tr("Xem trước khi in: {name}").format(name=Path(pdf_path).name))
    dialog.paintRequested.connect(lambda p: render_pdf(pdf_path, p))
    if parent is not None:
        dialog.resize(max(900, parent.width() * 3 // 4), max(700, parent.height() - 60))
    try:
        return dialog.exec()
    finally:
        dialog.deleteLater()


def print_pdf(parent: QWidget | None, pdf_path: Path | str) -> bool:
    """Choose a printer and print the PDF without preview; False if the clerk cancelled."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    prepare_printer(printer, pdf_path)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(tr("In giấy tiếp nhận"))
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
    finally:
        dialog.deleteLater()
    return render_pdf(pdf_path, printer) > 0
