"""The recogniser against hostile input: every text gets an answer and none is an exception; a
receipt link counts only on the agency's own public address; only ASCII digits make a code or an
ID number.

Explicit examples for each known attack first, then a hypothesis fuzz of 10,000 inputs mixing
arbitrary text with valid links, codes and ID-card QRs that have been mutated, moved to foreign
or look-alike hosts, or given other scripts' digits.
"""

from __future__ import annotations

import re
import string
from datetime import date

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from desk_app.domain.codes import ANY_HOST, parse_capability_url, parse_dossier_code
from desk_app.domain.identity import CCCD_PROVINCES
from desk_app.domain.scan_payloads import Payload, PayloadKind, parse_id_card_qr, recognise

BASE = "https://dichvucong.thanhhoa.gov.vn"
CODE = "000.00.06.H56-261110-0001"
KEY = "AbCdEfGhIjKlMnOpQrSt_-"
LINK = "%s/h/%s?k=%s" % (BASE, CODE, KEY)
CARD = "038190012345|123456789|Nguyễn Thị Hồng Nhung|12031990|Nữ|Số 12 ngõ 34, phường Điện Biên|15072021"

# the same values 0-9 in other scripts: int(), str.isdigit() and re's \d all take them
UNICODE_ZEROS = (0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0E50, 0xFF10, 0x1D7CE, 0x1D7D8, 0x1D7F6)


def other_digits(text: str, zero: int) -> str:
    return "".join(chr(zero + int(c)) if c in string.digits else c for c in text)


def ours(text: str, base: str | None = BASE) -> Payload:
    return recognise(text, public_base_url=base)


# -- receipt links: our host, and nothing that only looks like it --------------------------------

def test_our_link_is_ours_and_names_code_and_key() -> None:
    p = ours(LINK)
    assert p.kind is PayloadKind.RECEIPT_LINK and p.dossier_code == CODE and p.link.key == KEY


@pytest.mark.parametrize("base", [BASE, BASE + "/", " " + BASE.upper() + " ", "https://dichvucong.thanhhoa.gov.vn:443"])
def test_the_configured_address_is_read_as_an_origin(base: str) -> None:
    assert ours(LINK, base).kind is PayloadKind.RECEIPT_LINK
    assert ours(LINK.replace(".gov.vn/", ".gov.vn:443/"), base).kind is PayloadKind.RECEIPT_LINK
    assert ours(LINK.replace("dichvucong.thanhhoa", "DichVuCong.ThanhHoa"), base).kind is PayloadKind.RECEIPT_LINK


FOREIGN = {
    "another host": LINK.replace("dichvucong.thanhhoa.gov.vn", "evil.example"),
    "our host as a subdomain of theirs": LINK.replace(".gov.vn/", ".gov.vn.evil.example/"),
    "their host ending like ours": LINK.replace("https://", "https://x") ,
    "a parent of our host": LINK.replace("dichvucong.thanhhoa.gov.vn", "thanhhoa.gov.vn"),
    "Cyrillic a": LINK.replace("thanhhoa", "th\u0430nhhoa"),
    "Cyrillic o": LINK.replace("dichvucong", "dichvuc\u043eng"),
    "Greek omicron": LINK.replace("dichvucong", "dichvuc\u03bfng"),
    "punycode twin": LINK.replace("dichvucong", "dichvuc\u043eng".encode("idna").decode("ascii")),
    "full-width letters (NFKC-equal)": LINK.replace("dichvucong", "\uff44\uff49\uff43\uff48\uff56\uff55\uff43\uff4f\uff4e\uff47"),
    "ideographic full stop": LINK.replace("dichvucong.thanhhoa", "dichvucong\u3002thanhhoa"),
    "userinfo: ours is only the user name": LINK.replace("dichvucong.thanhhoa.gov.vn",
                                                         "dichvucong.thanhhoa.gov.vn@evil.example"),
    "userinfo: ours after a user name": LINK.replace("https://", "https://evil.example@"),
    "backslash: browsers go to evil.example": LINK.replace("https://", "https://evil.example\\@"),
    "trailing dot": LINK.replace(".gov.vn/", ".gov.vn./"),
    "another port": LINK.replace(".gov.vn/", ".gov.vn:8443/"),
    "port 0443 spelt oddly": LINK.replace(".gov.vn/", ".gov.vn:0443/"),
    "port out of range": LINK.replace(".gov.vn/", ".gov.vn:99999/"),
    "empty port": LINK.replace(".gov.vn/", ".gov.vn:/"),
    "http instead of https": LINK.replace("https://", "http://"),
    "no scheme": LINK.replace("https://", "//"),
    "javascript": "javascript://dichvucong.thanhhoa.gov.vn/h/%s?k=%s" % (CODE, KEY),
    "percent-escaped dot in the host": LINK.replace("dichvucong.thanhhoa", "dichvucong%2Ethanhhoa"),
    "an IP address": LINK.replace("dichvucong.thanhhoa.gov.vn", "203.0.113.7"),
    "a path before /h/": LINK.replace("/h/", "/evil/h/"),
    "a double slash": LINK.replace("/h/", "//h/"),
    "two keys": LINK + "&k=ZyXwVuTsRqPoNmLkJiHg_-",
    "a fragment": LINK + "#x",
    "a space inside": LINK.replace("/h/", "/h/ "),
    "a tab inside the host (urlsplit drops tabs)": LINK.replace("dichvucong", "dichvu\tcong"),
    "a newline inside": LINK.replace("?k", "\n?k"),
    "NUL inside": LINK.replace("?k", "\x00?k"),
}


