"""Reading codes from files: photos (EXIF orientation honoured) and videos; the `desk-app scan` command.

Corners are given in the pixels of the image as a viewer displays it, that is after the
EXIF rotation a phone writes instead of turning the pixels.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import IO, Iterable

from PIL import Image

from .images import load_image, load_image_bgr
from .pipeline import FILE, scan
from .types import VIDEO_SUFFIXES, DecodedCode

__all__ = ["load_image", "load_image_bgr", "scan_command", "scan_file", "scan_image_file", "scan_video_file"]


def _code_json(code: DecodedCode, frame: int | None = None) -> dict:
    d: dict = {"text": code.text, "format": code.format,
               "corners": [[round(x, 1), round(y, 1)] for x, y in code.corners]}
    if frame is not None:
        d["frame"] = frame
    return d


def scan_image_file(path: str | Path) -> dict:
    start = time.perf_counter()
    codes = scan(load_image(path), FILE).codes
    return {"file": str(path), "codes": [_code_json(c) for c in codes],
            "ms": round((time.perf_counter() - start) * 1000, 1)}


def scan_video_file(path: str | Path, every: int = 3, max_frames: int = 3000) -> dict:
    """Every distinct code in a video (each with the first frame it was read in)."""
    import cv2
    start = time.perf_counter()
    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        raise OSError("cannot open video %s" % path)
    seen: dict[tuple[str, str], dict] = {}
    options = FILE.with_budget(60)
    try:
        number = -1
        while number < max_frames:
            ok, frame = capture.read()
            if not ok:
                break
            number += 1
            if number % every:
                continue
            for code in scan(frame, options).codes:
                seen.setdefault((code.format, code.text), _code_json(code, number))
    finally:
        capture.release()
    return {"file": str(path), "codes": list(seen.values()), "ms": round((time.perf_counter() - start) * 1000, 1)}


def scan_file(path: str | Path) -> dict:
    if Path(path).suffix.lower() in VIDEO_SUFFIXES:
        return scan_video_file(path)
    return scan_image_file(path)


def scan_command(paths: Iterable[str | Path], as_json: bool = False, out: IO[str] | None = None,
                 err: IO[str] | None = None) -> int:
    """`desk-app scan PATH...`: 0 if every file was read (codes found or not), 1 if one failed."""
    from ..domain.i18n import tr
    out, err = out or sys.stdout, err or sys.stderr
    status = 0
    for path in paths:
        try:
            result = scan_file(path)
        except (OSError, ValueError, Image.DecompressionBombError) as e:
            status = 1
            if as_json:
                print(json.dumps({"file": str(path), "error": str(e), "codes": [], "ms": 0}, ensure_ascii=False),
                      file=out, flush=True)
            else:
                print(tr("{file}: không đọc được tệp ({error})").format(file=path, error=e), file=err)
            continue
        if as_json:
            print(json.dumps(result, ensure_ascii=False), file=out, flush=True)
            continue
        if not result["codes"]:
            print(tr("{file}: không tìm thấy mã ({ms} ms)").format(file=path, ms=result["ms"]), file=out)
        for code in result["codes"]:
            print("%s\t%s\t%s" % (path, code["format"], code["text"]), file=out)
    return status
