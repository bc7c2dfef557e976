"""The one door for background database work (Anki's CollectionOp/QueryOp).

Every screen hands a plain function to ``TaskRunner.run``; it runs on a single worker
thread, and its result or exception comes back on the GUI thread through one Qt
signal. Widgets are only ever touched from the callbacks, which run on the GUI thread.

Tests build the runner with ``synchronous=True``: the work then runs at once, in the
caller's thread, and the callbacks before ``run`` returns (Picard's FakeThreadPool), so
tests need no sleeps.

A long task (a year's statistics, an export, a register) goes through ``run_long``: it gets a
``Progress`` to report on (done of total, a line of text) and to ask whether the user cancelled;
if it is still running after ``SHOW_AFTER_MS``, a progress dialog comes up over its window
(a busy bar until the task says how far it is), with a cancel button where cancelling makes
sense. The window keeps painting; a cancelled task's result is thrown away when it comes back,
and a task that looks at ``progress.check()`` stops at its next step.
"""

from __future__ import annotations

import itertools
import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog, QWidget

from ..domain.i18n import tr
from ..logs import log_file
from ..services.context import ServiceError

log = logging.getLogger(__name__)

OnDone = Callable[[Any], None]
OnError = Callable[[BaseException], None]
SHOW_AFTER_MS = 400   # quicker tasks show only the busy cursor


class Cancelled(Exception):
    """Raised by ``Progress.check`` in a task the user cancelled; nobody is told of it as an error."""


class Progress:
    """What a long task is handed: ``report`` how far it is, ``check`` whether to stop (any thread)."""

    def __init__(self, report: Callable[[int, int, str], None] | None = None):
        self._report = report or (lambda done, total, text: None)
        self._cancelled = threading.Event()

    def report(self, done: int, total: int, text: str = "") -> None:
        self._report(int(done), int(total), text)

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def cancel(self) -> None:
        self._cancelled.set()

    def check(self) -> None:
        """Stop here if the user cancelled."""
        if self._cancelled.is_set():
            raise Cancelled()


class ProgressBox(QObject):
    """The dialog of one long task: shown only if it lasts, busy until told how far it is."""

    def __init__(self, label: str, progress: Progress, cancellable: bool, parent: QWidget | None,
                 show_after_ms: int):
        super().__init__()
        self.label, self.progress, self.cancellable, self.parent_widget = label, progress, cancellable, parent
        self.dialog: QProgressDialog | None = None
        self.last: tuple[int, int, str] = (0, 0, "")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.show)
        self._timer.start(show_after_ms)

    def show(self) -> None:
        if self.dialog is not None or (self.parent_widget is not None and not shiboken6.isValid(self.parent_widget)):
            return
        parent = self.parent_widget.window() if self.parent_widget is not None and \
            shiboken6.isValid(self.parent_widget) else None
        dialog = QProgressDialog(self.label, tr("Hủy") if self.cancellable else None, 0, 0, parent)
        dialog.setWindowTitle(tr("Đang xử lý"))
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        if not self.cancellable:
            dialog.setCancelButton(None)
        dialog.canceled.connect(self._cancel)
        self.dialog = dialog
        self.update(*self.last)
        dialog.show()

    def update(self, done: int, total: int, text: str) -> None:
        self.last = (done, total, text)
        if self.dialog is None or self.progress.cancelled:
            return
        if total > 0:
            self.dialog.setRange(0, total)
            self.dialog.setValue(min(max(done, 0), total))
        if text:
            self.dialog.setLabelText("%s\n%s" % (self.label, text))

    def _cancel(self) -> None:
        self.progress.cancel()
        if self.dialog is not None:
            self.dialog.setLabelText(tr("Đang dừng..."))

    def close(self) -> None:
        self._timer.stop()
        if self.dialog is not None:
            self.dialog.hide()
            self.dialog.deleteLater()
            self.dialog = None


def show_error_box(parent: QWidget | None, error: BaseException) -> None:
    """The default way to tell the clerk a task failed."""
    if isinstance(error, ServiceError):
        QMessageBox.warning(parent, tr("Không thực hiện được"), str(error))
    else:
        QMessageBox.critical(parent, tr("Lỗi không mong muốn"), unexpected_error_text())


def unexpected_error_text() -> str:
    """What the clerk reads after an unexpected error: where the details were written, by name."""
    path = log_file()
    if path is None:
        return tr("Đã xảy ra lỗi không mong muốn. Vui lòng thử lại; nếu vẫn lỗi, "
                  "báo cho quản trị viên (chi tiết đã được ghi vào nhật ký).")
    return tr("Đã xảy ra lỗi không mong muốn. Vui lòng thử lại; nếu vẫn lỗi, báo cho quản trị viên "
              "(chi tiết đã được ghi vào tệp nhật ký {path}).").format(path=path)


