"""Notices by Zalo OA and e-mail, end to end: dossiers made by the real desk services and
synced to a real server process (SQLite and PostgreSQL), a fake of the Zalo APIs as a real
HTTP server that checks every request, and a local SMTP server (aiosmtpd)."""

from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import func, select

from central_server.models import NotifyOutbox, ZaloInbox, ZaloLink
from desk_app.domain.codes import parse_capability_url
from desk_app.services import counter, messages, sync, workflow
from tests.central_server import kit
from tests.central_server.zalo_fake import FakeZalo, follow_event, signed, text_event
from tests.sync import desks

APP_ID, APP_SECRET, OA_SECRET, OA_ID = "app-123", "app-secret-xyz", "oa-secret-key-abc", "oa-777"
TEMPLATES = "received=T-REC,supplement_requested=T-SUP,result_ready=T-RES,returned=T-RET"


class Mailbox:
    """A local SMTP server (aiosmtpd) that keeps what it receives."""

    def __init__(self):
        from aiosmtpd.controller import Controller
        box = self
        self.messages: list = []

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                from email import message_from_bytes, policy
                box.messages.append(message_from_bytes(envelope.content, policy=policy.default))
                return "250 OK"
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=kit.free_port())
        self.controller.start()

    @property
    def port(self) -> int:
        return self.controller.port

    def stop(self) -> None:
        self.controller.stop()


@pytest.fixture
def fake():
    f = FakeZalo(APP_ID, APP_SECRET).start()
    yield f
    f.stop()


@pytest.fixture
def mailbox():
    box = Mailbox()
    yield box
    box.stop()


def zalo_env(fake: FakeZalo, mailbox: Mailbox | None = None, **more) -> dict:
    env = {"DESK_SERVER_ZALO_APP_ID": APP_ID, "DESK_SERVER_ZALO_APP_SECRET": APP_SECRET,
           "DESK_SERVER_ZALO_OA_SECRET_KEY": OA_SECRET, "DESK_SERVER_ZALO_OA_ID": OA_ID,
           "DESK_SERVER_ZALO_OA_NAME": "Trung tâm PVHCC tỉnh", "DESK_SERVER_ZALO_ACCESS_TOKEN": fake.access,
           "DESK_SERVER_ZALO_REFRESH_TOKEN": fake.refresh, "DESK_SERVER_ZALO_TEMPLATES": TEMPLATES,
           "DESK_SERVER_ZALO_API_BASE": fake.url, "DESK_SERVER_ZALO_OAUTH_BASE": fake.url,
           "DESK_SERVER_ZALO_ZNS_BASE": fake.url, "DESK_SERVER_NOTIFY_POLL_SECONDS": "0.2",
           "DESK_SERVER_NOTIFY_BACKOFF_SECONDS": "0.2", "DESK_SERVER_NOTIFY_BACKOFF_MAX_SECONDS": "1",
           "DESK_SERVER_NOTIFY_LEASE_SECONDS": "2", "DESK_SERVER_WEB_POST_RATE_PER_SECOND": "1000",
           "DESK_SERVER_WEB_POST_BURST": "1000"}
    if mailbox is not None:
        env.update({"DESK_SERVER_SMTP_HOST": "127.0.0.1", "DESK_SERVER_SMTP_PORT": str(mailbox.port),
                    "DESK_SERVER_SMTP_FROM": "motcua@example.vn"})
    env.update({"DESK_SERVER_" + k.upper(): str(v) for k, v in more.items()})
    return env


class World:
    def __init__(self, server, desk, fake, mailbox):
        self.server, self.desk, self.fake, self.mailbox = server, desk, fake, mailbox

    def intake(self, **owner) -> tuple[str, str]:
        code = desks.intake(self.desk, **owner)
        sync.sync_once(self.desk)
        link = parse_capability_url(counter.details(self.desk, code).capability_url)
        return link.code, link.key

    def link_code(self, code: str, key: str) -> str:
        """The citizen opens the dossier page and asks for a link code."""
        page = httpx.get(self.server.url + "/h/%s" % code, params={"k": key})
        assert page.status_code == 200 and "Nhận thông báo qua Zalo" in page.text
        token = re.search(r'name="token" value="([0-9a-f]+)"', page.text).group(1)
        r = httpx.post(self.server.url + "/h/%s/zalo" % code, data={"k": key, "token": token})
        assert r.status_code == 200, r.text
        return re.search(r'id="zalo-code">([A-Z0-9-]+)<', r.text).group(1)

    def webhook(self, event: dict, **kw) -> httpx.Response:
        raw, headers = signed(event, APP_ID, OA_SECRET, **kw)
        return httpx.post(self.server.url + "/zalo/webhook", content=raw, headers=headers, timeout=10)

    def wait_received(self, n: int, timeout: float = 30) -> list[dict]:
        kit.wait_until(lambda: len(self.fake.received) >= n, timeout, "%d messages at the fake" % n)
        time.sleep(0.5)  # nothing more should come
        return list(self.fake.received)

    def outbox(self, code: str) -> list:
        db = self.server.database()
        try:
            with db.session(write=False) as s:
                return [(r.kind, r.channel, r.status, r.via) for r in s.scalars(
                    select(NotifyOutbox).where(NotifyOutbox.dossier_code == code).order_by(NotifyOutbox.id))]
        finally:
            db.dispose()


