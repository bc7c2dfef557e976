"""The whole walk of a dossier through the services, with hand-computed dates."""

from datetime import date, datetime

import pypdfium2
import pytest

from desk_app.domain.dossier import EventKind, Status
from desk_app.domain.lifecycle import Verdict
from desk_app.domain.intake import IntakeInput, PersonInput
from desk_app.services import counter, intake, queues, setup, workflow
from desk_app.services.context import PermissionDenied
from desk_app.services.workflow import StepRefused


def land_form():
    owner = PersonInput(name="Lê Thị Mai", id_number="038185004321", birth_date="20/06/1985",
                        phone="0936 111 222", address="Thôn 3, xã Hoằng Hóa, tỉnh Thanh Hóa")
    return IntakeInput(procedure_code="1.012783", owner=owner, components={
        "Đơn đề nghị cấp đổi Giấy chứng nhận": 1, "Bản gốc Giấy chứng nhận đã cấp": 1})


def pdf_text(path) -> str:
    import unicodedata
    pdf = pypdfium2.PdfDocument(str(path))
    text = unicodedata.normalize("NFC", " ".join(p.get_textpage().get_text_range() for p in pdf))
    return " ".join(text.split())  # lines wrap anywhere


def test_whole_walk(office, clock):
    d = office
    # Mon 16/11/2026 is made a day off (a provincial decision) before anything happens.
    setup.set_holiday(d, date(2026, 11, 16), "off", "Nghỉ theo quyết định của UBND tỉnh")
    clock.now = datetime(2026, 11, 10, 9, 30)
    saved = intake.save(d, d.clerk_at_counter, land_form(), print_receipt=False)
    code = saved.code
    # 5 working days of 7.5 h from Tue 10/11 09:30, skipping the weekend and Mon 16/11:
    assert saved.due_at == datetime(2026, 11, 18, 9, 30)

    clock.now = datetime(2026, 11, 10, 10, 0)
    r = workflow.transfer(d, d.clerk_at_counter, code, "VPDKDD")
    assert r.form_path and "PHIẾU KIỂM SOÁT" in pdf_text(r.form_path)
    with pytest.raises(PermissionDenied):
        workflow.approve(d, d.clerk_at_counter, code)

    clock.now = datetime(2026, 11, 10, 10, 30)
    workflow.receive(d, d.specialist, code)            # scan on arrival
    workflow.assign(d, d.leader, code, "chuyenvien")
    assert [q.code for q in queues.my_queue(d, d.specialist)] == [code]

    # Thu 12/11 09:00: supplement requested; the clock stops.
    clock.now = datetime(2026, 11, 12, 9, 0)
    r = workflow.request_supplement(d, d.specialist, code, "Thiếu giấy tờ về nguồn gốc đất",
                                    ["Bản sao có chứng thực Quyết định giao đất"])
    assert r.status is Status.SUPPLEMENT_REQUESTED and r.flagged is None
    assert "Bản sao có chứng thực Quyết định giao đất" in pdf_text(r.form_path)
    # Tue 17/11 09:00: the citizen brings the papers. Paused: Thu 6 h + Fri 7.5 h + (Mon off)
    # + Tue 1.5 h = 15 h, so the due date moves 15 working hours: Wed 18/11 09:30 -> Fri 20/11 09:30.
    clock.now = datetime(2026, 11, 17, 9, 0)
    r = workflow.record_supplement(d, d.clerk_at_counter, code)
    assert r.due_at == datetime(2026, 11, 20, 9, 30) and r.status is Status.PROCESSING

    clock.now = datetime(2026, 11, 17, 14, 0)
    workflow.forward(d, d.specialist, code, "lanhdao")
    assert [q.code for q in queues.rows(d, d.leader, queues.Filter(queues.Queue.SIGNATURE))] == [code]
    workflow.approve(d, d.leader, code)
    clock.now = datetime(2026, 11, 18, 10, 0)
    r = workflow.result_ready(d, d.specialist, code)          # two days early
    # the legal appointment and the one the citizen was told both stay: the result is early
    # against them, and the citizen reads "result ready since 18/11 10:00"
    assert r.status is Status.RESULT_READY and r.finished_at == datetime(2026, 11, 18, 10, 0)
    assert r.appointment_at == r.due_at == datetime(2026, 11, 20, 9, 30)
    assert counter.details(d, code).summary.verdict is Verdict.EARLY

    clock.now = datetime(2026, 11, 18, 11, 0)
    r = workflow.transfer(d, d.specialist, code, "MOTCUA")
    clock.now = datetime(2026, 11, 18, 14, 0)
    workflow.receive(d, d.clerk_at_counter, code)             # "result at counter"
    assert [q.code for q in queues.rows(d, d.clerk_at_counter, queues.Filter(queues.Queue.RESULT_AT_COUNTER))] == [code]
    clock.now = datetime(2026, 11, 19, 8, 0)
    with pytest.raises(PermissionDenied):
        workflow.return_result(d, d.specialist, code)
    r = workflow.return_result(d, d.clerk_at_counter, code, "proxy", "Lê Văn Nam", "038090001111",
                               "Giấy ủy quyền số 12/2026 ngày 15/11/2026")
    assert r.status is Status.RETURNED

    details = counter.details(d, code)
    kinds = [h.kind for h in details.history if h.kind is not EventKind.FORM_PRINTED]  # prints: tests/services/test_forms_*
    assert kinds == [EventKind.RECEIVED, EventKind.TRANSFERRED, EventKind.ARRIVED, EventKind.ASSIGNED,
                     EventKind.SUPPLEMENT_REQUESTED, EventKind.SUPPLEMENT_RECEIVED, EventKind.FORWARDED,
                     EventKind.APPROVED, EventKind.RESULT_READY, EventKind.TRANSFERRED, EventKind.ARRIVED,
                     EventKind.RETURNED]

    # The control slip's hops, each judged against its own allowed time.
    with d.db.session(write=False) as s:
        from desk_app.services import forms
        from desk_app.storage import repositories as repo
        hops = forms.hops(d, s, repo.dossier_by_code(s, code))
    assert [(h.giver_unit, h.receiver_unit) for h in hops] == [
        ("Bộ phận Một cửa", "Văn phòng Đăng ký đất đai"), ("Văn phòng Đăng ký đất đai", "Bộ phận Một cửa")]
    # Hop 1: 16 h from Tue 10/11 10:00 -> Thu 12/11 11:00, plus the 15 h pause -> Tue 17/11 11:00;
    # handed on Wed 18/11: late. Hop 2 is allowed 4 h and has not been handed on: open.
    assert hops[0].verdict == "Trễ hạn" and "17/11/2026" in hops[0].note
    assert hops[0].receiver_name == "Phạm Quốc Bảo"
    assert hops[1].verdict == ""


