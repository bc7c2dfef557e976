"""Online submission through the real server (SQLite and PostgreSQL) and a real desk: the
citizen starts from the catalogue, fills the e-form, sends a phone photo of a paper (plain
form and resumable pieces), submits; the counter pulls it by sync, reads the clean PDF,
accepts; the citizen's page shows the electronic receipt. Also: a supplement asked before
acceptance and answered on the page; a refusal; the counter's rules for the e-form; hostile
uploads; a killed upload resumed."""

from __future__ import annotations

import io
import re

import httpx
import pypdfium2
import pytest
from PIL import Image

from desk_app.domain import lifecycle
from desk_app.domain.dossier import EventKind, Status
from desk_app.services import auth, online, sync
from desk_app.storage import repositories as repo
from tests.central_server import kit
from tests.central_server.conftest import BACKENDS, database_url
from tests.central_server.online import photosim
from tests.sync import desks

PROC = "1.001193"   # birth registration: takes online submissions in the small catalogue


@pytest.fixture(scope="module", params=BACKENDS)
def shared_server(request, tmp_path_factory):
    """One server per backend for the module, its per-client limit on the e-form lifted: every
    test here posts from the same address (the limit has its own test)."""
    tmp = tmp_path_factory.mktemp("online-server")
    server = kit.ServerProcess(database_url(request.config, tmp, request.param), tmp, env={
        "DESK_SERVER_WEB_ONLINE_RATE_PER_SECOND": "1000", "DESK_SERVER_WEB_ONLINE_BURST": "1000"}).start()
    server.backend = request.param
    yield server
    server.stop()


@pytest.fixture
def counter(shared_server, tmp_path):
    agency = kit.new_agency()
    ctx = desks.enrolled_desk(tmp_path, shared_server, "quay-" + agency, agency, ["MOTCUA"])
    ctx.agency = agency
    ctx.clerk_user = auth.login(ctx, "tiepnhan", desks.PASSWORD)
    report = sync.sync_once(ctx)  # publishes the profile (the counter unit) and the catalogue
    assert report.catalogue_sent
    yield ctx
    ctx.db.dispose()


class Citizen:
    """A phone's browser without JavaScript: plain forms, redirects followed by hand."""

    def __init__(self, server):
        self.base = server.url
        self.http = httpx.Client(base_url=server.url, timeout=60, headers={"Origin": server.url})

    def start(self, agency: str, code: str = PROC) -> str:
        r = self.http.post("/nop/%s/%s" % (agency, code))
        assert r.status_code == 303, r.text
        self.draft = r.headers["location"].split("?")[0]
        page = self.http.get(self.draft)
        assert page.status_code == 200
        self.token = re.search(r'name="token" value="([0-9a-f]+)"', page.text).group(1)
        return page.text

    def post(self, fields: dict, files: list | None = None) -> httpx.Response:
        return self.http.post(self.draft, data={"token": self.token, **fields}, files=files or [])


def owner_fields(**over) -> dict:
    fields = {"applicant_type": "individual", "owner.name": "Nguyễn Thị Hoa", "owner.id_kind": "cccd",
              "owner.id_number": "038190000123", "owner.birth_date": "12/03/1990", "owner.gender": "female",
              "owner.phone": "0912345678", "owner.email": "", "owner.address": "12 Lê Lợi, phường Hạc Thành"}
    fields.update(over)
    return fields


def photo(seed: int = 1) -> bytes:
    shot = photosim.photograph(photosim.paper_page(seed), seed=seed, sensor=(1600, 1200))
    return shot.jpeg if hasattr(shot, "jpeg") else shot[0]