@pytest.mark.parametrize("text", FOREIGN.values(), ids=FOREIGN.keys())
def test_a_link_anywhere_but_our_origin_is_not_ours(text: str) -> None:
    p = ours(text)
    assert p.kind is not PayloadKind.RECEIPT_LINK and p.link is None
    assert parse_capability_url(text, BASE) is None


def test_kelvin_sign_does_not_lower_case_into_our_host() -> None:
    base = "https://dvc.kontum.gov.vn"
    link = "%s/h/%s?k=%s" % (base, CODE, KEY)
    assert ours(link, base).kind is PayloadKind.RECEIPT_LINK
    assert ours(link.replace("kontum", "\u212aontum"), base).kind is PayloadKind.UNKNOWN


@pytest.mark.parametrize("base", [None, "", "   ", "dichvucong.thanhhoa.gov.vn", "ftp://dichvucong.thanhhoa.gov.vn",
                                  "https://", "https://evil.example@dichvucong.thanhhoa.gov.vn",
                                  "https://dichvuc\u043eng.thanhhoa.gov.vn", "https://[::1", "\ud800"])
def test_with_no_usable_public_address_no_link_is_ours(base) -> None:
    p = ours(LINK, base)
    assert p.kind is PayloadKind.UNKNOWN and p.link is None
    assert parse_capability_url(LINK, base) is None


def test_a_base_path_is_kept() -> None:
    base = "https://dvc.example.vn:8443/mot-cua"
    link = "%s/h/%s?k=%s" % (base, CODE, KEY)
    assert ours(link, base).kind is PayloadKind.RECEIPT_LINK
    assert ours(link.replace("/mot-cua/", "/"), base).kind is PayloadKind.UNKNOWN
    assert ours(link.replace("/mot-cua/", "/khac/"), base).kind is PayloadKind.UNKNOWN
    assert ours(link.replace(":8443", ""), base).kind is PayloadKind.UNKNOWN


def test_links_this_desk_built_may_be_read_on_any_host() -> None:
    """``ANY_HOST`` (the default, for the services' own links) checks the shape, never a scan."""
    assert parse_capability_url(FOREIGN["another host"]) is not None
    assert parse_capability_url(FOREIGN["another host"], ANY_HOST) is not None
    assert parse_capability_url(FOREIGN["another host"], None) is None


# -- digits are ASCII ---------------------------------------------------------------------------

@pytest.mark.parametrize("zero", UNICODE_ZEROS, ids=[hex(z) for z in UNICODE_ZEROS])
def test_other_scripts_digits_never_make_a_code_or_an_id_number(zero: int) -> None:
    assert int(chr(zero + 7)) == 7 and re.fullmatch(r"\d", chr(zero + 7))   # what Python would do
    code = other_digits(CODE, zero)
    assert parse_dossier_code(code) is None and ours(code).kind is PayloadKind.UNKNOWN
    assert ours(CODE[:-1] + chr(zero + 1)).kind is PayloadKind.UNKNOWN
    link = "%s/h/%s?k=%s" % (BASE, code, KEY)
    assert ours(link).kind is PayloadKind.UNKNOWN
    number, rest = CARD.split("|", 1)
    assert ours(other_digits(number, zero) + "|" + rest).kind is PayloadKind.UNKNOWN
    assert ours(CARD.replace("12031990", other_digits("12031990", zero))).kind is PayloadKind.UNKNOWN
    assert ours(CARD.replace("123456789", other_digits("123456789", zero))).kind is PayloadKind.UNKNOWN
    assert ours(CARD.replace("Số 12", "Số " + other_digits("12", zero))).kind is PayloadKind.UNKNOWN


