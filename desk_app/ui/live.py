"""Screens that stay live: told of changed dossiers as they are committed, not by polling.

The services tell which dossiers a commit touched (``desk_app.services.changes``), on the
committing thread: the database worker after a step taken here, the sync thread after a pull.
``LiveNotifier`` (one per open database) carries that news to the GUI thread and gathers it: the
changes of one short moment, however many, come out as one ``changed(codes)``. A screen
``follow``s it: if it shows, it reloads at once (one load at a time; changes heard during a
load bring one more load after it); if hidden, it reloads when it is shown again. A slow
fallback timer stays for what another program writes to the same database file.
"""

from __future__ import annotations

import threading
import time
import weakref
from typing import Callable

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, SignalInstance
from PySide6.QtWidgets import QApplication, QWidget

from ..services import changes
from ..services.context import DeskContext

FALLBACK_MS = 5 * 60_000   # another process on the same database file is not heard: look now and then
GATHER_MS = 60             # changes closer together than this make one notice
LOAD_TIMEOUT_S = 30.0      # a load that never came back (it failed) does not hold the next one


class LiveNotifier(QObject):
    """``changed(frozenset of dossier codes)`` on the GUI thread, gathered over ``GATHER_MS``."""

    changed = Signal(object)
    _heard = Signal()

    def __init__(self, ctx: DeskContext, gather_ms: int = GATHER_MS, parent: QObject | None = None):
        super().__init__(parent)
        self._lock = threading.Lock()
        self._pending: set[str] = set()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(gather_ms)
        self._timer.timeout.connect(self._flush)
        # queued: whichever thread committed, the slot runs on this object's (the GUI) thread
        self._heard.connect(self._schedule, Qt.ConnectionType.QueuedConnection)
        self._stop = changes.listen(ctx, self._from_any_thread)
        self.destroyed.connect(self._stop)

    def _from_any_thread(self, codes: frozenset[str]) -> None:
        with self._lock:
            first = not self._pending
            self._pending.update(codes)
        if first and shiboken6.isValid(self):
            self._heard.emit()

    def _schedule(self) -> None:
        if not self._timer.isActive():
            self._timer.start()

    def _flush(self) -> None:
        with self._lock:
            codes, self._pending = frozenset(self._pending), set()
        if codes:
            self.changed.emit(codes)

    def close(self) -> None:
        self._stop()


_notifiers: "weakref.WeakKeyDictionary[object, LiveNotifier]" = weakref.WeakKeyDictionary()


def notifier(ctx: DeskContext) -> LiveNotifier:
    """The one notifier of ``ctx``'s database (made on first use, on the GUI thread)."""
    found = _notifiers.get(ctx.db)
    if found is None or not shiboken6.isValid(found):
        found = LiveNotifier(ctx, parent=QApplication.instance())
        _notifiers[ctx.db] = found
    return found


class Follower(QObject):
    """Keeps one screen up to date; see ``follow``."""

    def __init__(self, screen: QWidget, ctx: DeskContext, refresh: Callable[[], None],
                 loaded: SignalInstance | None = None, ready: Callable[[], bool] | None = None,
                 fallback_ms: int = FALLBACK_MS):
        super().__init__(screen)
        self.screen, self._refresh, self._ready = screen, refresh, ready
        self.loading = False    # a load asked by us has not come back yet (since ``_asked_at``)
        self._asked_at = 0.0
        self.again = False      # something changed meanwhile: load once more when it does
        self.stale = False      # changed while hidden: load when shown
        self.codes: frozenset[str] = frozenset()  # the latest codes heard (for screens that care)
        self._loaded_signal = loaded
        if loaded is not None:
            loaded.connect(self._loaded)
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.setInterval(1000)
        self._retry.timeout.connect(self.request)
        self._fallback = QTimer(self)
        self._fallback.timeout.connect(self._tick)
        if fallback_ms > 0:
            self._fallback.start(fallback_ms)
        self.notifier = notifier(ctx)
        self.notifier.changed.connect(self._changed)
        screen.installEventFilter(self)

    def _changed(self, codes: frozenset[str]) -> None:
        self.codes = codes
        self.request()

    def _tick(self) -> None:
        if self.screen.isVisible():
            self.request()

    def request(self) -> None:
        """Reload now if the screen shows and is free, else as soon as it is."""
        if not shiboken6.isValid(self.screen):
            return
        if not self.screen.isVisible():
            self.stale = True
            return
        if self._ready is not None and not self._ready():
            self.stale = True
            self._retry.start()
            return
        if self.loading and time.monotonic() - self._asked_at < LOAD_TIMEOUT_S:
            self.again = True
            return
        self.stale = False
        self.loading = self._loaded_signal is not None
        self._asked_at = time.monotonic()
        self._refresh()

    def _loaded(self, *_args) -> None:
        self.loading = False
        if self.again:
            self.again = False
            self.request()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.screen and event.type() == QEvent.Type.Show and self.stale:
            QTimer.singleShot(0, self.request)
        return False


def follow(screen: QWidget, ctx: DeskContext, refresh: Callable[[], None], loaded: SignalInstance | None = None,
           ready: Callable[[], bool] | None = None, fallback_ms: int = FALLBACK_MS) -> Follower:
    """Call ``refresh()`` (which loads in the background) whenever dossiers change in ``ctx``'s
    database while ``screen`` shows, or once when it is shown after a change. ``loaded`` is the
    screen's signal that a load came back (one load at a time); ``ready()`` False (a form
    open on it) puts the reload off a second at a time."""
    return Follower(screen, ctx, refresh, loaded, ready, fallback_ms)


class kept_place:
    """``with kept_place(table):`` reload a table's model and keep the selected record (found
    again by its code: ``code_of(index)``, by default the ``code`` of the model's ``record``)
    and the scroll position, as a list reloading under the user's eyes should. ``found`` says
    whether the selected record is still there. ``enabled=False`` keeps nothing (a new search
    starts at its first row)."""

    def __init__(self, table, code_of=None, enabled: bool = True):
        self.table, self.enabled = table, enabled
        self.code_of = code_of or (lambda index: getattr(index.model().record(index.row()), "code", None))
        self.code = None
        self.found = False

    def __enter__(self) -> "kept_place":
        index = self.table.currentIndex()
        self.code = self.code_of(index) if self.enabled and index.isValid() else None
        self.scrolled = self.table.verticalScrollBar().value()
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is not None or self.code is None:
            return
        model = self.table.model()
        for row in range(model.rowCount()):
            if self.code_of(model.index(row, 0)) == self.code:
                self.table.selectRow(row)
                self.found = True
                break
        self.table.verticalScrollBar().setValue(self.scrolled)
