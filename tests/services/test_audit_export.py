"""Tampering with the event log is found; the DVCQG export carries the national field names."""

import json
import sqlite3
from datetime import date, datetime

from desk_app.cli import main
from desk_app.services import audit, intake, queues, workflow
from tests.services.test_walk import land_form


def _walk(d, clock):
    code = intake.save(d, d.clerk_at_counter, land_form(), print_receipt=False).code
    workflow.transfer(d, d.clerk_at_counter, code, "VPDKDD")
    workflow.receive(d, d.specialist, code)
    return code


def test_clean_log_verifies(office, clock, capsys):
    _walk(office, clock)
    r = audit.verify(office)
    assert r.ok and r.events == 4 and r.desks == 1  # received, transferred, the control slip printed, arrived
    assert main(["--data-dir", str(office.data_dir), "verify-audit"]) == 0
    assert "toàn vẹn" in capsys.readouterr().out


def test_edited_event_is_named(office, clock, capsys):
    _walk(office, clock)
    db = sqlite3.connect(office.data_dir / "desk.sqlite3")
    victim = db.execute("SELECT id FROM events ORDER BY seq LIMIT 1 OFFSET 1").fetchone()[0]
    db.execute("UPDATE events SET actor = 'ke-gian' WHERE id = ?", (victim,))
    db.commit()
    db.close()
    r = audit.verify(office)
    assert not r.ok and r.broken_event == victim and "sửa" in r.reason
    assert main(["--data-dir", str(office.data_dir), "verify-audit"]) == 1
    assert victim in capsys.readouterr().out


def test_deleted_event_is_found(office, clock):
    _walk(office, clock)
    db = sqlite3.connect(office.data_dir / "desk.sqlite3")
    rows = db.execute("SELECT id FROM events ORDER BY seq").fetchall()
    db.execute("DELETE FROM outbox WHERE event_id = ?", (rows[1][0],))
    db.execute("DELETE FROM events WHERE id = ?", (rows[1][0],))
    db.commit()
    db.close()
    r = audit.verify(office)
    assert not r.ok and r.broken_event == rows[2][0]


def test_dvcqg_export(office, clock, tmp_path):
    code = _walk(office, clock)
    out = tmp_path / "dvcqg.json"
    assert main(["--data-dir", str(office.data_dir), "export-dvcqg", "--since", "2026-11-01", "-o", str(out)]) == 0
    data = json.loads(out.read_text("utf-8"))["HoSo"]
    rec = data[0]
    assert rec["MaHoSo"] == code and rec["MaTTHC"] == "1.012783" and rec["TrangThaiHoSo"] == 4
    assert rec["KenhThucHien"] == 1 and rec["LoaiDoiTuong"] == 1 and rec["ChuHoSo"] == "Lê Thị Mai"
    assert rec["NgayTiepNhan"] == "20261110093000" and len(rec["NgayHenTra"]) == 14
    assert rec["DinhDanhCHS"] == [{"LoaiDinhDanh": 1, "SoDinhDanh": "038185004321"}]
    assert [h["NoiDungXuLy"] for h in rec["QuaTrinhXuLy"]] == ["Tiếp nhận hồ sơ", "Chuyển hồ sơ", "In giấy tờ",
                                                         "Nhận hồ sơ"]  # the control slip printed on transfer
    assert rec["DonViXuLy"] == "Văn phòng Đăng ký đất đai"


def test_queue_counts(office, clock):
    d = office
    code = _walk(d, clock)                     # due Tue 17/11 09:30, hop due Thu 12/11 11:00
    other = intake.save(d, d.clerk_at_counter, land_form(), print_receipt=False).code
    c = queues.counts(d, d.leader)
    assert c[queues.Queue.OPEN] == 2 and c[queues.Queue.OVERDUE] == 0
    clock.now = datetime(2026, 11, 13, 10, 0)  # past the hop, within 2 working days of the due date
    c = queues.counts(d, d.leader)
    assert c[queues.Queue.BEHIND_HOP] == 1 and c[queues.Queue.DUE_SOON] == 2
    clock.now = datetime(2026, 11, 18, 9, 0)
    c = queues.counts(d, d.leader, unit_id=None)
    assert c[queues.Queue.OVERDUE] == 2
    holding = {(h.unit_name, h.holder): h.count for h in queues.holdings(d, d.leader)}
    assert holding[("Văn phòng Đăng ký đất đai", "Phạm Quốc Bảo")] == 1
