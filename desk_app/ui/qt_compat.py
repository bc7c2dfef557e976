"""A guard against a reference-counting bug of PySide6 6.12.0 on Python 3.11.

There, every call of a Qt method that returns nothing (``setText``, ``setEnabled``...) or
a signal's ``emit`` gives back ``None``/``True`` without taking a reference, so each call
takes one away. After a few tens of thousands of calls, or at exit, Python stops with
"Fatal Python error: none_dealloc" (or bool_dealloc). PySide6 6.11 and Python 3.12 (where
these objects are immortal) are not affected; the real fix is to pin PySide6 below 6.12.
Until then, the three singletons get a reference count no session can use up, which is
what Python 3.12 does for them anyway.
"""

from __future__ import annotations

import ctypes
import sys

import PySide6

_MARGIN = 1 << 40  # far more calls than any session makes, far below the counter's limit
_done = False


def affected() -> bool:
    return sys.version_info < (3, 12) and tuple(PySide6.__version_info__[:2]) == (6, 12)


def guard_refcount_bug() -> bool:
    """Apply the guard once if this PySide6/Python pair needs it; True if applied."""
    global _done
    if _done or not affected():
        return False
    for singleton in (None, True, False):
        ctypes.c_ssize_t.from_address(id(singleton)).value += _MARGIN
    _done = True
    return True
