"""The catalogue's cases, papers to show and fees, through the real import and intake services."""

from __future__ import annotations

import csv
import json
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from desk_app.domain import fees
from desk_app.domain.identity import InvalidValue
from desk_app.domain.procedures import (CatalogueError, Channel, ComponentUse, describe_fees,
                                        procedure_from_dict)
from desk_app.services import catalogue, intake
from desk_app.services import fees as fee_service
from desk_app.services.catalogue import CSV_COLUMNS, ImportRefused
from desk_app.storage.models import Dossier, EventRow
from tests.conftest import birth_form

PERMIT = {
    "code": "1.013225", "name": "Cấp giấy phép xây dựng mới", "field": "Hoạt động xây dựng", "field_code": "G17-XD",
    "level": "Cấp xã", "agency": "UBND cấp xã", "result": "Giấy phép xây dựng", "legal_basis": "Luật Xây dựng",
    "effective_from": "2025-07-01", "source": "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/x",
    "cases": [
        {"key": "nha-o-rieng-le", "name": "Nhà ở riêng lẻ", "channels": {
            "direct": {"time": 7, "unit": "working_days", "fees": [
                {"name": "Lệ phí cấp giấy phép xây dựng", "amount": 75000, "basis": "Nghị quyết HĐND tỉnh số 12/2025"}]},
            "online": {"time": 7, "unit": "working_days", "fees": [
                {"name": "Lệ phí cấp giấy phép xây dựng", "amount": None, "note": "chưa xác định"}]}}},
        {"key": "cong-trinh", "name": "Công trình khác", "channels": {
            "direct": {"time": 10, "unit": "working_days", "fees": [
                {"name": "Lệ phí cấp giấy phép xây dựng", "amount": 150000, "basis": "Nghị quyết HĐND tỉnh số 12/2025"}]}}},
    ],
    "components": [
        {"name": "Đơn đề nghị cấp giấy phép xây dựng", "form": "original", "count": 1, "required": True},
        {"name": "Thẻ căn cước của người đề nghị", "form": "original", "count": 1, "required": True, "use": "show"},
    ],
}


@pytest.fixture
def permit_desk(desk, tmp_path):
    path = tmp_path / "permit.json"
    path.write_text(json.dumps({"format": "desk-app-catalogue", "version": 2, "procedures": [PERMIT]},
                               ensure_ascii=False), "utf-8")
    catalogue.import_file(desk, path)
    return desk


def permit_form(case: str = "nha-o-rieng-le", **fee):
    form = birth_form()
    form.procedure_code = "1.013225"
    form.case = case
    form.components = {"Đơn đề nghị cấp giấy phép xây dựng": 1, "Thẻ căn cước của người đề nghị": 1}
    for k, v in fee.items():
        setattr(form, "fee_" + k, v)
    return form


def test_the_due_date_comes_from_the_chosen_case(permit_desk, clock):
    clock.now = datetime(2026, 11, 10, 9, 30)   # a Tuesday
    house = intake.save(permit_desk, permit_desk.clerk, permit_form("nha-o-rieng-le"), print_receipt=False)
    works = intake.save(permit_desk, permit_desk.clerk, permit_form("cong-trinh"), print_receipt=False)
    cal = permit_desk.calendar()
    p = catalogue.get(permit_desk, "1.013225")
    assert house.due_at == cal.appointment(clock.now, p.terms(Channel.DIRECT, "nha-o-rieng-le").deadline)
    assert works.due_at == cal.appointment(clock.now, p.terms(Channel.DIRECT, "cong-trinh").deadline)
    assert house.due_at < works.due_at
    with permit_desk.db.session(write=False) as s:
        payload = s.scalars(select(EventRow.payload).where(EventRow.dossier_code == house.code,
                                                           EventRow.kind == "received")).one()
        assert payload["case"] == "nha-o-rieng-le" and payload["case_name"] == "Nhà ở riêng lẻ"
        assert fee_service.case_of(s, works.code) == "cong-trinh"


