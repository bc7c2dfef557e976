"""ID numbers, phones, e-mail and dossier codes."""

from datetime import date

import pytest

from desk_app.domain.codes import (capability_url, check_agency_code, format_dossier_code, new_key,
                                   parse_capability_url, parse_dossier_code)
from desk_app.domain.identity import (IdKind, InvalidValue, check_email, check_id_number, check_phone,
                                      parse_cccd, phone_international)
from desk_app.domain.text import clean, fold


def test_cccd_structure():
    info = parse_cccd("038090012345")
    assert info.province == "Thanh Hóa" and info.male and info.century + info.birth_year_short == 1990
    assert parse_cccd("001305012345").century == 2000 and not parse_cccd("001305012345").male
    assert check_id_number(IdKind.CCCD, "038 090 012 345", birth_date=date(1990, 5, 1)) == "038090012345"
    for bad, why in [("03809001234", "12"), ("999090012345", "mã tỉnh"), ("03809001234a", "12")]:
        with pytest.raises(InvalidValue, match=why):
            check_id_number(IdKind.CCCD, bad)
    with pytest.raises(InvalidValue, match="Năm sinh"):
        check_id_number(IdKind.CCCD, "038090012345", birth_date=date(1991, 1, 1))


def test_cmnd_and_passport():
    assert check_id_number(IdKind.CMND, "172 345 678") == "172345678"
    with pytest.raises(InvalidValue, match="9"):
        check_id_number(IdKind.CMND, "12345678")
    assert check_id_number(IdKind.PASSPORT, "c1234567") == "C1234567"
    with pytest.raises(InvalidValue):
        check_id_number(IdKind.PASSPORT, "C12")


@pytest.mark.parametrize("raw,norm", [("0912 345 678", "0912345678"), ("+84912345678", "0912345678"),
                                      ("84 912.345.678", "0912345678"), ("0237.3852.123", "02373852123")])
def test_phone_normalised(raw, norm):
    assert check_phone(raw) == norm


@pytest.mark.parametrize("bad", ["091234567", "0112345678", "09123456789", "phone", "+1 212 555 0100"])
def test_bad_phone(bad):
    with pytest.raises(InvalidValue, match="điện thoại"):
        check_phone(bad)


def test_phone_international_and_email():
    assert phone_international("0912345678") == "84912345678"
    assert check_email(" An.Nguyen@Gmail.com ") == "an.nguyen@gmail.com"
    with pytest.raises(InvalidValue):
        check_email("an@")


def test_fold_and_clean():
    assert fold("Nguyễn Văn Đức") == "nguyen van duc"
    assert fold("ĐẶNG THỊ Ánh") == "dang thi anh"
    decomposed = "Nguye\u0302\u0303n"  # NFD input from some keyboards
    assert clean(decomposed) == "Nguyễn" and len(clean(decomposed)) == 6


def test_dossier_codes_and_capability_links():
    assert check_agency_code(" 000.00.06.h56 ") == "000.00.06.H56"
    with pytest.raises(InvalidValue):
        check_agency_code("H56")
    code = format_dossier_code("000.00.06.H56", date(2023, 10, 27), 361)
    assert code == "000.00.06.H56-231027-0361"
    parsed = parse_dossier_code(code)
    assert parsed and parsed.number == 361 and parsed.day == date(2023, 10, 27)
    assert parse_dossier_code("000.00.06.H56-231399-0001") is None
    key = new_key()
    assert len(key) >= 22  # >= 128 bits of randomness, URL-safe
    url = capability_url("https://dvc.example.gov.vn/", code, key)
    link = parse_capability_url(url)
    assert link and link.code == code and link.key == key
    assert parse_capability_url("https://dvc.example.gov.vn/h/" + code) is None  # no key
    assert parse_capability_url("https://example.com/other") is None


def test_gender_given_at_intake_must_match_the_cccd():
    from desk_app.domain.intake import PersonInput, _person
    errors = {}
    p = PersonInput(name="Nguyễn Thị Hồng Nhung", id_number="038190012345", birth_date="12/03/1990",
                    phone="0912345678", address="Thanh Hóa, Việt Nam", gender="male")
    assert _person(p, "owner.", errors, False, date(2026, 11, 10), True) is None
    assert "Giới tính" in errors["owner.id_number"]
    p.gender = "female"
    errors = {}
    person = _person(p, "owner.", errors, False, date(2026, 11, 10), True)
    assert errors == {} and person.gender == "female"
