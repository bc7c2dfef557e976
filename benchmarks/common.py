"""Helpers shared by the benchmarks: a fresh desk, timing, and the ratio table."""

from __future__ import annotations

import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


def percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    k = max(0, min(len(s) - 1, round(p / 100 * (len(s) - 1))))
    return s[k]


def median(values: list[float]) -> float:
    return statistics.median(values)


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    target: float
    lower_is_better: bool = True

    @property
    def ratio(self) -> float:
        """How far inside the target: > 1 means the target is met with that much room."""
        if self.lower_is_better:
            return self.target / self.value if self.value else float("inf")
        return self.value / self.target if self.target else float("inf")

    def line(self) -> str:
        op = "<" if self.lower_is_better else ">="
        ok = "OK " if self.ratio >= 1 else "MISS"
        return "%-4s %-58s %10.2f %-5s target %s %-8g ratio %.2f" % (
            ok, self.name, self.value, self.unit, op, self.target, self.ratio)


def report(title: str, figures: list[Figure]) -> None:
    print("\n== %s ==" % title)
    for f in figures:
        print(f.line())


def fresh_desk(tmp: Path, clock=None):
    """A configured desk with the shipped catalogue, and a clerk."""
    from datetime import datetime
    from desk_app.domain.roles import Role
    from desk_app.services import auth, catalogue, setup
    from desk_app.services.context import open_desk
    from desk_app.services.demo import DEMO_AGENCY

    ctx = open_desk(tmp, desk_id="bench", clock=clock or datetime.now)
    setup.configure(ctx, DEMO_AGENCY, "admin", "Quản trị", "matkhau-admin")
    clerk = auth.create_user(ctx, "tiepnhan", "Nguyễn Thị Thu Hương", Role.CLERK, "matkhau-clerk")
    catalogue.ensure_builtin(ctx)
    return ctx, clerk


class Timer:
    def __enter__(self):
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.ms = (time.perf_counter() - self.t0) * 1000


def tempdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="desk-bench-"))
