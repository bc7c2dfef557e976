"""The sync API as an attacker sees it: each hole of issue 8 stays closed, on SQLite and PostgreSQL.

Fixtures go through the real paths (enrolment, leases, the desk's hashing); the hostile
payloads are hand-made on purpose: they are what an attacker sends.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
import uuid

import httpx
import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, insert, select

from central_server.models import CodeLease, DossierUnit, ServerEvent
from tests.central_server import kit
from tests.central_server.conftest import BACKENDS, database_url
from tests.central_server.wire import WireDesk


@pytest.fixture(scope="module", params=BACKENDS)
def shared_server(request, tmp_path_factory):
    """One server per backend for this module; it enrols many desks, so enrolment is not throttled."""
    tmp = tmp_path_factory.mktemp("adversarial-server")
    server = kit.ServerProcess(database_url(request.config, tmp, request.param), tmp,
                               env={"DESK_SERVER_ENROL_BURST": "10000", "DESK_SERVER_ENROL_RATE_PER_SECOND": "1000"})
    server.start()
    server.backend = request.param
    yield server
    server.stop()


def is_vietnamese(message: str) -> bool:
    return any(ch in message for ch in "ăâđêôơưạảấầẩậắằẳặẹẻẽếềểệịọỏốồổộớờởợụủứừửữựỳỷỹ")


def refused(r: httpx.Response, status: int = 403, error: str | None = "forbidden") -> dict:
    assert r.status_code == status, r.text
    body = r.json()
    assert is_vietnamese(body["message"]), body
    if error:
        assert body["error"] == error, body
    return body


def stored_by(server, desk_id: str) -> int:
    db = server.database()
    try:
        with db.session(write=False) as s:
            return s.scalar(select(func.count()).select_from(ServerEvent).where(ServerEvent.desk == desk_id))
    finally:
        db.dispose()


def units_of(server, code: str) -> set[str]:
    db = server.database()
    try:
        with db.session(write=False) as s:
            return set(s.scalars(select(DossierUnit.unit).where(DossierUnit.dossier_code == code)))
    finally:
        db.dispose()


# -- 1. concern, not only agency ------------------------------------------------------------
def test_a_department_neither_writes_nor_reads_a_dossier_not_sent_to_it(shared_server):
    agency = kit.new_agency()
    counter = WireDesk(shared_server, "c-" + agency, agency, ["MOTCUA"])
    dept = WireDesk(shared_server, "s-" + agency, agency, ["STP"])
    code = counter.new_code()
    assert counter.push([counter.received(code)]).json()["results"][0]["status"] == "accepted"
    for kind, payload in [("note", {"note": "xem trộm"}), ("assigned", {"to": "x"}),
                          ("arrived", {}), ("rated", {"stars": 1})]:
        body = refused(dept.push([dept.event(code, kind, payload, unit="STP")]))
        assert [e["id"] for e in body["events"]] and is_vietnamese(body["events"][0]["reason"])
    assert stored_by(shared_server, dept.id) == 0
    assert units_of(shared_server, code) == {"MOTCUA"}  # the refusals made no one "involved"
    events, conflicts, _ = dept.pull_all()
    assert [e for e in events + [c["event"] for c in conflicts] if e["dossier_code"] == code] == []
    # sent to the department: now it may act, and it gets the history from the intake on
    counter.push([counter.event(code, "transferred", {"from_unit": "MOTCUA", "to_unit": "STP"})])
    assert dept.push([dept.event(code, "arrived", {}, unit="STP")]).json()["results"][0]["status"] == "accepted"
    assert [e["kind"] for e in dept.pull_all()[0] if e["dossier_code"] == code] == ["received", "transferred"]


def test_key_replacement_and_withdrawal_belong_to_the_receiving_counter(shared_server):
    agency = kit.new_agency()
    counter = WireDesk(shared_server, "c-" + agency, agency, ["MOTCUA"])
    other_counter = WireDesk(shared_server, "c2-" + agency, agency, ["MOTCUA"])
    boss = WireDesk(shared_server, "ld-" + agency, agency, ["LANHDAO"], scope="agency")
    code = counter.new_code()
    counter.push([counter.received(code, key="k" * 22)])
    thief_key = hashlib.sha256(b"x" * 22).hexdigest()
    for desk in (other_counter, boss):
        refused(desk.push([desk.event(code, "key_replaced", {"key_sha256": thief_key})]))
        refused(desk.push([desk.event(code, "receipt_printed", {"file": "x.pdf", "key_sha256": thief_key})]))
        refused(desk.push([desk.event(code, "withdrawn", {"reason": "rút hộ"})]))
    # what they may do: the other counter holds it too (same unit), the supervisor sees the agency
    assert other_counter.push([other_counter.event(code, "note", {"note": "ok"})]).status_code == 200
    assert boss.push([boss.event(code, "note", {"note": "ok"})]).status_code == 200
    own = counter.push([counter.event(code, "key_replaced", {"key_sha256": hashlib.sha256(b"n" * 22).hexdigest()})])
    assert own.json()["results"][0]["status"] == "accepted"
    lookup = httpx.get(shared_server.url + "/api/v1/public/dossiers/" + code, params={"k": "x" * 22})
    assert lookup.status_code == 404


def test_a_received_only_on_the_desks_own_leased_numbers(shared_server):
    agency = kit.new_agency()
    mine = WireDesk(shared_server, "c-" + agency, agency, ["MOTCUA"])
    theirs = WireDesk(shared_server, "c2-" + agency, agency, ["MOTCUA"])
    their_code = theirs.new_code()   # leased to the other desk, not used yet
    refused(mine.push([mine.received(their_code)]))
    assert theirs.push([theirs.received(their_code)]).json()["results"][0]["status"] == "accepted"
    # a number far ahead of the leases cannot be pre-empted either (it would take the whole day)
    from central_server.settings import vn_now
    from desk_app.domain.codes import format_dossier_code
    refused(mine.push([mine.received(format_dossier_code(agency, vn_now().date(), 9999))]))
    assert stored_by(shared_server, mine.id) == 0


def test_leases_are_limited_per_desk_and_day(shared_server):
    agency = kit.new_agency()
    greedy = WireDesk(shared_server, "g-" + agency, agency, ["MOTCUA"])
    other = WireDesk(shared_server, "o-" + agency, agency, ["MOTCUA"])
    got = 0
    for _ in range(30):
        r = greedy.lease(500)
        if r.status_code != 201:
            break
        got += r.json()["last"] - r.json()["first"] + 1
    body = refused(r, 429, "lease_limit")
    assert got == 2000 == body["limit"]  # the default allowance, of the day's 9,999
    r = other.lease(500)
    assert r.status_code == 201 and r.json()["first"] == 2001


# -- 3. enrolment takeover -------------------------------------------------------------------
def test_a_plain_enrolment_code_cannot_take_an_enrolled_desk_over(shared_server):
    agency = kit.new_agency()
    victim = WireDesk(shared_server, "v-" + agency, agency, ["MOTCUA"])
    code = shared_server.enrolment_code(agency, ["MOTCUA"])
    r = httpx.post(shared_server.url + "/api/v1/enrol", json={"code": code, "desk_id": victim.id})
    refused(r, 409, "desk_exists")
    assert victim.request("GET", "/me").status_code == 200   # the real desk is not cut off
    fresh = httpx.post(shared_server.url + "/api/v1/enrol", json={"code": code, "desk_id": "new-" + agency})
    assert fresh.status_code == 200  # the refusal did not use the code up
    # the admin re-admits the desk by name: only that code, only for that desk
    readmit = shared_server.enrolment_code(agency, ["MOTCUA"], readmit=victim.id)
    other = httpx.post(shared_server.url + "/api/v1/enrol", json={"code": readmit, "desk_id": "new-" + agency})
    refused(other, 409, "readmit_other_desk")
    again = httpx.post(shared_server.url + "/api/v1/enrol", json={"code": readmit, "desk_id": victim.id})
    assert again.status_code == 200
    assert victim.request("GET", "/me").status_code == 401  # the old token is replaced
    assert shared_server.admin("POST", "/admin/enrolment-codes", json={
        "desk_name": "x", "agency_code": agency, "units": ["MOTCUA"], "readmit_desk_id": "nobody"}).status_code == 404


# -- 4. hostile values -------------------------------------------------------------------------
def _raw(desk: WireDesk, e: dict, replace: dict[str, str]) -> bytes:
    text = json.dumps({"events": [e]}, ensure_ascii=True, allow_nan=True)
    for old, new in replace.items():
        assert old in text, (old, text)
        text = text.replace(old, new)
    return text.encode("utf-8")


HOSTILE = {
    "nan": ({"v": "MARK"}, {'"MARK"': "NaN"}),
    "infinity": ({"v": "MARK"}, {'"MARK"': "Infinity"}),
    "minus-infinity": ({"v": ["MARK"]}, {'"MARK"': "-Infinity"}),
    "surrogate-value": ({"v": {"w": "MARK"}}, {"MARK": "\\ud800"}),
    "surrogate-key": ({"MARK": 1}, {"MARK": "\\udfff"}),
    "nul-value": ({"v": "MARK"}, {"MARK": "a\\u0000b"}),
    "nul-key": ({"MARK": 1}, {"MARK": "\\u0000"}),
    "huge-int": ({"v": "MARK"}, {'"MARK"': str(2 ** 64)}),
    "giant-int": ({"v": "MARK"}, {'"MARK"': "9" * 5000}),
    "year-1-in-payload": ({"due_at": "0001-01-01T00:00:00"}, {}),
    "year-9999-in-payload": ({"due_at": "9999-12-31T23:59:59"}, {}),
    "aware-in-payload": ({"due_at": "2026-12-01T08:00:00+07:00"}, {}),
    "nested-deep": ({"v": "MARK"}, {'"MARK"': "[" * 5000 + "]" * 5000}),
}
FIELD_HOSTILE = {
    "actor-nul": ("actor", "\\u0000"),
    "actor-surrogate": ("actor", "\\ud83d"),
    "desk-time-year-1": ("desk_time", "0001-01-01T00:00:00"),
    "desk-time-year-9999": ("desk_time", "9999-12-31T23:59:59"),
    "desk-time-aware": ("desk_time", "2026-12-01T08:00:00+07:00"),
    "desk-time-aware-year-1": ("desk_time", "0001-01-01T00:00:00+07:00"),
    "unit-nul": ("unit", "MOTCUA\\u0000"),
    "desk-surrogate": ("desk", "q\\udc00"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE) + sorted(FIELD_HOSTILE))
def test_hostile_values_get_a_json_4xx_and_are_never_stored(shared_server, name):
    agency = kit.new_agency()
    desk = WireDesk(shared_server, "h-" + agency, agency, ["MOTCUA"])
    code = desk.new_code()
    assert desk.push([desk.received(code)]).status_code == 200
    if name in HOSTILE:
        payload, replace = HOSTILE[name]
        body = _raw(desk, desk.event(code, "note", payload), replace)
    else:
        field, value = FIELD_HOSTILE[name]
        e = desk.event(code, "note", {"note": "x"})
        e[field] = "MARK"
        body = _raw(desk, e, {'"MARK"': '"%s"' % value})
    r = desk.request("POST", "/events", content=body, headers={"Content-Type": "application/json"})
    assert 400 <= r.status_code < 500, r.text
    assert is_vietnamese(r.json()["message"]), r.text
    assert stored_by(shared_server, desk.id) == 1  # only the intake
    assert desk.request("GET", "/events").status_code == 200


def test_raw_utf8_surrogates_and_hostile_query_values_are_refused(shared_server):
    agency = kit.new_agency()
    desk = WireDesk(shared_server, "q-" + agency, agency, ["MOTCUA"])
    code = desk.new_code()
    e = desk.received(code)
    body = json.dumps({"events": [e]}, ensure_ascii=False).encode().replace(b"Nhung", b"Nh\xed\xa0\x80ng")
    refused(desk.request("POST", "/events", content=body, headers={"Content-Type": "application/json"}),
            400, "hostile_value")
    for after in (2 ** 63, 2 ** 64, -1, "9" * 40, "NaN"):
        refused(desk.request("GET", "/events", params={"after": after}), 422, "invalid_request")
    for bad in ("%00", code + "%00", "%ED%A0%80", "x" * 500):
        r = httpx.get(shared_server.url + "/api/v1/public/dossiers/" + bad, params={"k": "k" * 22})
        assert r.status_code == 404 and r.json()["error"] == "not_found", r.text
    r = shared_server.admin("POST", "/admin/desks/a%00b/revoke")
    assert r.status_code == 422, r.text
    assert stored_by(shared_server, desk.id) == 0


def test_no_stored_value_can_break_a_pull_page(shared_server):
    """Values kept before the server refused them (or written by hand) still make a page."""
    agency = kit.new_agency()
    counter = WireDesk(shared_server, "c-" + agency, agency, ["MOTCUA"])
    boss = WireDesk(shared_server, "ld-" + agency, agency, ["LANHDAO"], scope="agency")
    code = counter.new_code()
    counter.push([counter.received(code)])
    db = shared_server.database()
    bad_payloads = [{"v": "\ud800", "w": "a\x00b"}]
    if shared_server.backend == "sqlite":  # PostgreSQL's json type never held a NaN
        bad_payloads += [{"v": float("nan")}, {"v": float("inf"), "n": [float("-inf")]}]
    with db.session() as s:
        top = s.scalar(select(func.max(ServerEvent.server_seq)))
        from central_server.models import Counter
        for i, payload in enumerate(bad_payloads, 1):
            s.execute(insert(ServerEvent).values(
                server_seq=top + i, id=str(uuid.uuid4()), dossier_code=code, agency_code=agency, kind="note",
                payload=payload, actor="x", desk=counter.id, desk_time=__import__("datetime").datetime(2026, 12, 1),
                unit=None, prev_hash="0" * 64, hash="0" * 64, received_at=__import__("datetime").datetime(2026, 12, 1),
                accepted=True, reason=None, chain_ok=False))
        s.execute(Counter.__table__.update().values(value=top + len(bad_payloads)))
    db.dispose()
    events, _, _ = boss.pull_all()
    got = [e["payload"] for e in events if e["dossier_code"] == code and e["kind"] == "note"]
    assert len(got) == len(bad_payloads)
    assert got[0] == {"v": "\ufffd", "w": "a\ufffdb"}
    if len(got) > 1:
        assert got[1] == {"v": None} and got[2] == {"v": None, "n": [None]}


# -- 5. no payloads in logs -------------------------------------------------------------------------
def test_a_database_error_logs_and_answers_no_payload(request, tmp_path, backend, caplog, monkeypatch):
    from fastapi.testclient import TestClient
    from sqlalchemy import text

    from central_server import push as pushing
    from central_server.app import create_app
    from central_server.settings import Settings

    url = database_url(request.config, tmp_path, backend)
    app = create_app(Settings(database_url=url, data_dir=tmp_path, admin_token=kit.ADMIN_TOKEN))
    secret = "Nguyễn Bí Mật 038190099999"

    def failing(session, *args):  # as a real failure would: the statement carries the payload
        session.execute(text("INSERT INTO desks (id, name) VALUES (:id, :name)"),
                        {"id": "x", "name": json.dumps({"owner": secret}, ensure_ascii=False)})
    monkeypatch.setattr(pushing, "push", failing)   # inside the push's transaction (pushing.run)
    client = TestClient(app, raise_server_exceptions=False)
    agency = kit.new_agency()
    token = kit.enrol_in_app(client, agency, "q-" + agency)
    e = {"id": str(uuid.uuid4()), "dossier_code": agency + "-261201-0001", "kind": "note",
         "payload": {"owner": {"name": secret}}, "actor": "a", "desk": "q-" + agency,
         "desk_time": "2026-12-01T08:00:00", "unit": None, "prev_hash": "0" * 64, "hash": "0" * 64}
    with caplog.at_level(logging.DEBUG):
        r = client.post("/api/v1/events", json={"events": [e]}, headers={"Authorization": "Bearer " + token})
    assert r.status_code == 500 and r.json()["error"] == "internal_error" and is_vietnamese(r.json()["message"])
    assert secret not in r.text and "038190099999" not in r.text
    assert "central_server" in caplog.text or "Lỗi không mong đợi" in caplog.text  # it was logged...
    assert "038190099999" not in caplog.text and "Bí Mật" not in caplog.text  # ...without the data
    assert app.state.db.engine.hide_parameters
    app.state.db.dispose()


# -- 6. public lookup ----------------------------------------------------------------------------
def test_a_refused_lookup_reads_no_event_and_answers_alike(shared_server, tmp_path):
    from sqlalchemy import create_engine

    from central_server import public
    from central_server.settings import vn_now
    agency = kit.new_agency()
    counter = WireDesk(shared_server, "c-" + agency, agency, ["MOTCUA"])
    code = counter.new_code()
    key = "K" * 22
    counter.push([counter.received(code, key=key)] + [counter.event(code, "note", {"note": str(i)})
                                                       for i in range(50)])
    statements: list[str] = []
    engine = create_engine(shared_server.database_url.replace("postgresql://", "postgresql+psycopg://"))
    sa_event.listen(engine, "before_cursor_execute", lambda c, cur, sql, *a: statements.append(sql))
    with engine.connect() as conn:
        unknown = code[:-4] + "9998"
        for c, k in ((code, "W" * 22), (unknown, "W" * 22), (code, ""), (code + "\x00", key)):
            statements.clear()
            assert public.status(conn, c, k, vn_now()) is None
            assert len(statements) == 1 and "events" not in statements[0], statements
        statements.clear()
        found = public.status(conn, code, key, vn_now())
        assert found is not None and found["code"] == code and len(statements) == 2
    engine.dispose()
    wrong = httpx.get(shared_server.url + "/api/v1/public/dossiers/" + code, params={"k": "W" * 22})
    none = httpx.get(shared_server.url + "/api/v1/public/dossiers/" + code[:-4] + "9998", params={"k": "W" * 22})
    assert wrong.status_code == none.status_code == 404 and wrong.json() == none.json()


# -- 7. proxy headers ----------------------------------------------------------------------------
def _lookups_with_spoofed_addresses(server, n: int) -> list[int]:
    codes = []
    with httpx.Client() as client:
        for i in range(n):
            r = client.get(server.url + "/api/v1/public/dossiers/000.00.00.H00-261201-0001",
                           params={"k": "k" * 22}, headers={"X-Forwarded-For": "10.%d.%d.%d" % (i, i, i)})
            codes.append(r.status_code)
    return codes


def test_a_spoofed_forwarded_for_does_not_change_who_is_counted(server_factory):
    backend = "sqlite"  # the rate limit is in memory: one backend is enough
    server = server_factory(backend, public_rate=0.001, public_burst=5)
    codes = _lookups_with_spoofed_addresses(server, 12)
    assert codes[:5] == [404] * 5 and set(codes[5:]) == {429}


def test_a_configured_proxy_is_believed(server_factory):
    backend = "sqlite"  # the rate limit is in memory: one backend is enough
    server = server_factory(backend, public_rate=0.001, public_burst=5,
                            env={"DESK_SERVER_FORWARDED_ALLOW_IPS": "127.0.0.1"})
    assert set(_lookups_with_spoofed_addresses(server, 12)) == {404}


def test_client_ip_trusts_only_configured_proxies():
    from starlette.requests import Request

    from central_server.deps import client_ip
    from central_server.settings import Settings

    def ip(peer: str, xff: str | None, trusted: str) -> str:
        app = type("App", (), {})()
        app.state = type("State", (), {"settings": Settings(forwarded_allow_ips=trusted)})()
        headers = [(b"x-forwarded-for", xff.encode())] if xff else []
        return client_ip(Request({"type": "http", "client": (peer, 1), "headers": headers, "app": app}))
    assert ip("127.0.0.1", "1.2.3.4", "") == "127.0.0.1"
    assert ip("203.0.113.9", "1.2.3.4", "10.0.0.1") == "203.0.113.9"
    assert ip("10.0.0.1", "6.6.6.6, 1.2.3.4", "10.0.0.1") == "1.2.3.4"    # the proxy's hop, not the client's
    assert ip("10.0.0.1", "1.2.3.4, 10.0.0.2", "10.0.0.1,10.0.0.2") == "1.2.3.4"


# -- 8. attachments ----------------------------------------------------------------------------
def _upload(desk: WireDesk, data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    r = desk.request("PUT", "/attachments/" + sha, params={"offset": 0, "total": len(data)}, content=data)
    assert r.status_code == 200 and r.json()["complete"], r.text
    return sha


def test_attachment_downloads_follow_the_dossier_and_the_agency(shared_server):
    agency, elsewhere = kit.new_agency(), kit.new_agency()
    counter = WireDesk(shared_server, "c-" + agency, agency, ["MOTCUA"])
    dept = WireDesk(shared_server, "s-" + agency, agency, ["STP"])
    stranger = WireDesk(shared_server, "x-" + elsewhere, elsewhere, ["MOTCUA"])
    loose = _upload(counter, os.urandom(1000))
    assert dept.request("GET", "/attachments/" + loose).status_code == 200      # same agency, attached to none
    assert stranger.request("GET", "/attachments/" + loose).status_code == 404  # another agency
    data = os.urandom(2000)
    sha = _upload(counter, data)
    code = counter.new_code()
    counter.push([counter.received(code), counter.event(code, "attachment_added",
                                                        {"filename": "cccd.jpg", "sha256": sha, "size": 2000})])
    assert dept.request("GET", "/attachments/" + sha).status_code == 404       # not its dossier
    assert stranger.request("GET", "/attachments/" + sha).status_code == 404
    counter.push([counter.event(code, "transferred", {"from_unit": "MOTCUA", "to_unit": "STP"})])
    r = dept.request("GET", "/attachments/" + sha)
    assert r.status_code == 200 and r.content == data
    for bad in (sha + "%0A", sha.upper(), sha[:-1], sha + "0"):
        assert dept.request("GET", "/attachments/" + bad).status_code in (404, 422)
        assert dept.request("HEAD", "/attachments/" + bad).status_code in (404, 422)


def test_a_wrong_declared_size_cannot_block_the_real_upload(shared_server):
    agency = kit.new_agency()
    attacker = WireDesk(shared_server, "a-" + agency, agency, ["MOTCUA"])
    desk = WireDesk(shared_server, "d-" + agency, agency, ["MOTCUA"])
    data = os.urandom(5000)
    sha = hashlib.sha256(data).hexdigest()
    r = attacker.request("PUT", "/attachments/" + sha, params={"offset": 0, "total": 99_999}, content=data[:100])
    assert r.status_code == 200 and not r.json()["complete"]
    # the same desk's own wrong first try does not block it either: a fresh start at 0
    r = desk.request("PUT", "/attachments/" + sha, params={"offset": 0, "total": 7}, content=b"1234")
    assert r.status_code == 200
    r = desk.request("PUT", "/attachments/" + sha, params={"offset": 0, "total": len(data)}, content=data)
    assert r.status_code == 200 and r.json()["complete"], r.text
    assert desk.request("GET", "/attachments/" + sha).content == data


def test_abandoned_partial_uploads_are_cleaned_up(tmp_path):
    from central_server.blobs import BlobStore
    store = BlobStore(tmp_path, part_max_age=3600)
    old = store.put("a" * 64, 0, 10, b"12345", 100, owner="q1")
    fresh = store.put("b" * 64, 0, 10, b"12345", 100, owner="q1")
    assert not old.complete and not fresh.complete
    past = time.time() - 7200
    for f in store.part("a" * 64, "q1"), store.part("a" * 64, "q1").with_suffix(".size"):
        os.utime(f, (past, past))
    assert store.clean_abandoned() == 2
    assert store.state("a" * 64, "q1") is None and store.state("b" * 64, "q1").offset == 5


# -- 9. the hash chain and leasing, once ------------------------------------------------------------
def test_the_desk_and_the_server_hash_and_lease_with_the_domains_functions():
    from datetime import datetime
    from types import SimpleNamespace

    from central_server.push import event_hash as server_hash
    from central_server.schemas import WireEvent
    from desk_app.domain import chain, leasing
    from desk_app.storage.repositories import event_hash as desk_hash
    row = SimpleNamespace(id=str(uuid.uuid4()), dossier_code="000.00.06.H56-261201-0001", kind="note",
                          payload={"note": "Nguyễn"}, actor="a", desk="q1", desk_time=datetime(2026, 12, 1, 8),
                          unit=None)
    h = desk_hash(chain.GENESIS, row)
    wire = WireEvent(**{**vars(row), "prev_hash": chain.GENESIS, "hash": h})
    assert server_hash(chain.GENESIS, wire) == h == chain.hash_of(chain.GENESIS, row)
    assert leasing.next_block(0, 50) == (1, 50)
    assert leasing.next_block(9990, 50) == (9991, 9999)
    assert leasing.next_block(9999, 1) is None
    assert leasing.allowed_size(500, 500, 1800, 2000) == 200


# -- migrations ------------------------------------------------------------------------------------
def test_the_migrations_match_the_models(request, tmp_path, backend):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from central_server.db import ServerDatabase
    from central_server.models import Base
    from central_server.settings import Settings
    db = ServerDatabase(Settings(database_url=database_url(request.config, tmp_path, backend), data_dir=tmp_path))
    db.upgrade()
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    db.dispose()
    diff = [d for d in diff if not (d[0] == "remove_table" and d[1].name == "alembic_version_server")]
    assert diff == []
