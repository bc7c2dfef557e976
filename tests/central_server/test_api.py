"""The sync API of the real server process, on SQLite and PostgreSQL: enrolment, tokens,
push and pull, conflicts, leases, attachments, and the refusals with their 4xx answers."""

from __future__ import annotations

import hashlib
import os
import threading

import httpx
import pytest
from sqlalchemy import func, select

from central_server.models import Desk, ServerEvent
from tests.central_server import kit
from tests.central_server.wire import WireDesk


def is_vietnamese(message: str) -> bool:
    return any(ch in message for ch in "ăâđêôơưạảấầẩậắằẳặẹẻẽếềểệịọỏốồổộớờởợụủứừửữựỳỷỹ")


def test_openapi_describes_what_is_served(shared_server):
    from central_server.app import create_app
    from central_server.settings import Settings
    from fastapi.routing import APIRoute
    spec = httpx.get(shared_server.url + "/openapi.json").json()
    app = create_app(Settings(database_url="sqlite://"), migrate=False)
    # every API route the app serves (the citizen's HTML pages are left out of the schema)
    def api_routes(routes):
        for r in routes:
            if isinstance(r, APIRoute):
                yield r
            elif hasattr(r, "original_router"):  # an included router (FastAPI wraps them)
                yield from api_routes(r.original_router.routes)
    served = {(m, r.path) for r in api_routes(app.routes) if r.include_in_schema
              for m in r.methods if m != "OPTIONS"}
    described = {(m.upper(), p) for p, ops in spec["paths"].items() for m in ops}
    assert served == described
    assert {p for _, p in served if p.startswith("/api/v1/")} >= {"/api/v1/events", "/api/v1/enrol"}
    put = spec["paths"]["/api/v1/attachments/{sha256}"]["put"]
    assert "application/octet-stream" in put["requestBody"]["content"]


def test_enrolment_code_is_used_once_and_the_token_is_kept_hashed(shared_server):
    agency = kit.new_agency()
    code = shared_server.enrolment_code(agency, ["MOTCUA"], "Quầy 1")
    r = httpx.post(shared_server.url + "/api/v1/enrol", json={"code": code.lower(), "desk_id": "q1-" + agency})
    assert r.status_code == 200, r.text
    token = r.json()["token"]
    again = httpx.post(shared_server.url + "/api/v1/enrol", json={"code": code, "desk_id": "q2-" + agency})
    assert again.status_code == 403 and is_vietnamese(again.json()["message"])
    db = shared_server.database()
    with db.session(write=False) as s:
        desk = s.get(Desk, "q1-" + agency)
        assert desk.token_hash == hashlib.sha256(token.encode()).hexdigest() != token
    db.dispose()
    me = httpx.get(shared_server.url + "/api/v1/me", headers={"Authorization": "Bearer " + token})
    assert me.status_code == 200 and me.json()["units"] == ["MOTCUA"]


def test_a_code_for_another_agency_is_refused_without_being_used_up(shared_server):
    agency = kit.new_agency()
    code = shared_server.enrolment_code(agency, ["MOTCUA"])
    r = httpx.post(shared_server.url + "/api/v1/enrol",
                   json={"code": code, "desk_id": "x-" + agency, "agency_code": "000.00.99.H99"})
    assert r.status_code == 409 and r.json()["error"] == "agency_mismatch"
    r = httpx.post(shared_server.url + "/api/v1/enrol", json={"code": code, "desk_id": "x-" + agency,
                                                              "agency_code": agency})
    assert r.status_code == 200