def test_a_procedure_with_cases_needs_one_chosen(permit_desk):
    with pytest.raises(intake.IntakeInvalid) as e:
        intake.save(permit_desk, permit_desk.clerk, permit_form(""), print_receipt=False)
    assert "case" in e.value.errors and "trường hợp" in e.value.errors["case"]
    with pytest.raises(intake.IntakeInvalid) as e:
        intake.save(permit_desk, permit_desk.clerk, permit_form("khong-co"), print_receipt=False)
    assert "case" in e.value.errors
    # a case that does not take the channel
    form = permit_form("cong-trinh")
    form.channel = Channel.ONLINE
    assert "channel" in intake.validate(permit_desk, form)


def test_a_shown_paper_is_not_recorded_as_handed_in(permit_desk):
    saved = intake.save(permit_desk, permit_desk.clerk, permit_form(), print_receipt=False)
    with permit_desk.db.session(write=False) as s:
        d = s.scalars(select(Dossier).where(Dossier.code == saved.code)).one()
        assert [c["name"] for c in d.components] == ["Đơn đề nghị cấp giấy phép xây dựng"]
        payload = s.scalars(select(EventRow.payload).where(EventRow.dossier_code == saved.code,
                                                           EventRow.kind == "received")).one()
        assert payload["shown"] == ["Thẻ căn cước của người đề nghị"]
    # not shown: a required paper is missing
    form = permit_form()
    form.components.pop("Thẻ căn cước của người đề nghị")
    assert "components" in intake.validate(permit_desk, form)


def test_the_fee_charged_is_recorded_and_printed(permit_desk):
    paid = intake.save(permit_desk, permit_desk.clerk,
                       permit_form(status="paid", amount="75.000", receipt="0012/BL"), print_receipt=False)
    exempt = intake.save(permit_desk, permit_desk.clerk,
                         permit_form(status="exempt", note="Hộ nghèo"), print_receipt=False)
    nothing = intake.save(permit_desk, permit_desk.clerk, permit_form("cong-trinh"), print_receipt=False)
    with permit_desk.db.session(write=False) as s:
        d = {c: s.scalars(select(Dossier).where(Dossier.code == c)).one() for c in (paid.code, exempt.code, nothing.code)}
        assert fee_service.charged(s, paid.code) == fees.FeeCharged(75000, fees.FeeStatus.PAID, "0012/BL")
        assert fee_service.fee_line(s, d[paid.code]) == "75.000 đồng, đã nộp, biên lai số 0012/BL"
        assert fee_service.fee_line(s, d[exempt.code]) == "Miễn (Hộ nghèo)"
        # nothing recorded: the catalogue's amount for the dossier's case, certain here
        assert fee_service.fee_line(s, d[nothing.code]) == "150.000 đồng"


def test_a_fee_to_be_confirmed_is_never_printed_as_certain(permit_desk):
    form = permit_form()
    form.channel = Channel.ONLINE
    saved = intake.save(permit_desk, permit_desk.clerk, form, print_receipt=False)
    with permit_desk.db.session(write=False) as s:
        d = s.scalars(select(Dossier).where(Dossier.code == saved.code)).one()
        assert fee_service.fee_line(s, d) == ""   # left for the clerk's hand
    terms = catalogue.get(permit_desk, "1.013225").terms(Channel.ONLINE, "nha-o-rieng-le")
    assert terms.fee_to_confirm and terms.fee_due is None
    assert "chưa xác định mức thu" in describe_fees(terms)


@pytest.mark.parametrize("fee, field_error", [
    (dict(status="paid", amount="75.000", receipt=""), "biên lai"),
    (dict(status="paid", amount="0", receipt="12"), "lớn hơn 0"),
    (dict(status="paid", amount="abc", receipt="12"), "số đồng"),
    (dict(status="paid", amount="9" * 13, receipt="12"), "số đồng"),
    (dict(status="exempt"), "lý do"),
    (dict(status="later", amount=""), "số tiền"),
    (dict(status="paid", amount="50000", receipt="12\x00"), "biên lai"),
    (dict(status="stolen"), "không hợp lệ"),
])
def test_bad_fee_input_is_refused_in_vietnamese(permit_desk, fee, field_error):
    errors = intake.validate(permit_desk, permit_form(**fee))
    assert field_error in errors["fee"].lower()


