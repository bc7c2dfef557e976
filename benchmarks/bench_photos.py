"""Phone photos into pages, on one core: what the citizen waits for after sending the papers.

    .venv/bin/python -m benchmarks.bench_photos [PHOTOS]     (default 10 distinct 12 MP photos)

Photos from ``tests/central_server/online/photosim.py``: 4000 x 3000 JPEGs (quality 90, about
2 MB) of an A4 page on a desk, held upright (EXIF orientation 6 or 8), with GPS. Measured with
the process pinned to one CPU and OpenCV on one thread; the figures are CPU time (the machine
is shared: the clock's time, printed beside them, depends on who else runs).

Targets: one photo to its page in under 1 s at the 95th percentile (median under 0.5 s); the
ten photos of one submission into their PDF within 10 s; an ID card's details from a 12 MP
photo in under 1 s.
"""

from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager

from benchmarks.bench_scan import one_core
from benchmarks.common import Figure, median, percentile, report

ROUNDS = 3


def _photos(n: int) -> list[bytes]:
    from tests.central_server.online import photosim
    return [photosim.photograph(photosim.paper_page(seed), seed=seed, sensor=(4000, 3000),
                                orientation=6 if seed % 2 else 8, shadow=0.45).jpeg for seed in range(1, n + 1)]


def _cards(n: int) -> list[bytes]:
    from tests.central_server.online import photosim
    out = []
    for seed in range(1, n + 1):
        card, _ = photosim.id_card(seed)
        out.append(photosim.photograph(card, seed=seed, sensor=(4000, 3000), orientation=6, fill=0.65,
                                       angle=(-1) ** seed * 10.0, shadow=0.35).jpeg)
    return out


def _stages(data: bytes) -> dict[str, float]:
    """One photo through the pipeline's stages, each timed (ms)."""
    from PIL import Image

    from central_server.online import photos
    out = {}
    t0 = time.perf_counter()
    pixels, orientation = photos.decode(data)
    t1 = time.perf_counter()
    corners = photos.page_corners(pixels, orientation)
    t2 = time.perf_counter()
    page = photos.even_light(photos.flatten(pixels, corners))
    t3 = time.perf_counter()
    photos.write_pdf([Image.fromarray(page)])
    t4 = time.perf_counter()
    out["decode (checked first)"], out["find the page"], out["flatten, even the light"], out["JPEG into the PDF"] = (
        1000 * (t1 - t0), 1000 * (t2 - t1), 1000 * (t3 - t2), 1000 * (t4 - t3))
    return out


def run(n: int = 10) -> list[Figure]:
    from central_server.online import idcard, photos
    started = time.perf_counter()
    shots = _photos(n)
    cards = _cards(3)
    print("  (%d photos of %.1f MB on average and 3 ID card photos made in %.0f s)" % (
        n, sum(map(len, shots)) / n / 1e6, time.perf_counter() - started))
    with one_core():
        photos.photo_to_page(shots[0])  # warm: imports, OpenCV's first calls
        load = os.getloadavg()[0]
        per_photo, per_photo_wall = [], []
        for _ in range(ROUNDS):
            for data in shots:
                with _timed(per_photo, per_photo_wall):
                    photos.photo_to_page(data)
        stages: dict[str, list[float]] = {}
        for data in shots:
            for name, ms in _stages(data).items():
                stages.setdefault(name, []).append(ms)
        submission, submission_wall = [], []
        for _ in range(ROUNDS):
            with _timed(submission, submission_wall):
                pdf, pages = photos.component_pdf(shots[:10])
        card_ms, card_wall = [], []
        for _ in range(ROUNDS):
            for data in cards:
                with _timed(card_ms, card_wall):
                    assert idcard.id_card_from_photo(data) is not None
        load = max(load, os.getloadavg()[0])
    print("  (load average up to %.1f on %d CPUs while measuring: figures are CPU time on the pinned core,"
          " what a dedicated core would take; wall-clock medians beside them)" % (load, os.cpu_count() or 1))
    for name, values in stages.items():
        print("  %-28s median %6.1f ms (wall)" % (name, median(values)))
    print("  wall: photo median %.0f ms, p95 %.0f ms; ten photos %.1f s; ID card %.0f ms" % (
        median(per_photo_wall), percentile(per_photo_wall, 95), median(submission_wall) / 1000, median(card_wall)))
    print("  (the %d-page PDF: %.0f KB, %.0f KB a page)" % (pages, len(pdf) / 1024, len(pdf) / 1024 / pages))
    return [
        Figure("12 MP photo to its page, median, one core (CPU)", median(per_photo), "ms", 500),
        Figure("12 MP photo to its page, p95, one core (CPU)", percentile(per_photo, 95), "ms", 1000),
        Figure("%d photos of one submission into its PDF, one core (CPU)" % min(10, n), median(submission) / 1000,
               "s", 10),
        Figure("ID card details from a 12 MP photo, median, one core (CPU)", median(card_ms), "ms", 1000),
    ]


@contextmanager
def _timed(cpu: list[float], wall: list[float]):
    """Milliseconds of this process's CPU (one thread, one pinned core) and of the clock."""
    c, w = time.process_time(), time.perf_counter()
    yield
    cpu.append(1000 * (time.process_time() - c))
    wall.append(1000 * (time.perf_counter() - w))


if __name__ == "__main__":
    report("Phone photos to pages (online submission)", run(int(sys.argv[1]) if len(sys.argv) > 1 else 10))
