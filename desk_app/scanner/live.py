"""The live path: frames from a source, decoded as they come, codes accepted after two frames.

Two threads of its own: one reads frames as fast as the source gives them and keeps only the
newest; the other decodes the newest frame it has not seen. A slow decode therefore skips
frames instead of falling behind the camera. The listener hears, from those threads: every
frame (for display), every decoded frame (codes for the outline, codes accepted), and every
change of state: running, no source, source lost (retrying every ``retry_s``), ended.
No Qt here: the screens wrap a listener that emits signals (``ui/camera``).

``pump()`` does one read and one decode in the caller's thread, so tests need no threads.
"""

from __future__ import annotations

import enum
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Protocol

import numpy as np

from . import raw
from .pipeline import ScanOptions, scan
from .sources import EndOfStream, FrameSource, SourceLost, SourceUnavailable
from .types import DecodedCode
from .validator import TwoFrameValidator

log = logging.getLogger(__name__)


class State(str, enum.Enum):
    STARTING = "starting"
    RUNNING = "running"
    NO_SOURCE = "no_source"     # could not open: no camera at that index, no such file
    LOST = "lost"               # it was working and stopped; retrying
    ENDED = "ended"             # a file without loop came to its end
    STOPPED = "stopped"


@dataclass(frozen=True)
class FrameResult:
    number: int
    frame: np.ndarray = field(repr=False)
    codes: list[DecodedCode]
    accepted: list[DecodedCode]
    captured_at: float          # monotonic seconds when the frame arrived
    decoded_at: float
    unread: int = 0             # symbols seen in the frame that could not be read


class Listener(Protocol):
    def on_state(self, state: State, detail: str) -> None: ...

    def on_frame(self, frame: np.ndarray, number: int) -> None: ...

    def on_result(self, result: FrameResult) -> None: ...


# A frame gets one zxing pass (with a retry where it saw a symbol it could not read); the
# harder passes take turns, one every few frames, so the whole stays within a frame's time.
LIVE = ScanOptions(budget_ms=30, passes=("zxing",))
TAKING_TURNS = ("zxing_smooth_half", "zxing_clahe", "zxing_enlarged_centre", "zxing_sharpened")


class LiveDecoder:
    """Decodes frame after frame: zxing each time, one harder pass every ``every`` frames."""

    def __init__(self, options: ScanOptions = LIVE, turns: tuple[str, ...] = TAKING_TURNS, every: int = 3):
        self.options, self.turns, self.every = options, turns, every
        self._turn = 0
        self.last_unread = 0    # read by the live loop after each call (same thread)

    def __call__(self, frame: np.ndarray, number: int) -> list[DecodedCode]:
        grey = raw.to_grey(frame)
        result = scan(grey, self.options)
        codes, self.last_unread = result.codes, len(result.unread)
        if codes or not self.turns or number % self.every:
            return codes
        name = self.turns[self._turn % len(self.turns)]
        self._turn += 1
        if name == "zxing_enlarged_centre":
            return _centre_enlarged(grey)
        return scan(grey, ScanOptions(self.options.budget_ms, (name,))).codes