def test_old_catalogue_files_still_import(desk, tmp_path):
    """Format 1: one channel table with fee/fee_note; papers shown only named so."""
    old = {"code": "1.004873", "name": "Cấp Giấy xác nhận tình trạng hôn nhân", "field": "Hộ tịch",
           "level": "Cấp xã", "result": "Giấy xác nhận", "source": "https://dichvucong.gov.vn",
           "channels": {"direct": {"time": 3, "unit": "working_days", "fee": 15000,
                                   "fee_note": "Mức theo Nghị quyết HĐND tỉnh (tham khảo)"},
                        "online": {"time": 3, "fee": 0, "fee_note": "Miễn lệ phí khi nộp trực tuyến"}},
           "components": [{"name": "Tờ khai", "form": "original"},
                          {"name": "Giấy tờ tùy thân — xuất trình để đối chiếu", "form": "original"}]}
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"format": "desk-app-catalogue", "version": 1, "procedures": [old]},
                               ensure_ascii=False), "utf-8")
    catalogue.import_file(desk, path)
    p = catalogue.get(desk, "1.004873")
    assert not p.has_cases and p.terms(Channel.DIRECT).deadline.amount == 3
    assert p.terms(Channel.DIRECT).fee_to_confirm            # "tham khảo": not certain
    assert p.terms(Channel.ONLINE).fee_due == 0              # free online, certain
    assert [c.use for c in p.components] == [ComponentUse.SUBMIT, ComponentUse.SHOW]
    # the same file again changes nothing (rows of the old format compare in the new one)
    again = catalogue.import_file(desk, path)
    assert again.unchanged == 1 and again.new_versions == 0


def test_csv_and_xlsx_hold_cases_fees_and_shown_papers(permit_desk, tmp_path):
    out_csv, out_xlsx = tmp_path / "danh-muc.csv", tmp_path / "danh-muc.xlsx"
    n = catalogue.export_csv(permit_desk, out_csv)
    catalogue.export_xlsx(permit_desk, out_xlsx)
    rows = list(csv.DictReader(open(out_csv, encoding="utf-8-sig")))
    assert n == len(rows) and list(rows[0]) == CSV_COLUMNS
    assert [r["case_key"] for r in rows if r["code"] == "1.013225"] == ["nha-o-rieng-le", "cong-trinh"]
    before = catalogue.get(permit_desk, "1.013225")
    for path in (out_csv, out_xlsx):
        report = catalogue.import_file(permit_desk, path)
        assert report.new_versions == 0 and report.added == 0, path
    assert catalogue.get(permit_desk, "1.013225") == before
    assert before.field_code == "G17-XD"


def test_a_bad_case_refuses_the_file(desk, tmp_path):
    bad = json.loads(json.dumps(PERMIT))
    bad["cases"][1]["key"] = "nha-o-rieng-le"                # twice the same key
    bad["cases"][0]["channels"]["direct"]["fees"][0]["amount"] = float("nan")
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"procedures": [bad]}, ensure_ascii=False), "utf-8")
    with pytest.raises(ImportRefused) as e:
        catalogue.import_file(desk, path)
    text = "\n".join(e.value.problems)
    assert "bị trùng" in text and "lệ phí" in text


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                           max_leaves=20)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.fixed_dictionaries({}, optional={k: json_values for k in (
    "code", "name", "field", "level", "result", "source", "field_code", "effective_from", "version",
    "cases", "channels", "components")}))
def test_any_entry_is_read_or_refused_with_reasons(entry):
    """Whatever a file holds, reading it gives a procedure or a CatalogueError, nothing else."""
    try:
        procedure_from_dict(entry)
    except CatalogueError as e:
        assert e.messages


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=12), st.text(max_size=20), st.text(max_size=40), st.text(max_size=40))
def test_any_fee_input_is_read_or_refused(status, amount, receipt, note):
    try:
        fee = fees.check_fee(status, amount, receipt, note)
    except InvalidValue:
        return
    if fee is not None:
        assert 0 <= fee.amount <= 1_000_000_000 and fees.from_json(fee.to_json()) == fee