def test_submit_online_accept_at_the_counter_and_the_receipt_appears(shared_server, counter):
    citizen = Citizen(shared_server)
    text = citizen.start(counter.agency)
    assert "Tờ khai đăng ký khai sinh theo mẫu" in text and "Giấy chứng sinh" in text
    # the counter's rules and words: a name with digits, a bad date, no papers
    r = citizen.post({**owner_fields(**{"owner.birth_date": "31/02/1990"}), "action": "submit"})
    assert r.status_code == 422
    assert "Thiếu thành phần bắt buộc" in r.text
    # two papers, one photo each (plain multipart form), then submit
    r = citizen.post(owner_fields(action="save"), files=[("c0", ("to-khai.jpg", photo(1), "image/jpeg")),
                                                         ("c1", ("chung-sinh.jpg", photo(2), "image/jpeg"))])
    assert r.status_code == 303, r.text
    page = citizen.http.get(citizen.draft).text
    assert page.count("1 trang") == 2 and "Nguyễn Thị Hoa" in page  # typed fields kept in the draft
    r = citizen.post({**owner_fields(), "action": "submit"})
    assert r.status_code == 303, r.text
    link = r.headers["location"]
    code = re.match(r"/h/([^?]+)\?k=([^&]+)", link).group(1)
    page = citizen.http.get(link).text
    assert "chờ tiếp nhận" in page.lower() and "Sẽ hẹn khi cán bộ tiếp nhận" in page
    # the draft's link now leads to the dossier
    assert citizen.http.get(citizen.draft).headers["location"].startswith("/h/" + code)

    # the counter pulls it like any other dossier
    sync.sync_once(counter)
    queue = online.queue(counter, counter.clerk_user)
    assert [s.code for s in queue] == [code]
    sub = online.details(counter, counter.clerk_user, code)
    assert sub.owner_name == "Nguyễn Thị Hoa" and len(sub.files) == 2
    pdf = online.file_path(counter, counter.clerk_user, code, sub.files[0].sha256)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and b"Exif" not in data and b"GPS" not in data
    doc = pypdfium2.PdfDocument(data)
    assert len(doc) == 1
    doc.close()
    with counter.db.session(write=False) as s:
        assert lifecycle.judge_row(repo.dossier_by_code(s, code), counter.clock(),
                                   counter.clock()) is lifecycle.Verdict.WAITING

    result = online.accept(counter, counter.clerk_user, code)
    assert result.status is Status.RECEIVED and result.due_at >= counter.clock().replace(microsecond=0)
    sync.sync_once(counter)
    page = citizen.http.get(link).text
    assert "Giấy tiếp nhận hồ sơ và hẹn trả kết quả (điện tử)" in page
    assert "Tờ khai đăng ký khai sinh theo mẫu" in page
    assert online.queue(counter, counter.clerk_user) == []


def test_supplement_before_acceptance_is_answered_on_the_page(shared_server, counter):
    citizen = Citizen(shared_server)
    citizen.start(counter.agency)
    citizen.post(owner_fields(action="save"), files=[("c0", ("a.jpg", photo(3), "image/jpeg")),
                                                     ("c1", ("b.jpg", photo(4), "image/jpeg"))])
    link = citizen.post({**owner_fields(), "action": "submit"}).headers["location"]
    code, key = re.match(r"/h/([^?]+)\?k=([^&]+)", link).groups()
    sync.sync_once(counter)
    online.ask_for_papers(counter, counter.clerk_user, code, "Giấy chứng sinh chụp mờ",
                          ["Giấy chứng sinh (chụp rõ cả hai mặt)"])
    sync.sync_once(counter)
    page = citizen.http.get(link).text
    assert "Giấy chứng sinh (chụp rõ cả hai mặt)" in page and "/bo-sung" in page
    form_token = re.search(r'name="token" value="([0-9a-f]+)"', page).group(1)
    r = citizen.http.post("/h/%s/bo-sung" % code, data={"k": key, "token": form_token, "text": "Đã chụp lại"},
                          files=[("files", ("cs.jpg", photo(5), "image/jpeg"))])
    assert r.status_code == 303 and "ok=supplement" in r.headers["location"]
    sync.sync_once(counter)
    sub = online.details(counter, counter.clerk_user, code)
    assert sub.stage == lifecycle.Stage.ONLINE.value          # back in the queue
    assert [f.supplement for f in sub.files] == [False, False, True]
    online.refuse(counter, counter.clerk_user, code, ["Giấy chứng sinh không hợp lệ"])
    sync.sync_once(counter)
    page = citizen.http.get(link).text
    assert "không được tiếp nhận" in page.lower()


def test_hostile_uploads_are_refused_and_the_draft_survives(shared_server, counter):
    citizen = Citizen(shared_server)
    citizen.start(counter.agency)
    zip_png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64 + b"PK\x05\x06" + b"\x00" * 18
    r = citizen.post(owner_fields(action="save"), files=[("c0", ("../../x.pdf", b"%PDF-1.4 garbage", "application/pdf")),
                                                         ("c1", ("a.png", zip_png, "image/png"))])
    assert r.status_code == 422
    assert "x.pdf" in r.text and "../" not in r.text
    page = citizen.http.get(citizen.draft).text
    assert page.count("Chưa có tệp.") == 3 and "Nguyễn Thị Hoa" in page
    # a wrong draft token or a foreign origin changes nothing
    r = citizen.http.post(citizen.draft, data={"token": "0" * 40, "action": "save", "owner.name": "X"})
    assert r.status_code == 403
    r = httpx.post(citizen.base + citizen.draft, headers={"Origin": "https://evil.example"},
                   data={"token": citizen.token, "owner.name": "X"}, timeout=30)
    assert r.status_code == 403
    assert "Nguyễn Thị Hoa" in citizen.http.get(citizen.draft).text


def test_resumable_upload_resumes_where_it_stopped(shared_server, counter):
    citizen = Citizen(shared_server)
    citizen.start(counter.agency)
    data = photo(6)
    h = {"X-Draft-Token": citizen.token}
    raw = {**h, "Content-Type": "application/octet-stream"}
    start = citizen.http.post(citizen.draft + "/tai-len", json={"component": 1, "size": len(data), "name": "cs.jpg"},
                              headers=h).json()
    piece, uid = start["piece"], start["id"]
    first = citizen.http.put(citizen.draft + "/tai-len/%s?offset=0" % uid, content=data[:piece], headers=raw)
    assert first.json() == {"offset": piece, "done": False}
    # the connection dropped: the phone asks where the server stands and goes on from there
    offset = int(citizen.http.head(citizen.draft + "/tai-len/" + uid).headers["upload-offset"])
    assert offset == piece
    stale = citizen.http.put(citizen.draft + "/tai-len/%s?offset=0" % uid, content=data[:piece], headers=raw)
    assert stale.status_code == 409 and stale.json()["offset"] == piece
    resent = 0
    while offset < len(data):
        chunk = data[offset:offset + piece]
        resent += len(chunk)
        r = citizen.http.put(citizen.draft + "/tai-len/%s?offset=%d" % (uid, offset), content=chunk, headers=raw)
        assert r.status_code == 200, r.text
        offset = r.json()["offset"]
    assert r.json()["done"] and r.json()["file"]["pages"] == 1
    assert resent == len(data) - piece          # nothing before the cut was sent twice
    assert citizen.http.get(citizen.draft).text.count("1 trang") == 1


def test_the_counters_online_tab_takes_a_submission_with_one_key(shared_server, counter, qtbot, monkeypatch):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox
    from desk_app.ui.online.panel import OnlinePanel
    from desk_app.ui.tasks import TaskRunner
    citizen = Citizen(shared_server)
    citizen.start(counter.agency)
    citizen.post(owner_fields(action="save"), files=[("c0", ("a.jpg", photo(7), "image/jpeg")),
                                                     ("c1", ("b.jpg", photo(8), "image/jpeg"))])
    link = citizen.post({**owner_fields(), "action": "submit"}).headers["location"]
    code = re.match(r"/h/([^?]+)", link).group(1)
    sync.sync_once(counter)
    shown = []
    panel = OnlinePanel(counter, counter.clerk_user, TaskRunner(synchronous=True), preview=shown.append)
    qtbot.addWidget(panel)
    panel.show()
    panel.activateWindow()
    qtbot.waitActive(panel)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    assert "Nguyễn Thị Hoa" in panel.form.toPlainText() and panel.files.count() == 2
    import os
    if os.environ.get("DESK_SCREENSHOTS"):
        panel.resize(1366, 700)
        qtbot.wait(200)
        panel.grab().save(os.path.join(os.environ["DESK_SCREENSHOTS"], "online_queue.png"))
    panel.files.setFocus()
    qtbot.keyClick(panel.files, Qt.Key.Key_Return)        # the paper's clean PDF opens
    qtbot.waitUntil(lambda: len(shown) == 1)
    assert shown[0].read_bytes().startswith(b"%PDF")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    panel.table.setFocus()
    qtbot.waitUntil(panel.table.hasFocus)
    qtbot.keyClick(panel.table, Qt.Key.Key_F2)             # F2 accepts, whatever has focus in the tab
    qtbot.waitUntil(lambda: panel.model.rowCount() == 0)
    with counter.db.session(write=False) as s:
        assert repo.dossier_by_code(s, code).stage == lifecycle.Stage.RECEIVED.value


def test_a_photo_of_the_id_card_fills_the_owner(shared_server, counter):
    from desk_app.domain.scan_payloads import parse_id_card_qr
    citizen = Citizen(shared_server)
    citizen.start(counter.agency)
    card, text = photosim.id_card(3)
    expected = parse_id_card_qr(text)
    shot = photosim.photograph(card, seed=3, sensor=(1600, 1200), orientation=1, fill=0.6)
    r = citizen.post({"action": "save"}, files=[("idcard", ("cccd.jpg", shot.jpeg, "image/jpeg"))])
    assert r.status_code == 303 and "ok=card" in r.headers["location"], r.text
    page = citizen.http.get(citizen.draft).text
    assert expected.name in page and expected.id_number in page
    assert expected.birth_date.strftime("%d/%m/%Y") in page
    # an unreadable card says so and keeps the draft
    r = citizen.post({"action": "save", "owner.name": "Lê Văn Tâm"},
                     files=[("idcard", ("x.jpg", photo(9), "image/jpeg"))])
    assert r.status_code == 422 and "Không đọc được mã QR" in r.text


def test_the_citizen_is_told_by_email_when_submitted_and_when_accepted(server_factory, tmp_path):
    from tests.central_server.test_zalo import Mailbox
    box = Mailbox()
    try:
        server = server_factory("sqlite", env={
            "DESK_SERVER_SMTP_HOST": "127.0.0.1", "DESK_SERVER_SMTP_PORT": str(box.port),
            "DESK_SERVER_SMTP_FROM": "motcua@example.vn", "DESK_SERVER_NOTIFY_POLL_SECONDS": "0.2"})
        agency = kit.new_agency()
        ctx = desks.enrolled_desk(tmp_path, server, "quay-" + agency, agency, ["MOTCUA"])
        clerk = auth.login(ctx, "tiepnhan", desks.PASSWORD)
        sync.sync_once(ctx)
        citizen = Citizen(server)
        citizen.start(agency)
        fields = owner_fields(**{"owner.email": "hoa.nguyen@example.vn"})
        citizen.post({**fields, "action": "save"}, files=[("c0", ("a.jpg", photo(51), "image/jpeg")),
                                                          ("c1", ("b.jpg", photo(52), "image/jpeg"))])
        link = citizen.post({**fields, "action": "submit"}).headers["location"]
        code = re.match(r"/h/([^?]+)", link).group(1)
        import time
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not box.messages:
            time.sleep(0.2)
        assert [m["To"] for m in box.messages] == ["hoa.nguyen@example.vn"]
        assert code in box.messages[0]["Subject"]
        assert "chờ tiếp nhận" in box.messages[0].get_content()
        sync.sync_once(ctx)
        online.accept(ctx, clerk, code)
        sync.sync_once(ctx)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(box.messages) < 2:
            time.sleep(0.2)
        assert len(box.messages) == 2
        assert "Hẹn trả kết quả" in box.messages[1].get_content()
        ctx.db.dispose()
    finally:
        box.stop()


