"""A code from the camera counts once it has been read in two frames (after Electrum's qrreader).

A single frame can be a misread or a code passing by; two readings of the same text within a
few frames cannot. Once accepted, a code is not accepted again while it stays in view, so a
citizen holding the receipt still does not trigger the lookup over and over. All state lives
on the instance (Electrum kept its counts in class attributes, shared by every reader).
"""

from __future__ import annotations

import time
from collections import deque
from typing import Callable

from .types import DecodedCode


class TwoFrameValidator:
    def __init__(self, frames_needed: int = 2, window: int = 5, quiet_s: float = 2.0,
                 clock: Callable[[], float] = time.monotonic):
        if frames_needed < 1 or window < frames_needed:
            raise ValueError("need 1 <= frames_needed <= window")
        self.frames_needed, self.window, self.quiet_s = frames_needed, window, quiet_s
        self._clock = clock
        self._recent: deque[frozenset[tuple[str, str]]] = deque(maxlen=window)
        self._accepted: dict[tuple[str, str], float] = {}   # key -> last time seen

    def feed(self, codes: list[DecodedCode]) -> list[DecodedCode]:
        """The codes of one frame in; the codes accepted with this frame out."""
        now = self._clock()
        keys = {(c.format, c.text): c for c in codes}
        self._recent.append(frozenset(keys))
        # An accepted code may be accepted again only after it has been out of view for quiet_s.
        for key in list(self._accepted):
            if key in keys:
                self._accepted[key] = now
            elif now - self._accepted[key] >= self.quiet_s:
                del self._accepted[key]
        accepted = []
        for key, code in keys.items():
            if key in self._accepted:
                continue
            if sum(1 for frame in self._recent if key in frame) >= self.frames_needed:
                self._accepted[key] = now
                accepted.append(code)
        if accepted:  # counting starts afresh: coming back into view takes two new frames
            done = {(c.format, c.text) for c in accepted}
            self._recent = deque((frame - done for frame in self._recent), maxlen=self.window)
        return accepted

    def reset(self) -> None:
        """Forget everything: the next two frames of any code accept it again."""
        self._recent.clear()
        self._accepted.clear()
