"""The national export against the DVCQG field list in the shared reference.

The reference (``docs/reference/vn-one-stop-sources.md`` §7, "Sync DTO field names") lists the
sync payload's fields; this test parses that list and fails when the export writes a field the
reference does not name, or the reference names one the export does not write and that is not
in the allow-list below (each entry says why the desk cannot hold it yet)."""

from __future__ import annotations

import json
import os
import re
from datetime import date, datetime
from pathlib import Path

import pytest

from desk_app.services import dvcqg, intake, workflow
from tests.central_server.conftest import server_factory  # noqa: F401 (fixture)
from tests.services.test_statistics_rollup import _submit, online_office  # noqa: F401 (fixture)
from tests.services.test_walk import land_form

REFERENCE_NAME = "vn-one-stop-sources.md"
HISTORY = "QuaTrinhXuLy"   # the export's list of QuaTrinhXuLyDongBoDVC rows

# Fields the reference names that the desk cannot hold yet, and why.
NOT_HELD = {
    "": {
        # the applicant's DVCQG account id (TechID): online submissions only; the desk has none
        "MaDoiTuong": "no national account of the applicant",
        # the reference names it without its meaning or codes ([U]); nothing to map it from
        "NoiNopHoSo": "codes unknown",
    },
    "TaiLieuNop": {
        "MaThanhPhanHoSo": "the catalogue has no national component codes",
        "DuongDanTaiTepTin": "scans stay on the desk, not tied to one component, no public URL",
        "MaKetQuaThayThe": "the desk does not record a result that replaces a paper",
    },
    "DanhSachLePhi": {
        "MaPhiLePhi": "the catalogue has no fee codes",
        "LoaiPhiLePhi": "fee/charge kind codes not in the reference",
    },
    "DanhSachGiayToKetQua": {
        "MaGiayToKetQua": "the catalogue has no result codes",
        "DuongDanTepTinKetQua": "result files are not kept by the desk",
    },
    "DSKetNoiCSDL": {
        "MaCSDL": "the desk queries no national database: the list is always empty",
    },
}
# Names the export writes that the reference does not list as fields, and why.
EXPORT_ONLY = {
    "": {
        # the reference sends the history to its own endpoint (URLDongBoTienTrinh); the file keeps
        # each dossier's QuaTrinhXuLyDongBoDVC rows with it, under this name
        HISTORY: "the history rows, kept with their dossier",
    },
    "DanhSachLePhi": {
        # the counter records the fee receipt's number with the fee charged; the reference's
        # list has no field for it, and an inspector asks for it
        "SoBienLai": "the fee receipt's number",
    },
}


def reference_file() -> Path | None:
    here = Path(__file__).resolve().parents[2]
    candidates = [Path(os.environ["DESK_REFERENCE_DIR"]) / REFERENCE_NAME] if os.environ.get("DESK_REFERENCE_DIR") else []
    candidates += [here / "docs" / "reference" / REFERENCE_NAME, here.parent / "shared" / "docs" / "reference" / REFERENCE_NAME]
    return next((p for p in candidates if p.exists()), None)


IDENT = re.compile(r"[A-Z][A-Za-z]*[a-z][A-Za-z]*")


def _without_parentheses(text: str) -> str:
    while True:
        stripped = re.sub(r"\([^()]*\)", "", text)
        if stripped == text:
            return text
        text = stripped


def parse_reference(text: str) -> tuple[dict[str, set[str]], set[str]]:
    """{list name ("" for the record itself, HISTORY for the history rows): field names}, and
    the lists the reference leaves open ("…")."""
    block = text.split("**Sync DTO field names**", 1)[1].split("**Early / on-time", 1)[0]
    fields: dict[str, set[str]] = {"": set()}
    open_ended: set[str] = set()
    for line in block.splitlines():
        line = line.strip()
        if not line.startswith("- "):
            continue
        body = line[2:]
        if body.startswith("Dates") and "QuaTrinhXuLy" in body:
            rows = body.split("`QuaTrinhXuLyDongBoDVC`:", 1)[1].split(". Endpoints", 1)[0]
            fields[HISTORY] = {IDENT.match(p.strip()).group(0)
                               for p in _without_parentheses(rows).split(",") if IDENT.match(p.strip())}
            continue
        body = body.removeprefix("Lists:").strip()
        body = _without_parentheses(body)
        for name, inner in re.findall(r"([A-Z][A-Za-z]+)\[\{([^}]*)\}\]", body):
            parts = [p.strip() for p in inner.split(",")]
            fields[name] = {IDENT.match(p).group(0) for p in parts if IDENT.match(p)}
            fields[""].add(name)   # a list is a field of the record too
            if "…" in inner:
                open_ended.add(name)
        flat = re.sub(r"[A-Z][A-Za-z]+\[\{[^}]*\}\]", "", body)
        for part in re.split(r"[,;]", flat):
            m = IDENT.match(part.strip())
            if m and m.group(0) not in ("Lists",):
                fields[""].add(m.group(0))
    return fields, open_ended


