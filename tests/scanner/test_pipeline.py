"""The pipeline's rules: validation, disputes, retries where a symbol was seen, the time budget."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from desk_app.scanner import pipeline, raw
from desk_app.scanner.raw import _undo_charset_guess
from desk_app.scanner.types import DecodedCode
from desk_app.scanner.pipeline import FILE, ScanOptions, scan
from desk_app.scanner.validate import Findings

from .helpers import LINK, qr_frame

SQUARE = ((100.0, 100.0), (200.0, 100.0), (200.0, 200.0), (100.0, 200.0))
NEARBY = ((104.0, 102.0), (203.0, 101.0), (202.0, 199.0), (103.0, 201.0))
ELSEWHERE = ((400.0, 300.0), (500.0, 300.0), (500.0, 400.0), (400.0, 400.0))


def test_two_readings_of_one_symbol_that_disagree_are_both_dropped() -> None:
    f = Findings(640, 480)
    assert f.add(DecodedCode("https://a.vn/x", "QRCode", SQUARE))
    assert not f.add(DecodedCode("https://a.vn/y", "QRCode", NEARBY))
    assert f.codes == []
    assert not f.add(DecodedCode("https://a.vn/x", "QRCode", NEARBY))  # the place stays disputed
    assert f.add(DecodedCode("https://a.vn/x", "QRCode", ELSEWHERE))   # a second receipt elsewhere is fine


def test_the_same_symbol_read_twice_is_kept_once() -> None:
    f = Findings(640, 480)
    assert f.add(DecodedCode("A1B2C3", "Code128", SQUARE))
    assert not f.add(DecodedCode("A1B2C3", "Code128", NEARBY))
    assert len(f.codes) == 1


def test_garbled_code128_is_refused_and_casts_doubt_on_its_place() -> None:
    # zxing read "000.00.06.H56-,:++\xad0323" on a glared barcode once: Code 128's checksum let it through.
    f = Findings(640, 480)
    assert f.add(DecodedCode("000.00.06.H56-261111-0320", "Code128", SQUARE))
    assert not f.add(DecodedCode("000.00.06.H56-,:++\xad0323", "Code128", NEARBY))
    assert f.codes == []


@pytest.mark.parametrize("code", [
    DecodedCode("", "QRCode", SQUARE),
    DecodedCode("abc\ufffd", "QRCode", SQUARE),
    DecodedCode("abc\x07", "QRCode", SQUARE),
    DecodedCode("Nguyễn", "Code128", SQUARE),
    DecodedCode("ok", "QRCode", ((0.0, 0.0), (0.0, 0.0), (0.0, 0.0), (0.0, 0.0))),
    DecodedCode("ok", "QRCode", ((5000.0, 0.0), (5100.0, 0.0), (5100.0, 100.0), (5000.0, 100.0))),
    DecodedCode("ok", "EAN13", SQUARE),
])
def test_invalid_results_are_refused(code) -> None:
    assert not Findings(640, 480).add(code)


def test_zbar_charset_guess_is_undone() -> None:
    assert _undo_charset_guess("Vﾅｩ Ng盻皇 Nam|Thﾃｴn 10") == "Vũ Ngọc Nam|Thôn 10"
    assert _undo_charset_guess("ThÃ´n") == "Thôn"
    assert _undo_charset_guess("Nguyễn Văn An") == "Nguyễn Văn An"
    assert _undo_charset_guess("日本語") is None


def test_a_symbol_seen_but_not_read_is_retried_where_it_is() -> None:
    blurred = cv2.GaussianBlur(qr_frame(box=6), (0, 0), 2.6)
    result = scan(blurred, ScanOptions(2000, ("zxing",)))
    assert [c.text for c in result.codes] == [LINK]
    assert result.passes == ("zxing",)   # read by the retry around the place zxing pointed at


def test_harder_passes_run_only_when_needed() -> None:
    assert scan(qr_frame()).passes == ("zxing",)
    noise = np.random.default_rng(3).integers(0, 256, (480, 640, 3), dtype=np.uint8)
    result = scan(noise, FILE.with_budget(5000))
    assert result.codes == [] and len(result.passes) > 5


def test_the_budget_bounds_the_time() -> None:
    noise = np.random.default_rng(4).integers(0, 256, (720, 1280), dtype=np.uint8)
    unbounded = scan(noise, FILE.with_budget(60_000))
    bounded = scan(noise, FILE.with_budget(40))
    assert len(bounded.passes) < len(unbounded.passes) and bounded.ms < unbounded.ms
    assert scan(noise, FILE.with_budget(0)).passes == ("zxing",)   # the first pass always runs


def test_pyzbar_and_opencv_step_in_when_zxing_finds_nothing(monkeypatch) -> None:
    monkeypatch.setattr(raw, "_decode_zxing", lambda grey: [])
    result = scan(qr_frame(), FILE.with_budget(5000))
    assert [c.text for c in result.codes] == [LINK]
    assert "pyzbar" in result.passes
    monkeypatch.setattr(raw, "_decode_pyzbar", lambda grey: [])
    result = scan(qr_frame(), FILE.with_budget(5000))
    assert [c.text for c in result.codes] == [LINK] and result.passes[-1].startswith("opencv")


def test_tiles_find_a_small_code_in_a_very_large_photo(monkeypatch) -> None:
    photo = np.full((3000, 4000, 3), 150, np.uint8)
    photo[2200:2200 + 480, 3000:3000 + 640] = qr_frame(box=3)
    views = list(pipeline._views("zxing_tiles", raw.to_grey(photo)))
    assert len(views) > 4 and all(v.array.shape[0] <= 1400 and v.array.shape[1] <= 1400 for v in views)
    found = []
    for v in views:
        found += [DecodedCode(c.text, c.format, v.to_original(c.corners)) for c in raw._decode_zxing(v.array)]
    hits = [c for c in found if c.text == LINK]
    assert hits and all(3000 <= x <= 3640 and 2200 <= y <= 2680 for x, y in hits[0].corners)