def test_a_fee_paid_after_a_payment_request_is_recorded(office, clock):
    """A fee asked for during processing (the clock stops) is recorded with PAYMENT_RECEIVED,
    then it is the dossier's fee: on the receipt line and in the national export."""
    from desk_app.services import dvcqg, workflow
    from tests.services.test_walk import land_form
    d = office
    clock.now = datetime(2026, 11, 10, 9, 30)
    code = intake.save(d, d.clerk_at_counter, land_form(), print_receipt=False).code
    workflow.transfer(d, d.clerk_at_counter, code, "VPDKDD")
    workflow.receive(d, d.specialist, code)
    clock.now = datetime(2026, 11, 11, 9, 0)
    workflow.request_payment(d, d.specialist, code, 50000, "Lệ phí cấp giấy chứng nhận")
    clock.now = datetime(2026, 11, 12, 9, 0)
    workflow.record_payment(d, d.specialist, code, "Đã nộp", fee=fees.check_fee("paid", "50.000", "BL-77"))
    with d.db.session(write=False) as s:
        dossier = s.scalars(select(Dossier).where(Dossier.code == code)).one()
        assert fee_service.fee_line(s, dossier) == "50.000 đồng, đã nộp, biên lai số BL-77"
    out = d.data_dir / "dvcqg.json"
    dvcqg.export(d, datetime(2026, 11, 1).date(), out)
    [record] = [r for r in json.loads(out.read_text("utf-8"))["HoSo"] if r["MaHoSo"] == code]
    assert record["DanhSachLePhi"] == [{"TenPhiLePhi": "Phí, lệ phí", "Gia": 50000, "HinhThucThu": 1,
                                        "SoBienLai": "BL-77"}]


def test_export_by_suffix(permit_desk, tmp_path):
    assert catalogue.export_file(permit_desk, tmp_path / "a.json") == 4        # procedures
    assert catalogue.export_file(permit_desk, tmp_path / "a.csv") == 5         # rows: one per case
    assert catalogue.export_file(permit_desk, tmp_path / "a.xlsx") == 5
    data = json.loads((tmp_path / "a.json").read_text("utf-8"))
    assert data["version"] == 2 and all("cases" in p for p in data["procedures"])
    from desk_app.services.context import ServiceError
    with pytest.raises(ServiceError):
        catalogue.export_file(permit_desk, tmp_path / "a.txt")


def test_the_payment_step_records_what_was_paid(office, clock):
    """The step a department takes when the citizen has paid: amount and receipt number asked,
    refused in Vietnamese without a receipt number."""
    from desk_app.services import workflow
    from desk_app.services.context import ServiceError
    from desk_app.ui.steps.catalogue import STEPS
    from tests.services.test_walk import land_form
    d = office
    clock.now = datetime(2026, 11, 10, 9, 30)
    code = intake.save(d, d.clerk_at_counter, land_form(), print_receipt=False).code
    workflow.transfer(d, d.clerk_at_counter, code, "VPDKDD")
    workflow.receive(d, d.specialist, code)
    workflow.request_payment(d, d.specialist, code, 120000)
    step = STEPS["record_payment"]
    with pytest.raises(ServiceError, match="biên lai"):
        step.call(d, d.specialist, code, {"amount": 120000, "receipt": ""})
    step.call(d, d.specialist, code, {"amount": 120000, "receipt": "0000457", "note": "Biên lai điện tử"})
    with d.db.session(write=False) as s:
        assert fee_service.charged(s, code) == fees.FeeCharged(120000, fees.FeeStatus.PAID, "0000457")


def test_the_receipt_names_the_case_and_its_time(permit_desk):
    """Mẫu 01's "Nội dung yêu cầu giải quyết" names the case chosen; item 3 gives its time."""
    from desk_app.services import receipts
    saved = intake.save(permit_desk, permit_desk.clerk, permit_form("nha-o-rieng-le"), print_receipt=False)
    with permit_desk.db.session(write=False) as s:
        d = s.scalars(select(Dossier).where(Dossier.code == saved.code)).one()
        data = receipts.receipt_data(s, d)
    assert data.procedure_name == "Cấp giấy phép xây dựng mới, trường hợp: Nhà ở riêng lẻ"
    assert data.legal_time == "07 ngày làm việc"
    assert [c.name for c in data.components] == ["Đơn đề nghị cấp giấy phép xây dựng"]   # the ID card was shown


