"""Saving a dossier: code, appointment, key, events, attachments and receipt in one go."""

from datetime import datetime

import pytest

from desk_app.domain.dossier import EventKind, Status
from desk_app.domain.roles import Role
from desk_app.services import auth, counter, intake, receipts
from desk_app.services.context import PermissionDenied
from tests.conftest import birth_form


def test_save_creates_dossier_events_and_receipt(desk, clock):
    saved = intake.save(desk, desk.clerk, birth_form())
    assert saved.code == "000.00.06.H56-261110-0001"
    assert saved.due_at == datetime(2026, 11, 10, 17, 0)  # same day, before the 15:00 cut-off
    assert saved.receipt_path and saved.receipt_path.exists()
    d = counter.details(desk, saved.code)
    assert d.summary.status is Status.RECEIVED
    assert [h.kind for h in d.history] == [EventKind.RECEIVED, EventKind.RECEIPT_PRINTED]
    assert d.owner["phone"] == "0912345678" and d.owner["name"] == "Nguyễn Thị Hồng Nhung"
    assert "/h/000.00.06.H56-261110-0001?k=" in d.capability_url
    clock.now = datetime(2026, 11, 10, 15, 5)
    second = intake.save(desk, desk.clerk, birth_form(name="Trần Văn Bình", id_number="038085001122",
                                                      birth_date="01/01/1985"))
    assert second.code.endswith("-0002")
    assert second.due_at == datetime(2026, 11, 11, 17, 0)  # after the cut-off


def test_invalid_form_saves_nothing(desk):
    form = birth_form(id_number="03809001234", phone="12345")
    form.components.pop("Giấy chứng sinh")
    with pytest.raises(intake.IntakeInvalid) as e:
        intake.save(desk, desk.clerk, form)
    assert set(e.value.errors) == {"owner.id_number", "owner.phone", "components"}
    assert "Giấy chứng sinh" in e.value.errors["components"]
    assert counter.today(desk) == []


def test_attachments_are_stored_with_the_dossier(desk, tmp_path):
    scan = tmp_path / "giay-chung-sinh.pdf"
    scan.write_bytes(b"%PDF-1.4 fake scan")
    form = birth_form()
    form.attachments = [str(scan)]
    saved = intake.save(desk, desk.clerk, form, print_receipt=False)
    d = counter.details(desk, saved.code)
    assert [a.filename for a in d.attachments] == ["giay-chung-sinh.pdf"]
    assert d.attachments[0].path.read_bytes() == b"%PDF-1.4 fake scan"
    bad = birth_form()
    bad.attachments = [str(tmp_path / "virus.exe")]
    with pytest.raises(intake.IntakeInvalid) as e:
        intake.save(desk, desk.clerk, bad)
    assert "attachments" in e.value.errors


def test_specialist_cannot_intake(desk):
    spec = auth.create_user(desk, "chuyenvien", "Phạm Quốc Bảo", Role.SPECIALIST, "matkhau-spec")
    with pytest.raises(PermissionDenied):
        intake.save(desk, spec, birth_form())


def test_reprint_with_new_key_invalidates_old_link(desk):
    saved = intake.save(desk, desk.clerk, birth_form())
    old = counter.details(desk, saved.code).capability_url
    receipts.produce(desk, desk.clerk, saved.code, replace_key=True)
    d = counter.details(desk, saved.code)
    assert d.capability_url != old
    assert EventKind.KEY_REPLACED in [h.kind for h in d.history]


def test_search_is_diacritics_insensitive(desk):
    a = intake.save(desk, desk.clerk, birth_form(), print_receipt=False)
    intake.save(desk, desk.clerk, birth_form(name="Đặng Văn Đức", id_number="038085001122",
                                              birth_date="01/01/1985", phone="0987654321"),
                print_receipt=False)
    assert [s.code for s in counter.search(desk, "nguyen thi hong")] == [a.code]
    assert [s.owner_name for s in counter.search(desk, "dang van duc")] == ["Đặng Văn Đức"]
    assert [s.owner_name for s in counter.search(desk, "Đặng")] == ["Đặng Văn Đức"]
    assert [s.code for s in counter.search(desk, "0912345678")] == [a.code]
    assert [s.code for s in counter.search(desk, "038190012345")] == [a.code]
    assert [s.code for s in counter.search(desk, a.code)] == [a.code]
    assert len(counter.search(desk, "261110")) == 2
    assert counter.search(desk, "khong co ai") == []


def test_login_and_lockout(desk):
    assert auth.login(desk, "TiepNhan", "matkhau-clerk").role is Role.CLERK
    for _ in range(5):
        with pytest.raises(auth.ServiceError, match="Sai tên đăng nhập"):
            auth.login(desk, "tiepnhan", "sai")
    with pytest.raises(auth.ServiceError, match="khóa"):
        auth.login(desk, "tiepnhan", "matkhau-clerk")


def test_kiosk_exit_check_never_locks_the_admin(desk):
    for _ in range(8):
        with pytest.raises(auth.ServiceError):
            auth.check_admin(desk, "admin", "sai")
    assert auth.check_admin(desk, "admin", "matkhau-admin").role is Role.ADMIN
    assert auth.login(desk, "admin", "matkhau-admin").role is Role.ADMIN
    with pytest.raises(auth.ServiceError, match="quản trị"):
        auth.check_admin(desk, "tiepnhan", "matkhau-clerk")