def test_letters_that_upper_case_into_ascii_make_no_code() -> None:
    assert parse_dossier_code(CODE.replace("H56", "H5\u0131")) is None       # dotless ı -> I
    assert parse_dossier_code("000.00.06.H5S-261110-0001".replace("S", "\u017f")) is None  # long s -> S
    assert parse_dossier_code("000.00.06.H5I-261110-0001") is not None


# -- no exception, whatever comes ---------------------------------------------------------------

NASTY = {
    "five digits": "12345",
    "a code with five digits": CODE + "2",
    "a code with 5,000 digits": CODE[:-4] + "1" * 5000,
    "5,000 digits": "9" * 5000,
    "50,000 digits in a link": "%s/h/%s?k=%s" % (BASE, "1" * 50_000, KEY),
    "a number 0000": CODE[:-4] + "0000",
    "NUL": "\x00",
    "NUL in a code": CODE.replace("-", "\x00", 1),
    "lone surrogate": "\ud800",
    "lone surrogate in a link": LINK.replace("?k", "\udfff?k"),
    "lone surrogate in a card": CARD.replace("Nhung", "Nhung\ud800"),
    "two megabytes": "A" * 2_000_000,
    "a huge card": CARD + "|" + "x" * 1_000_000,
    "only pipes": "|" * 10_000,
    "malformed URL: open bracket": "https://[dichvucong.thanhhoa.gov.vn/h/%s?k=%s" % (CODE, KEY),
    "malformed URL: bad IPv6": "https://[::1::2]:80/h/%s?k=%s" % (CODE, KEY),
    "malformed URL: port letters": "https://dichvucong.thanhhoa.gov.vn:abc/h/%s?k=%s" % (CODE, KEY),
    "malformed URL: just the scheme": "https://",
    "malformed URL: percent garbage": "https://%zz%/h/%%%?k=%%",
    "NFKC-changing netloc": "https://dichvucong.thanhhoa.gov.vn\u2100/h/%s?k=%s" % (CODE, KEY),
    "card born in year 0": CARD.replace("12031990", "12030000"),
    "card born in 9999": CARD.replace("12031990", "31129999"),
    "card issued in year 0": CARD.replace("15072021", "15070000"),
    "card issued on 31/12/9999": CARD.replace("15072021", "31129999"),
    "card with day 00": CARD.replace("12031990", "00001990"),
    "card with every field empty": "||||||",
    "card with a BOM": "\ufeff" + CARD,
    "only whitespace": " \t\r\n\u3000",
    "right-to-left override": "\u202e" + CODE,
}


@pytest.mark.parametrize("text", NASTY.values(), ids=NASTY.keys())
@pytest.mark.parametrize("base", [BASE, None])
def test_nasty_input_gets_an_answer_not_an_exception(text: str, base) -> None:
    p = ours(text, base)
    assert isinstance(p, Payload)
    assert isinstance(p.message, str) and p.message
    parse_dossier_code(text)
    parse_capability_url(text)
    parse_id_card_qr(text)


def test_the_nasty_ones_are_not_ours_except_where_they_are() -> None:
    assert ours(NASTY["card with a BOM"]).kind is PayloadKind.ID_CARD
    # a card issued on 31/12/9999 is odd but every part agrees with the others
    assert ours(NASTY["card issued on 31/12/9999"]).id_card.issued_on == date(9999, 12, 31)
    for name, text in NASTY.items():
        if name not in ("card with a BOM", "card issued on 31/12/9999"):
            assert ours(text).kind is PayloadKind.UNKNOWN, name


def test_non_text_is_not_ours() -> None:
    for value in (None, b"000.00.06.H56-261110-0001", 12345, object()):
        assert recognise(value, public_base_url=BASE).kind is PayloadKind.UNKNOWN  # type: ignore[arg-type]
        assert parse_dossier_code(value) is None and parse_capability_url(value, BASE) is None  # type: ignore[arg-type]


# -- the fuzz -------------------------------------------------------------------------------------

