"""The printed forms (Mẫu 01-06) as the services make them for real dossiers, field by field against
the templates of Thông tư 01/2018/TT-VPCP: a citizen with e-mail, an organisation without, a proxy.

Each PDF's text is extracted with pdfium and compared with the template's fields and wording (and the
wrong ones are absent); the rules around them (an apology only before the deadline, numbers in their
series, the register's TT equal to the receipt's number, reprints) are checked through the services.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from pathlib import Path

import pypdfium2
import pytest

from desk_app.domain.dossier import ApplicantType, EventKind
from desk_app.domain.forms import FormKind
from desk_app.domain.identity import IdKind
from desk_app.domain.intake import IntakeInput, PersonInput
from desk_app.domain.receipt import intake_time_warning, register_number
from desk_app.services import counter, forms, intake, reports, workflow
from desk_app.services.workflow import StepRefused

LAND = {"Đơn đề nghị cấp đổi Giấy chứng nhận": 1, "Bản gốc Giấy chứng nhận đã cấp": 1}


def pdf_text(path) -> str:
    pdf = pypdfium2.PdfDocument(str(path))
    text = unicodedata.normalize("NFC", " ".join(p.get_textpage().get_text_range() for p in pdf))
    return " ".join(text.replace("\ufffe", "").replace("\x02", "").split())  # lines wrap anywhere


def citizen(**changes) -> IntakeInput:
    owner = PersonInput(name="Lê Thị Mai", id_number="038185004321", birth_date="20/06/1985",
                        phone="0936 111 222", email="mai.le@example.vn",
                        address="Thôn 3, xã Hoằng Hóa, tỉnh Thanh Hóa")
    form = IntakeInput(procedure_code="1.012783", owner=owner, components=dict(LAND))
    for k, v in changes.items():
        setattr(form, k, v)
    return form


def company_by_proxy() -> IntakeInput:
    """An organisation (tax code, no e-mail) whose papers a staff member hands in."""
    owner = PersonInput(name="Công ty TNHH Xây dựng Hoằng Long", id_kind=IdKind.OTHER, id_number="2801234567",
                        phone="0237 3855 123", address="Lô 5, KCN Lễ Môn, phường Quảng Hưng, tỉnh Thanh Hóa")
    proxy = PersonInput(name="Trịnh Văn Hùng", id_number="038090001111", birth_date="01/01/1990",
                        phone="0912 000 111")
    return IntakeInput(procedure_code="1.012783", applicant_type=ApplicantType.ORGANISATION, owner=owner,
                       submitter_differs=True, submitter=proxy, components=dict(LAND))


@pytest.fixture
def walked(office, clock):
    """Two dossiers walked through the services: receipt, control slip, supplement, apology; a refusal."""
    d = office
    clock.now = datetime(2026, 11, 10, 9, 30)
    one = intake.save(d, d.clerk_at_counter, citizen())
    two = intake.save(d, d.clerk_at_counter, company_by_proxy())
    clock.now = datetime(2026, 11, 10, 10, 0)
    slip = workflow.transfer(d, d.clerk_at_counter, one.code, "VPDKDD").form_path
    workflow.transfer(d, d.clerk_at_counter, two.code, "VPDKDD")
    clock.now = datetime(2026, 11, 10, 10, 30)
    for code in (one.code, two.code):
        workflow.receive(d, d.specialist, code)
        workflow.assign(d, d.leader, code, "chuyenvien")
    clock.now = datetime(2026, 11, 12, 9, 0)
    sup = workflow.request_supplement(d, d.specialist, two.code, "Đơn chưa ghi đủ thông tin thửa đất",
                                      ["Đơn đề nghị cấp đổi Giấy chứng nhận", "Sơ đồ thửa đất"]).form_path
    clock.now = datetime(2026, 11, 16, 9, 0)
    apology = workflow.apologise(d, d.leader, one.code, "Cần xác minh nguồn gốc đất",
                                 datetime(2026, 11, 25, 9, 0)).form_path
    clock.now = datetime(2026, 11, 16, 10, 0)
    three = intake.save(d, d.clerk_at_counter, company_by_proxy())
    refusal = workflow.refuse(d, d.clerk_at_counter, three.code, ["Thửa đất đang có tranh chấp"]).form_path
    return d, {"one": one, "two": two, "three": three, "slip": slip, "supplement": sup, "apology": apology,
               "refusal": refusal}


def test_receipt_for_a_citizen_with_e_mail(walked):
    _d, w = walked
    text = pdf_text(w["one"].receipt_path)
    for field in ("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "Mã hồ sơ: 000.00.06.H56-261110-0001",
                  "Tiếp nhận hồ sơ của: Lê Thị Mai", "Số CCCD/CMND/Hộ chiếu: 038185004321",
                  "Địa chỉ: Thôn 3", "Số điện thoại: 0936111222", "Email: mai.le@example.vn",
                  "Nội dung yêu cầu giải quyết", "1. Thành phần hồ sơ nộp gồm", "2. Số lượng hồ sơ: 1 (bộ)",
                  "3. Thời gian giải quyết hồ sơ theo quy định", "4. Thời gian nhận hồ sơ: 09 giờ 30 phút",
                  "5. Thời gian trả kết quả giải quyết hồ sơ", "6. Đăng ký nhận kết quả tại:",
                  "Phí, lệ phí (nếu có): 50.000 đồng",
                  "Vào Sổ theo dõi hồ sơ, Quyển số: 01/2026, Số thứ tự: 261110-0001",
                  "NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ", "Ghi chú:", "được lập thành 02 liên",
                  "01 liên chuyển kèm theo Phiếu kiểm soát quá trình giải quyết hồ sơ",
                  "qua dịch vụ bưu chính"):
        assert field in text, field
    for wrong in ("6. Nhận kết quả tại", "tham khảo", "Người nộp thay"):
        assert wrong not in text, wrong


def test_receipt_for_an_organisation_by_proxy_without_e_mail(walked):
    _d, w = walked
    text = pdf_text(w["two"].receipt_path)
    assert "Tiếp nhận hồ sơ của: Công ty TNHH Xây dựng Hoằng Long" in text
    assert "Mã số doanh nghiệp/Mã số thuế: 2801234567" in text
    assert "Số CCCD/CMND/Hộ chiếu: 2801234567" not in text       # a tax code is not an ID card
    assert "Người nộp thay: Trịnh Văn Hùng, Số CCCD/CMND/Hộ chiếu: 038090001111" in text
    assert "Email" not in text                                     # no empty e-mail line
    signatures = text[text.index("NGƯỜI NỘP HỒ SƠ"):]
    assert "Trịnh Văn Hùng" in signatures                          # the proxy signs as submitter


def test_intake_outside_working_hours_is_warned(desk, clock):
    clock.now = datetime(2026, 11, 10, 5, 16)
    saved = intake.save(desk, desk.clerk, citizen(procedure_code="1.001193", components={
        "Tờ khai đăng ký khai sinh theo mẫu": 1, "Giấy chứng sinh": 1}), print_receipt=False)
    assert saved.warning and "05:16" in saved.warning and "ngoài giờ làm việc" in saved.warning
    clock.now = datetime(2026, 11, 10, 9, 30)
    assert intake.save(desk, desk.clerk, citizen(procedure_code="1.001193", components={
        "Tờ khai đăng ký khai sinh theo mẫu": 1, "Giấy chứng sinh": 1}), print_receipt=False).warning is None
    cal = desk.calendar()
    assert intake_time_warning(cal, datetime(2026, 11, 10, 5, 16)) and "05:16" in intake_time_warning(
        cal, datetime(2026, 11, 10, 5, 16))
    assert intake_time_warning(cal, datetime(2026, 11, 14, 9, 0))      # a Saturday
    assert intake_time_warning(cal, datetime(2026, 11, 10, 9, 30)) is None


def test_control_slip_names_the_handling_and_coordinating_agencies(walked):
    _d, w = walked
    text = pdf_text(w["slip"])
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
    assert "Cơ quan (bộ phận) giải quyết hồ sơ: Văn phòng Đăng ký đất đai" in text
    assert "Cơ quan phối hợp giải quyết hồ sơ:" in text


def test_supplement_request_by_the_specialist_to_an_organisation(walked):
    _d, w = walked
    text = pdf_text(w["supplement"])
    for field in ("PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", "Số: 1/2026/TB-BS",
                  "Tiếp nhận hồ sơ của Quý tổ chức: Công ty TNHH Xây dựng Hoằng Long",
                  "Mã số doanh nghiệp/Mã số thuế: 2801234567", "Địa chỉ: Lô 5", "Số điện thoại: 02373855123",
                  "Yêu cầu Quý tổ chức hoàn thiện hồ sơ gồm những nội dung như sau",
                  "Tên giấy tờ, nội dung cần bổ sung, hoàn thiện", "Hình thức", "Số lượng",
                  "Đơn đề nghị cấp đổi Giấy chứng nhận Bản chính 1", "Sơ đồ thửa đất",
                  "Lý do: Đơn chưa ghi đủ thông tin thửa đất", "NGƯỜI HƯỚNG DẪN", "Phạm Quốc Bảo"):
        assert field in text, field
    assert "Ông/Bà" not in text and "Email" not in text
    assert "Nguyễn Thị Thu Hương" not in text   # the clerk at intake did not make this request


def test_refusal_is_signed_by_who_handed_the_papers_in(walked):
    _d, w = walked
    text = pdf_text(w["refusal"])
    for field in ("PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", "Số: 1/2026/TB-TC",
                  "Tiếp nhận hồ sơ của: Công ty TNHH Xây dựng Hoằng Long", "Địa chỉ: Lô 5",
                  "Số điện thoại: 02373855123", "thông báo không tiếp nhận, giải quyết hồ sơ này",
                  "1. Thửa đất đang có tranh chấp", "NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ"):
        assert field in text, field
    signatures = text[text.index("NGƯỜI NỘP HỒ SƠ"):]
    assert "Trịnh Văn Hùng" in signatures and "Ông/Bà" not in text


def test_apology_comes_from_the_late_agency_with_the_appointment_given(walked):
    _d, w = walked
    text = pdf_text(w["apology"])
    for field in ("VĂN PHÒNG ĐĂNG KÝ ĐẤT ĐAI", "Số: 1/2026/XL-HL", "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
                  "Kính gửi: Ông/Bà Lê Thị Mai", "Mã hồ sơ: 000.00.06.H56-261110-0001",
                  # the appointment the receipt gave: 5 working days from Tue 10/11 09:30
                  "Thời gian hẹn trả kết quả giải quyết hồ sơ: 09 giờ 30 phút, ngày 17/11/2026",
                  "lý do: Cần xác minh nguồn gốc đất", "09 giờ 00 phút, ngày 25/11/2026",
                  "THỦ TRƯỞNG CƠ QUAN", "Hoàng Thị Lan Anh", "(để chuyển)"):
        assert field in text, field
    assert "GIÁM ĐỐC" not in text


def test_apology_after_the_deadline_is_refused(office, clock):
    d = office
    clock.now = datetime(2026, 11, 10, 9, 30)
    code = intake.save(d, d.clerk_at_counter, citizen(), print_receipt=False).code
    clock.now = datetime(2026, 11, 17, 9, 30)   # the deadline itself
    with pytest.raises(StepRefused) as refused:
        workflow.apologise(d, d.leader, code, "Cần xác minh", datetime(2026, 11, 25, 9, 0))
    assert "quá thời hạn giải quyết" in str(refused.value) and "trước khi hết hạn" in str(refused.value)
    clock.now = datetime(2026, 11, 17, 9, 29)   # a minute before: allowed
    workflow.apologise(d, d.leader, code, "Cần xác minh", datetime(2026, 11, 25, 9, 0))


def test_register_tt_is_the_receipts_number_and_a_refused_dossier_has_no_result_date(walked):
    d, w = walked
    data = reports.register(d, d.leader, date(2026, 11, 1), date(2026, 11, 30))
    rows = {r.dossier_code: r for r in data.rows}
    for key in ("one", "two", "three"):
        code = w[key].code
        assert rows[code].number == register_number(code)
        assert "Số thứ tự: %s" % rows[code].number in pdf_text(w[key].receipt_path)
    assert rows[w["three"].code].finished_at is None     # refused: nothing under "Có kết quả"


def test_printed_papers_are_listed_and_reprinted_without_a_new_number(walked, clock):
    d, w = walked
    code = w["two"].code
    papers = forms.printed_papers(d, d.clerk_at_counter, code)
    assert [p.kind for p in papers] == [FormKind.RECEIPT, FormKind.CONTROL_SLIP, FormKind.SUPPLEMENT]
    sup = papers[-1]
    assert sup.number == "1/2026/TB-BS" and sup.by == "Phạm Quốc Bảo" and sup.path == w["supplement"]
    clock.now = datetime(2026, 11, 12, 11, 0)
    again = forms.reprint(d, d.clerk_at_counter, code, sup.event_id)
    assert again == sup.path and again.read_bytes() == w["supplement"].read_bytes()
    papers = forms.printed_papers(d, d.clerk_at_counter, code)
    assert papers[-1].reprint and papers[-1].number == "1/2026/TB-BS" and papers[-1].by == "Nguyễn Thị Thu Hương"
    history = [h.kind for h in counter.details(d, code).history]
    assert history.count(EventKind.FORM_PRINTED) == 3                 # slip, supplement, its reprint
    # the next supplement request takes the next number: the reprint took none
    r = workflow.request_supplement(d, d.specialist, w["one"].code, "Thiếu sơ đồ", ["Sơ đồ thửa đất"])
    assert "Số: 2/2026/TB-BS" in pdf_text(r.form_path)


def test_an_older_receipt_is_not_reprinted_once_a_newer_one_exists(walked, clock):
    from desk_app.services import receipts
    from desk_app.services.context import ServiceError
    d, w = walked
    code = w["one"].code
    first = forms.printed_papers(d, d.clerk_at_counter, code)[0]
    clock.now = datetime(2026, 11, 16, 11, 0)
    receipts.produce(d, d.clerk_at_counter, code, replace_key=True)   # the old QR stops working
    with pytest.raises(ServiceError, match="bản in mới hơn"):
        forms.reprint(d, d.clerk_at_counter, code, first.event_id)
    newest = [p for p in forms.printed_papers(d, d.clerk_at_counter, code) if p.kind is FormKind.RECEIPT][-1]
    assert forms.reprint(d, d.clerk_at_counter, code, newest.event_id) == newest.path