def test_hostile_text_in_the_e_form_is_kept_clean_or_refused(shared_server, counter):
    """NUL, lone surrogates, control characters, huge values, odd Unicode in every field: the
    server answers a page (never a 500), and what it keeps is clean text."""
    from hypothesis import HealthCheck, given, settings, strategies as st
    citizen = Citizen(shared_server)
    citizen.start(counter.agency)
    names = ["owner.name", "owner.id_number", "owner.birth_date", "owner.phone", "owner.email",
             "owner.address", "notes", "applicant_type", "owner.id_kind", "submitter_differs"]
    text = st.one_of(st.text(max_size=40), st.sampled_from(["\x00", "\ud800", "A\u0000B", "9" * 5000, "NaN",
                                                            "<script>x</script>", "../../etc", "\u202e"]))

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.dictionaries(st.sampled_from(names), text, max_size=6))
    def post(fields):
        body = {k: v.encode("utf-8", "surrogatepass").decode("utf-8", "replace") for k, v in fields.items()}
        r = citizen.post({**body, "action": "submit"})
        assert r.status_code in (303, 422), r.text[:500]
        page = citizen.http.get(citizen.draft)
        assert page.status_code in (200, 303)
        assert "<script>x" not in page.text
    post()
    db = shared_server.database()
    try:
        from central_server.models import OnlineDraft
        with db.session(write=False) as s:
            for d in s.query(OnlineDraft).all():
                for v in (d.fields or {}).values():
                    assert "\x00" not in v and len(v) <= 500
    finally:
        db.dispose()


def test_a_client_that_posts_the_e_form_too_fast_is_slowed_in_words(server_factory, backend, tmp_path):
    """The e-form's saves and submits are limited per client: past the burst, a 429 page in
    Vietnamese says how long to wait; the draft is still there afterwards."""
    server = server_factory(backend, env={"DESK_SERVER_WEB_ONLINE_RATE_PER_SECOND": "0.2",
                                          "DESK_SERVER_WEB_ONLINE_BURST": "4"})
    agency = kit.new_agency()
    ctx = desks.enrolled_desk(tmp_path, server, "quay-" + agency, agency, ["MOTCUA"])
    try:
        sync.sync_once(ctx)
        citizen = Citizen(server)
        citizen.start(agency)
        codes = [citizen.post({**owner_fields(), "action": "save"}).status_code for _ in range(8)]
        assert codes.count(429) >= 3 and set(codes) <= {303, 429}, codes
        r = citizen.post({**owner_fields(), "action": "save"})
        assert r.status_code == 429 and "Quá nhiều yêu cầu" in r.text and "giây" in r.text
        assert int(r.headers["retry-after"]) >= 1
        page = citizen.http.get(citizen.draft)
        assert page.status_code == 200 and "Nguyễn Thị Hoa" in page.text   # the saves that passed are kept
    finally:
        ctx.db.dispose()


def _submitted(server, counter) -> tuple[str, str, Citizen]:
    """A citizen's submission, pulled by the counter: (code, link, the citizen)."""
    citizen = Citizen(server)
    citizen.start(counter.agency)
    citizen.post(owner_fields(action="save"), files=[("c0", ("a.jpg", photo(9), "image/jpeg")),
                                                     ("c1", ("b.jpg", photo(10), "image/jpeg"))])
    link = citizen.post({**owner_fields(), "action": "submit"}).headers["location"]
    sync.sync_once(counter)
    return re.match(r"/h/([^?]+)", link).group(1), link, citizen


def _on_server(server, code: str) -> tuple[str, int, str]:
    """The server's state of the dossier: (stage, status, origin desk)."""
    from central_server.models import DossierState
    db = server.database()
    try:
        with db.session(write=False) as s:
            row = s.get(DossierState, code)
            return row.stage, row.status, row.origin_desk
    finally:
        db.dispose()


