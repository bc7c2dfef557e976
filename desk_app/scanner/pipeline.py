"""The decoding pipeline: cheap passes first, harder ones while the time budget lasts.

Pass 1 is zxing-cpp on the image as given, restricted to QR and Code 128; it reads most
codes, so most images cost one zxing call. A symbol zxing saw but could not read is retried
at once, cropped, enlarged and cleaned up, with zxing, pyzbar and OpenCV. If nothing was read,
the pipeline goes on with zxing on prepared copies (stretched contrast, sharpened, smoothed at
half size, deblurred, binarised, enlarged), then pyzbar and OpenCV's QR detector on the
original, local contrast (CLAHE), inversion, and tiles of very large photos, until a pass
reads something or the budget is spent. Every result goes through ``validate.Findings``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Callable, Iterable

import numpy as np
from PIL import Image

from . import prepare, raw
from .prepare import View
from .raw import to_grey
from .types import DecodedCode, Quad
from .validate import Findings

LARGE = 2400        # longest side above which a photo is also read in tiles
ENLARGE_UP_TO = 1800  # longest side up to which an image is also read at twice the size


@dataclass(frozen=True)
class ScanOptions:
    budget_ms: float
    passes: tuple[str, ...]
    exhaustive: bool = False   # run every pass the budget allows, even after a read

    def with_budget(self, budget_ms: float) -> "ScanOptions":
        return replace(self, budget_ms=budget_ms)


# Ordered by the codes each pass rescued per millisecond on the generated corpus (see
# benchmarks/bench_scan.py), where zxing on a prepared copy beat pyzbar and OpenCV on the
# original: they come after, for the symbols zxing's detector does not find at all.
HARD_PASSES = ("zxing_stretched", "zxing_sharpened", "zxing_smooth_half", "zxing_deblurred", "zxing_binarized",
               "zxing_enlarged", "pyzbar", "opencv", "zxing_clahe", "pyzbar_inverted", "zxing_tiles",
               "pyzbar_clahe", "opencv_enlarged")
FILE = ScanOptions(budget_ms=600, passes=("zxing",) + HARD_PASSES)


@dataclass(frozen=True)
class ScanResult:
    codes: list[DecodedCode]
    ms: float
    passes: tuple[str, ...]     # the passes that ran, in order
    unread: tuple[Quad, ...] = ()   # symbols seen but read by no pass (too far, blurred, moving)


def _run(decoder: str, views: Iterable[View], findings: Findings, deadline: float) -> None:
    fn: Callable[[np.ndarray], list[DecodedCode]] = getattr(raw, "_decode_" + decoder)
    for view in views:
        if decoder == "zxing":
            with raw.collecting_failures() as failures:
                found = fn(view.array)
            for quad in failures:
                findings.add_unread(view.to_original(quad))
        else:
            found = fn(view.array)
        for code in found:
            findings.add(DecodedCode(code.text, code.format, view.to_original(code.corners)))
        if time.perf_counter() > deadline:
            return


def _views(name: str, grey: np.ndarray) -> Iterable[View]:
    """The images a pass reads; empty when the pass does not suit this image."""
    h, w = grey.shape
    longest = max(h, w)
    if name in ("zxing", "pyzbar", "opencv"):
        return [View(grey)] if name != "pyzbar" or longest <= 4000 else [prepare.scaled(grey, 0.5)]
    if name == "zxing_smooth_half":
        return [prepare.scaled(grey, 0.5, prepare.smooth)] if min(h, w) >= 400 else []
    if name == "zxing_clahe":
        return [prepare.whole(grey, prepare.clahe)]
    if name in ("zxing_enlarged", "opencv_enlarged"):
        return [prepare.scaled(grey, 2.0)] if longest <= ENLARGE_UP_TO else []
    if name == "zxing_sharpened":
        return [prepare.whole(grey, prepare.sharpen)]
    if name == "zxing_deblurred":
        return [View(prepare.deblur(grey), 2.0)] if longest <= ENLARGE_UP_TO else []
    if name == "zxing_stretched":
        return [prepare.whole(grey, prepare.stretch)]
    if name == "zxing_binarized":
        return [prepare.whole(grey, prepare.binarize)]
    if name == "pyzbar_inverted":
        return [prepare.whole(grey, prepare.invert)] if longest <= 4000 else []
    if name == "pyzbar_clahe":
        return [prepare.whole(grey, prepare.clahe)] if longest <= 4000 else []
    if name == "zxing_tiles":
        return prepare.tiles(grey) if longest > LARGE else []
    raise ValueError("unknown pass %r" % name)


def _decoder(name: str) -> str:
    return name.split("_", 1)[0]


def _retry_unread(grey: np.ndarray, findings: Findings, tried: list[Quad], deadline: float) -> None:
    """Crop, enlarge and clean up around each symbol seen but not read, and read it there."""
    from .validate import same_place
    for quad in findings.pending():
        if any(same_place(quad, t) for t in tried):
            continue
        tried.append(quad)
        base = prepare.around(grey, quad)
        if base is None:
            continue
        variants = [base.array, prepare.sharpen(base.array), prepare.clahe(base.array),
                    prepare.smooth(base.array, 1.2), prepare.binarize(base.array)]
        before = len(findings.codes)
        for decoder in ("zxing", "pyzbar", "opencv"):
            for array in variants if decoder != "opencv" else variants[:2]:
                _run(decoder, [View(array, base.scale, base.left, base.top)], findings, deadline)
                if len(findings.codes) > before or time.perf_counter() > deadline:
                    break
            if len(findings.codes) > before or time.perf_counter() > deadline:
                break


def scan(image: Image.Image | np.ndarray, options: ScanOptions = FILE) -> ScanResult:
    """Every valid QR code and Code 128 in the image, within ``options.budget_ms`` (the first
    pass always runs to the end)."""
    start = time.perf_counter()
    deadline = start + options.budget_ms / 1000.0
    grey = to_grey(image)
    h, w = grey.shape
    findings = Findings(w, h)
    tried: list[Quad] = []
    ran: list[str] = []
    for i, name in enumerate(options.passes):
        if i > 0 and time.perf_counter() >= deadline:
            break
        views = _views(name, grey)
        if not views:
            continue
        ran.append(name)
        before = len(findings.codes)
        _run(_decoder(name), views, findings, deadline if i > 0 else float("inf"))
        if findings.pending() and time.perf_counter() < deadline:
            _retry_unread(grey, findings, tried, deadline)
        read_something = len(findings.codes) > before or (findings.codes and i == 0)
        if findings.codes and not findings.pending() and not options.exhaustive and read_something:
            break
    return ScanResult(list(findings.codes), (time.perf_counter() - start) * 1000.0, tuple(ran),
                      tuple(findings.pending()))
