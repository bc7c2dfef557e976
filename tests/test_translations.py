"""The English catalogue covers every text in the code, keeps its placeholders, and applies when chosen."""

from __future__ import annotations

import importlib.util
import json
import string
from pathlib import Path

import pytest

from desk_app.domain import i18n
from desk_app.domain.dossier import EventKind, Status
from desk_app.domain.settings import OPTIONS

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "resources" / "translations" / "en.json"


def _extractor():
    spec = importlib.util.spec_from_file_location("extract_strings", ROOT / "scripts" / "extract_strings.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.fixture
def english():
    i18n.set_language("en")
    try:
        yield
    finally:
        i18n.set_language("vi")


def test_every_text_in_the_code_has_an_english_translation():
    assert _extractor().check() == []


def test_translations_keep_the_placeholders_of_their_source():
    catalogue = json.loads(CATALOGUE.read_text("utf-8"))
    wrong = {source: text for source, text in catalogue.items() if _placeholders(source) != _placeholders(text)}
    assert wrong == {}


def test_the_extractor_reads_implicit_concatenation_and_the_deferred_marker(tmp_path):
    package = tmp_path / "desk_app"
    package.mkdir()
    (tmp_path / "central_server").mkdir()
    (package / "a.py").write_text('x = tr("Một " "hai {n}")\nY = N_("Ba")\nz = tr(name)\nw = other("Bốn")\n', "utf-8")
    extractor = _extractor()
    texts = extractor.extract(tmp_path)
    assert sorted(texts) == ["Ba", "Một hai {n}"]
    assert extractor.update(texts, {"Ba": "Three", "Cũ": "Old"}) == {"Ba": "Three", "Một hai {n}": ""}
    assert extractor.problems(texts, {"Ba": "Three", "Cũ": "Old"}) == [
        "missing: 'Một hai {n}' (desk_app/a.py:1)", "unused:  'Cũ'"]


def test_labels_follow_the_language_chosen_after_import(english):
    assert EventKind.RECEIVED.label == "Dossier intake"
    assert Status.RECEIVED.label == "Received"
    assert OPTIONS["language"].label == "Interface language"
    i18n.set_language("vi")
    assert EventKind.RECEIVED.label == "Tiếp nhận hồ sơ"
    assert Status.RECEIVED.label == "Đã tiếp nhận"
    assert OPTIONS["language"].label == "Ngôn ngữ giao diện"


def test_workflow_steps_and_stages_follow_the_language(english):
    from desk_app.domain.lifecycle import STAGE_LABELS  # noqa: F401  (imported before the switch in the app)
    from desk_app.ui.queue.model import stage_label
    from desk_app.ui.steps.catalogue import STEPS

    assert STEPS["assign"].verb == "Assign"
    assert STEPS["forward"].title == "Submit to the leader for review and signature"
    assert stage_label("in_unit") == "Awaiting assignment"
    i18n.set_language("vi")
    assert STEPS["assign"].verb == "Phân công"
    assert stage_label("in_unit") == "Chờ phân công"