def _centre_enlarged(grey: np.ndarray) -> list[DecodedCode]:
    """The middle of the frame, where the aiming guide asks for the code, at twice the size."""
    from .prepare import View, resize
    h, w = grey.shape
    top, left = h // 4, w // 4
    view = View(resize(grey[top:top + h // 2, left:left + w // 2], 2.0), 2.0, left, top)
    return [DecodedCode(c.text, c.format, view.to_original(c.corners)) for c in raw._decode_zxing(view.array)]


class LiveScanner:
    def __init__(self, open_source: Callable[[], FrameSource], listener: Listener,
                 decoder: Callable[[np.ndarray, int], list[DecodedCode]] | None = None,
                 validator: TwoFrameValidator | None = None, retry_s: float = 1.0,
                 clock: Callable[[], float] = time.monotonic):
        self._open_source = open_source
        self.listener = listener
        self.decoder = decoder or LiveDecoder()
        self.validator = validator or TwoFrameValidator()
        self.retry_s = retry_s
        self._clock = clock
        self._source: FrameSource | None = None
        self.state = State.STARTING
        self._ever_opened = False
        self._number = 0
        self._latest: tuple[np.ndarray, int, float] | None = None
        self._decoded = 0
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._reset = threading.Event()
        self._threads: list[threading.Thread] = []

    # -- running -------------------------------------------------------------------------
    def start(self) -> None:
        if self._threads:
            return
        self._stop.clear()
        self._threads = [threading.Thread(target=self._capture_loop, name="camera-capture", daemon=True),
                         threading.Thread(target=self._decode_loop, name="camera-decode", daemon=True)]
        for t in self._threads:
            t.start()

    def stop(self, timeout: float = 3.0) -> None:
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        for t in self._threads:
            t.join(timeout)
        self._threads = []
        self._close()
        self._set_state(State.STOPPED)

    @property
    def running(self) -> bool:
        return bool(self._threads)

    def reset_validator(self) -> None:
        """From any thread: the decode thread forgets which codes it has accepted."""
        self._reset.set()

    def pump(self) -> FrameResult | None:
        """One read and, if a frame came, one decode, in the caller's thread."""
        if not self._capture_once():
            return None
        return self._decode_once()

    # -- one step of each thread -----------------------------------------------------------
    def _set_state(self, state: State, detail: str = "") -> None:
        if state is not self.state:
            self.state = state
            self.listener.on_state(state, detail)

    def _close(self) -> None:
        if self._source is not None:
            try:
                self._source.close()
            except Exception:  # a device that vanished may fail to close; it is gone either way
                log.debug("closing the frame source failed", exc_info=True)
            self._source = None

    def _capture_once(self) -> bool:
        """Open if needed and read one frame; False when there was none (the state says why)."""
        if self.state in (State.ENDED, State.STOPPED) and self._stop.is_set():
            return False
        if self._source is None:
            source = self._open_source()
            try:
                source.open()
            except SourceUnavailable as e:
                self._set_state(State.LOST if self._ever_opened else State.NO_SOURCE, str(e))
                return False
            self._source, self._ever_opened = source, True
            self._set_state(State.RUNNING, source.name)
        try:
            frame = self._source.read()
        except SourceLost as e:
            self._close()
            self._set_state(State.LOST, str(e))
            return False
        except EndOfStream as e:
            self._close()
            self._set_state(State.ENDED, str(e))
            return False
        if frame is None:
            return False
        self._number += 1
        captured = self._clock()
        self.listener.on_frame(frame, self._number)
        with self._cond:
            self._latest = (frame, self._number, captured)
            self._cond.notify_all()
        return True

    def _decode_once(self) -> FrameResult | None:
        with self._cond:
            if self._latest is None or self._latest[1] == self._decoded:
                return None
            frame, number, captured = self._latest
            self._decoded = number
        if self._reset.is_set():
            self._reset.clear()
            self.validator.reset()
        try:
            codes = self.decoder(frame, number)
        except Exception:  # one bad frame must not stop the camera
            log.exception("decoding a frame failed")
            codes = []
        result = FrameResult(number, frame, codes, self.validator.feed(codes), captured, self._clock(),
                             getattr(self.decoder, "last_unread", 0) if not codes else 0)
        self.listener.on_result(result)
        return result

    # -- the threads -------------------------------------------------------------------------
    def _capture_loop(self) -> None:
        while not self._stop.is_set():
            try:
                if self._capture_once():
                    continue
            except Exception:
                log.exception("reading a frame failed")
                self._close()
                self._set_state(State.LOST, "")
            if self.state is State.ENDED:
                break
            if self.state in (State.NO_SOURCE, State.LOST):
                self._stop.wait(self.retry_s)

    def _decode_loop(self) -> None:
        while not self._stop.is_set():
            with self._cond:
                while not self._stop.is_set() and (self._latest is None or self._latest[1] == self._decoded):
                    self._cond.wait(0.5)
            if self._stop.is_set():
                break
            self._decode_once()