class TaskRunner(QObject):
    """Runs ``fn()`` on the database worker; ``on_done(result)`` / ``on_error(exc)`` on the GUI thread."""

    # (task id, result, error): the single crossing point from the worker to the GUI thread
    _delivered = Signal(int, object, object)
    # emitted on the GUI thread after each task's callbacks have run
    finished = Signal()
    # (task id, done, total, text) from a long task, on its way to its progress box
    _progressed = Signal(int, int, int, str)

    def __init__(self, parent_widget: QWidget | None = None, synchronous: bool = False,
                 show_error: Callable[[QWidget | None, BaseException], None] = show_error_box):
        super().__init__()
        self._parent_widget = parent_widget
        self._synchronous = synchronous
        self._show_error = show_error
        self._executor = None if synchronous else ThreadPoolExecutor(max_workers=1, thread_name_prefix="desk-db")
        self._ids = itertools.count(1)
        self._pending: dict[int, tuple[OnDone | None, OnError | None, QWidget | None]] = {}
        self._boxes: dict[int, ProgressBox] = {}
        # Queued: the slot always runs in this object's (the GUI) thread, whoever emits
        self._delivered.connect(self._deliver, Qt.ConnectionType.QueuedConnection
                                if not synchronous else Qt.ConnectionType.DirectConnection)
        self._progressed.connect(self._show_progress, Qt.ConnectionType.QueuedConnection
                                 if not synchronous else Qt.ConnectionType.DirectConnection)

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def run(self, fn: Callable[[], Any], on_done: OnDone | None = None, on_error: OnError | None = None,
            parent: QWidget | None = None) -> None:
        """Run ``fn`` in the background; without ``on_error``, failures are shown in a message box.

        ``fn`` must not touch widgets: it gets plain values captured before the call and returns
        plain data. ``parent`` is the asking screen: if it is gone when the answer comes, the
        callbacks are skipped.
        """
        task_id = next(self._ids)
        self._pending[task_id] = (on_done, on_error, parent)
        if self._executor is None:
            try:
                result = fn()
            except Exception as e:  # handed to the GUI like any other failure
                self._delivered.emit(task_id, None, e)
            else:
                self._delivered.emit(task_id, result, None)
            return
        if len(self._pending) == 1:
            QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
        future = self._executor.submit(fn)
        future.add_done_callback(lambda f, i=task_id: self._from_worker(i, f))

    def run_long(self, fn: Callable[[Progress], Any], label: str, on_done: OnDone | None = None,
                 on_error: OnError | None = None, parent: QWidget | None = None, cancellable: bool = True,
                 on_cancelled: Callable[[], None] | None = None, show_after_ms: int = SHOW_AFTER_MS) -> Progress:
        """``run`` for a task that may take seconds: ``fn(progress)``; a progress dialog with
        ``label`` if it lasts past ``show_after_ms``. If the user cancels, ``on_cancelled()``
        instead of ``on_done`` (and no error box for ``Cancelled``)."""
        task_id = next(self._ids)   # the id its progress reports carry (the task itself gets the next)
        progress = Progress(lambda done, total, text: self._progressed.emit(task_id, done, total, text))
        box = ProgressBox(label, progress, cancellable, parent or self._parent_widget, show_after_ms)
        self._boxes[task_id] = box

        def finish() -> None:
            box.close()
            self._boxes.pop(task_id, None)

        def gone() -> bool:   # the asking screen was closed meanwhile: nobody to tell
            return parent is not None and not shiboken6.isValid(parent)

        def done(result: Any) -> None:
            finish()
            if gone():
                return
            if progress.cancelled:
                if on_cancelled is not None:
                    on_cancelled()
            elif on_done is not None:
                on_done(result)

        def failed(error: BaseException) -> None:
            finish()
            if gone():
                return
            if isinstance(error, Cancelled) or progress.cancelled:
                if on_cancelled is not None:
                    on_cancelled()
            elif on_error is not None:
                on_error(error)
            else:
                self.report_error(error, parent)
        self.run(lambda: fn(progress), on_done=done, on_error=failed)  # ``gone`` does the parent's check
        return progress

    def _show_progress(self, task_id: int, done: int, total: int, text: str) -> None:
        box = self._boxes.get(task_id)
        if box is not None:
            box.update(done, total, text)

    def _from_worker(self, task_id: int, future: Future) -> None:
        # Runs on the worker thread: only emit, never touch a widget here.
        error = future.exception()
        self._delivered.emit(task_id, None if error else future.result(), error)

    def _deliver(self, task_id: int, result: Any, error: BaseException | None) -> None:
        on_done, on_error, parent = self._pending.pop(task_id)
        if self._executor is not None and not self._pending:
            QApplication.restoreOverrideCursor()
        if parent is not None and not shiboken6.isValid(parent):
            # the screen that asked was closed meanwhile (logout, dialog shut): nobody to tell
            self.finished.emit()
            return
        try:
            if error is None:
                if on_done is not None:
                    on_done(result)
            elif on_error is not None:
                on_error(error)
            else:
                self.report_error(error, parent)
        finally:
            self.finished.emit()

    def report_error(self, error: BaseException, parent: QWidget | None = None) -> None:
        """Log an unexpected error and tell the user; service refusals are shown as they are."""
        if not isinstance(error, ServiceError):
            log.error("background task failed", exc_info=(type(error), error, error.__traceback__))
        self._show_error(parent or self._parent_widget, error)

    def shutdown(self) -> None:
        """Wait for the running task and stop the worker (on quit)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
