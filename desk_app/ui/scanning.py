"""Handheld scanners: keyboard mode told from a person by timing, and serial (USB-COM) mode.

Keyboard mode. A scanner "types" its code a few milliseconds per key and ends with Enter; a
person needs a hundred. ``WedgeDetector`` is an application-wide event filter: it holds back
printable keys while they come faster than ``max_gap_ms`` apart. If Enter follows at the same
pace after at least ``min_length`` keys, the keys were a scan: they are swallowed (the field
that had focus never sees them) and ``scanned`` is emitted. Otherwise the held keys are given
back to the widgets they were meant for, in order, so a person's typing arrives intact, only
``max_gap_ms`` later.

Serial mode. Most scanners can also present themselves as a serial port; the code then comes
as bytes (UTF-8, Vietnamese intact, which keyboard mode loses) ending in CR or LF.
QtSerialPort is not part of PySide6-Essentials, so ``SerialScanner`` reads the port with
pyserial on a thread of its own and emits ``scanned`` across to the GUI thread.

What a scan is, whichever way it came, is ``recognise_scan``'s answer: the domain's recogniser
with the agency's configured public address (``public_base_url``), so only our own receipt
links count, and a last guard so no scanned text can raise into a window.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from ..domain.scan_payloads import Payload, PayloadKind, recognise

log = logging.getLogger(__name__)


def public_base_url(ctx: Any) -> str | None:
    """The agency's configured public address (receipt links live there), or None."""
    from ..services import setup
    try:
        agency = setup.agency(ctx)
    except Exception:
        log.exception("could not read the agency's public address")
        return None
    return (agency.public_base_url or None) if agency is not None else None


def recognise_scan(text: str, public_base_url: str | None) -> Payload:
    """What a scanned text is; "not ours" rather than an exception, whatever was scanned."""
    try:
        return recognise(text, public_base_url=public_base_url)
    except Exception:  # the recogniser is meant never to raise; a window must not fall if it does
        # never the text itself: an ID card's QR is personal data
        log.exception("scan not recognised (%s characters)", len(text) if isinstance(text, str) else "?")
        return Payload(PayloadKind.UNKNOWN, "")

_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
# Keys being given back pass every detector, not only the one giving them back: with two
# detectors installed (a screen's own and the window's), each would otherwise hold the other's
# replayed keys for ever. Replays are synchronous and on the GUI thread only.
_replays_running = [0]
_COMMAND_MODIFIERS = (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
                      | Qt.KeyboardModifier.MetaModifier)


def _alive(obj: QObject) -> bool:
    try:
        import shiboken6
        return shiboken6.isValid(obj)
    except ImportError:  # pragma: no cover - shiboken6 ships with PySide6
        return True


class WedgeDetector(QObject):
    """Install once on the application; ``scanned(text)`` for every scan typed by a scanner."""

    scanned = Signal(str)

    def __init__(self, parent: QObject | None = None, max_gap_ms: float = 40, min_length: int = 6,
                 clock: Callable[[], float] = time.monotonic):
        super().__init__(parent)
        self.max_gap_ms, self.min_length = max_gap_ms, min_length
        self._clock = clock
        self._held: list[tuple[QObject, QKeyEvent]] = []
        self._last = 0.0
        self.enabled = True
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.release)

    def install(self, app: QApplication | None = None) -> None:
        (app or QApplication.instance()).installEventFilter(self)

    def uninstall(self, app: QApplication | None = None) -> None:
        self.release()
        (app or QApplication.instance()).removeEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if _replays_running[0] or not self.enabled or event.type() != QEvent.Type.KeyPress:
            return False
        return self._key(obj, event)  # type: ignore[arg-type]

    def _key(self, obj: QObject, event: QKeyEvent) -> bool:
        now = self._clock() * 1000.0
        if self._held and now - self._last > self.max_gap_ms:
            self.release()  # a person's pace: what was held is theirs
        if event.key() in _ENTER and not event.modifiers() & _COMMAND_MODIFIERS:
            if len(self._held) >= self.min_length:
                text = "".join(e.text() for _, e in self._held)
                self._held.clear()
                self._timer.stop()
                self.scanned.emit(text)
                return True
            self.release()
            return False
        text = event.text()
        printable = len(text) == 1 and text.isprintable() and not event.modifiers() & _COMMAND_MODIFIERS
        if not printable or event.isAutoRepeat():
            self.release()
            return False
        self._held.append((obj, QKeyEvent(event.type(), event.key(), event.modifiers(), event.nativeScanCode(),
                                          event.nativeVirtualKey(), event.nativeModifiers(), text,
                                          event.isAutoRepeat(), event.count())))
        self._last = now
        self._timer.start(int(self.max_gap_ms) + 1)
        return True

    def release(self) -> None:
        """Give the held keys back to their widgets, in order (a person was typing)."""
        self._timer.stop()
        held, self._held = self._held, []
        if not held:
            return
        _replays_running[0] += 1
        try:
            for obj, event in held:
                if _alive(obj):
                    QApplication.sendEvent(obj, event)
        finally:
            _replays_running[0] -= 1


class SerialScanner(QObject):
    """Reads codes from a scanner in serial mode; reopens the port when it comes back."""

    scanned = Signal(str)
    state_changed = Signal(str, str)   # "connected" | "disconnected" | "error", detail

    def __init__(self, port: str = "", baudrate: int = 9600, parent: QObject | None = None,
                 open_port: Callable[[], Any] | None = None, retry_s: float = 2.0):
        super().__init__(parent)
        self.port, self.baudrate, self.retry_s = port, baudrate, retry_s
        self._open_port = open_port or self._default_open
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _default_open(self) -> Any:
        import serial  # pyserial
        return serial.serial_for_url(self.port, baudrate=self.baudrate, timeout=0.2)

    @staticmethod
    def ports() -> list[str]:
        """The serial ports this machine has now (for the settings screen)."""
        try:
            from serial.tools import list_ports
        except ImportError:
            return []
        return sorted(p.device for p in list_ports.comports())

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="serial-scanner", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2.0)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                port = self._open_port()
            except Exception as e:  # pyserial raises SerialException or OSError by platform
                self.state_changed.emit("error", str(e))
                self._stop.wait(self.retry_s)
                continue
            self.state_changed.emit("connected", str(getattr(port, "name", "") or self.port))
            try:
                self._read(port)
            except Exception as e:
                log.info("serial scanner lost: %s", e)
                self.state_changed.emit("disconnected", str(e))
            finally:
                try:
                    port.close()
                except Exception:
                    pass
            self._stop.wait(self.retry_s)

    def _read(self, port: Any) -> None:
        buffer = bytearray()
        while not self._stop.is_set():
            chunk = port.read(256)
            if not chunk:
                continue
            buffer.extend(chunk)
            while True:
                ends = [i for i in (buffer.find(b"\r"), buffer.find(b"\n")) if i >= 0]
                if not ends:
                    break
                end = min(ends)
                line, buffer = bytes(buffer[:end]), buffer[end + 1:]
                if not line.strip():
                    continue
                try:
                    text = line.decode("utf-8").strip()
                except UnicodeDecodeError:
                    self.state_changed.emit("error", "not UTF-8")
                    continue
                self.scanned.emit(text)
