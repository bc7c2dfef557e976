"""The centre's announcements at the desk: written, edited, withdrawn by the admin; the current ones."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from desk_app.services import announcements, auth
from desk_app.services.announcements import AnnouncementInput
from desk_app.services.context import PermissionDenied, ServiceError
from desk_app.storage import announcements_repo
from desk_app.storage.models import Announcement

T = datetime(2026, 11, 10, 9, 30)


@pytest.fixture
def boss(desk):
    return auth.login(desk, "admin", "matkhau-admin")


def draft(**kw) -> AnnouncementInput:
    values = dict(title="Nghỉ tiếp nhận chiều thứ Sáu", body="Bộ phận Một cửa nghỉ chiều thứ Sáu 13/11.",
                  valid_from=T, valid_until=T + timedelta(days=3))
    values.update(kw)
    return AnnouncementInput(**values)


def test_write_edit_and_withdraw(desk, boss, clock):
    a = announcements.save(desk, boss, draft(title="  Nghỉ   tiếp nhận  ", fields=["Hộ tịch", " Hộ tịch "],
                                             procedures=["1.001193"]))
    assert (a.title, a.fields, a.procedures, a.author, a.synced) == (
        "Nghỉ tiếp nhận", ["Hộ tịch"], ["1.001193"], "admin", False)
    assert [x.id for x in announcements.listed(desk, boss)] == [a.id]
    with desk.db.session() as s:  # as if the sync round had sent it
        announcements_repo.mark_sent(s, [(a.id, a.updated_at)], T)
    clock.now = T + timedelta(minutes=5)
    edited = announcements.save(desk, boss, draft(body="Nghỉ cả ngày thứ Sáu."), a.id)
    assert edited.id == a.id and edited.body == "Nghỉ cả ngày thứ Sáu." and not edited.synced
    assert edited.updated_at == T + timedelta(minutes=5)
    announcements.delete(desk, boss, a.id)
    assert announcements.listed(desk, boss) == [] and announcements.current(desk, T + timedelta(hours=1)) == []
    with desk.db.session(write=False) as s:   # kept, so the server hears of the withdrawal
        row = s.get(Announcement, a.id)
        assert row.deleted and row.synced_at is None
    with pytest.raises(ServiceError, match="không còn"):
        announcements.save(desk, boss, draft(), a.id)
    with pytest.raises(ServiceError, match="không còn"):
        announcements.delete(desk, boss, a.id)


def test_current_ones_newest_first(desk, boss):
    past = announcements.save(desk, boss, draft(title="Cũ", valid_from=T - timedelta(days=10),
                                               valid_until=T - timedelta(days=9)))
    open_ended = announcements.save(desk, boss, draft(title="Không thời hạn", valid_from=T - timedelta(days=1),
                                                     valid_until=None))
    now_on = announcements.save(desk, boss, draft(title="Đang có hiệu lực"))
    future = announcements.save(desk, boss, draft(title="Sắp tới", valid_from=T + timedelta(days=5),
                                                 valid_until=None))
    at = T + timedelta(hours=1)
    assert [a.title for a in announcements.current(desk, at)] == ["Đang có hiệu lực", "Không thời hạn"]
    assert [a.title for a in announcements.current(desk, at, limit=1)] == ["Đang có hiệu lực"]
    assert [a.title for a in announcements.current(desk, T + timedelta(days=6))] == ["Sắp tới", "Không thời hạn"]
    assert {a.id for a in announcements.listed(desk, boss)} == {past.id, open_ended.id, now_on.id, future.id}
    assert now_on.valid_at(at) and not past.valid_at(at) and not future.valid_at(at)


def test_what_is_refused(desk, boss):
    cases = [
        (draft(title=""), "Chưa nhập tiêu đề"),
        (draft(title="x" * 201), "Tiêu đề dài quá 200"),
        (draft(body=" \n "), "Chưa nhập nội dung"),
        (draft(body="x" * 4001), "tối đa 4000"),
        (draft(valid_until=T), "hết hiệu lực phải sau"),
        (draft(procedures=["9.999999"]), "Không có thủ tục mã 9.999999"),
        (draft(procedures=["<script>"]), "Không có thủ tục mã <SCRIPT>"),
        (draft(fields=["f%d" % i for i in range(51)]), "tối đa 50"),
    ]
    for bad, said in cases:
        with pytest.raises(ServiceError, match=said):
            announcements.save(desk, boss, bad)
    assert announcements.listed(desk, boss) == []


def test_only_the_admin_manages_them(desk, boss):
    clerk = auth.login(desk, "tiepnhan", "matkhau-clerk")
    a = announcements.save(desk, boss, draft())
    for call in (lambda: announcements.listed(desk, clerk), lambda: announcements.save(desk, clerk, draft()),
                 lambda: announcements.delete(desk, clerk, a.id)):
        with pytest.raises(PermissionDenied):
            call()
    assert len(announcements.current(desk, T + timedelta(hours=1))) == 1   # the kiosk reads them without an account


def test_an_edit_during_a_send_stays_unsent(desk, boss, clock):
    a = announcements.save(desk, boss, draft())
    clock.now = T + timedelta(minutes=1)
    announcements.save(desk, boss, draft(title="Sửa lại"), a.id)
    with desk.db.session() as s:   # the server answered for the version sent before the edit
        assert announcements_repo.mark_sent(s, [(a.id, a.updated_at)], T) == 0
        assert announcements_repo.count_unsent(s) == 1