def test_by_post_a_paper_to_show_travels_as_a_certified_copy(permit_desk):
    """Shown at the counter and handed back; sent by post, it joins the dossier as a certified copy."""
    from desk_app.domain.procedures import PaperForm
    p = catalogue.get(permit_desk, "1.013225")
    card = next(c for c in p.components if c.shown)
    assert card.joins_dossier_as(Channel.DIRECT) is None and card.joins_dossier_as(Channel.ONLINE) is None
    assert card.joins_dossier_as(Channel.POST) is PaperForm.CERTIFIED_COPY
    assert p.components[0].joins_dossier_as(Channel.POST) is PaperForm.ORIGINAL


def test_the_history_says_the_case_and_the_fee(permit_desk):
    from desk_app.services import counter
    saved = intake.save(permit_desk, permit_desk.clerk,
                        permit_form("nha-o-rieng-le", status="paid", amount="75000", receipt="BL-9"), print_receipt=False)
    first = counter.details(permit_desk, saved.code).history[0]
    assert "Nhà ở riêng lẻ" in first.detail and "75.000 đồng, đã nộp, biên lai số BL-9" in first.detail


def test_the_export_names_the_case_and_its_fees(permit_desk, tmp_path):
    from desk_app.services import dvcqg
    saved = intake.save(permit_desk, permit_desk.clerk, permit_form("cong-trinh"), print_receipt=False)
    out = tmp_path / "dvcqg.json"
    dvcqg.export(permit_desk, datetime(2026, 11, 1).date(), out)
    [r] = [r for r in json.loads(out.read_text("utf-8"))["HoSo"] if r["MaHoSo"] == saved.code]
    assert r["TrichYeuHoSo"].startswith("Cấp giấy phép xây dựng mới (Công trình khác) - ")
    assert r["MaLinhVuc"] == "G17-XD" and r["TenLinhVuc"] == "Hoạt động xây dựng"
    assert r["DanhSachLePhi"] == [{"TenPhiLePhi": "Lệ phí cấp giấy phép xây dựng", "Gia": 150000}]


cell = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.fixed_dictionaries({k: cell for k in ("direct_time", "direct_unit", "direct_fees", "case_key",
                                                         "case_name", "components", "field_code")}),
                min_size=1, max_size=3))
def test_any_csv_is_imported_or_refused_row_by_row(permit_desk, tmp_path, cells):
    """Hostile cells (NUL, huge numbers, stray separators, lone case rows): the import takes the
    file whole or refuses it with each row's problem, nothing else."""
    from desk_app.services.context import ServiceError
    base = catalogue.procedure_to_row(procedure_from_dict(PERMIT))
    path = tmp_path / "fuzz.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, CSV_COLUMNS)
        w.writeheader()
        for c in cells:
            w.writerow(dict(base, code="1.099999", **{k: v.replace("\x00", "\x00") for k, v in c.items()}))
    try:
        catalogue.import_file(permit_desk, path)
    except ImportRefused as e:
        assert e.problems and all(p.startswith("Dòng") for p in e.problems)
    except ServiceError:
        pass


@pytest.mark.parametrize("where, value", [
    ("name", "Khai sinh\x00"), ("legal_basis", "x" * 5000), ("name", "Khai \ud800 sinh"),
    ("case", "Nhà\x07 ở"), ("component", "Đơn\x00"), ("fee", "Lệ phí\x1b[31m"),
])
def test_hostile_texts_in_an_entry_are_refused(where, value):
    entry = json.loads(json.dumps(PERMIT))
    if where == "case":
        entry["cases"][0]["name"] = value
    elif where == "component":
        entry["components"][0]["name"] = value
    elif where == "fee":
        entry["cases"][0]["channels"]["direct"]["fees"][0]["name"] = value
    else:
        entry[where] = value
    with pytest.raises(CatalogueError):
        procedure_from_dict(entry)
