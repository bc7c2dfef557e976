"""The arithmetic of leasing dossier numbers by blocks, written once for the desk and the server.

A dossier code carries a 4-digit number per agency and day; numbers are handed out in
blocks, each after the last one leased. Pure: the callers hold the counter and its lock.
"""

from __future__ import annotations

MAX_NUMBER = 9999  # the code's counter has 4 digits
MAX_SERIES_NUMBER = 9_999_999  # a form's number in its series and year ("15/2026/TB-BS")


def next_block(last_leased: int, size: int, max_number: int = MAX_NUMBER) -> tuple[int, int] | None:
    """The block of (up to) ``size`` numbers after ``last_leased``; None when the day has none left."""
    first = last_leased + 1
    if first > max_number or size < 1:
        return None
    return first, min(first + size - 1, max_number)


def allowed_size(requested: int, block_max: int, already_leased: int, daily_cap: int) -> int:
    """How many numbers a desk may take now: the request, within one block's maximum and what is
    left of the desk's daily allowance (0: nothing left today)."""
    return max(0, min(requested, block_max, daily_cap - already_leased))
