"""What a scanned text is: receipt link, dossier code, chip ID card QR, or not ours; names masked."""

from __future__ import annotations

from datetime import date

import pytest

from desk_app.domain import scan_payloads
from desk_app.domain.scan_payloads import PayloadKind, mask_name, parse_id_card_qr

BASE = "https://dichvucong.thanhhoa.gov.vn"
LINK = BASE + "/h/000.00.06.H56-261110-0001?k=AbCdEfGhIjKlMnOpQrSt_-"
CARD = "038190012345|123456789|Nguyễn Thị Hồng Nhung|12031990|Nữ|Số 12 ngõ 34, phường Điện Biên, tỉnh Thanh Hóa|15072021"


def recognise(text: str) -> scan_payloads.Payload:
    """As the desk does: with the agency's public address."""
    return scan_payloads.recognise(text, public_base_url=BASE)


def test_receipt_link_gives_code_and_key() -> None:
    p = recognise(LINK)
    assert p.kind is PayloadKind.RECEIPT_LINK
    assert p.link is not None and p.link.key == "AbCdEfGhIjKlMnOpQrSt_-"
    assert p.dossier_code == "000.00.06.H56-261110-0001"


@pytest.mark.parametrize("text", ["000.00.06.H56-261110-0001", " 000.00.06.h56-261110-0001\n"])
def test_bare_dossier_code(text: str) -> None:
    p = recognise(text)
    assert p.kind is PayloadKind.DOSSIER_CODE and p.dossier_code == "000.00.06.H56-261110-0001"


def test_id_card_fields() -> None:
    p = recognise(CARD)
    assert p.kind is PayloadKind.ID_CARD
    card = p.id_card
    assert card is not None
    assert (card.id_number, card.old_id_number, card.name) == ("038190012345", "123456789", "Nguyễn Thị Hồng Nhung")
    assert card.birth_date == date(1990, 3, 12) and card.birth_date_text == "12/03/1990"
    assert card.gender == "Nữ" and card.male is False
    assert card.address.startswith("Số 12 ngõ 34") and card.issued_on == date(2021, 7, 15)


def test_id_card_without_old_number_and_with_trailing_fields() -> None:
    card = parse_id_card_qr("038090012345||Lê Văn Tám|01011990|Nam|Thôn 1, xã Quảng Phú|01022022|extra|")
    assert card is not None and card.old_id_number == "" and card.male


@pytest.mark.parametrize("text", [
    CARD.replace("12031990", "12031991"),      # the year does not match the CCCD's digits
    CARD.replace("|Nữ|", "|Nam|"),             # nor does the sex
    CARD.replace("038190", "999190"),          # no such province
    CARD.replace("12031990", "31021990"),      # no such day
    "038190012345|123456789|Nguyễn Thị Hồng Nhung|12031990|Nữ",  # too few fields
    CARD.replace("15072021", "15071980"),      # issued before birth
    CARD.replace("Nguyễn Thị Hồng Nhung", ":"),  # no name
    CARD.replace("Nguyễn Thị Hồng Nhung", "Nguyễn Thị 2"),
    CARD.replace("Số 12 ngõ 34, phường Điện Biên, tỉnh Thanh Hóa", ""),  # no address
])
def test_doubtful_id_card_is_not_ours(text: str) -> None:
    assert recognise(text).kind is PayloadKind.UNKNOWN


@pytest.mark.parametrize("text", [
    "", "hello", BASE + "/h/000.00.06.H56-261110-0001",                       # no key
    BASE + "/h/000.00.06.H56-261110-0001?k=short",                          # key too short
    "ftp://dichvucong.thanhhoa.gov.vn/h/000.00.06.H56-261110-0001?k=AbCdEfGhIjKlMnOpQrSt_-",  # not web
    "https://x.vn/h/000.00.06.H56-261110-0001?k=AbCdEfGhIjKlMnOpQrSt_-",    # not our host
    "000.00.06.H56-261399-0001",                                           # no 99th day of month 13
])
def test_other_texts_are_not_ours_with_a_plain_message(text: str) -> None:
    p = recognise(text)
    assert p.kind is PayloadKind.UNKNOWN
    assert "không phải" in p.message


@pytest.mark.parametrize("name, masked", [
    ("Nguyễn Văn A", "Nguyễn V** A"),
    ("Nguyễn Thị Hồng Nhung", "Nguyễn T** H** Nhung"),
    ("  Trần   Đức  Anh ", "Trần Đ** Anh"),
    ("Lê Hoa", "Lê Hoa"),
    ("Mai", "Mai"),
])
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked
