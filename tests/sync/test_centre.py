"""The centre's public data and the citizens' messages through the real server (SQLite and
PostgreSQL): the desk's profile, catalogue and announcements reach the server's tables; a
citizen's message written on the server reaches the desk's inbox; the reply goes back."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from central_server.models import Announcement, CentreProfile, DossierState, PublicProcedure, ServerEvent
from desk_app.domain import lifecycle
from desk_app.domain.dossier import EventKind
from desk_app.services import announcements, auth, messages, settings, sync
from desk_app.services.announcements import AnnouncementInput
from desk_app.storage import sync_repo
from tests.central_server import kit
from tests.conftest import SMALL_CATALOGUE
from tests.sync import desks


@pytest.fixture
def counter_desk(shared_server, tmp_path):
    agency = kit.new_agency()
    ctx = desks.enrolled_desk(tmp_path, shared_server, "quay-" + agency, agency, ["MOTCUA"])
    ctx.agency = agency
    ctx.boss = auth.login(ctx, "admin", desks.PASSWORD)
    yield ctx
    ctx.db.dispose()


def token_of(ctx) -> str:
    with ctx.db.session(write=False) as s:
        return sync_repo.config(s).token


def api(server, ctx, method: str, path: str, **kw) -> httpx.Response:
    return httpx.request(method, server.url + "/api/v1/centre" + path, timeout=30,
                         headers={"Authorization": "Bearer " + token_of(ctx)}, **kw)


def notice(ctx, **kw) -> AnnouncementInput:
    now = ctx.clock().replace(second=0, microsecond=0)
    values = dict(title="Nghỉ tiếp nhận chiều thứ Sáu", body="Bộ phận Một cửa nghỉ chiều thứ Sáu.",
                  valid_from=now - timedelta(hours=1), valid_until=now + timedelta(days=2))
    values.update(kw)
    return AnnouncementInput(**values)


def test_profile_catalogue_and_announcements_reach_the_server_once(shared_server, counter_desk):
    ctx, boss, agency = counter_desk, counter_desk.boss, counter_desk.agency
    settings.set(ctx, boss, "centre_phone", "0237 3 725 999")
    settings.set(ctx, boss, "centre_email", "motcua@thanhhoa.gov.vn")
    kept = announcements.save(ctx, boss, notice(ctx, fields=["Hộ tịch"], procedures=["1.001193"]))
    dropped = announcements.save(ctx, boss, notice(ctx, title="Sẽ gỡ", valid_until=None))

    report = sync.sync_once(ctx)
    assert (report.profile_sent, report.catalogue_sent, report.announcements) == (True, True, 2)
    assert not report.warnings
    db = shared_server.database()
    try:
        with db.session(write=False) as s:
            p = s.get(CentreProfile, agency)
            assert (p.name, p.address, p.phone, p.email, p.counter_location) == (
                "Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa", "28 Đại lộ Lê Lợi, phường Hạc Thành",
                "0237 3 725 999", "motcua@thanhhoa.gov.vn", "Bộ phận Một cửa")
            assert p.hours == "Sáng 7:30–11:30, chiều 13:30–17:00, thứ Hai đến thứ Sáu"
            procs = {r.code: r for r in s.scalars(select(PublicProcedure).where(PublicProcedure.agency_code == agency))}
            assert set(procs) == {p["code"] for p in SMALL_CATALOGUE["procedures"]}
            birth = procs["1.001193"]
            assert birth.name == "Thủ tục đăng ký khai sinh" and birth.field == "Hộ tịch"
            assert "dang ky khai sinh" in birth.search_text and "ho tich" in birth.search_text
            assert birth.data["cases"][0]["channels"]["direct"]["fees"][0]["note"] == "Miễn lệ phí"
            assert [c["name"] for c in birth.data["components"]][:2] == ["Tờ khai đăng ký khai sinh theo mẫu",
                                                                         "Giấy chứng sinh"]
            rows = {r.id: r for r in s.scalars(select(Announcement).where(Announcement.agency_code == agency))}
            assert set(rows) == {kept.id, dropped.id}
            a = rows[kept.id]
            assert (a.title, a.body, a.fields, a.procedures, a.deleted, a.desk) == (
                kept.title, kept.body, ["Hộ tịch"], ["1.001193"], False, ctx.desk_id)
            assert (a.valid_from, a.valid_until, a.updated_at) == (kept.valid_from, kept.valid_until, kept.updated_at)
        assert all(x.synced for x in announcements.listed(ctx, boss))

        # nothing changed: nothing sent again
        again = sync.sync_once(ctx)
        assert (again.profile_sent, again.catalogue_sent, again.announcements) == (False, False, 0)

        # an edit, a withdrawal and a new phone number go; the catalogue, unchanged, does not
        ctx.clock.skew += timedelta(minutes=2)
        announcements.save(ctx, boss, notice(ctx, title="Nghỉ cả ngày thứ Sáu"), kept.id)
        announcements.delete(ctx, boss, dropped.id)
        settings.set(ctx, boss, "centre_phone", "0237 3 725 888")
        third = sync.sync_once(ctx)
        assert (third.profile_sent, third.catalogue_sent, third.announcements) == (True, False, 2)
        with db.session(write=False) as s:
            assert s.get(CentreProfile, agency).phone == "0237 3 725 888"
            assert s.get(Announcement, kept.id).title == "Nghỉ cả ngày thứ Sáu"
            assert s.get(Announcement, dropped.id).deleted
    finally:
        db.dispose()


def test_a_citizens_message_reaches_the_inbox_and_the_reply_reaches_the_server(shared_server, counter_desk):
    from central_server import citizen
    from central_server.settings import vn_now
    ctx = counter_desk
    code = desks.intake(ctx)
    sync.sync_once(ctx)

    db = shared_server.database()
    try:
        with db.session() as s:   # the citizen writes from the dossier's page: the server appends the event
            written = citizen.append(s, code, EventKind.CITIZEN_MESSAGE, lifecycle.payload_dict(
                lifecycle.CitizenMessage(text="Cho tôi hỏi khi nào có kết quả ạ?\nXin cảm ơn.")), vn_now())
        assert sync.sync_once(ctx).pulled == 1
        (item,) = messages.inbox(ctx, ctx.clerk)
        assert (item.code, item.unanswered, item.last_text) == (code, 1, "Cho tôi hỏi khi nào có kết quả ạ?\nXin cảm ơn.")
        assert messages.count_unanswered(ctx) == 1
        (asked,) = messages.thread(ctx, ctx.clerk, code)
        assert asked.from_citizen and asked.synced and asked.id == written["id"]

        reply = messages.reply(ctx, ctx.clerk, code, "Hồ sơ của ông/bà có kết quả trong hôm nay.")
        assert sync.sync_once(ctx).pushed == 1
        assert messages.inbox(ctx, ctx.clerk) == []
        assert [m.synced for m in messages.thread(ctx, ctx.clerk, code)] == [True, True]
        with db.session(write=False) as s:
            e = s.scalars(select(ServerEvent).where(ServerEvent.id == reply.id)).one()
            assert (e.kind, e.accepted, e.actor) == ("counter_reply", True, "tiepnhan")
            assert e.payload["text"] == "Hồ sơ của ông/bà có kết quả trong hôm nay."
            assert e.payload["reply_to"] == written["id"]
            assert s.get(DossierState, code).unanswered_messages == 0
    finally:
        db.dispose()


def test_the_server_refuses_what_a_desk_may_not_write(shared_server, counter_desk, tmp_path):
    ctx, agency = counter_desk, counter_desk.agency
    mine = str(uuid.uuid4())
    item = {"id": mine, "title": "Thông báo", "body": "Nội dung", "valid_from": "2026-11-10T07:00:00",
            "valid_until": None, "procedures": [], "fields": [], "deleted": False, "updated_at": "2026-11-10T07:00:00"}
    r = api(shared_server, ctx, "POST", "/announcements", json={"announcements": [item]})
    assert r.status_code == 200 and r.json()["results"] == [{"id": mine, "status": "stored"}]
    older = {**item, "title": "Cũ hơn", "updated_at": "2026-11-10T06:00:00"}
    assert api(shared_server, ctx, "POST", "/announcements", json={"announcements": [older]}).json()["results"] == [
        {"id": mine, "status": "stale"}]

    # a desk of another agency cannot take the announcement over, nor anything in the same request
    other_agency = kit.new_agency()
    other = desks.enrolled_desk(tmp_path, shared_server, "quay-" + other_agency, other_agency, ["MOTCUA"])
    theirs = str(uuid.uuid4())
    r = api(shared_server, other, "POST", "/announcements", json={"announcements": [
        {**item, "id": theirs}, {**item, "title": "Chiếm", "updated_at": "2027-01-01T00:00:00"}]})
    assert r.status_code == 403 and r.json()["announcements"] == [mine]
    db = shared_server.database()
    try:
        with db.session(write=False) as s:
            assert s.get(Announcement, mine).title == "Thông báo" and s.get(Announcement, theirs) is None
    finally:
        db.dispose()
    other.db.dispose()

    # hostile or oversized values are refused before any row is written
    for bad in ({**item, "title": "x" * 201}, {**item, "title": ""}, {**item, "id": "../../etc"},
                {**item, "valid_from": "2026-11-10T07:00:00+07:00"}, {**item, "valid_from": "0001-01-01T00:00:00"},
                {**item, "procedures": ["<script>"]}, {**item, "extra": 1}, {**item, "title": "a\u0000b"}):
        r = api(shared_server, ctx, "POST", "/announcements", json={"announcements": [bad]})
        assert r.status_code in (400, 422), (bad, r.text)
    r = api(shared_server, ctx, "POST", "/announcements", json={"announcements": [item] * 201})
    assert r.status_code == 422
    r = api(shared_server, ctx, "PUT", "/profile", json={"name": "", "address": ""})
    assert r.status_code == 422
    r = api(shared_server, ctx, "PUT", "/profile", json={"name": "Trung tâm", "phone": "0" * 51})
    assert r.status_code == 422

    # a catalogue the desks' parser does not read is refused whole, naming the procedure
    good = SMALL_CATALOGUE["procedures"][0]
    r = api(shared_server, ctx, "PUT", "/catalogue", json={"procedures": [good, {**good, "code": "abc"}]})
    assert r.status_code == 422 and "thủ tục thứ 2" in r.json()["message"]
    r = api(shared_server, ctx, "PUT", "/catalogue", json={"procedures": [good, good]})
    assert r.status_code == 422 and "đã có ở trên" in r.json()["message"]
    r = api(shared_server, ctx, "PUT", "/catalogue", json={"procedures": [{**good, "legal_basis": "x" * 70_000}]})
    assert r.status_code == 422
    r = api(shared_server, ctx, "PUT", "/catalogue", json={"procedures": [good]})
    assert r.status_code == 200 and r.json()["procedures"] == 1
    r = httpx.put(shared_server.url + "/api/v1/centre/profile", json={"name": "Trung tâm"}, timeout=30)
    assert r.status_code == 401


def test_a_refusal_of_the_centre_data_is_a_warning_not_a_failed_round(shared_server, counter_desk):
    """An announcement the server will not take (here: its id already belongs to another
    agency) does not stop the dossiers' sync; it stays unsent and the round says why."""
    ctx = counter_desk
    sync.sync_once(ctx)
    a = announcements.save(ctx, ctx.boss, notice(ctx))
    other_agency = kit.new_agency()
    with shared_server.database().session() as s:
        s.add(Announcement(id=a.id, agency_code=other_agency, title="x", body="x", valid_from=a.valid_from,
                           valid_until=None, procedures=[], fields=[], deleted=False, updated_at=a.updated_at,
                           desk="khac"))
    code = desks.intake(ctx)
    report = sync.sync_once(ctx)
    assert report.pushed >= 1 and report.announcements == 0
    assert any("cơ quan khác" in w for w in report.warnings)
    assert not announcements.listed(ctx, ctx.boss)[0].synced
    assert code