def test_a_revoked_desk_is_refused_and_an_unknown_token_is_not_let_in(shared_server):
    agency = kit.new_agency()
    desk = WireDesk(shared_server, "rv-" + agency, agency, ["MOTCUA"])
    code = desk.new_code()
    assert desk.push([desk.received(code)]).status_code == 200
    shared_server.revoke(desk.id)
    for r in (desk.push([desk.event(code, "note", {"note": "x"})]), desk.request("GET", "/events"),
              desk.request("POST", "/code-blocks", json={"day": "2026-11-30", "size": 5,
                                                          "request_id": "6f1d2f0c-8e11-4d0f-9a53-5b1f6c1e7a39"})):
        assert r.status_code == 403, r.text
        assert r.json()["error"] == "desk_revoked" and is_vietnamese(r.json()["message"])
    nobody = httpx.get(shared_server.url + "/api/v1/events", headers={"Authorization": "Bearer nope"})
    assert nobody.status_code == 401 and nobody.json()["error"] == "unauthorized"
    assert httpx.get(shared_server.url + "/api/v1/events").status_code == 401


def test_a_desk_cannot_write_another_agencys_dossiers(shared_server):
    mine, theirs = kit.new_agency(), kit.new_agency()
    desk = WireDesk(shared_server, "a-" + mine, mine, ["MOTCUA"])
    other = WireDesk(shared_server, "b-" + theirs, theirs, ["MOTCUA"])
    their_code = other.new_code()
    assert other.push([other.received(their_code)]).json()["results"][0]["status"] == "accepted"
    own_code = desk.new_code()
    cases = [
        [desk.received(own_code), desk.received("%s-261110-0042" % theirs)],          # intake for them
        [desk.event(their_code, "note", {"note": "sửa hộ"})],                            # a step on theirs
        [desk.event(own_code, "note", {}, desk=other.id)],                               # in another's name
        [desk.event(own_code, "note", {}, unit="STP")],                                  # a unit not its own
    ]
    for batch in cases:
        r = desk.push(batch)
        assert r.status_code == 403, r.text
        body = r.json()
        assert body["error"] == "forbidden" and is_vietnamese(body["message"])
        assert body["events"] and all(is_vietnamese(e["reason"]) for e in body["events"])
    db = shared_server.database()
    with db.session(write=False) as s:  # nothing of the refused batches was kept, not even the valid part
        assert s.scalar(select(func.count()).select_from(ServerEvent).where(ServerEvent.desk == desk.id)) == 0
    db.dispose()


def test_the_same_batch_twice_and_at_once_is_kept_once(shared_server):
    agency = kit.new_agency()
    desk = WireDesk(shared_server, "d-" + agency, agency, ["MOTCUA"])
    batch = []
    for _ in range(50):
        code = desk.new_code()
        batch += [desk.received(code), desk.event(code, "note", {"note": "ghi chú"}),
                  desk.event(code, "transferred", {"to_unit": "STP"})]
    first = desk.push(batch).json()["results"]
    assert [r["status"] for r in first] == ["accepted"] * len(batch)
    seqs = [r["server_seq"] for r in first]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(desk.push(batch))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in answers:
        results = r.json()["results"]
        assert [x["server_seq"] for x in results] == seqs and all(x["duplicate"] for x in results)
    db = shared_server.database()
    with db.session(write=False) as s:
        rows = s.scalars(select(ServerEvent).where(ServerEvent.desk == desk.id)).all()
        assert len(rows) == len(batch) and all(r.chain_ok for r in rows)  # the desk's hash chain holds
    db.dispose()


def test_an_event_that_may_not_follow_is_kept_as_a_conflict_with_its_reason(shared_server):
    agency = kit.new_agency()
    counter = WireDesk(shared_server, "c-" + agency, agency, ["MOTCUA"])
    dept = WireDesk(shared_server, "s-" + agency, agency, ["STP"])
    code = counter.new_code()
    counter.push([counter.received(code), counter.event(code, "transferred", {"to_unit": "STP"})])
    r = dept.push([dept.event(code, "returned", {}, unit="STP")]).json()["results"][0]
    assert r["status"] == "conflict" and "Không thể" in r["reason"]
    again = dept.push([dept.event(code, "arrived", {}, unit="STP")]).json()["results"][0]
    assert again["status"] == "accepted"
    # both desks see the conflict; the department got the dossier's history from its intake on
    events, conflicts, _ = dept.pull_all()
    assert [e["kind"] for e in events] == ["received", "transferred"]
    assert [c["event"]["kind"] for c in conflicts] == ["returned"] and conflicts[0]["reason"] == r["reason"]
    events, conflicts, _ = counter.pull_all()
    assert [e["kind"] for e in events] == ["arrived"] and [c["event"]["kind"] for c in conflicts] == ["returned"]


