"""The pipeline on a small generated corpus (scripts/make_scan_corpus.py): it reads what the raw
decoders read and more, with corners where the codes are, and never a wrong payload."""

from __future__ import annotations

import importlib.util
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from desk_app.scanner.decode import read_raw
from desk_app.scanner.pipeline import FILE, scan

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "make_scan_corpus.py"
PER_CATEGORY = 2


def load_corpus_module():
    spec = importlib.util.spec_from_file_location("make_scan_corpus", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_scan_corpus", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def corpus():
    return load_corpus_module()


@pytest.fixture(scope="module")
def samples(corpus):
    return list(corpus.generate(seed=11, per_category=PER_CATEGORY, receipts=2))


@pytest.fixture(scope="module")
def results(corpus, samples):
    readers = {"zxing": lambda im: read_raw("zxing", im), "pyzbar": lambda im: read_raw("pyzbar", im),
               "opencv": lambda im: read_raw("opencv", im),
               # what the pipeline can read, whatever else the machine is doing: time is the benchmark's
               "pipeline": lambda im: scan(im, FILE.with_budget(10_000)).codes}
    scores = defaultdict(lambda: defaultdict(corpus.Score))
    found = {}
    for sample in samples:
        for name, reader in readers.items():
            codes = reader(sample.image)
            scores[sample.category][name].add(corpus.score([c.text for c in codes], sample.codes))
            if name == "pipeline":
                found[sample.name] = codes
    return scores, found


def test_every_category_is_generated(corpus, samples) -> None:
    assert {s.category for s in samples} == set(corpus.CATEGORIES)
    assert all(s.image.dtype == np.uint8 and s.image.ndim == 3 for s in samples)
    assert all(not s.codes for s in samples if s.category == "no_code")
    assert all(any(c.required for c in s.codes) for s in samples if s.category != "no_code")


def test_same_seed_same_corpus(corpus) -> None:
    a = list(corpus.generate(seed=5, per_category=1, categories=("perspective", "id_card"), receipts=1))
    b = list(corpus.generate(seed=5, per_category=1, categories=("perspective", "id_card"), receipts=1))
    assert [(s.name, [c.text for c in s.codes]) for s in a] == [(s.name, [c.text for c in s.codes]) for s in b]
    assert all(np.array_equal(x.image, y.image) for x, y in zip(a, b))


def test_pipeline_never_returns_a_wrong_payload(results) -> None:
    scores, _ = results
    assert {cat: s["pipeline"].wrong for cat, s in scores.items() if s["pipeline"].wrong} == {}


def test_pipeline_reads_at_least_what_each_raw_decoder_reads(results) -> None:
    scores, _ = results
    behind = {cat: {name: s[name].read for name in s} for cat, s in scores.items()
              if s["pipeline"].read < max(s[name].read for name in ("zxing", "pyzbar", "opencv"))}
    assert behind == {}


def test_pipeline_reads_nearly_everything(results) -> None:
    scores, _ = results
    required = sum(s["pipeline"].required for s in scores.values())
    read = sum(s["pipeline"].read for s in scores.values())
    assert read >= 0.95 * required, {cat: (s["pipeline"].read, s["pipeline"].required) for cat, s in scores.items()}


def test_corners_are_where_the_codes_are(samples, results) -> None:
    _, found = results
    checked = 0
    for sample in samples:
        for expected in sample.codes:
            if expected.format != "QRCode":
                continue
            hits = [c for c in found[sample.name] if c.text == expected.text]
            if not hits:
                continue
            got = np.array(hits[0].corners)
            want = np.array(expected.corners)
            side = np.linalg.norm(want[1] - want[0])
            # same four points (a rotated symbol may start its list elsewhere), within 8% of its side
            error = min(np.abs(np.roll(got, k, axis=0) - want).max() for k in range(4))
            assert error <= max(4.0, 0.08 * side), (sample.name, got.tolist(), want.tolist())
            checked += 1
    assert checked >= len(samples) // 2
