"""Exponential backoff with jitter, so desks that lost the server together do not return together."""

from __future__ import annotations

import random


class Backoff:
    """Delays of base·2ⁿ, capped, each drawn at random from its upper half ("equal jitter")."""

    def __init__(self, base: float = 2.0, cap: float = 300.0, rng: random.Random | None = None):
        self.base, self.cap = base, cap
        self.rng = rng or random.Random()
        self.failures = 0

    def next(self) -> float:
        ceiling = min(self.cap, self.base * (2 ** min(self.failures, 30)))
        self.failures += 1
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)

    def reset(self) -> None:
        self.failures = 0