def test_pull_pages_by_cursor_and_brings_the_history_of_a_dossier_sent_later(shared_server):
    agency = kit.new_agency()
    counter = WireDesk(shared_server, "c-" + agency, agency, ["MOTCUA"])
    dept = WireDesk(shared_server, "v-" + agency, agency, ["VPDKDD"])
    codes = [counter.new_code() for _ in range(30)]
    counter.push([counter.received(c) for c in codes])
    _, _, cursor = dept.pull_all()
    assert dept.pull(cursor)["events"] == []
    counter.push([counter.event(c, "transferred", {"to_unit": "VPDKDD"}) for c in codes[:7]])
    events, _, cursor2 = dept.pull_all(cursor, limit=3)
    assert cursor2 > cursor
    by_code = {}
    for e in events:
        by_code.setdefault(e["dossier_code"], []).append(e["kind"])
    assert set(by_code) == set(codes[:7])
    assert all(kinds == ["received", "transferred"] for kinds in by_code.values())
    assert len(events) == len({e["id"] for e in events}) == 14


def test_code_blocks_never_overlap_and_a_retry_gets_the_same_block(shared_server):
    from central_server.settings import vn_now
    agency = kit.new_agency()
    a = WireDesk(shared_server, "la-" + agency, agency, ["MOTCUA"])
    b = WireDesk(shared_server, "lb-" + agency, agency, ["MOTCUA"])
    day = vn_now().date().isoformat()
    blocks, answers = [], []
    ids = [str(__import__("uuid").uuid4()) for _ in range(10)]

    def lease(desk, rid):
        answers.append(desk.request("POST", "/code-blocks", json={"day": day, "size": 20, "request_id": rid}))
    threads = [threading.Thread(target=lease, args=(a if i % 2 else b, rid)) for i, rid in enumerate(ids)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in answers:
        assert r.status_code == 201, r.text
        blocks.append((r.json()["first"], r.json()["last"]))
    numbers = [n for first, last in blocks for n in range(first, last + 1)]
    assert len(numbers) == len(set(numbers)) == 200
    retry = a.request("POST", "/code-blocks", json={"day": day, "size": 20, "request_id": ids[1]}).json()
    assert (retry["first"], retry["last"]) in blocks
    far = a.request("POST", "/code-blocks", json={"day": "2031-01-01", "size": 20, "request_id": ids[0][:-1] + "0"})
    assert far.status_code == 422 and is_vietnamese(far.json()["message"])


def test_attachments_resume_and_are_checked(shared_server):
    agency = kit.new_agency()
    desk = WireDesk(shared_server, "f-" + agency, agency, ["MOTCUA"])
    data = os.urandom(300_000)
    sha = hashlib.sha256(data).hexdigest()
    path = "/attachments/" + sha
    assert desk.request("HEAD", path).status_code == 404
    r = desk.request("PUT", path, params={"offset": 0, "total": len(data)}, content=data[:100_000])
    assert r.json() == {"sha256": sha, "size": len(data), "offset": 100_000, "complete": False}
    head = desk.request("HEAD", path)
    assert head.headers["Upload-Offset"] == "100000" and head.headers["Upload-Complete"] == "0"
    stale = desk.request("PUT", path, params={"offset": 50_000, "total": len(data)}, content=data[50_000:60_000])
    assert stale.status_code == 409 and stale.json()["offset"] == 100_000
    r = desk.request("PUT", path, params={"offset": 100_000, "total": len(data)}, content=data[100_000:])
    assert r.json()["complete"] is True
    assert desk.request("GET", path).content == data
    tail = desk.request("GET", path, headers={"Range": "bytes=250000-"})
    assert tail.status_code == 206 and tail.content == data[250_000:]
    # a file whose bytes do not match its name is thrown away
    wrong = hashlib.sha256(b"something else").hexdigest()
    bad = desk.request("PUT", "/attachments/" + wrong, params={"offset": 0, "total": 1000}, content=os.urandom(1000))
    assert bad.status_code == 422 and bad.json()["error"] == "hash_mismatch"
    assert desk.request("HEAD", "/attachments/" + wrong).headers["Upload-Offset"] == "0"
    assert desk.request("GET", "/attachments/" + wrong).status_code == 404


def test_malformed_and_oversized_requests_get_clear_4xx(shared_server):
    agency = kit.new_agency()
    desk = WireDesk(shared_server, "m-" + agency, agency, ["MOTCUA"])
    code = desk.new_code()

    def check(r, status, error=None):
        assert r.status_code == status, r.text
        body = r.json()
        assert is_vietnamese(body["message"]), body
        if error:
            assert body["error"] == error
        return body
    check(desk.request("POST", "/events", content=b'{"events": [', headers={"Content-Type": "application/json"}),
          400, "malformed_json")
    body = check(desk.request("POST", "/events", json={"events": [{"id": "x", "kind": "received"}]}), 422,
                 "invalid_request")
    assert any(d["field"] == "events.0.dossier_code" for d in body["details"])
    e = desk.received(code)
    check(desk.push([{**e, "kind": "teleported"}]), 422, "invalid_request")
    check(desk.push([{**e, "desk_time": "hôm qua"}]), 422, "invalid_request")
    check(desk.push([{**e, "surprise": 1}]), 422, "invalid_request")
    check(desk.request("POST", "/events", json={"events": []}), 422)
    check(desk.push([desk.received(desk.new_code()) for _ in range(1001)]), 413, "too_many_events")
    huge = b'{"events": [' + b" " * (9 * 1024 * 1024) + b"]}"
    check(desk.request("POST", "/events", content=huge, headers={"Content-Type": "application/json"}), 413,
          "too_large")

    def chunks():  # no Content-Length: counted as it streams
        for _ in range(10):
            yield b" " * (1024 * 1024)
    check(desk.request("POST", "/events", content=chunks(), headers={"Content-Type": "application/json"}), 413,
          "too_large")
    check(desk.request("PUT", "/attachments/" + "a" * 64, params={"offset": 0, "total": 10 ** 9},
                       content=b"x"), 413)
    check(desk.request("PUT", "/attachments/NOT-A-HASH", params={"offset": 0, "total": 1}, content=b"x"), 422)
    check(desk.request("GET", "/events", params={"after": -1}), 422)
    check(desk.request("GET", "/no/such/thing"), 404, "not_found")
    check(desk.request("DELETE", "/events"), 405)


def test_a_supervisor_desk_sees_its_whole_agency_and_nothing_else(shared_server):
    agency, other = kit.new_agency(), kit.new_agency()
    counter = WireDesk(shared_server, "c-" + agency, agency, ["MOTCUA"])
    elsewhere = WireDesk(shared_server, "c-" + other, other, ["MOTCUA"])
    boss = WireDesk(shared_server, "ld-" + agency, agency, ["LANHDAO"], scope="agency")
    dept = WireDesk(shared_server, "v-" + agency, agency, ["VPDKDD"])
    mine = [counter.new_code() for _ in range(3)]
    counter.push([counter.received(c) for c in mine])
    elsewhere.push([elsewhere.received(elsewhere.new_code())])
    events, _, _ = boss.pull_all()
    assert sorted(e["dossier_code"] for e in events) == sorted(mine)
    assert dept.pull_all()[0] == []  # nothing was sent to the land office yet
    other_counter = WireDesk(shared_server, "c2-" + agency, agency, ["MOTCUA"])
    assert sorted(e["dossier_code"] for e in other_counter.pull_all()[0]) == sorted(mine)  # same counter unit
