"""The citizens' pages: dossiers made by the real desk services and synced to a real server
(SQLite and PostgreSQL), read through the pages of an app on the same database.

The centre's profile, catalogue and announcements are written into the server's tables as the
desks' sync fills them (the catalogue entry through ``procedure_to_dict`` of a real entry).
"""

from __future__ import annotations

import json
import re
import uuid
import xml.etree.ElementTree as ET
from datetime import timedelta
from html import unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select

from central_server import citizen
from central_server.app import create_app
from central_server.models import (Announcement, CentreProfile, DossierUnit, PublicProcedure, ServerEvent,
                                   DossierState)
from central_server.settings import Settings, vn_now
from central_server.web.headers import CSP
from desk_app.domain import lifecycle
from desk_app.domain.chain import GENESIS, hash_of
from desk_app.domain.codes import parse_capability_url
from desk_app.domain.dossier import EventKind
from desk_app.domain.procedures import Channel, describe_fees, procedure_from_dict, procedure_to_dict
from desk_app.domain.roles import Role
from desk_app.domain.text import fold
from desk_app.services import auth, counter, kiosk, sync, workflow
from desk_app.storage import repositories as repo
from tests.central_server import kit
from tests.central_server.conftest import BACKENDS, database_url
from tests.sync import desks

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = json.loads((ROOT / "resources" / "procedures" / "catalogue.json").read_text("utf-8"))["procedures"]
HOSTILE_NAME = "Trần <b>Bá</b> <script>alert(1)</script>"
COUNTER_PLACE = "Quầy số 3, tầng 1 <Nhà A>"


def catalogue_entry(code: str) -> dict:
    """A real entry of the shipped catalogue, as the desks send it (``procedure_to_dict``)."""
    return procedure_to_dict(procedure_from_dict(next(p for p in CATALOGUE if p["code"] == code)))


class World:
    def __init__(self, server, desk, dept, client, agency, tmp):
        self.server, self.desk, self.dept, self.client, self.agency, self.tmp = \
            server, desk, dept, client, agency, tmp
        self.now = vn_now()

    @property
    def db(self):
        return self.client.app.state.db

    def link(self, code: str) -> tuple[str, str]:
        link = parse_capability_url(counter.details(self.desk, code).capability_url)
        return link.code, link.key

    def intake(self, **owner) -> tuple[str, str]:
        code = desks.intake(self.desk, **owner)
        sync.sync_once(self.desk)
        return self.link(code)

    def refresh(self) -> None:
        """The centre's data as this module expects it, written again: a desk's sync may have
        sent its own profile and catalogue since (they replace the rows)."""
        fill_centre(self.db, self.agency, self.now)

    def page(self, code: str, key: str, **params):
        self.refresh()
        return self.client.get("/h/%s" % code, params={"k": key, **params})

    def post(self, code: str, key: str, what: str, token: str | None = None, **fields):
        if token is None:
            token = form_token(self.page(code, key).text)
        return self.client.post("/h/%s/%s" % (code, what), data={"k": key, "token": token, **fields},
                                follow_redirects=False)


def form_token(html: str) -> str:
    return re.search(r'name="token" value="([0-9a-f]+)"', html).group(1)


def text_of(html: str) -> str:
    """The page's visible text, tags dropped and entities read (for "the page says ...")."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def fill_centre(db, agency: str, now) -> None:
    """The centre's profile, its catalogue (two real entries) and announcements, as the desks'
    sync leaves them on the server."""
    with db.session() as s:
        s.merge(CentreProfile(agency_code=agency, name="Trung tâm Phục vụ hành chính công <tỉnh>",
                              address="28 Đại lộ Lê Lợi, phường Hạc Thành", phone="0237 3752 999",
                              email="motcua@example.vn", hours="Thứ Hai – Thứ Sáu: 7:30–11:30, 13:30–17:00",
                              counter_location=COUNTER_PLACE, updated_at=now))
        for code in ("1.001193", "2.000635"):
            data = catalogue_entry(code)
            s.merge(PublicProcedure(agency_code=agency, code=code, name=data["name"], field=data["field"],
                                    search_text=fold(" ".join([code, data["name"], data["field"]])), data=data,
                                    updated_at=now))
        for title, procedures, fields, start, end, deleted in [
            ("Nghỉ Tết <script>alert('x')</script>", [], [], -1, 30, False),       # every dossier
            ("Hộ tịch: thay đổi lệ phí", [], ["Hộ tịch"], -1, None, False),          # by field
            ("Khai sinh: giấy chứng sinh mới", ["1.001193"], [], -2, 10, False),     # by procedure
            ("Đất đai: lịch tiếp dân", ["1.012783"], ["Đất đai"], -1, None, False),  # another field
            ("Đã hết hạn", [], [], -10, -1, False),
            ("Chưa đến ngày", [], [], 2, None, False),
            ("Đã xóa", [], [], -1, None, True),
        ]:
            s.merge(Announcement(id=str(uuid.uuid5(uuid.NAMESPACE_URL, agency + title)), agency_code=agency, title=title,
                               body="Nội dung <b>in đậm</b> & \"trích dẫn\"\ndòng hai", procedures=procedures,
                               fields=fields, valid_from=now + timedelta(days=start),
                               valid_until=now + timedelta(days=end) if end is not None else None,
                               deleted=deleted, updated_at=now, desk="quay"))


def page_app(url: str, data_dir: Path, **settings) -> TestClient:
    values = dict(public_rate_per_second=10_000, public_burst=10_000, web_post_rate_per_second=10_000,
                  web_post_burst=10_000)
    values.update(settings)
    return TestClient(create_app(Settings(database_url=url, data_dir=data_dir, **values)))


@pytest.fixture(scope="module", params=BACKENDS)
def world(request, tmp_path_factory):
    """A real server; the counter's desk (which takes every step) and a department's desk, both
    enrolled and synced; an app serving the pages on the server's database."""
    tmp = tmp_path_factory.mktemp("pages")
    url = database_url(request.config, tmp, request.param)
    server = kit.ServerProcess(url, tmp / "server").start()
    agency = kit.new_agency()
    desk = desks.enrolled_desk(tmp, server, "quay-" + agency, agency, ["MOTCUA", "STP", "VPDKDD"])
    desk.print_forms = False
    desk.kiosk_user = auth.create_user(desk, "kiosk", "Kiosk", Role.KIOSK, desks.PASSWORD)
    dept = desks.enrolled_desk(tmp, server, "stp-" + agency, agency, ["STP"])
    with desk.db.session() as s:
        repo.set_setting(s, "counter_location", COUNTER_PLACE)
    client = page_app(url, tmp / "web")
    world = World(server, desk, dept, client, agency, tmp)
    world.refresh()
    yield world
    client.close()
    server.stop()


# -- the dossier page ------------------------------------------------------------------------

def test_the_printed_link_opens_the_page_in_the_kiosks_words(world):
    code = desks.intake_named_by_a_rogue_desk(world.desk, HOSTILE_NAME)
    sync.sync_once(world.desk)
    code, key = world.link(code)
    clerk = world.desk.clerk
    workflow.transfer(world.desk, clerk, code, "STP")
    workflow.receive(world.desk, world.desk.people["cv_stp"], code)
    sync.sync_once(world.desk)

    r = world.page(code, key)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    view = kiosk.lookup(world.desk, world.desk.kiosk_user, code, key)
    text = text_of(r.text)
    assert view.owner_masked in text and "Trần" in text                 # masked as at the kiosk
    assert "<script>alert(1)</script>" not in r.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
    assert "Nguyễn" not in text and "038190012345" not in r.text and "0912" not in r.text  # nothing personal
    assert view.procedure_name in text and code in text
    assert view.status_text in text and view.verdict_text in text
    for step in view.timeline:                                           # one wording for both
        assert step.text in text
    assert "Hồ sơ đang ở: Sở Tư pháp" in text                            # the holder, by its name
    assert 'class="status tone-%s"' % view.verdict.tone in r.text
    assert view.received_at.strftime("%H:%M %d/%m/%Y") in text
    assert view.due_at.strftime("%H:%M %d/%m/%Y") in text


def test_the_page_answers_at_the_exact_link_the_receipt_prints(world):
    code, key = world.intake()
    url = counter.details(world.desk, code).capability_url
    assert url == "https://dvc.example.vn/h/%s?k=%s" % (code, key)
    r = world.client.get(url.replace("https://dvc.example.vn", ""))
    assert r.status_code == 200 and code in r.text


def test_a_supplement_lists_every_paper_and_where_to_bring_them(world):
    code, key = world.intake()
    missing = ["Bản sao giấy đăng ký kết hôn của cha mẹ", "Văn bản ủy quyền <có chứng thực>"]
    workflow.transfer(world.desk, world.desk.clerk, code, "STP")
    specialist = world.desk.people["cv_stp"]
    workflow.receive(world.desk, specialist, code)
    workflow.request_supplement(world.desk, specialist, code, "Thiếu giấy tờ chứng minh quan hệ", missing)
    sync.sync_once(world.desk)
    r = world.page(code, key)
    text = text_of(r.text)
    assert "Xin mời ông/bà bổ sung các giấy tờ sau:" in text
    for paper in missing:
        assert paper in text
    assert "&lt;có chứng thực&gt;" in r.text
    assert "Thiếu giấy tờ chứng minh quan hệ" in text
    assert COUNTER_PLACE in text and "28 Đại lộ Lê Lợi" in text and "7:30–11:30" in text
    assert lifecycle.Verdict.PAUSED.citizen_text in text


def _to_result(world, code: str) -> None:
    desk, clerk, specialist = world.desk, world.desk.clerk, world.desk.people["cv_stp"]
    workflow.transfer(desk, clerk, code, "STP")
    workflow.receive(desk, specialist, code)
    workflow.result_ready(desk, specialist, code)
    workflow.transfer(desk, specialist, code, "MOTCUA")
    workflow.receive(desk, clerk, code)
    sync.sync_once(desk)


def test_a_result_says_where_to_collect_it_what_to_bring_and_the_fee(world):
    code, key = world.intake()
    _to_result(world, code)
    r = world.page(code, key)
    text = text_of(r.text)
    view = kiosk.lookup(world.desk, world.desk.kiosk_user, code, key)
    assert "Đã có kết quả từ %s." % view.result_ready_at.strftime("%H:%M %d/%m/%Y") in text
    assert "Nơi nhận kết quả" in text and COUNTER_PLACE in text and "Thứ Hai – Thứ Sáu" in text
    assert "Giấy tiếp nhận hồ sơ và hẹn trả kết quả" in text and "Căn cước (CCCD)" in text
    direct = procedure_from_dict(catalogue_entry("1.001193")).terms(Channel.DIRECT)
    assert "Phí, lệ phí: %s" % describe_fees(direct) in text   # the catalogue's direct channel
    assert "Trung tâm Phục vụ hành chính công &lt;tỉnh&gt;" in r.text


def test_a_fee_to_pay_says_how_much_and_where(world):
    code, key = world.intake()
    desk, specialist = world.desk, world.desk.people["cv_stp"]
    workflow.transfer(desk, desk.clerk, code, "STP")
    workflow.receive(desk, specialist, code)
    workflow.request_payment(desk, specialist, code, 50_000)
    sync.sync_once(desk)
    text = text_of(world.page(code, key).text)
    assert "Số tiền cần nộp: 50.000 đồng" in text and "Nơi nộp phí, lệ phí" in text and COUNTER_PLACE in text


def test_an_apology_shows_its_reason_and_the_new_date_beside_the_receipts(world):
    code, key = world.intake()
    desk = world.desk
    workflow.transfer(desk, desk.clerk, code, "STP")
    workflow.receive(desk, desk.people["cv_stp"], code)
    state = kiosk.lookup(desk, desk.kiosk_user, code, key)
    day = desk.calendar().next_working_day(state.due_at.date() + timedelta(days=3))
    from datetime import datetime
    new_due = datetime.combine(day, state.due_at.time())
    workflow.apologise(desk, desk.people["ld_stp"], code, "Cần xác minh <thêm> tại xã", new_due)
    sync.sync_once(desk)
    text = text_of(world.page(code, key).text)
    assert "Ngày hẹn đã được đổi sang %s." % new_due.strftime("%H:%M %d/%m/%Y") in text
    assert "Ngày hẹn trên giấy tiếp nhận: %s" % state.first_due_at.strftime("%H:%M %d/%m/%Y") in text
    assert "Lý do: Cần xác minh <thêm> tại xã" in text


def _submitted_online(world) -> tuple[str, str]:
    """A citizen's online submission on the server's pages, pulled by the counter's desk."""
    from tests.sync.test_online import Citizen, owner_fields, photo
    with world.db.session() as s:   # the counter that takes them, as the desk's profile names it
        s.get(CentreProfile, world.agency).counter_unit = "MOTCUA"
    citizen = Citizen(world.server)
    citizen.start(world.agency)
    saved = citizen.post(owner_fields(action="save"), files=[("c0", ("to-khai.jpg", photo(1), "image/jpeg")),
                                                             ("c1", ("chung-sinh.jpg", photo(2), "image/jpeg"))])
    assert saved.status_code == 303, saved.text
    r = citizen.post({**owner_fields(), "action": "submit"})
    assert r.status_code == 303, text_of(r.text)[:2000]
    code, key = re.match(r"/h/([^?]+)\?k=([^&]+)", r.headers["location"]).groups()
    sync.sync_once(world.desk)
    return code, key


def _migrate_server(world, to: str) -> None:
    from alembic import command
    from alembic.config import Config

    from central_server.db import MIGRATIONS
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with world.db.engine.connect() as conn:
        cfg.attributes["connection"] = conn
        (command.upgrade if to == "head" else command.downgrade)(cfg, to)
        conn.commit()


def test_an_online_submission_refused_before_acceptance_reads_ended_never_received(world):
    """Refused at the counter's check: the page says it ended and was not received (no time of
    receipt, no appointment, no electronic receipt, no holder), not that it waits."""
    from desk_app.domain.dossier import Status
    from desk_app.services import online
    desk = world.desk
    code, key = _submitted_online(world)
    waiting = text_of(world.page(code, key).text)
    assert "Sẽ hẹn khi cán bộ tiếp nhận hồ sơ" in waiting and "Nộp trực tuyến lúc" in waiting
    online.refuse(desk, desk.clerk, code, ["Giấy chứng sinh không hợp lệ"])
    sync.sync_once(desk)
    with world.db.session() as s:
        row = s.get(DossierState, code)
        assert (row.stage, row.status) == (lifecycle.Stage.ONLINE_CLOSED.value, Status.REFUSED.value)
    r = world.page(code, key)
    text = text_of(r.text)
    verdict = lifecycle.Verdict.REFUSED
    assert verdict.citizen_text in text and lifecycle.citizen_status_text(Status.REFUSED) in text   # ended
    assert 'class="status tone-%s"' % verdict.tone in r.text
    assert "Nộp trực tuyến lúc" in text and "Tiếp nhận lúc" not in text                          # never received
    assert "Sẽ hẹn khi cán bộ tiếp nhận" not in text and "chờ tiếp nhận" not in text.lower()
    assert "Hẹn trả kết quả" not in text and "Hồ sơ đang ở" not in text
    assert "Giấy tiếp nhận hồ sơ và hẹn trả kết quả (điện tử)" not in text
    # the server's migration 0011 restages what an older reducer left in 'closed', and back
    _migrate_server(world, "0010")
    with world.db.session() as s:   # the stage alone: the model's later columns are not there at 0010
        stage = s.execute(select(DossierState.stage).where(DossierState.code == code)).scalar_one()
        assert stage == lifecycle.Stage.CLOSED.value
    _migrate_server(world, "head")
    with world.db.session() as s:
        assert s.get(DossierState, code).stage == lifecycle.Stage.ONLINE_CLOSED.value


def test_announcements_on_a_dossier_page_are_those_that_concern_it(world):
    code, key = world.intake()
    r = world.page(code, key)
    text = text_of(r.text)
    assert "Nghỉ Tết <script>alert('x')</script>" in text and "<script>alert('x')" not in r.text
    assert "Hộ tịch: thay đổi lệ phí" in text and "Khai sinh: giấy chứng sinh mới" in text
    for absent in ("Đất đai: lịch tiếp dân", "Đã hết hạn", "Chưa đến ngày", "Đã xóa"):
        assert absent not in text
    assert "&lt;b&gt;in đậm&lt;/b&gt; &amp; &#34;trích dẫn&#34;" in r.text


# -- enumeration -----------------------------------------------------------------------------

def test_a_wrong_key_and_an_unknown_code_get_the_same_page_byte_for_byte(world):
    code, key = world.intake()
    unknown = code[:-4] + ("9999" if not code.endswith("9999") else "9998")
    statements = []

    def count(*_args):
        statements.append(1)
    engine = world.db.read_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        answers = []
        for c, k in [(code, key[:-2] + ("AA" if not key.endswith("AA") else "BB")), (unknown, key),
                     (code, "short"), (code, ""), ("not-a-code", key)]:
            statements.clear()
            r = world.page(c, k)
            answers.append((r.status_code, r.content, sorted(r.headers.items()), len(statements)))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert answers[0][0] == 404
    assert all(a == answers[0] for a in answers), "every refusal must be the same answer after the same work"
    # the forms too: a wrong key and an unknown code look alike
    token = form_token(world.page(code, key).text)
    posts = [world.post(c, k, what, token=token, level="satisfied", text="x")
             for c, k in [(code, key[:-1] + "A" if not key.endswith("A") else key[:-1] + "B"), (unknown, key)]
             for what in ("danh-gia", "tin-nhan")]
    assert all((p.status_code, p.content, sorted(p.headers.items())) ==
               (answers[0][0], answers[0][1], answers[0][2]) for p in posts)


# -- security --------------------------------------------------------------------------------

def _assert_headers(r) -> None:
    h = r.headers
    assert h["content-security-policy"] == CSP, r.url
    assert "http" not in h["content-security-policy"]
    assert h["referrer-policy"] == "no-referrer"
    assert h["x-content-type-options"] == "nosniff"
    assert h["x-robots-tag"] == "noindex"


def test_every_page_carries_the_security_headers(world):
    code, key = world.intake()
    client = world.client
    answers = [client.get("/"), client.get("/?lang=en"), client.get("/thu-tuc"), client.get("/thu-tuc?q=khai"),
               client.get("/thu-tuc/%s/1.001193" % world.agency), client.get("/thu-tuc/x/y"),
               world.page(code, key), world.page(code, "wrong-key-wrong-key-wrong"), client.get("/thong-bao.atom"),
               world.post(code, key, "tin-nhan", text="Xin hỏi"), world.post(code, key, "danh-gia", token="0")]
    for r in answers:
        _assert_headers(r)
        assert r.headers["cache-control"] == "no-store", r.url
        if r.headers.get("content-type", "").startswith("text/html"):
            assert '<meta name="robots" content="noindex">' in r.text
            assert "http://" not in r.text and "https://" not in r.text   # nothing from elsewhere
            assert "<script" not in r.text and " style=" not in r.text       # CSP: no inline anything
    client.cookies.clear()  # the English switch above set its cookie
    assert answers[-2].status_code == 303 and answers[-1].status_code == 403
    css = client.get(re.search(r'href="(/static/site-[0-9a-f]+\.css)"', answers[0].text).group(1))
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    _assert_headers(css)
    assert "url(" not in css.text and "@import" not in css.text          # no font or file from anywhere