def test_second_supplement_request_is_flagged(office, clock):
    d = office
    code = intake.save(d, d.clerk_at_counter, land_form(), print_receipt=False).code
    workflow.transfer(d, d.clerk_at_counter, code, "VPDKDD")
    workflow.receive(d, d.specialist, code)
    workflow.request_supplement(d, d.specialist, code, "Thiếu", ["Tờ khai"])
    workflow.record_supplement(d, d.clerk_at_counter, code)
    r = workflow.request_supplement(d, d.specialist, code, "Vẫn thiếu", ["Sơ đồ thửa đất"])
    assert r.flagged and "quá hạn" in r.flagged


def test_apology_moves_the_appointment_once(office, clock):
    d = office
    code = intake.save(d, d.clerk_at_counter, land_form(), print_receipt=False).code
    workflow.transfer(d, d.clerk_at_counter, code, "VPDKDD")
    workflow.receive(d, d.specialist, code)
    due = counter.details(d, code).summary.due_at
    with pytest.raises(PermissionDenied):
        workflow.apologise(d, d.specialist, code, "Cần xác minh", datetime(2026, 11, 25, 9, 0))
    with pytest.raises(StepRefused, match="ngày làm việc"):
        workflow.apologise(d, d.leader, code, "Cần xác minh", datetime(2026, 11, 22, 9, 0))  # a Sunday
    r = workflow.apologise(d, d.leader, code, "Cần xác minh nguồn gốc đất", datetime(2026, 11, 25, 9, 0))
    text = pdf_text(r.form_path)
    assert "Cần xác minh nguồn gốc đất" in text and "25/11/2026" in text
    assert r.appointment_at == datetime(2026, 11, 25, 9, 0) and r.due_at == due  # the legal deadline stays
    with pytest.raises(StepRefused, match="lần thứ hai"):
        workflow.apologise(d, d.leader, code, "Lại chậm", datetime(2026, 11, 26, 9, 0))


def test_refusal_prints_and_closes(office):
    d = office
    code = intake.save(d, d.clerk_at_counter, land_form(), print_receipt=False).code
    r = workflow.refuse(d, d.clerk_at_counter, code, ["Thửa đất đang có tranh chấp"])
    assert r.status is Status.REFUSED and "Thửa đất đang có tranh chấp" in pdf_text(r.form_path)
    with pytest.raises(StepRefused):
        workflow.transfer(d, d.clerk_at_counter, code, "VPDKDD")


def test_receive_checks_the_unit(office):
    d = office
    code = intake.save(d, d.clerk_at_counter, land_form(), print_receipt=False).code
    workflow.transfer(d, d.clerk_at_counter, code, "PTNMT")
    with pytest.raises(StepRefused, match="Phòng Tài nguyên"):
        workflow.receive(d, d.specialist, code)
