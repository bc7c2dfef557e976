"""Token buckets per client IP, in this process's memory.

Several server processes each keep their own buckets; in production the reverse proxy in
front of them (nginx ``limit_req``) is the province-wide limit and this one a second fence.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Callable


class RateLimiter:
    def __init__(self, rate_per_second: float, burst: int, max_clients: int = 100_000,
                 clock: Callable[[], float] = time.monotonic):
        self.rate = float(rate_per_second)
        self.burst = float(burst)
        self.max_clients = max_clients
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, client: str) -> float:
        """0 if ``client`` may go ahead now, else the seconds until it may."""
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.pop(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= 1:
                wait = 0.0
                tokens -= 1
            else:
                wait = (1 - tokens) / self.rate if self.rate > 0 else 3600.0
            self._buckets[client] = (tokens, now)
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)  # forget the least recently seen
            return wait
