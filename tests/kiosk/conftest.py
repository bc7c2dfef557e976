"""Kiosk tests show widgets: Qt 6.12's offscreen platform warns on every top-level show()."""

from __future__ import annotations

from pathlib import Path

import pytest

OFFSCREEN_NOISE = r"^This plugin does not support propagateSizeHints\(\)"


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE, extend=True))
