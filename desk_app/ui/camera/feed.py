"""The one crossing point from the camera's threads to the GUI thread.

``CameraFeed`` is the live scanner's listener. Its methods run on the capture and decode
threads and do nothing but emit signals (Qt queues them to the GUI thread); every widget
is touched in the slots, on the GUI thread. A frame for display is converted to a QImage
on the capture thread, and a new one is sent only once the screen has taken the last, so
a slow screen drops frames instead of piling them up.
"""

from __future__ import annotations

import threading
from typing import Callable

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from ...domain.i18n import tr
from ...scanner.live import FrameResult, LiveScanner, State
from ...scanner.sources import FrameSource


def to_qimage(frame: np.ndarray) -> QImage:
    """A BGR (or grey) frame as a QImage that owns its pixels."""
    frame = np.ascontiguousarray(frame)
    h, w = frame.shape[:2]
    if frame.ndim == 2:
        return QImage(frame.data, w, h, frame.strides[0], QImage.Format.Format_Grayscale8).copy()
    return QImage(frame.data, w, h, frame.strides[0], QImage.Format.Format_BGR888).copy()


def state_message(state: State) -> str:
    """What the screen says for a camera state ("" when it shows frames)."""
    return {
        State.STARTING: tr("Đang mở camera..."),
        State.NO_SOURCE: tr("Không tìm thấy camera. Kiểm tra dây cắm camera; máy sẽ tự thử lại."),
        State.LOST: tr("Mất kết nối camera. Đang thử kết nối lại..."),
        State.ENDED: tr("Đã hết đoạn phim."),
        State.STOPPED: tr("Camera đã tắt."),
    }.get(state, "")


class CameraFeed(QObject):
    frame_ready = Signal(QImage, int)
    # frame number, codes of that frame (for outlines), frame width, height, captured_at
    decoded = Signal(int, object, int, int, float)
    accepted = Signal(object, float)          # a DecodedCode read in two frames, captured_at
    unreadable = Signal()                     # a code is in view but could not be read
    state_changed = Signal(str, str)          # State value, message for the screen

    def __init__(self, open_source: Callable[[], FrameSource], parent: QObject | None = None,
                 scanner_factory: Callable[..., LiveScanner] = LiveScanner, **scanner_options):
        super().__init__(parent)
        self._shown = threading.Event()
        self._shown.set()
        self.scanner = scanner_factory(open_source, self, **scanner_options)

    # -- control, from the GUI thread ---------------------------------------------------------
    def start(self) -> None:
        self.state_changed.emit(State.STARTING.value, state_message(State.STARTING))
        self.scanner.start()

    def stop(self) -> None:
        self.scanner.stop()

    def pump(self) -> FrameResult | None:
        """One frame read and decoded now, in this thread (tests, demos without threads)."""
        return self.scanner.pump()

    def frame_shown(self) -> None:
        """The screen took the last frame: the next may be sent."""
        self._shown.set()

    def forget_accepted(self) -> None:
        """The next two frames of any code accept it again (back to the idle screen)."""
        self.scanner.reset_validator()

    # -- the listener: called on the scanner's threads; emit only ---------------------------------
    def on_state(self, state: State, detail: str) -> None:
        self.state_changed.emit(state.value, state_message(state))

    def on_frame(self, frame: np.ndarray, number: int) -> None:
        if not self._shown.is_set():
            return
        self._shown.clear()
        self.frame_ready.emit(to_qimage(frame), number)

    def on_result(self, result: FrameResult) -> None:
        h, w = result.frame.shape[:2]
        self.decoded.emit(result.number, list(result.codes), w, h, result.captured_at)
        if result.unread:
            self.unreadable.emit()
        for code in result.accepted:
            self.accepted.emit(code, result.captured_at)
