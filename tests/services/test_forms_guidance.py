"""At the counter, before any dossier exists: a Mẫu 02 guidance slip or a Mẫu 03 refusal for papers
that are incomplete or out of scope, numbered, kept, and written in the register of guidance given;
no dossier is received (and the components need not be complete)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from desk_app.domain.forms import FormKind
from desk_app.domain.intake import IntakeInput, PersonInput
from desk_app.services import counter, forms
from desk_app.services.context import PermissionDenied, ServiceError
from tests.services.test_forms_printed import company_by_proxy, pdf_text


def incomplete() -> IntakeInput:
    """A land form with one required paper missing: intake would refuse to save it."""
    owner = PersonInput(name="Lê Thị Mai", id_number="038185004321", phone="0936 111 222",
                        address="Thôn 3, xã Hoằng Hóa, tỉnh Thanh Hóa")
    return IntakeInput(procedure_code="1.012783", owner=owner, components={"Đơn đề nghị cấp đổi Giấy chứng nhận": 1})


def test_guidance_slip_at_the_counter_without_a_dossier(office, clock):
    d = office
    clock.now = datetime(2026, 11, 10, 8, 15)
    g = forms.give_guidance(d, d.clerk_at_counter, incomplete(), FormKind.SUPPLEMENT,
                            ["Bản gốc Giấy chứng nhận đã cấp", "Sơ đồ thửa đất"], "Thiếu bản gốc Giấy chứng nhận")
    assert g.number == "1/2026/TB-BS" and g.path.exists()
    text = pdf_text(g.path)
    for field in ("PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", "Số: 1/2026/TB-BS",
                  "Tiếp nhận hồ sơ của Ông/Bà: Lê Thị Mai", "Địa chỉ: Thôn 3", "Số điện thoại: 0936111222",
                  "Bản gốc Giấy chứng nhận đã cấp Bản chính 1", "Sơ đồ thửa đất",
                  "Lý do: Thiếu bản gốc Giấy chứng nhận", "NGƯỜI HƯỚNG DẪN", "Nguyễn Thị Thu Hương"):
        assert field in text, field
    assert "Mã hồ sơ" not in text and "Email" not in text and "Thời gian nhận hồ sơ" not in text
    assert counter.search(d, "Lê Thị Mai") == [] and counter.today(d) == []  # no dossier was received
    register = forms.guidance_register(d, d.clerk_at_counter, date(2026, 11, 1), date(2026, 11, 30))
    assert [(r.kind, r.number, r.applicant, r.by) for r in register] == [
        (FormKind.SUPPLEMENT, "1/2026/TB-BS", "Lê Thị Mai", "Nguyễn Thị Thu Hương")]


def test_refusal_at_the_counter_before_a_receipt(office, clock):
    d = office
    clock.now = datetime(2026, 11, 10, 8, 30)
    g = forms.give_guidance(d, d.clerk_at_counter, company_by_proxy(), FormKind.REFUSAL,
                            ["Thửa đất không thuộc địa bàn tỉnh"])
    text = pdf_text(g.path)
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text and "Số: 1/2026/TB-TC" in text
    assert "Mã số doanh nghiệp/Mã số thuế: 2801234567" in text and "Mã hồ sơ" not in text
    assert "Trịnh Văn Hùng" in text[text.index("NGƯỜI NỘP HỒ SƠ"):]   # the proxy signs
    second = forms.give_guidance(d, d.clerk_at_counter, incomplete(), FormKind.REFUSAL, ["Ngoài thẩm quyền"])
    assert second.number == "2/2026/TB-TC"


def test_guidance_needs_the_permission_and_real_input(office):
    d = office
    with pytest.raises(PermissionDenied):
        forms.give_guidance(d, d.specialist, incomplete(), FormKind.SUPPLEMENT, ["Sơ đồ"])
    with pytest.raises(ServiceError, match="giấy tờ cần bổ sung"):
        forms.give_guidance(d, d.clerk_at_counter, incomplete(), FormKind.SUPPLEMENT, ["", " \x00 "])
    with pytest.raises(ServiceError, match="thủ tục"):
        forms.give_guidance(d, d.clerk_at_counter, IntakeInput(owner=incomplete().owner), FormKind.REFUSAL, ["x"])
    nasty = incomplete()
    nasty.owner.name = "Lê\x00 Thị \ud800Mai" + "A" * 5000
    g = forms.give_guidance(d, d.clerk_at_counter, nasty, FormKind.REFUSAL, ["Lý do\x07 thật" * 400])
    assert "\x00" not in g.applicant and "\ud800" not in g.applicant and len(g.applicant) <= 300
    assert g.path.exists()


def test_the_register_of_guidance_prints(office, clock, tmp_path):
    d = office
    clock.now = datetime(2026, 11, 10, 8, 15)
    forms.give_guidance(d, d.clerk_at_counter, incomplete(), FormKind.SUPPLEMENT, ["Sơ đồ thửa đất"], "Thiếu sơ đồ")
    forms.give_guidance(d, d.clerk_at_counter, company_by_proxy(), FormKind.REFUSAL, ["Ngoài thẩm quyền"])
    path = forms.export_guidance_register(d, d.clerk_at_counter, date(2026, 11, 1), date(2026, 11, 30),
                                          tmp_path / "so-huong-dan.pdf")
    text = pdf_text(path)
    for field in ("SỔ THEO DÕI HƯỚNG DẪN, TỪ CHỐI TIẾP NHẬN HỒ SƠ TẠI QUẦY", "Từ ngày 01/11/2026 đến ngày 30/11/2026",
                  "1/2026/TB-BS", "1/2026/TB-TC", "Lê Thị Mai", "Công ty TNHH Xây dựng Hoằng Long",
                  "Sơ đồ thửa đất (Thiếu sơ đồ)", "Ngoài thẩm quyền", "Tổng số: 2 phiếu."):
        assert field in text, field
    with pytest.raises(PermissionDenied):
        forms.export_guidance_register(d, _kiosk(d), date(2026, 11, 1),
                                       date(2026, 11, 30), tmp_path / "x.pdf")


def _kiosk(d):
    from desk_app.domain.roles import Role
    from desk_app.services import admin, auth
    admin.add_person(d, d.admin, "kiosk1", "Kiosk sảnh", Role.KIOSK, "matkhau-kiosk")
    return auth.login(d, "kiosk1", "matkhau-kiosk")


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from desk_app.domain.forms import form_number, parse_form_number  # noqa: E402
from desk_app.domain.receipt import register_number  # noqa: E402


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=3000))
def test_typed_text_from_the_counter_is_cleaned_and_bounded(typed):
    out = forms._text(typed, 300)
    assert len(out) <= 300 and "\x00" not in out and out == out.strip()
    assert not any(0xD800 <= ord(c) <= 0xDFFF or not c.isprintable() for c in out)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 9_999_999), st.integers(2000, 2200), st.sampled_from(["TB-BS", "TB-TC", "XL-HL"]))
def test_form_numbers_read_back(number, year, series):
    assert parse_form_number(form_number(number, year, series)) == (number, year, series)


@given(st.text(max_size=80))
def test_register_number_never_fails(code):
    assert isinstance(register_number(code), str)
    assert register_number("000.00.06.H56-261110-0042") == "261110-0042"
