"""Background sync on its own thread: a round now and then, at once after a local change,
with backoff and jitter after failures.

The runner knows nothing of the database: it is handed a ``do_round(progress)`` function
(from ``desk_app.services.sync``) and a ``listener`` it calls, on the runner's thread, with
a ``RunnerEvent`` for each start, progress, success and failure. A Qt window turns those
calls into a signal (``desk_app.ui.sync_panel.SyncEvents``) before touching any widget.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

from .backoff import Backoff
from .client import SyncError

log = logging.getLogger(__name__)

ProgressFn = Callable[[str, int, int], None]


@dataclass(frozen=True)
class RunnerEvent:
    kind: str                       # started | progress | succeeded | failed | stopped
    phase: str = ""
    done: int = 0
    total: int = 0
    result: Any = None
    error: BaseException | None = None
    retry_in: float | None = None   # seconds until the next try, after a failure

    @property
    def message(self) -> str | None:
        if self.error is None:
            return None
        return self.error.message if isinstance(self.error, SyncError) else str(self.error)


class SyncRunner:
    def __init__(self, do_round: Callable[[ProgressFn], Any], listener: Callable[[RunnerEvent], None] | None = None,
                 *, interval: float = 60.0, backoff: Backoff | None = None,
                 change_probe: Callable[[], Any] | None = None, probe_every: float = 1.0,
                 name: str = "desk-sync"):
        self._do_round = do_round
        self._listener = listener or (lambda event: None)
        self.interval = interval
        self.backoff = backoff or Backoff()
        self._probe = change_probe
        self.probe_every = probe_every
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._lock = threading.Lock()
        self.last_event: RunnerEvent | None = None
        self.busy = False
        self.rounds = 0

    # -- control (any thread) ---------------------------------------------------------------
    def start(self) -> "SyncRunner":
        self._thread.start()
        return self

    def poke(self) -> None:
        """Sync now (a local change, or the clerk pressed the button), even while backing off."""
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    # -- the loop (runner thread) ------------------------------------------------------------
    def _emit(self, event: RunnerEvent) -> None:
        self.last_event = event
        try:
            self._listener(event)
        except Exception:  # a broken listener must not stop the sync
            log.exception("sync listener failed")

    def _progress(self, phase: str, done: int, total: int) -> None:
        self._emit(RunnerEvent("progress", phase, done, total))

    def _safe_probe(self) -> Any:
        if self._probe is None:
            return None
        try:
            return self._probe()
        except Exception:
            log.exception("sync change probe failed")
            return None

    def _loop(self) -> None:
        seen = self._safe_probe()
        while not self._stop.is_set():
            self._wake.clear()
            self.busy = True
            self._emit(RunnerEvent("started"))
            try:
                result = self._do_round(self._progress)
            except Exception as e:  # every failure is reported, then retried
                delay = self.backoff.next()
                if not isinstance(e, SyncError):
                    log.exception("sync round failed")
                self.busy = False
                self.rounds += 1
                self._emit(RunnerEvent("failed", error=e, retry_in=delay))
            else:
                self.backoff.reset()
                delay = self.interval
                self.busy = False
                self.rounds += 1
                self._emit(RunnerEvent("succeeded", result=result))
            seen = self._wait(delay, seen)
        self._emit(RunnerEvent("stopped"))

    def _wait(self, delay: float, seen: Any) -> Any:
        """Until the delay passes, someone pokes, we are stopped, or the probe sees a change."""
        deadline = time.monotonic() + delay
        while not self._stop.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            if self._wake.wait(min(remaining, self.probe_every)):
                break
            now = self._safe_probe()
            if now != seen:
                return now
        return self._safe_probe() if self._probe else seen
