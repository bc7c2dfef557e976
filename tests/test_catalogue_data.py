"""The procedure catalogue shipped in resources/procedures/catalogue.json.

Every entry must load through the same validation the import uses, and the file as a
whole must cover the fields a one-stop counter handles every day.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from desk_app.domain.procedures import Channel, procedure_from_dict

CATALOGUE = Path(__file__).resolve().parents[1] / "resources" / "procedures" / "catalogue.json"

# Field groups the counter needs, matched by substrings of the (folded-case) field name.
FIELD_GROUPS = {
    "hộ tịch": ("hộ tịch",),
    "cư trú": ("cư trú",),
    "hộ kinh doanh": ("hộ kinh doanh",),
    "đất đai": ("đất đai",),
    "xây dựng": ("xây dựng",),
    "giao thông": ("giao thông", "lái xe", "đường bộ"),
    "chứng thực": ("chứng thực",),
    "xã hội": ("bảo trợ xã hội", "người có công", "giảm nghèo", "lao động", "việc làm"),
}


@pytest.fixture(scope="module")
def data() -> dict:
    return json.loads(CATALOGUE.read_text("utf-8"))


@pytest.fixture(scope="module")
def entries(data) -> list[dict]:
    return data["procedures"]


@pytest.fixture(scope="module")
def procedures(entries):
    return [procedure_from_dict(e) for e in entries]


def test_file_header(data):
    assert data["format"] == "desk-app-catalogue"
    assert data["version"] == 1
    assert isinstance(data["procedures"], list)


def test_every_entry_passes_validation(entries):
    problems = []
    for e in entries:
        try:
            procedure_from_dict(e)
        except Exception as exc:  # noqa: BLE001 - collect every problem for the message
            problems.append("%s: %s" % (e.get("code"), exc))
    assert not problems, "\n".join(problems)


def test_enough_entries(entries):
    assert len(entries) >= 60


def test_codes_unique(procedures):
    codes = [p.code for p in procedures]
    dupes = sorted({c for c in codes if codes.count(c) > 1})
    assert not dupes, dupes


def test_every_entry_has_a_source(procedures):
    missing = [p.code for p in procedures if not p.source.strip()]
    assert not missing, missing


def test_source_names_a_public_address(entries):
    no_url = [e["code"] for e in entries if "https://" not in e["source"]]
    assert not no_url, no_url


def test_texts_are_nfc(entries):
    bad = []
    for e in entries:
        texts = [e[k] for k in ("name", "field", "agency", "result", "legal_basis", "source")]
        texts += [c["name"] for c in e.get("components", [])]
        texts += [t.get("fee_note", "") for t in e["channels"].values()]
        if any(unicodedata.normalize("NFC", t) != t for t in texts):
            bad.append(e["code"])
    assert not bad, bad


def test_raw_file_text_is_nfc():
    text = CATALOGUE.read_text("utf-8")
    assert unicodedata.normalize("NFC", text) == text


@pytest.mark.parametrize("group", sorted(FIELD_GROUPS))
def test_field_group_present(procedures, group):
    needles = FIELD_GROUPS[group]
    hits = [p.code for p in procedures if any(n in p.field.lower() for n in needles)]
    assert hits, "no procedure in field group %r" % group


def test_levels_are_two_tier(procedures):
    assert {p.level for p in procedures} <= {"Cấp tỉnh", "Cấp xã"}


def test_at_least_ten_with_cutoff(procedures):
    with_cutoff = [p.code for p in procedures if any(t.deadline.cutoff for t in p.channels.values())]
    assert len(with_cutoff) >= 10, with_cutoff


def test_fees_and_units_are_mixed(procedures):
    paying = [p.code for p in procedures if any(t.fee > 0 for t in p.channels.values())]
    assert len(paying) >= 8, paying
    units = {t.deadline.unit.value for p in procedures for t in p.channels.values()}
    assert units == {"working_days", "calendar_days"}


def test_every_entry_has_components(procedures):
    assert all(p.components for p in procedures), [p.code for p in procedures if not p.components]
    # every procedure needs at least one component the clerk must check
    assert all(any(c.required for c in p.components) for p in procedures)


def test_known_anchor_codes(procedures):
    by_code = {p.code: p for p in procedures}
    for code in ("1.001193", "1.000894", "1.004873", "2.000635", "1.005461", "1.004222", "1.004194",
                 "1.001612", "1.012783", "1.012756"):
        assert code in by_code, code
    ks = by_code["1.001193"].terms(Channel.DIRECT)
    assert ks.deadline.amount == 0 and ks.deadline.cutoff is not None
    assert by_code["2.000635"].terms(Channel.DIRECT).fee == 8000
    assert by_code["1.004222"].terms(Channel.DIRECT).deadline.amount == 7
    assert by_code["1.004194"].terms(Channel.DIRECT).deadline.amount == 3