def test_the_counter_records_a_withdrawal_asked_before_its_check(shared_server, counter):
    """The citizen asks at the counter (or by phone) to withdraw a submission not accepted yet: no
    desk received it (its origin is the web), yet the server keeps the counter desk's withdrawal;
    it was refused as not the receiving desk's, and the desk's row went back to waiting."""
    code, link, citizen = _submitted(shared_server, counter)
    assert _on_server(shared_server, code) == (lifecycle.Stage.ONLINE.value, Status.SUBMITTED_ONLINE.value,
                                               "web:" + counter.agency)
    from desk_app.services import workflow
    workflow.withdraw(counter, counter.clerk_user, code, "Công dân gọi điện xin rút hồ sơ")
    report = sync.sync_once(counter)
    assert (report.conflicts, report.refused, report.warnings) == (0, 0, [])
    assert _on_server(shared_server, code)[:2] == (lifecycle.Stage.ONLINE_CLOSED.value, Status.WITHDRAWN.value)
    sync.sync_once(counter)   # and the desk's row stays so after its pull
    with counter.db.session(write=False) as s:
        row = repo.dossier_by_code(s, code)
        assert (row.stage, row.status) == (lifecycle.Stage.ONLINE_CLOSED.value, Status.WITHDRAWN.value)
        assert row.processing_seconds is None   # never received: no processing time
    assert online.queue(counter, counter.clerk_user) == []
    page = citizen.http.get(link).text
    assert "Nộp trực tuyến lúc" in page and "Tiếp nhận lúc" not in page


def test_only_the_agencys_counter_desks_may_withdraw_a_submission_not_accepted(shared_server, counter):
    """As an attacker sees it: a department's desk, a supervisor's desk (it sees the agency) and
    another agency's counter may not withdraw a submission waiting for the check; another counter
    desk of the agency may. Once a desk accepted it, only that desk may; ended before the check,
    no one may."""
    from central_server.settings import vn_now
    from tests.central_server.wire import WireDesk
    agency = counter.agency
    other_counter = WireDesk(shared_server, "c2-" + agency, agency, ["MOTCUA"])
    dept = WireDesk(shared_server, "stp-" + agency, agency, ["STP"])
    boss = WireDesk(shared_server, "ld-" + agency, agency, ["STP"], scope="agency")
    foreign = kit.new_agency()
    stranger = WireDesk(shared_server, "c-" + foreign, foreign, ["MOTCUA"])

    def withdraw(desk, code, unit=None) -> httpx.Response:
        return desk.push([desk.event(code, "withdrawn", {"reason": "Công dân xin rút"}, at=vn_now(), unit=unit)])

    def forbidden(r: httpx.Response) -> None:
        assert r.status_code == 403, r.text
        assert r.json()["error"] == "forbidden" and r.json()["events"][0]["reason"]

    waiting, _, _ = _submitted(shared_server, counter)
    forbidden(withdraw(dept, waiting, unit="STP"))
    forbidden(withdraw(dept, waiting))
    forbidden(withdraw(boss, waiting))
    forbidden(withdraw(stranger, waiting))
    assert _on_server(shared_server, waiting)[0] == lifecycle.Stage.ONLINE.value
    r = withdraw(other_counter, waiting)
    assert r.status_code == 200 and r.json()["results"][0]["status"] == "accepted", r.text
    assert _on_server(shared_server, waiting)[:2] == (lifecycle.Stage.ONLINE_CLOSED.value, Status.WITHDRAWN.value)

    accepted, _, _ = _submitted(shared_server, counter)
    online.accept(counter, counter.clerk_user, accepted)
    sync.sync_once(counter)
    assert _on_server(shared_server, accepted)[2] == counter.desk_id   # received by this desk now
    forbidden(withdraw(other_counter, accepted))                       # ... and by no other
    forbidden(withdraw(boss, accepted))

    refused, _, _ = _submitted(shared_server, counter)
    online.refuse(counter, counter.clerk_user, refused, ["Giấy chứng sinh không hợp lệ"])
    sync.sync_once(counter)
    assert _on_server(shared_server, refused)[0] == lifecycle.Stage.ONLINE_CLOSED.value
    forbidden(withdraw(other_counter, refused))                        # never received, no longer waiting
    assert _on_server(shared_server, refused)[:2] == (lifecycle.Stage.ONLINE_CLOSED.value, Status.REFUSED.value)