FOREIGN_HOSTS = ("evil.example", "dichvucong.thanhhoa.gov.vn.evil.example", "thanhhoa.gov.vn",
                 "dichvucong.thanhhoa.gov.vn.", "dichvucong.thanhhoa.gov.vn:8443",
                 "dichvucong.thanhhoa.gov.vn@evil.example", "evil.example@dichvucong.thanhhoa.gov.vn",
                 "evil.example\\@dichvucong.thanhhoa.gov.vn", "dichvuc\u043eng.thanhhoa.gov.vn",
                 "th\u0430nhhoa.gov.vn", "xn--dichvucng-7ig.thanhhoa.gov.vn", "dichvucong%2ethanhhoa.gov.vn",
                 "\uff44ichvucong.thanhhoa.gov.vn", "dichvucong\u3002thanhhoa.gov.vn", "[::1]", "127.0.0.1",
                 "dichvucong.thanhhoa.gov.vn:0", "dichvucong.thanhhoa.gov.vn:")
BASES = (BASE, BASE + "/", "https://dvc.example.vn:8443/mot-cua", "http://localhost:8000", None, "",
         "not a url", "https://evil.example@dichvucong.thanhhoa.gov.vn")
# what a link must start with to be ours, per configured address (case aside in scheme and host)
ALLOWED_PREFIXES = {
    BASE: ("https://dichvucong.thanhhoa.gov.vn/h/", "https://dichvucong.thanhhoa.gov.vn:443/h/"),
    BASE + "/": ("https://dichvucong.thanhhoa.gov.vn/h/", "https://dichvucong.thanhhoa.gov.vn:443/h/"),
    "https://dvc.example.vn:8443/mot-cua": ("https://dvc.example.vn:8443/mot-cua/h/",),
    "http://localhost:8000": ("http://localhost:8000/h/",),
}
KEY_ALPHABET = string.ascii_letters + string.digits + "_-"

any_char = st.characters(exclude_categories=())           # lone surrogates included
any_text = st.text(any_char, max_size=300)
digit_char = st.sampled_from(string.digits + "".join(chr(z + d) for z in UNICODE_ZEROS for d in range(10)))


@st.composite
def dossier_codes(draw) -> str:
    agency = draw(st.sampled_from(["000.00.06.H56", "000.00.07.H26", "A1B.2C.3D.HZ9"]))
    day = draw(st.dates(date(2000, 1, 1), date(2099, 12, 31)))
    number = draw(st.integers(1, 9999))
    return "%s-%s-%04d" % (agency, day.strftime("%y%m%d"), number)


@st.composite
def links(draw) -> str:
    base = draw(st.sampled_from([BASE, BASE, "https://dvc.example.vn:8443/mot-cua", "http://localhost:8000"]))
    host = draw(st.one_of(st.none(), st.sampled_from(FOREIGN_HOSTS)))
    if host is not None:
        base = draw(st.sampled_from(["https://", "http://", "HTTPS://", "//", "https:/"])) + host
    key = draw(st.text(st.sampled_from(KEY_ALPHABET), min_size=22, max_size=30))
    return "%s/h/%s?k=%s" % (base, draw(dossier_codes()), key)


@st.composite
def id_card_qrs(draw, odd: bool = False) -> str:
    """A chip ID card's QR whose parts agree; ``odd``: with dates and numbers that do not."""
    born = draw(st.dates(date(1900, 1, 1), date(2099, 12, 31)))
    male = draw(st.booleans())
    province = draw(st.sampled_from(sorted(CCCD_PROVINCES)))
    g = (born.year - 1900) // 100 * 2 + (0 if male else 1)
    number = "%s%d%02d%06d" % (province, g, born.year % 100, draw(st.integers(0, 999_999)))
    old = draw(st.sampled_from(["", "123456789"]))
    name = draw(st.sampled_from(["Nguyễn Văn An", "Lê Thị Hoa", "Trần Đức Anh"]))
    issued = draw(st.sampled_from(["", born.strftime("%d%m%Y"), "31129999"]))
    birth = born.strftime("%d%m%Y")
    if odd:
        old = draw(st.sampled_from([old, "0123", "1234567890"]))
        birth = draw(st.sampled_from([birth, "00000000", "01010000", "31129999", "29021900", "1990"]))
        issued = draw(st.sampled_from([issued, "00000000", "01010001", "32132021"]))
    extra = draw(st.sampled_from(["", "|", "|extra|fields"]))
    return "|".join([number, old, name, birth, "Nam" if male else "Nữ", "Số 1, xã Quảng Phú", issued]) + extra


