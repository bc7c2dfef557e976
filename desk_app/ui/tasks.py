"""The one door for background database work (Anki's CollectionOp/QueryOp).

Every screen hands a plain function to ``TaskRunner.run``; it runs on a single worker
thread, and its result or exception comes back on the GUI thread through one Qt
signal. Widgets are only ever touched from the callbacks, which run on the GUI thread.

Tests build the runner with ``synchronous=True``: the work then runs at once, in the
caller's thread, and the callbacks before ``run`` returns (Picard's FakeThreadPool), so
tests need no sleeps.
"""

from __future__ import annotations

import itertools
import logging
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from ..domain.i18n import tr
from ..logs import log_file
from ..services.context import ServiceError

log = logging.getLogger(__name__)

OnDone = Callable[[Any], None]
OnError = Callable[[BaseException], None]


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

    def __init__(self, parent_widget: QWidget | None = None, synchronous: bool = False,
                 show_error: Callable[[QWidget | None, BaseException], None] = show_error_box):
        super().__init__()
        self._parent_widget = parent_widget
        self._synchronous = synchronous
        self._show_error = show_error
        self._executor = None if synchronous else ThreadPoolExecutor(max_workers=1, thread_name_prefix="desk-db")
        self._ids = itertools.count(1)
        self._pending: dict[int, tuple[OnDone | None, OnError | None, QWidget | None]] = {}
        # Queued: the slot always runs in this object's (the GUI) thread, whoever emits
        self._delivered.connect(self._deliver, Qt.ConnectionType.QueuedConnection
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