def make_world(server_factory, tmp_path, backend, fake, mailbox=None, **more) -> World:
    server = server_factory(backend, env=zalo_env(fake, mailbox, **more))
    agency = kit.new_agency()
    desk = desks.enrolled_desk(tmp_path, server, "quay-" + agency, agency, ["MOTCUA", "STP"])
    desk.print_forms = False
    return World(server, desk, fake, mailbox)


def walk_to_result(w: World, code: str, user: str, after_supplement=None) -> None:
    desk = w.desk
    workflow.transfer(desk, desk.clerk, code, "STP")
    specialist = desk.people["cv_stp"]
    workflow.receive(desk, specialist, code)
    workflow.request_supplement(desk, specialist, code, "Thiếu giấy tờ", ["Bản sao giấy đăng ký kết hôn"])
    sync.sync_once(desk)
    if after_supplement:
        after_supplement()
    workflow.record_supplement(desk, desk.clerk, code)
    workflow.result_ready(desk, specialist, code)
    sync.sync_once(desk)


def expected_sequence(received: list[dict], code: str, user: str) -> None:
    assert [(m["via"], m.get("template_id")) for m in received] == [
        ("zns", "T-REC"), ("cs", None), ("cs", None), ("cs", None)], received
    assert received[0]["to"] == "84912345678" and received[0]["data"]["ma_ho_so"] == code
    assert all(m["to"] == user for m in received[1:])
    assert "đã được liên kết với hồ sơ %s" % code in received[1]["text"]
    assert "Yêu cầu bổ sung giấy tờ" in received[2]["text"] and "Bản sao giấy đăng ký kết hôn" in received[2]["text"]
    assert "Đã có kết quả" in received[3]["text"] and code in received[3]["text"]


def test_a_dossier_linked_through_the_webhook_is_told_each_change_once_in_order(
        server_factory, tmp_path, backend, fake, mailbox):
    w = make_world(server_factory, tmp_path, backend, fake, mailbox)
    code, key = w.intake()
    w.wait_received(1)                                   # received: ZNS by phone (no follower yet)
    user = "u-%s" % code[-4:]
    assert w.webhook(follow_event(user, OA_ID)).status_code == 200
    link = w.link_code(code, key)
    assert w.webhook(text_event(user, "lk " + link.lower(), OA_ID)).status_code == 200
    w.wait_received(2)
    page = httpx.get(w.server.url + "/h/%s" % code, params={"k": key}).text
    assert "Hồ sơ này đang gửi thông báo đến tài khoản Zalo đã liên kết" in page
    walk_to_result(w, code, user)
    received = w.wait_received(4)
    expected_sequence(received, code, user)
    assert fake.problems == []
    # e-mail: the same three notices, once each, to the owner's address
    kit.wait_until(lambda: len(mailbox.messages) >= 3, 20, "three e-mails")
    time.sleep(0.5)
    assert [m["To"] for m in mailbox.messages] == ["nhung@example.vn"] * 3
    assert [m["Subject"].split(": ", 1)[1] for m in mailbox.messages] == [
        "Bộ phận Một cửa nhận hồ sơ", "Yêu cầu bổ sung giấy tờ", "Có kết quả"]
    assert len({m["Message-ID"] for m in mailbox.messages}) == 3
    # the desk sees what was sent to whom
    r = httpx.get(w.server.url + "/api/v1/notices", params={"dossier": code},
                  headers={"Authorization": "Bearer " + w.desk_token()})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["zalo_linked"] and body["notify"]
    assert [(n["kind"], n["channel"], n["status"], n["via"]) for n in body["notices"]] == [
        ("received", "zalo", "sent", "zns"), ("received", "email", "sent", "email"),
        ("link_confirmed", "zalo", "sent", "cs"),
        ("supplement_requested", "zalo", "sent", "cs"), ("supplement_requested", "email", "sent", "email"),
        ("result_ready", "zalo", "sent", "cs"), ("result_ready", "email", "sent", "email")]


def _desk_token(desk) -> str:
    from desk_app.storage import sync_repo
    with desk.db.session(write=False) as s:
        return sync_repo.config(s).token


World.desk_token = lambda self: _desk_token(self.desk)