def exported_fields(records: list[dict]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {"": set()}
    for r in records:
        for key, value in r.items():
            found[""].add(key)
            if isinstance(value, list):
                found.setdefault(key, set())
                for item in value:
                    found[key].update(item)
    return found


@pytest.fixture
def walked(office, clock, tmp_path):
    """Dossiers that between them fill every field the desk holds: a scanned dossier returned by
    post with two supplements and a result, a refused one, and an open one."""
    d = office
    scan = tmp_path / "don-de-nghi.pdf"
    scan.write_bytes(b"%PDF-1.4\n% scan\n")
    clock.now = datetime(2026, 11, 10, 9, 30)
    form = land_form()
    form.collect_by_post = True
    form.attachments = [str(scan)]
    form.fee_status, form.fee_amount, form.fee_receipt = "paid", "50.000", "BL-0012"
    done = intake.save(d, d.clerk_at_counter, form, print_receipt=False).code
    refused = intake.save(d, d.clerk_at_counter, land_form(), print_receipt=False).code
    still_open = intake.save(d, d.clerk_at_counter, land_form(), print_receipt=False).code
    clock.now = datetime(2026, 11, 10, 10, 0)
    for code in (done, refused, still_open):
        workflow.transfer(d, d.clerk_at_counter, code, "VPDKDD")
        workflow.receive(d, d.specialist, code)
    clock.now = datetime(2026, 11, 11, 9, 0)
    workflow.request_supplement(d, d.specialist, done, "Thiếu giấy tờ", ["Bản sao sổ hộ khẩu", "Trích lục thửa đất"])
    workflow.refuse(d, d.specialist, refused, ["Không đủ điều kiện"])
    clock.now = datetime(2026, 11, 12, 9, 0)
    workflow.record_supplement(d, d.clerk_at_counter, done)
    clock.now = datetime(2026, 11, 13, 10, 0)
    workflow.result_ready(d, d.specialist, done)
    out = tmp_path / "dvcqg.json"
    dvcqg.export(d, date(2026, 11, 1), out)
    data = json.loads(out.read_text("utf-8"))
    return {r["MaHoSo"]: r for r in data["HoSo"]}, data, (done, refused, still_open)


def test_the_reference_parses_into_the_payload_it_describes():
    path = reference_file()
    if path is None:
        pytest.fail("the reference (docs/reference/%s) is missing: it ships with the project" % REFERENCE_NAME)
    fields, open_ended = parse_reference(path.read_text("utf-8"))
    assert {"MaHoSo", "MaLinhVuc", "TenLinhVuc", "NgayNopHoSo", "NgayTuChoi", "HinhThuc", "NgayHenTra",
            "HoSoCoThanhPhanSoHoa", "TaiKhoanDuocXacThucVoiVNeID", "DinhDanhCHS", "TaiLieuNop"} <= fields[""]
    assert fields["DinhDanhCHS"] == {"LoaiDinhDanh", "SoDinhDanh"}
    assert fields["DanhSachLePhi"] == {"TenPhiLePhi", "MaPhiLePhi", "HinhThucThu", "Gia", "LoaiPhiLePhi"}
    assert "NgayKetThucTheoQuyDinh" in fields[HISTORY] and "PhongBanXuLy" in fields[HISTORY]
    assert open_ended == {"DanhSachHoSoBoSung"}


def test_the_export_names_exactly_the_reference_fields(walked):
    path = reference_file()
    if path is None:
        pytest.fail("the reference (docs/reference/%s) is missing: it ships with the project" % REFERENCE_NAME)
    reference, open_ended = parse_reference(path.read_text("utf-8"))
    records, _data, _codes = walked
    exported = exported_fields(list(records.values()))
    history = [h for r in records.values() for h in r[HISTORY]]
    exported[HISTORY] = set().union(*(h.keys() for h in history))
    for name in sorted(set(reference) | set(exported) - {n for n in exported if n in EXPORT_ONLY.get("", {})}):
        ref = reference.get(name, set())
        ours = exported.get(name, set())
        not_held = set(NOT_HELD.get(name, {}))
        only_ours = set(EXPORT_ONLY.get(name, {}))
        assert not_held <= ref, "%s: the allow-list names fields the reference does not: %s" % (name, not_held - ref)
        assert not (not_held & ours), "%s: allow-listed but exported now: %s" % (name, not_held & ours)
        assert not (ours - ref - only_ours), "%s: exported but not in the reference: %s" % (name, ours - ref - only_ours)
        if name not in open_ended:
            assert not (ref - ours - not_held), "%s: in the reference, not exported: %s" % (name, ref - ours - not_held)


def test_the_export_holds_what_the_desk_knows(walked):
    records, data, (done, refused, still_open) = walked
    r = records[done]
    assert r["MaLinhVuc"] == "" and r["TenLinhVuc"] == "Đất đai"   # no code in the catalogue: never the name
    assert any("MaLinhVuc" in note for note in data["GhiChu"])
    assert r["NgayNopHoSo"] == r["NgayTiepNhan"] == "20261110093000"
    assert r["HinhThuc"] == 1 and records[refused]["HinhThuc"] == 0
    assert r["NgayTuChoi"] == "" and records[refused]["NgayTuChoi"] == "20261111090000"
    assert records[refused]["TrangThaiHoSo"] == 3
    assert r["HoSoCoThanhPhanSoHoa"] == 1 and records[refused]["HoSoCoThanhPhanSoHoa"] == 0
    assert r["TaiKhoanDuocXacThucVoiVNeID"] == 0 and r["DuocThanhToanTrucTuyen"] == 0
    assert [t["TenTepDinhKem"] for t in r["TaiLieuNop"]] == ["Đơn đề nghị cấp đổi Giấy chứng nhận",
                                                             "Bản gốc Giấy chứng nhận đã cấp"]
    assert {t["DuocSoHoa"] for t in r["TaiLieuNop"]} == {1}
    assert {t["DuocSoHoa"] for t in records[refused]["TaiLieuNop"]} == {0}
    # the fee charged at the counter; without one, the catalogue's for the case and channel
    assert r["DanhSachLePhi"] == [{"TenPhiLePhi": "Phí, lệ phí", "Gia": 50000, "HinhThucThu": 1,
                                   "SoBienLai": "BL-0012"}]
    assert records[refused]["DanhSachLePhi"] == [{"TenPhiLePhi": "Phí, lệ phí", "Gia": 50000}]
    [sup] = r["DanhSachHoSoBoSung"]
    assert sup["NoiDungBoSung"] == "Thiếu giấy tờ: Bản sao sổ hộ khẩu; Trích lục thửa đất"
    assert sup["NguoiYeuCauBoSung"] == "Phạm Quốc Bảo" and sup["NgayBoSung"] == "20261111090000"
    assert sup["NgayHenTraTruoc"] < sup["NgayHenTraMoi"] == r["NgayHenTra"]   # the pause moved the date
    assert r["DanhSachGiayToKetQua"] == [{"TenGiayTo": "Giấy chứng nhận"}]
    assert records[refused]["DanhSachGiayToKetQua"] == records[still_open]["DanhSachGiayToKetQua"] == []
    for rec in records.values():
        for h in rec[HISTORY]:
            assert h["PhongBanXuLy"], (h["NoiDungXuLy"], "has no unit")
    intake_row = r[HISTORY][0]
    assert intake_row["NoiDungXuLy"] == "Tiếp nhận hồ sơ" and intake_row["TrangThai"] == 2
    assert r[HISTORY][-1]["TrangThai"] == 9


def test_an_online_submission_never_received_has_no_reception_date(online_office, clock, tmp_path):  # noqa: F811
    """Never received (waiting for the check, or refused or withdrawn before it): the national
    status says so (1, 3, 7), NgayNopHoSo is the citizen's submission, and nothing says it was
    received, given an appointment or processed (F766 1.4 counts a dossier with NgayTiepNhan as
    received). Accepted, the control: NgayTiepNhan is the acceptance."""
    from datetime import timedelta

    from desk_app.services import online
    d = online_office
    codes, submitted = {}, {}
    for name in ("waiting", "refused", "withdrawn", "accepted"):
        codes[name], _key, _citizen = _submit(d)
        submitted[name] = online.details(d, d.clerk_at_counter, codes[name]).submitted_at   # the server's time
        clock.now = submitted[name] + timedelta(hours=2)
    online.refuse(d, d.clerk_at_counter, codes["refused"], ["Giấy chứng sinh không hợp lệ"])
    workflow.withdraw(d, d.clerk_at_counter, codes["withdrawn"], "Công dân xin rút trước khi tiếp nhận")
    online.accept(d, d.clerk_at_counter, codes["accepted"])
    out = tmp_path / "dvcqg-online.json"
    dvcqg.export(d, clock.now.date() - timedelta(days=1), out)
    data = json.loads(out.read_text("utf-8"))
    records = {r["MaHoSo"]: r for r in data["HoSo"]}
    for name, status in (("waiting", 1), ("refused", 3), ("withdrawn", 7)):
        r = records[codes[name]]
        assert r["TrangThaiHoSo"] == status and r["KenhThucHien"] == 2
        assert r["NgayNopHoSo"] == submitted[name].strftime("%Y%m%d%H%M%S")
        assert r["NgayTiepNhan"] == r["NgayHenTra"] == r["NgayKetThucXuLy"] == r["NgayTra"] == "", name
    assert records[codes["refused"]]["NgayTuChoi"] == clock.now.replace(microsecond=0).strftime("%Y%m%d%H%M%S")
    assert records[codes["waiting"]]["NgayTuChoi"] == records[codes["withdrawn"]]["NgayTuChoi"] == ""
    accepted = records[codes["accepted"]]
    assert accepted["TrangThaiHoSo"] == 2
    assert accepted["NgayNopHoSo"] == submitted["accepted"].strftime("%Y%m%d%H%M%S")
    assert accepted["NgayTiepNhan"] == clock.now.replace(microsecond=0).strftime("%Y%m%d%H%M%S")
    assert accepted["NgayHenTra"] > accepted["NgayTiepNhan"]
    assert any("NgayTiepNhan" in note for note in data["GhiChu"])
