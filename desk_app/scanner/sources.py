"""Where frames come from: a camera by index, a video file, a folder of images, or a fake.

Every source has the same small interface (``FrameSource``): ``open``, ``read``, ``close``.
``read`` returns a BGR frame, or ``None`` when no frame is ready yet; it raises ``SourceLost``
when the device has gone (unplugged, taken by another program) and ``EndOfStream`` when a
file has no more frames. ``open`` raises ``SourceUnavailable`` when there is nothing to open.
The live loop (``live.py``) turns those into "no camera", "camera lost" and recovery.
"""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol, Sequence

import numpy as np

from .images import load_image_bgr
from .types import IMAGE_SUFFIXES, VIDEO_SUFFIXES  # noqa: F401  (VIDEO_SUFFIXES: callers find it here)

RESOLUTIONS = ((640, 480), (1280, 720), (1920, 1080))


class SourceUnavailable(Exception):
    """Nothing to open: no camera at that index, no such file or folder."""


class SourceLost(Exception):
    """A source that was working stopped giving frames."""


class EndOfStream(Exception):
    """A video file or image folder has no more frames (and does not loop)."""


class FrameSource(Protocol):
    name: str

    def open(self) -> None: ...

    def read(self) -> np.ndarray | None: ...

    def close(self) -> None: ...


@dataclass
class CameraSource:
    """An OpenCV capture by device index. ``read`` blocks until the camera's next frame."""

    index: int = 0
    width: int = 1280
    height: int = 720
    lost_after: int = 15   # failed reads in a row that mean the camera is gone
    name: str = ""

    def __post_init__(self) -> None:
        self.name = self.name or "camera %d" % self.index
        self._capture = None
        self._failures = 0

    def open(self) -> None:
        import cv2
        backend = cv2.CAP_DSHOW if sys.platform == "win32" else (cv2.CAP_V4L2 if sys.platform.startswith("linux")
                                                                   else cv2.CAP_ANY)
        capture = cv2.VideoCapture(self.index, backend)
        if not capture.isOpened():
            capture.release()
            raise SourceUnavailable(self.name)
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
        capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # the newest frame, not one from a second ago
        self._capture, self._failures = capture, 0

    def read(self) -> np.ndarray | None:
        if self._capture is None or not self._capture.isOpened():
            raise SourceLost(self.name)
        ok, frame = self._capture.read()
        if not ok or frame is None:
            self._failures += 1
            if self._failures >= self.lost_after:
                raise SourceLost(self.name)
            time.sleep(0.02)
            return None
        self._failures = 0
        return frame

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None


def list_cameras(max_index: int = 6) -> list[int]:
    """Indices at which a camera opens (slow: opens each one; for the settings screen)."""
    found = []
    for index in range(max_index):
        source = CameraSource(index)
        try:
            source.open()
        except SourceUnavailable:
            continue
        finally:
            source.close()
        found.append(index)
    return found


class _Paced:
    """Frames at a fixed rate, as a camera would deliver them (``fps`` 0: as fast as asked)."""

    def __init__(self, fps: float, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic):
        self.fps, self._sleep, self._clock = fps, sleep, clock
        self._next = 0.0

    def wait(self) -> None:
        if self.fps <= 0:
            return
        now = self._clock()
        if self._next > now:
            self._sleep(self._next - now)
        self._next = max(self._next, now) + 1.0 / self.fps


class VideoFileSource:
    """Frames of a video file at the file's own pace (``realtime``) or as fast as they decode."""

    def __init__(self, path: str | Path, loop: bool = False, realtime: bool = True):
        self.path, self.loop, self.realtime = Path(path), loop, realtime
        self.name = self.path.name
        self._capture = None
        self._pace = _Paced(0)

    def open(self) -> None:
        import cv2
        if not self.path.is_file():
            raise SourceUnavailable(str(self.path))
        capture = cv2.VideoCapture(str(self.path))
        if not capture.isOpened():
            capture.release()
            raise SourceUnavailable(str(self.path))
        fps = capture.get(cv2.CAP_PROP_FPS) or 25.0
        self._pace = _Paced(fps if self.realtime else 0)
        self._capture = capture

    def read(self) -> np.ndarray | None:
        import cv2
        if self._capture is None:
            raise SourceLost(self.name)
        self._pace.wait()
        ok, frame = self._capture.read()
        if not ok:
            if not self.loop:
                raise EndOfStream(self.name)
            self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = self._capture.read()
            if not ok:
                raise EndOfStream(self.name)
        return frame

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None


class ImageFolderSource:
    """The images of a folder in name order, each shown as one frame, at ``fps``."""

    def __init__(self, folder: str | Path, fps: float = 10.0, loop: bool = True):
        self.folder, self.loop = Path(folder), loop
        self.name = self.folder.name
        self._pace = _Paced(fps)
        self._files: list[Path] = []
        self._next = 0

    def open(self) -> None:
        if not self.folder.is_dir():
            raise SourceUnavailable(str(self.folder))
        self._files = sorted(p for p in self.folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not self._files:
            raise SourceUnavailable(str(self.folder))
        self._next = 0

    def read(self) -> np.ndarray | None:
        if self._next >= len(self._files):
            if not self.loop:
                raise EndOfStream(self.name)
            self._next = 0
        self._pace.wait()
        path = self._files[self._next]
        self._next += 1
        return load_image_bgr(path)

    def close(self) -> None:
        self._files = []


class FakeSource:
    """Frames from a list, for tests and demos; ``unplug`` and ``plug`` act out a lost camera.

    Thread-safe: a test may unplug it while the live loop reads from another thread.
    """

    def __init__(self, frames: Sequence[np.ndarray], loop: bool = True, fps: float = 0.0, name: str = "fake"):
        self.frames = list(frames)
        self.loop, self.name = loop, name
        self._lock = threading.Lock()
        self._plugged = True
        self._open = False
        self._next = 0
        self._pace = _Paced(fps)
        self.opens = 0

    def set_frames(self, frames: Sequence[np.ndarray]) -> None:
        with self._lock:
            self.frames, self._next = list(frames), 0

    def unplug(self) -> None:
        with self._lock:
            self._plugged = False

    def plug(self) -> None:
        with self._lock:
            self._plugged = True

    def open(self) -> None:
        with self._lock:
            if not self._plugged or not self.frames:
                raise SourceUnavailable(self.name)
            self._open = True
            self.opens += 1

    def read(self) -> np.ndarray | None:
        self._pace.wait()
        with self._lock:
            if not self._plugged or not self._open:
                self._open = False
                raise SourceLost(self.name)
            if self._next >= len(self.frames):
                if not self.loop:
                    raise EndOfStream(self.name)
                self._next = 0
            frame = self.frames[self._next]
            self._next += 1
            return frame

    def close(self) -> None:
        with self._lock:
            self._open = False


@dataclass(frozen=True)
class SourceSpec:
    """Which source to open, as settings and the command line give it."""

    camera: int | None = 0
    path: Path | None = None
    width: int = 1280
    height: int = 720

    def create(self) -> FrameSource:
        if self.path is not None:
            path = Path(self.path)
            if path.is_dir():
                return ImageFolderSource(path)
            return VideoFileSource(path, loop=True)
        return CameraSource(self.camera or 0, self.width, self.height)