def test_forms_from_another_site_or_without_the_token_are_refused_and_store_nothing(world):
    code, key = world.intake()
    before = _events(world, code)
    token = form_token(world.page(code, key).text)
    refused = [
        world.post(code, key, "tin-nhan", token="", text="Không có mã"),
        world.post(code, key, "tin-nhan", token="0" * 40, text="Mã sai"),
        world.client.post("/h/%s/tin-nhan" % code, data={"k": key, "token": token, "text": "Từ trang khác"},
                          headers={"Origin": "https://evil.example"}, follow_redirects=False),
        world.client.post("/h/%s/danh-gia" % code, data={"k": key, "token": token, "level": "unsatisfied"},
                          headers={"Referer": "https://evil.example/page"}, follow_redirects=False),
    ]
    assert [r.status_code for r in refused] == [403, 403, 403, 403]
    assert "Biểu mẫu không hợp lệ" in refused[0].text
    assert _events(world, code) == before
    # our own page's form: Origin "null" (what browsers send under Referrer-Policy: no-referrer)
    ok = world.client.post("/h/%s/tin-nhan" % code, data={"k": key, "token": token, "text": "Từ trang này"},
                           headers={"Origin": "null"}, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"].endswith("ok=sent")
    same = world.client.post("/h/%s/tin-nhan" % code, data={"k": key, "token": token, "text": "Lần nữa"},
                             headers={"Origin": "http://testserver"}, follow_redirects=False)
    assert same.status_code == 303


def _events(world, code: str) -> list[str]:
    with world.db.session(write=False) as s:
        return list(s.scalars(select(ServerEvent.kind).where(ServerEvent.dossier_code == code)
                              .order_by(ServerEvent.server_seq)))


def test_posts_are_rate_limited_per_client_with_a_clear_page(world):
    code, key = world.intake()
    limited = page_app(world.server.database_url, world.tmp / "web", web_post_rate_per_second=0.001,
                       web_post_burst=2)
    token = form_token(world.page(code, key).text)
    answers = [limited.post("/h/%s/tin-nhan" % code, data={"k": key, "token": token, "text": "Tin %d" % i},
                            follow_redirects=False) for i in range(3)]
    assert [r.status_code for r in answers] == [303, 303, 429]
    assert int(answers[2].headers["retry-after"]) > 0
    assert "Quá nhiều yêu cầu. Vui lòng thử lại sau" in text_of(answers[2].text)
    _assert_headers(answers[2])
    assert _events(world, code).count("citizen_message") == 2
    limited.close()


def test_the_key_never_reaches_the_servers_log(world):
    import httpx
    code, key = world.intake()
    page = httpx.get(world.server.url + "/h/%s" % code, params={"k": key})
    assert page.status_code == 200
    sent = httpx.post(world.server.url + "/h/%s/tin-nhan" % code,
                      data={"k": key, "token": form_token(page.text), "text": "Xin hỏi"})
    assert sent.status_code == 303 and sent.headers["location"].endswith("ok=sent")
    assert httpx.get(world.server.url + "/h/%s" % code, params={"k": key[::-1]}).status_code == 404
    assert key not in world.server.log.read_text(errors="replace")


def test_the_form_secret_is_one_for_every_worker_and_restart(tmp_path):
    from central_server.web.security import load_secret
    settings = Settings(database_url="sqlite:///%s" % (tmp_path / "s.sqlite3"), data_dir=tmp_path)
    first, second = load_secret(settings), load_secret(settings)
    assert first == second and len(first) == 64
    assert (tmp_path / "web-secret").stat().st_mode & 0o077 == 0       # readable by the server only
    assert load_secret(settings.with_(web_secret="x" * 40)) == b"x" * 40


# -- rating ----------------------------------------------------------------------------------

def test_a_rating_from_the_page_is_an_event_once_per_dossier_and_the_kiosk_shares_it(world):
    code, key = world.intake()
    r = world.post(code, key, "danh-gia", level="very_satisfied", comment="Cán bộ <i>nhiệt tình</i>",
                   time="early", visits="one", attitude="good", extra="ignored")
    assert r.status_code == 303 and r.headers["location"] == "/h/%s?k=%s&ok=rated" % (code, key)
    page = world.client.get(r.headers["location"])
    assert "Xin cảm ơn ông/bà đã đánh giá." in page.text
    assert "Ông/bà đã đánh giá hồ sơ này: Rất hài lòng." in text_of(page.text)
    assert 'action="/h/%s/danh-gia"' % code not in page.text                # no second form
    with world.db.session(write=False) as s:
        e = s.scalars(select(ServerEvent).where(ServerEvent.dossier_code == code,
                                                ServerEvent.kind == "rated")).one()
        assert e.payload == {"level": "very_satisfied", "comment": "Cán bộ <i>nhiệt tình</i>", "clerk": "tiepnhan",
                             "channel": "web", "criteria": {"time": "early", "visits": "one", "attitude": "good"}}
        assert (e.actor, e.unit, e.desk, e.accepted) == ("citizen", None, "web:" + world.agency, True)
        assert s.get(DossierState, code).rating == "very_satisfied"
    again = world.post(code, key, "danh-gia", level="unsatisfied")
    assert again.headers["location"].endswith("err=rated")
    assert "Mỗi hồ sơ chỉ được đánh giá một lần." in world.client.get(again.headers["location"]).text
    assert _events(world, code).count("rated") == 1
    # the counter's desk pulls it: its kiosk refuses a second rating
    sync.sync_once(world.desk)
    with pytest.raises(kiosk.AlreadyRated):
        kiosk.rate(world.desk, world.desk.kiosk_user, code, key, "satisfied")
    assert kiosk.lookup(world.desk, world.desk.kiosk_user, code, key).rated


def test_a_kiosk_rating_pulled_to_the_server_closes_the_pages_rating(world):
    code, key = world.intake()
    kiosk.rate(world.desk, world.desk.kiosk_user, code, key, "satisfied", "Tốt")
    sync.sync_once(world.desk)
    page = world.page(code, key)
    assert "Ông/bà đã đánh giá hồ sơ này: Hài lòng." in text_of(page.text)
    r = world.post(code, key, "danh-gia", token=form_token(page.text), level="unsatisfied")
    assert r.headers["location"].endswith("err=rated")
    assert _events(world, code).count("rated") == 1


def test_a_rating_needs_a_level_and_a_short_comment(world):
    code, key = world.intake()
    assert world.post(code, key, "danh-gia").headers["location"].endswith("err=level")
    assert world.post(code, key, "danh-gia", level="bogus").headers["location"].endswith("err=level")
    assert world.post(code, key, "danh-gia", level="satisfied",
                      comment="x" * 501).headers["location"].endswith("err=comment")
    assert "Ý kiến dài quá 500 ký tự" in world.page(code, key, err="comment").text
    r = world.post(code, key, "danh-gia", level="satisfied", time="whenever", comment="  ")
    assert r.headers["location"].endswith("ok=rated")
    with world.db.session(write=False) as s:
        payload = s.scalars(select(ServerEvent.payload).where(ServerEvent.dossier_code == code,
                                                              ServerEvent.kind == "rated")).one()
    assert "criteria" not in payload and payload["comment"] == ""


# -- messages --------------------------------------------------------------------------------

def test_messages_are_escaped_limited_and_reach_the_desks_that_pull_the_dossier(world):
    code, key = world.intake()
    workflow.transfer(world.desk, world.desk.clerk, code, "STP")
    sync.sync_once(world.desk)
    hostile = "<script>alert('tin')</script>\n<a href=\"javascript:x\">bấm</a> & <b>đậm</b>"
    assert world.post(code, key, "tin-nhan", text=hostile).headers["location"].endswith("ok=sent")
    page = world.page(code, key)
    assert "<script>alert('tin')" not in page.text and '<a href="javascript' not in page.text
    assert "&lt;script&gt;alert(&#39;tin&#39;)&lt;/script&gt;" in page.text
    assert "Ông/bà có 1 tin nhắn đang chờ trả lời." in page.text

    assert world.post(code, key, "tin-nhan", text=" \n\t ").headers["location"].endswith("err=empty")
    assert world.post(code, key, "tin-nhan", text="x" * (lifecycle.MAX_MESSAGE + 1)) \
        .headers["location"].endswith("err=long")
    assert world.post(code, key, "tin-nhan", text="y" * lifecycle.MAX_MESSAGE).headers["location"].endswith("ok=sent")
    for i in range(3):
        assert world.post(code, key, "tin-nhan", text="Tin số %d" % i).headers["location"].endswith("ok=sent")
    sixth = world.post(code, key, "tin-nhan", text="Tin thứ sáu")
    assert sixth.headers["location"].endswith("err=waiting")
    full = world.client.get(sixth.headers["location"])
    assert "Ông/bà đã có 5 tin nhắn chưa được trả lời." in full.text
    assert 'action="/h/%s/tin-nhan"' % code not in full.text               # no form while the limit holds
    assert _events(world, code).count("citizen_message") == 5

    # both desks concerned (the counter that received it, the department it was sent to) pull them
    sync.sync_once(world.desk)
    sync.sync_once(world.dept)
    for ctx in (world.desk, world.dept):
        with ctx.db.session(write=False) as s:
            texts = [e.payload["text"] for e in repo.events_of(s, code)
                     if e.kind == EventKind.CITIZEN_MESSAGE.value and e.server_seq is not None]
            assert repo.dossier_by_code(s, code).unanswered_messages == 5
        assert texts[0] == hostile and len(texts) == 5

    # the counter replies from its desk, through normal sync; the reply shows on the page
    desk_reply(world.desk, code, "Đã nhận, <mời> ông/bà chờ.")
    sync.sync_once(world.desk)
    page = world.page(code, key)
    thread = text_of(page.text.split('id="h-messages"')[1])
    assert thread.index("Tin số 2") < thread.index("Đã nhận, <mời> ông/bà chờ.")    # oldest first
    assert "&lt;mời&gt;" in page.text and 'action="/h/%s/tin-nhan"' % code in page.text
    assert world.post(code, key, "tin-nhan", text="Cảm ơn").headers["location"].endswith("ok=sent")


def desk_reply(ctx, code: str, text: str) -> None:
    """The counter answers from its desk: the desk's reply service where it exists, else the
    same event appended the way every service appends one."""
    try:
        from desk_app.services import messages
        messages.reply
    except (ImportError, AttributeError):
        with ctx.db.session() as s:
            d = repo.dossier_by_code(s, code)
            last = [e for e in repo.events_of(s, code) if e.kind == EventKind.CITIZEN_MESSAGE.value][-1]
            payload = lifecycle.payload_dict(lifecycle.CounterReply(text, last.id))
            repo.append_event(s, d, EventKind.COUNTER_REPLY, payload, ctx.clerk.username, ctx.desk_id,
                              ctx.clock().replace(microsecond=0))
    else:
        messages.reply(ctx, ctx.clerk, code, text)


def test_the_servers_events_have_their_own_hash_chain_and_make_no_unit_concerned(world):
    code, key = world.intake()
    with world.db.session(write=False) as s:
        units_before = s.scalar(select(func.count()).select_from(DossierUnit))
    world.post(code, key, "tin-nhan", text="Một")
    world.post(code, key, "danh-gia", level="satisfied")
    with world.db.session(write=False) as s:
        rows = list(s.scalars(select(ServerEvent).where(ServerEvent.desk == citizen.web_desk(world.agency))
                              .order_by(ServerEvent.server_seq)))
        assert s.scalar(select(func.count()).select_from(DossierUnit)) == units_before
    prev = GENESIS
    for row in rows:
        assert row.prev_hash == prev and row.hash == hash_of(prev, row) and row.chain_ok
        prev = row.hash
    assert [r.kind for r in rows if r.dossier_code == code] == ["citizen_message", "rated"]


def test_the_reducer_refuses_through_citizen_append_and_nothing_is_stored(world):
    code, _ = world.intake()
    with world.db.session() as s:
        citizen.append(s, code, EventKind.RATED, {"level": "satisfied", "channel": "web"}, vn_now())
    before = _events(world, code)
    with pytest.raises(citizen.CitizenRefusal) as refused:
        with world.db.session() as s:
            citizen.append(s, code, EventKind.RATED, {"level": "unsatisfied", "channel": "web"}, vn_now())
    assert "chỉ được đánh giá một lần" in refused.value.message
    with pytest.raises(citizen.CitizenRefusal):
        with world.db.session() as s:
            citizen.append(s, code, EventKind.CITIZEN_MESSAGE, {"text": 5}, vn_now())
    assert _events(world, code) == before


# -- public pages, feed, language ------------------------------------------------------------

def test_the_home_page_lists_the_centres_and_their_current_announcements(world):
    world.refresh()
    r = world.client.get("/")
    text = text_of(r.text)
    assert "Trung tâm Phục vụ hành chính công <tỉnh>" in text and "&lt;tỉnh&gt;" in r.text
    assert "28 Đại lộ Lê Lợi" in text and "0237 3752 999" in text and "Thứ Hai – Thứ Sáu" in text
    assert "Đất đai: lịch tiếp dân" in text and "Nghỉ Tết" in text
    for absent in ("Đã hết hạn", "Chưa đến ngày", "Đã xóa"):
        assert absent not in text
    assert "<script>alert('x')" not in r.text


def test_the_catalogue_is_searchable_without_diacritics_and_keeps_shown_papers_apart(world):
    world.refresh()
    for q in ("khai sinh", "KHAI SINH", "dang ky khai sinh", "Đăng ký khai sinh", "1.001193"):
        r = world.client.get("/thu-tuc", params={"q": q})
        assert "/thu-tuc/%s/1.001193" % world.agency in r.text, q
    assert "/thu-tuc/%s/1.001193" % world.agency not in world.client.get("/thu-tuc", params={"q": "trich luc"}).text
    assert "Không tìm thấy thủ tục nào." in world.client.get("/thu-tuc", params={"q": "khai sinh zzzz"}).text
    assert "/thu-tuc/%s/1.001193" % world.agency in world.client.get("/thu-tuc", params={"q": "khai%_sinh"}).text
    detail = world.client.get("/thu-tuc/%s/2.000635" % world.agency)
    text = text_of(detail.text)
    entry = catalogue_entry("2.000635")
    assert entry["name"] in text and "8.000 đồng" in text
    hand_in, shown = text.split("Giấy tờ phải nộp")[1].split("Giấy tờ chỉ xuất trình để đối chiếu (không phải nộp)")
    ids = [c["name"] for c in entry["components"] if "xuất trình để đối chiếu" in c["name"]]
    assert ids and all(n in shown and n not in hand_in for n in ids)
    handed = [c["name"] for c in entry["components"] if c["name"] not in ids]
    assert handed and all(n in hand_in for n in handed)
    assert "Trực tiếp" in text and "Trực tuyến" in text


def test_the_atom_feed_parses_and_escapes(world):
    world.refresh()
    r = world.client.get("/thong-bao.atom")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ET.fromstring(r.content)
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    for required in ("a:id", "a:title", "a:updated"):
        assert root.find(required, ns) is not None
    titles = [e.find("a:title", ns).text for e in root.findall("a:entry", ns)]
    assert "Nghỉ Tết <script>alert('x')</script>" in titles and "Đã xóa" not in titles
    assert "Đã hết hạn" not in titles and "Chưa đến ngày" not in titles
    assert b"<script>" not in r.content and b"&lt;script&gt;" in r.content
    entry = root.find("a:entry", ns)
    assert entry.find("a:id", ns).text.startswith("urn:uuid:") and entry.find("a:updated", ns).text.endswith("+07:00")
    assert "<b>in đậm</b>" in entry.find("a:content", ns).text
    only = ET.fromstring(world.client.get("/thong-bao.atom", params={"co-quan": "999.99.99.H99"}).content)
    assert only.findall("a:entry", ns) == []


def test_english_on_a_switch_kept_in_a_cookie(world):
    code, key = world.intake()
    vi = world.page(code, key)
    assert '<html lang="vi">' in vi.text and "Quá trình giải quyết" in vi.text
    switch = re.search(r'class="lang" href="([^"]+)"', vi.text).group(1)
    assert "lang=en" in unescape(switch) and key in unescape(switch)
    client = page_app(world.server.database_url, world.tmp / "web")
    en = client.get(unescape(switch))
    assert '<html lang="en">' in en.text and "Progress" in en.text and "What you need to do" in en.text
    view = kiosk.lookup(world.desk, world.desk.kiosk_user, code, key)
    from desk_app.domain.i18n import using_language
    with using_language("en"):
        assert view.verdict.citizen_text in en.text
    assert "lang=en" in en.headers["set-cookie"] and "samesite=lax" in en.headers["set-cookie"].lower()
    again = client.get("/h/%s" % code, params={"k": key})          # the cookie keeps it
    assert '<html lang="en">' in again.text
    assert "Vietnamese" not in again.text and "Tiếng Việt" in again.text
    assert '<html lang="en">' in client.get("/thu-tuc").text
    back = client.get("/", params={"lang": "vi"})
    assert '<html lang="vi">' in back.text
    client.close()


# -- the kept pages (web/pagecache.py) -------------------------------------------------------

def _desk_token(desk) -> str:
    from desk_app.storage import sync_repo
    with desk.db.session(write=False) as s:
        return sync_repo.config(s).token


def test_the_kept_pages_catalogue_versions_cover_every_entry_the_page_reads(world):
    """One rule for the national code a local one extends (``content.national_code``): the page
    looks the procedure up by the codes ``procedure_candidates`` gives, and the cache's stamp
    reads, in the database, the versions of the entries ``pagecache.national_code_sql`` names.
    Every code a desk may send (any text: the dossier's procedure code is not checked against
    the catalogue's shape) has its candidates covered, so every page may be kept."""
    from sqlalchemy import literal

    from central_server.web import content, pagecache
    from desk_app.domain.procedures import PROCEDURE_CODE
    national = [p["code"] for p in CATALOGUE]
    assert national and all(PROCEDURE_CODE.match(c) and len(c) == content.NATIONAL_CODE_LENGTH for c in national)
    assert all(content.national_code(c) is None and content.national_code(c + ".H12") == c for c in national)
    codes = national + [c + ".H12" for c in national[:3]] + [
        "1.001193.H12.X", "12.345678.H1", "1.23.H4", "1.23.456.X", "1.001193X", "1.001193.", "Đ.00119.X",
        "Đ.001193.X", "1", "", ".", "1.001193" + "." * 50]
    with world.db.session() as s:
        stamped = {c: s.execute(select(pagecache.national_code_sql(literal(c)))).scalar() for c in codes}
    for code in codes:
        assert set(content.procedure_candidates(code)) <= {code, stamped[code]}, code
        assert content.stamped_procedure(code), code
    assert content.procedure_candidates("1.001193.H12") == ["1.001193.H12", "1.001193"]
    assert content.procedure_candidates("12.3456.H1") == ["12.3456.H1"]   # no catalogue holds "12.3456"

def test_the_page_and_the_json_status_share_one_verdict_and_pages_share_frozen_places():
    """The verdict the page shows is the JSON status's (one function); a centre's place, kept
    by the process and shown on many pages at once, cannot be changed by one of them."""
    from dataclasses import FrozenInstanceError

    from central_server import public
    from central_server.web import content
    assert content.verdict_of is public.verdict_of
    place = content.Place("Trung tâm", "Quầy 3")
    with pytest.raises(FrozenInstanceError):
        place.counter = "Quầy 9"

def test_an_announcement_changed_within_the_same_second_shows_on_a_kept_page(world, monkeypatch):
    """The desk stamps an announcement to the second and never earlier than before, so two edits
    in one second (or after its clock went back) send the same ``updated_at`` with new text; the
    server stores it (an equal version wins) and the kept page must show it at once: its stamp is
    the server's own revision of the row, not the desk's ``updated_at``. Sent again unchanged (a
    lost answer), it is stored again and the page still says the same."""
    from desk_app.services import announcements
    from desk_app.storage import announcements_repo
    code, key = world.intake()
    world.refresh()
    frozen = world.desk.clock()
    monkeypatch.setattr(world.desk, "clock", lambda: frozen)      # both edits in the same second
    admin = auth.login(world.desk, "admin", desks.PASSWORD)
    draft = announcements.AnnouncementInput("Lịch trực thứ Bảy", "Mở cửa sáng thứ Bảy.",
                                            valid_from=frozen - timedelta(hours=1))
    first = announcements.save(world.desk, admin, draft)
    sync.sync_once(world.desk)
    cache = world.client.app.state.page_cache
    assert "Mở cửa sáng thứ Bảy." in text_of(world.client.get("/h/%s" % code, params={"k": key}).text)
    hits = cache.hits
    world.client.get("/h/%s" % code, params={"k": key})
    assert cache.hits == hits + 1                                           # the page is kept

    draft.body = "Nghỉ sáng thứ Bảy, mở lại thứ Hai."
    second = announcements.save(world.desk, admin, draft, first.id)
    assert second.updated_at == first.updated_at                            # the same version, new text
    report = sync.sync_once(world.desk)
    assert report.announcements == 1
    with world.db.session() as s:
        assert s.get(Announcement, first.id).body == "Nghỉ sáng thứ Bảy, mở lại thứ Hai."
    text = text_of(world.client.get("/h/%s" % code, params={"k": key}).text)
    assert "Nghỉ sáng thứ Bảy, mở lại thứ Hai." in text and "Mở cửa sáng thứ Bảy." not in text

    with world.desk.db.session(write=False) as s:                       # sent again as it is
        wire = sync._announcement_wire(announcements_repo.get(s, first.id))
    api = {"Authorization": "Bearer " + _desk_token(world.desk)}
    r = world.client.post("/api/v1/centre/announcements", json={"announcements": [wire]}, headers=api)
    assert r.status_code == 200 and r.json()["results"][0]["status"] == "stored"
    again = text_of(world.client.get("/h/%s" % code, params={"k": key}).text)
    assert "Nghỉ sáng thứ Bảy, mở lại thứ Hai." in again and "Mở cửa sáng thứ Bảy." not in again
    announcements.delete(world.desk, admin, first.id)
    sync.sync_once(world.desk)
    monkeypatch.undo()
    world.refresh()

def test_a_kept_page_is_served_again_only_until_anything_it_shows_changes(world, monkeypatch):
    """Each kind of change the page shows (a desk's event, a message, the counter's reply, a
    rating, an announcement added, changed, withdrawn or starting, the centre's profile, its
    catalogue, the clock's verdict, the language) gives a new page at once; an unchanged page
    is served from the cache, byte for byte what a server without the cache renders."""
    code, key = world.intake()
    other_code, other_key = world.intake()
    world.refresh()
    cache = world.client.app.state.page_cache
    plain = page_app(world.server.database_url, world.tmp / "web", web_page_cache=0)   # same secret, no cache
    # on PostgreSQL, the probe in a thread (as on SQLite) instead of on the event loop: the same page
    threaded = page_app(world.server.database_url, world.tmp / "web", web_page_probe_async=0)
    api = {"Authorization": "Bearer " + _desk_token(world.desk)}
    shown: list[str] = []

    def changed(**params) -> str:
        """The page now: rendered anew (not from the cache) and unlike the one before; asked
        again, it comes from the cache, the same bytes; and the same as without a cache."""
        hits = cache.hits
        first = world.client.get("/h/%s" % code, params={"k": key, **params})
        assert first.status_code == 200 and cache.hits == hits
        again = world.client.get("/h/%s" % code, params={"k": key, **params})
        assert cache.hits == hits + 1 and again.content == first.content
        assert plain.get("/h/%s" % code, params={"k": key, **params}).content == first.content
        assert threaded.get("/h/%s" % code, params={"k": key, **params}).content == first.content
        assert not shown or first.text != shown[-1]
        shown.append(first.text)
        return text_of(first.text)

    changed()
    other = world.client.get("/h/%s" % other_code, params={"k": other_key}).text   # another dossier: its own page
    assert other_code in other and code not in other
    assert world.client.get("/h/%s" % code, params={"k": other_key}).status_code == 404

    workflow.transfer(world.desk, world.desk.clerk, code, "STP")                    # a desk's event, pushed
    sync.sync_once(world.desk)
    assert "Sở Tư pháp" in changed()
    assert world.post(code, key, "tin-nhan", text="Bao giờ có kết quả?").headers["location"].endswith("ok=sent")
    assert "Bao giờ có kết quả?" in changed()                                       # the citizen's message
    sync.sync_once(world.desk)
    desk_reply(world.desk, code, "Thứ Sáu tuần này.")                               # the counter's reply
    sync.sync_once(world.desk)
    assert "Thứ Sáu tuần này." in changed()
    assert world.post(code, key, "danh-gia", level="satisfied").headers["location"].endswith("ok=rated")
    changed()                                                                       # the rating
    assert 'action="/h/%s/danh-gia"' % code not in shown[-1] and 'action="/h/%s/danh-gia"' % code in shown[-2]

    notice = {"id": str(uuid.uuid4()), "title": "Mất điện chiều nay", "body": "Nghỉ từ 14 giờ.",
              "valid_from": (world.now - timedelta(hours=1)).isoformat(), "updated_at": vn_now().isoformat()}
    r = world.client.post("/api/v1/centre/announcements", json={"announcements": [notice]}, headers=api)
    assert r.status_code == 200 and r.json()["results"][0]["status"] == "stored"
    assert "Mất điện chiều nay" in changed()                                        # an announcement added
    notice.update(title="Mất điện chiều nay (đã sửa)", updated_at=vn_now().isoformat())
    world.client.post("/api/v1/centre/announcements", json={"announcements": [notice]}, headers=api)
    assert "(đã sửa)" in changed()                                                  # ... changed
    notice.update(deleted=True, updated_at=vn_now().isoformat())
    world.client.post("/api/v1/centre/announcements", json={"announcements": [notice]}, headers=api)
    assert "Mất điện chiều nay" not in changed()                                    # ... withdrawn

    profile = {"name": "Trung tâm mới", "address": "1 Đường Mới", "counter_location": "Quầy 9"}
    assert world.client.put("/api/v1/centre/profile", json=profile, headers=api).status_code == 200
    desk, specialist = world.desk, world.desk.people["cv_stp"]    # the result: its page shows the place
    workflow.receive(desk, specialist, code)
    workflow.result_ready(desk, specialist, code)
    workflow.transfer(desk, specialist, code, "MOTCUA")
    workflow.receive(desk, desk.clerk, code)
    sync.sync_once(desk)
    assert "1 Đường Mới" in changed()                                               # the profile (and the result)
    world.client.put("/api/v1/centre/profile", json={**profile, "address": "2 Đường Mới"}, headers=api)
    assert "2 Đường Mới" in changed()
    link = 'href="/thu-tuc/%s/' % world.agency
    assert link in shown[-1]
    r = world.client.put("/api/v1/centre/catalogue", json={"procedures": [catalogue_entry("2.000635")]},
                         headers=api)
    assert r.status_code == 200
    changed()                                                                       # the catalogue: no entry now
    assert link not in shown[-1]

    later = vn_now() + timedelta(days=3)                          # "Chưa đến ngày" starts in 2 days
    monkeypatch.setattr("central_server.web.routes.vn_now", lambda: later)
    assert "Chưa đến ngày" in changed()
    assert "Chưa đến ngày" not in shown[-2]
    monkeypatch.undo()

    assert "Progress" in changed(lang="en")                                         # the language
    assert "Quá trình giải quyết" in changed(lang="vi")
    plain.close()
    world.refresh()


def test_the_probe_on_the_event_loop_reads_the_row_the_threads_read(world):
    """PostgreSQL's dossier page probes on the event loop (``web.probe``): the same row, values
    and names, as ``public.find`` on a plain connection, the Zalo box's columns included; a wrong
    key finds nothing; with every probe connection busy the page takes the thread path."""
    import asyncio
    from central_server.public import find, find_async
    from central_server.web import pagecache
    from central_server.web.probe import AsyncProbe, Busy
    from central_server.zalo.pages import box_columns
    if world.db.dialect != "postgresql":
        assert world.client.app.state.page_probe is None      # SQLite reads in the threads
        return
    code, key = world.intake()
    statement = pagecache.statement("postgresql", box_columns(DossierState.__table__.c.code))
    probe = AsyncProbe(world.db.read_engine, statement, 2)
    now = vn_now()
    with world.db.reading() as conn:
        expected = find(conn, code, key, statement, now=now)
    got = asyncio.run(find_async(probe.row, code, key, now=now))
    assert expected is not None and tuple(got) == tuple(expected) and got._fields == tuple(expected._fields)
    assert "zalo_linked_at" in got._fields
    assert asyncio.run(find_async(probe.row, code, key[:-1] + ("A" if key[-1] != "A" else "B"), now=now)) is None
    assert len(probe._idle) == 1                               # kept for the next probe
    asyncio.run(probe.close())

    app_probe = world.client.app.state.page_probe
    first = world.page(code, key)
    assert first.status_code == 200 and app_probe._idle        # the app's own probe answered it
    app_probe._busy = app_probe.size                           # every connection in use
    try:
        again = world.page(code, key)
    finally:
        app_probe._busy = 0
    assert again.status_code == 200 and again.content == first.content
