"""The kiosk service: lookup by the receipt's link, nothing revealed without the key, one rating per dossier."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desk_app.domain.codes import parse_capability_url
from desk_app.domain.dossier import EventKind, Status
from desk_app.domain.lifecycle import Verdict
from desk_app.domain.roles import Role
from desk_app.services import auth, counter, intake, kiosk
from desk_app.services.context import PermissionDenied, ServiceError
from desk_app.storage import repositories as repo
from tests.conftest import birth_form


@pytest.fixture
def kiosk_user(desk):
    return auth.create_user(desk, "kiosk", "Kiosk sảnh A", Role.KIOSK, "matkhau-kiosk")


@pytest.fixture
def saved(desk):
    result = intake.save(desk, desk.clerk, birth_form(), print_receipt=False)
    link = parse_capability_url(counter.details(desk, result.code).capability_url)
    assert link is not None
    return link


def test_lookup_shows_plain_data_with_the_name_masked(desk, kiosk_user, saved) -> None:
    view = kiosk.lookup(desk, kiosk_user, saved.code, saved.key)
    assert view.code == saved.code
    assert view.procedure_name == "Thủ tục đăng ký khai sinh"
    assert view.owner_masked == "Nguyễn T** H** Nhung"
    assert view.received_at == desk.clock()
    assert view.due_at == view.first_due_at and view.appointment_moved is None
    assert view.status is Status.RECEIVED and "tiếp nhận" in view.status_text
    assert view.holder == "Bộ phận Một cửa"
    assert view.verdict in (Verdict.IN_TIME, Verdict.DUE_SOON)
    assert [s.text for s in view.timeline] == ["Bộ phận Một cửa nhận hồ sơ"]
    assert view.clerk_name == "Nguyễn Thị Thu Hương" and not view.rated
    text = repr(view)
    for secret in ("038190012345", "0912345678", "nhung@example.vn", "Hồng Nhung"):
        assert secret not in text


def test_lookup_by_the_scanned_link(desk, kiosk_user, saved) -> None:
    url = counter.details(desk, saved.code).capability_url
    assert kiosk.lookup_link(desk, kiosk_user, url).code == saved.code


@pytest.mark.parametrize("how", ["wrong key", "unknown code", "not a link", "empty key"])
def test_unknown_or_forged_gets_the_same_friendly_answer(desk, kiosk_user, saved, how) -> None:
    with pytest.raises(kiosk.NotFound) as caught:
        if how == "wrong key":
            kiosk.lookup(desk, kiosk_user, saved.code, saved.key[:-1] + ("A" if saved.key[-1] != "A" else "B"))
        elif how == "unknown code":
            kiosk.lookup(desk, kiosk_user, "000.00.06.H56-261110-0999", saved.key)
        elif how == "not a link":
            kiosk.lookup_link(desk, kiosk_user, "https://evil.example/h/%s" % saved.code)
        else:
            kiosk.lookup(desk, kiosk_user, saved.code, "")
    assert str(caught.value) == kiosk.not_found_message()
    assert saved.code not in str(caught.value)


def test_the_kiosk_role_only(desk, saved) -> None:
    admin = auth.login(desk, "admin", "matkhau-admin")
    with pytest.raises(PermissionDenied):
        kiosk.lookup(desk, admin, saved.code, saved.key)
    with pytest.raises(PermissionDenied):
        kiosk.rate(desk, desk.clerk, saved.code, saved.key, kiosk.RatingLevel.SATISFIED)


def test_rating_once_per_dossier_counted_for_the_receiving_clerk(desk, kiosk_user, saved) -> None:
    kiosk.rate(desk, kiosk_user, saved.code, saved.key, "very_satisfied", "  Cán bộ  nhiệt tình ")
    with pytest.raises(kiosk.AlreadyRated):
        kiosk.rate(desk, kiosk_user, saved.code, saved.key, kiosk.RatingLevel.UNSATISFIED)
    with desk.db.session(write=False) as s:
        rated = [e for e in repo.events_of(s, saved.code) if e.kind == EventKind.RATED.value]
    assert len(rated) == 1
    assert rated[0].payload == {"level": "very_satisfied", "comment": "Cán bộ nhiệt tình", "clerk": "tiepnhan",
                                "channel": "kiosk"}
    assert rated[0].actor == "kiosk"
    view = kiosk.lookup(desk, kiosk_user, saved.code, saved.key)
    assert view.rated and view.timeline[-1].text == "Ông/bà đã đánh giá cán bộ"
    supervisor = auth.create_user(desk, "lanhdao", "Lãnh đạo", Role.SUPERVISOR, "matkhau-lanhdao")
    assert kiosk.clerk_ratings(desk, supervisor) == {"tiepnhan": {"very_satisfied": 1}}


def test_rating_needs_the_key_and_a_known_level(desk, kiosk_user, saved) -> None:
    with pytest.raises(kiosk.NotFound):
        kiosk.rate(desk, kiosk_user, saved.code, "A" * 22, "satisfied")
    with pytest.raises(ServiceError):
        kiosk.rate(desk, kiosk_user, saved.code, saved.key, "ecstatic")


def test_progress_in_plain_words_and_a_moved_appointment(desk, kiosk_user, saved, clock) -> None:
    """Built by the services, as a desk really writes it: a transfer, an internal note, an
    apology with a new date. The timeline names the unit and the new date with its reason; the
    verdict stays against the legal appointment (an apology does not make a late dossier on time)."""
    from desk_app.services import admin, workflow
    admin_user = auth.login(desk, "admin", "matkhau-admin")
    admin.save_unit(desk, admin_user, "PTP", "Phòng Tư pháp")
    leader = admin.add_person(desk, admin_user, "lanhdao", "Hoàng Thị Lan Anh", Role.SUPERVISOR,
                              "matkhau-lead", "PTP")
    clerk = auth.login(desk, "tiepnhan", "matkhau-clerk")
    workflow.transfer(desk, clerk, saved.code, "PTP")
    with desk.db.session() as s:
        d = repo.dossier_by_code(s, saved.code)
        repo.append_event(s, d, EventKind.NOTE, {"text": "nội bộ: thiếu chữ ký"}, "tiepnhan", "desk-A", clock())
        legal = d.due_at
    later = desk.calendar().next_working_day(legal.date() + timedelta(days=3))
    later = legal.replace(year=later.year, month=later.month, day=later.day)
    workflow.apologise(desk, leader, saved.code, "Cần xác minh thêm", later)
    clock.now = legal + timedelta(hours=1)
    view = kiosk.lookup(desk, kiosk_user, saved.code, saved.key)
    assert [s.text for s in view.timeline] == [
        "Bộ phận Một cửa nhận hồ sơ", "Chuyển hồ sơ đến Phòng Tư pháp",
        "Ngày hẹn trả đổi sang %s: Cần xác minh thêm" % later.strftime("%H:%M %d/%m/%Y")]
    assert view.appointment_moved == "later" and view.due_at == later and view.first_due_at == legal
    assert view.apology_reason == "Cần xác minh thêm"
    assert view.status is Status.PROCESSING and view.verdict is Verdict.OVERDUE
    assert view.verdict_text == "Đã quá ngày hẹn"
    assert "thiếu chữ ký" not in repr(view)
