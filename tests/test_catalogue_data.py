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
    assert data["version"] == 2
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
        texts += [f[k] for case in e["cases"] for t in case["channels"].values() for f in t["fees"]
                  for k in ("name", "basis", "note")]
        texts += [case["name"] for case in e["cases"]]
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
    with_cutoff = [p.code for p in procedures if any(t.deadline.cutoff for c in p.cases for t in c.channels.values())]
    assert len(with_cutoff) >= 10, with_cutoff


def test_fees_and_units_are_mixed(procedures):
    paying = [p.code for p in procedures if any(t.fee > 0 for c in p.cases for t in c.channels.values())]
    assert len(paying) >= 8, paying
    units = {t.deadline.unit.value for p in procedures for c in p.cases for t in c.channels.values()}
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


# -- issue 12: the catalogue to the letter of the national portal ---------------------------


def test_id_papers_are_shown_not_handed_in(procedures):
    """The ID card (and an original beside its copy) is shown for checking and handed back: 29
    such papers in 28 procedures were listed as handed-in originals."""
    shown = [(p.code, c.name) for p in procedures for c in p.components if c.shown]
    assert len(shown) >= 29 and len({code for code, _ in shown}) >= 28
    for p in procedures:
        for c in p.components:
            if "xuất trình để đối chiếu" in c.name:
                assert c.shown, (p.code, c.name)
            if c.name.startswith(("Giấy tờ tùy thân", "Bản chính")) and "xuất trình" in c.name:
                assert c.shown, (p.code, c.name)
    # every procedure still has a paper to hand in
    assert all(any(not c.shown for c in p.components) for p in procedures)


def test_cases_carry_their_own_times(procedures):
    by_code = {p.code: p for p in procedures}
    permit = by_code["1.013225"]
    assert permit.has_cases
    assert permit.terms(Channel.DIRECT, "nha-o-rieng-le").deadline.amount == 7
    assert permit.terms(Channel.DIRECT, "cong-trinh").deadline.amount == 10
    amend = by_code["1.013226"]
    assert amend.terms(Channel.ONLINE, "cong-trinh").deadline.amount == 9
    assert amend.terms(Channel.ONLINE, "nha-o-rieng-le").deadline.amount == 7
    absent = by_code["1.003677"]
    assert [c.deadline.amount for c in (absent.terms(Channel.DIRECT, k) for k in ("thong-thuong", "phuc-tap"))] == [1, 2]
    # land: the time differs per channel on the portal
    split = by_code["1.012784"]
    assert split.terms(Channel.DIRECT).deadline.amount == 22 and split.terms(Channel.ONLINE).deadline.amount == 12
    mediation = by_code["1.012812"]
    assert mediation.terms(Channel.DIRECT).deadline.amount == 40 and mediation.terms(Channel.ONLINE) is None


def test_names_and_forms_as_the_portal_has_them(procedures):
    by_code = {p.code: p for p in procedures}
    exchange = by_code["1.012783"]
    names = " ".join(c.name for c in exchange.components)
    assert "Mẫu số 18" in names and "151/2025/NĐ-CP" in names and "11/ĐK" not in names
    assert by_code["2.000927"].name == "Sửa lỗi sai sót trong giao dịch"
    assert by_code["2.000942"].name == "Cấp bản sao có chứng thực từ bản chính giao dịch đã được chứng thực"
    assert "Mẫu số 02 Phụ lục II" in " ".join(c.name for c in by_code["1.013226"].components)


def test_indicative_fees_are_to_be_confirmed(procedures):
    """A fee whose text says it is indicative or set by a provincial resolution has no certain
    amount: it can never be printed as what a dossier owes."""
    import re
    indicative = re.compile(r"tham khảo|chưa xác định", re.IGNORECASE)
    for p in procedures:
        for case in p.cases:
            for t in case.channels.values():
                for f in t.fees:
                    if indicative.search(f.note + " " + f.basis):
                        assert f.to_confirm, (p.code, f)


def test_unverified_list_names_what_was_not_checked():
    text = (CATALOGUE.parent / "UNVERIFIED.md").read_text("utf-8")
    for code in ("2.000927", "2.000942", "1.001612"):
        assert code in text
