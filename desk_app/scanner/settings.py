"""The scanning devices of this machine, declared once with their types and defaults.

They belong to the computer, not to the desk's data (a camera index means nothing on another
machine), so the screens keep them in the machine's own settings store (QSettings).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

KEYBOARD = "keyboard"
SERIAL = "serial"


@dataclass(frozen=True)
class DeviceSettings:
    camera_index: int = 0
    camera_width: int = 1280
    camera_height: int = 720
    scanner_mode: str = KEYBOARD      # "keyboard" (types like a keyboard) or "serial" (USB-COM)
    serial_port: str = ""             # e.g. "/dev/ttyACM0" or "COM3"
    serial_baud: int = 9600
    wedge_gap_ms: int = 40            # keys closer than this, ending in Enter, are a scan

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "DeviceSettings":
        """Known keys converted to their type; anything missing or unreadable keeps its default."""
        result = cls()
        for f in fields(cls):
            if f.name not in values or values[f.name] is None:
                continue
            kind = type(getattr(result, f.name))
            try:
                value = kind(values[f.name])
            except (TypeError, ValueError):
                continue
            result = replace(result, **{f.name: value})
        if result.scanner_mode not in (KEYBOARD, SERIAL):
            result = replace(result, scanner_mode=KEYBOARD)
        return result
