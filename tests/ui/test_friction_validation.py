"""Issue 13, validation: each refusal says why, at the field, and goes away as the clerk retypes."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt

from desk_app.domain.identity import (IdKind, InvalidValue, check_birth_date, check_id_number, check_person_name,
                                      id_kinds_for_new)
from desk_app.domain.intake import IntakeInput, PersonInput, check_intake, parse_date_vn
from desk_app.ui.intake.panel import IntakePanel

from .conftest import show_active, type_text

TODAY = date(2026, 12, 1)


def owner_errors(**fields) -> dict[str, str]:
    person = dict(name="Nguyễn Văn An", id_number="038090012345", birth_date="05/09/1990", phone="0912345678",
                  address="Số 12 đường Lê Lợi, phường Hạc Thành")
    person.update(fields)
    _data, errors = check_intake(IntakeInput(owner=PersonInput(**person)), None, TODAY)
    return {k: v for k, v in errors.items() if k.startswith("owner.")}


def test_birth_dates_say_why():
    assert owner_errors() == {}
    assert owner_errors(birth_date="05/09/2027")["owner.birth_date"] == \
        "Ngày sinh không được sau ngày hôm nay (01/12/2026)."
    old = owner_errors(birth_date="05/09/1890", id_number="038890012345")["owner.birth_date"]
    assert "quá xa" in old and "120" in old
    assert owner_errors(birth_date="31/02/1990")["owner.birth_date"] == "Ngày 31/02/1990 không có trong lịch."
    assert "dạng ngày/tháng/năm" in owner_errors(birth_date="5/9/90")["owner.birth_date"]
    with pytest.raises(InvalidValue, match="không có trong lịch"):
        parse_date_vn("29/02/2025")
    assert parse_date_vn("29/02/2024") == date(2024, 2, 29)
    assert check_birth_date(date(1906, 12, 1), TODAY) == date(1906, 12, 1)      # exactly 120


def test_a_persons_name_has_no_digits_or_symbols_an_organisations_may():
    assert owner_errors(name="Nguyen Van 123")["owner.name"] == "Họ và tên không được có chữ số."
    assert "ký hiệu" in owner_errors(name="Nguyễn Văn @n")["owner.name"]
    for fine in ("Nguyễn Thị Hồng Nhung", "H'Hen Niê", "Đặng Lê Nguyên-Vũ", "O'Neil Marie-Claire"):
        assert check_person_name(fine) == fine
    _data, errors = check_intake(IntakeInput(applicant_type=IntakeInput().applicant_type.ORGANISATION,
                                             owner=PersonInput(name="Công ty TNHH 3A Thanh Hóa", id_kind=IdKind.OTHER,
                                                               id_number="2801234567", phone="0237 385 2345",
                                                               address="Số 5 Lê Lợi, Thanh Hóa")), None, TODAY)
    assert "owner.name" not in errors


@given(st.text(max_size=40))
@settings(max_examples=300, deadline=None)
def test_any_name_is_accepted_or_refused_with_a_reason(text):
    """NUL, lone surrogates, digits of other scripts: never a crash, always a sentence."""
    try:
        assert check_person_name(text) == text
    except InvalidValue as e:
        assert str(e).endswith(".") and "\x00" not in str(e)


def test_the_old_id_card_is_refused_for_new_dossiers_but_old_data_reads():
    assert IdKind.CMND not in id_kinds_for_new(TODAY) and IdKind.PASSPORT in id_kinds_for_new(TODAY)
    assert IdKind.CMND in id_kinds_for_new(date(2024, 12, 31))
    assert "hết giá trị" in owner_errors(id_kind=IdKind.CMND, id_number="172345678")["owner.id_number"]
    assert check_id_number(IdKind.CMND, "172 345 678") == "172345678"           # reading old data
    assert "owner.id_number" not in owner_errors(id_kind=IdKind.PASSPORT, id_number="C1234567")


@pytest.fixture
def panel(qtbot, desk, clerk, runner, previews):
    widget = IntakePanel(desk, clerk, runner, preview=previews)
    qtbot.addWidget(widget)
    widget.resize(1300, 850)
    show_active(qtbot, widget)
    return widget


def test_the_form_no_longer_offers_cmnd_and_still_shows_an_old_one(panel):
    kinds = [panel.owner.id_kind.itemData(i) for i in range(panel.owner.id_kind.count())]
    assert "cmnd" not in kinds and "passport" in kinds and "cccd" in kinds
    panel.owner.set_value(PersonInput(name="Lê Văn Cũ", id_kind=IdKind.CMND, id_number="172345678"))
    assert panel.owner.id_kind.currentData() == "cmnd"


def test_the_phone_takes_digits_only_and_says_why(qtbot, panel):
    qtbot.keyClicks(panel.owner.phone, "+84 912.345-678x")
    assert panel.owner.phone.text() == "+84 912.345678"       # "-" and "x" refused at the key
    assert panel.errors.message("owner.phone") == "Số điện thoại chỉ gồm chữ số, dấu cách, dấu + và dấu chấm."
    qtbot.keyClicks(panel.owner.phone, "9")          # a good key: the hint goes
    assert panel.errors.message("owner.phone") == ""


def test_errors_show_their_reason_and_clear_as_the_clerk_retypes(qtbot, panel):
    type_text(panel.owner.name, "Nguyen Van 123")
    panel.owner.birth_date.setFocus()
    panel.owner.birth_date.home(False)
    qtbot.keyClicks(panel.owner.birth_date, "31021990")
    panel.save()
    assert panel.errors.message("owner.name") == "Họ và tên không được có chữ số."
    assert panel.errors.message("owner.birth_date") == "Ngày 31/02/1990 không có trong lịch."
    assert panel.owner.name.property("invalid")
    qtbot.keyClick(panel.owner.name, Qt.Key.Key_Backspace)
    assert panel.errors.message("owner.name") == "" and not panel.owner.name.property("invalid")
    assert panel.errors.message("owner.birth_date") != ""      # only the field retyped clears
    panel.owner.birth_date.setFocus()
    qtbot.keyClick(panel.owner.birth_date, Qt.Key.Key_1)
    assert panel.errors.message("owner.birth_date") == ""


@given(st.text(max_size=24) | st.from_regex(r"[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{4}", fullmatch=True))
@settings(max_examples=300, deadline=None)
def test_any_typed_date_is_a_date_or_a_reason(text):
    """Huge years, 00/00, NUL, other scripts' digits: a date, or a sentence saying why not."""
    try:
        parsed = parse_date_vn(text)
    except InvalidValue as e:
        assert "ngày" in str(e).lower()
    else:
        assert 1 <= parsed.year <= 9999