@st.composite
def mutated(draw, valid: st.SearchStrategy[str]) -> str:
    """A valid text with a few edits: replaced, inserted or deleted characters, other digits."""
    text = draw(valid)
    for _ in range(draw(st.integers(0, 3))):
        how = draw(st.sampled_from(["replace", "insert", "delete", "digit", "all digits", "repeat", "case"]))
        i = draw(st.integers(0, max(len(text) - 1, 0)))
        if how == "replace" and text:
            text = text[:i] + draw(any_char) + text[i + 1:]
        elif how == "insert":
            text = text[:i] + draw(st.text(any_char, min_size=1, max_size=5)) + text[i:]
        elif how == "delete":
            text = text[:i] + text[i + 1:]
        elif how == "digit":
            positions = [j for j, c in enumerate(text) if c in string.digits]
            if positions:
                j = draw(st.sampled_from(positions))
                text = text[:j] + draw(digit_char) + text[j + 1:]
        elif how == "all digits":
            text = other_digits(text, draw(st.sampled_from(UNICODE_ZEROS)))
        elif how == "repeat":
            text = text[:i] + text[i:i + 10] * draw(st.integers(2, 600)) + text[i + 10:]
        else:
            text = text.upper() if draw(st.booleans()) else text.lower()
    return text


inputs = st.one_of(
    any_text,
    st.text(st.sampled_from(string.digits + ".-|/:?=&H"), max_size=6000),
    st.text(digit_char, max_size=20),
    dossier_codes(), links(), id_card_qrs(), id_card_qrs(odd=True),
    mutated(dossier_codes()), mutated(links()), mutated(id_card_qrs()), mutated(id_card_qrs(odd=True)),
)


def non_ascii_digits(text: str) -> bool:
    return any(c.isdigit() and not c.isascii() for c in text)


@settings(max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=inputs, base=st.one_of(st.just(BASE), st.sampled_from(BASES)))
def test_fuzz_no_exception_no_foreign_host_no_foreign_digit(text: str, base) -> None:
    p = recognise(text, public_base_url=base)   # must not raise
    assert isinstance(p, Payload) and isinstance(p.message, str)
    event(p.kind.value)
    parse_dossier_code(text)                      # nor these, called on scanned text elsewhere
    parse_capability_url(text)
    parse_id_card_qr(text)
    if p.kind is PayloadKind.UNKNOWN:
        assert p.link is None and p.dossier_code is None and p.id_card is None
        return
    assert not non_ascii_digits(p.text)
    if p.kind is PayloadKind.RECEIPT_LINK:
        assert base in ALLOWED_PREFIXES and p.link is not None
        assert p.text.isascii()
        assert any(p.text[:len(prefix)].lower() == prefix for prefix in ALLOWED_PREFIXES[base]), p.text
        assert "@" not in p.text.split("/h/")[0] and "\\" not in p.text
        assert re.fullmatch(r"[0-9A-Z.]+-[0-9]{6}-[0-9]{4}", p.link.code) and p.dossier_code == p.link.code
        assert re.fullmatch(r"[A-Za-z0-9_-]{22,64}", p.link.key)
    elif p.kind is PayloadKind.DOSSIER_CODE:
        assert re.fullmatch(r"[0-9A-Z.]+-[0-9]{6}-[0-9]{4}", p.dossier_code)
        assert p.text.isascii()
    else:
        card = p.id_card
        assert card is not None
        assert re.fullmatch(r"[0-9]{12}", card.id_number)
        assert card.old_id_number == "" or re.fullmatch(r"[0-9]{9}", card.old_id_number)
        assert 1900 <= card.birth_date.year < 2200


@settings(max_examples=300, deadline=None)
@given(code=dossier_codes(), link=links(), card=id_card_qrs())
def test_fuzz_the_unmutated_inputs_are_ours(code: str, link: str, card: str) -> None:
    """The generators make real codes, links and cards, so their mutations test something."""
    assert recognise(code, public_base_url=BASE).dossier_code == code
    assert recognise(card, public_base_url=None).kind is PayloadKind.ID_CARD
    base = next((b for b in ALLOWED_PREFIXES if link.startswith(b + "/h/")), None)
    if base is not None:
        p = recognise(link, public_base_url=base)
        assert p.kind is PayloadKind.RECEIPT_LINK and link.endswith(p.link.key)
    else:
        assert recognise(link, public_base_url=BASE).kind is not PayloadKind.RECEIPT_LINK
