"""Batches sent before the answer to the one before them (``in_order``; the desk's
``SyncClient.push_stream``): the server writes a desk's batches in the order the desk made
them, whatever order they reach it in, stores nothing of one that does not continue the
desk's chain (409 ``not_next``), and the desk's stream gets every batch written, in order, on
both databases, against the real server process."""

from __future__ import annotations

import threading
import time

import httpx
from sqlalchemy import select

from central_server import push as pushing
from central_server.models import ServerEvent
from desk_app.sync.client import SyncClient
from tests.central_server import kit
from tests.central_server.wire import WireDesk


def _dossiers(desk: WireDesk, n: int) -> list[dict]:
    """``n`` dossiers received, then each transferred: a batch's transfers need its receptions."""
    codes = [desk.new_code() for _ in range(n)]
    return [desk.received(c) for c in codes] + [desk.event(c, "note", {"note": "đủ giấy tờ"}) for c in codes]


def _stored(server, desk_id: str) -> list[tuple[int, str, bool]]:
    db = server.database()
    try:
        with db.session(write=False) as s:
            return [(r.server_seq, r.id, r.accepted) for r in s.execute(
                select(ServerEvent.server_seq, ServerEvent.id, ServerEvent.accepted)
                .where(ServerEvent.desk == desk_id).order_by(ServerEvent.server_seq))]
    finally:
        db.dispose()


def test_a_batch_that_does_not_follow_is_refused_whole_and_nothing_stored(shared_server):
    desk = WireDesk(shared_server, "io1-x", kit.new_agency(), ["MOTCUA"])
    first, second = _dossiers(desk, 3), _dossiers(desk, 3)
    t0 = time.monotonic()
    r = desk.request("POST", "/events", json={"events": second, "in_order": True})
    assert r.status_code == 409 and r.json()["error"] == "not_next", r.text
    assert time.monotonic() - t0 >= pushing.NEXT_WAIT * 0.9   # it waited for the batch before it
    assert "không nối tiếp" in r.json()["message"]
    assert _stored(shared_server, desk.id) == []
    # once the batch it follows is written, it is kept
    assert desk.request("POST", "/events", json={"events": first, "in_order": True}).status_code == 200
    r = desk.request("POST", "/events", json={"events": second, "in_order": True})
    assert r.status_code == 200 and all(x["status"] == "accepted" for x in r.json()["results"]), r.text
    # a batch sent again whole (its answer lost) is answered the same, in order or not
    again = desk.request("POST", "/events", json={"events": second, "in_order": True}).json()["results"]
    assert all(x["duplicate"] and x["status"] == "accepted" for x in again)
    assert [i for _s, i, _a in _stored(shared_server, desk.id)] == [e["id"] for e in first + second]


def test_a_batch_that_arrives_first_waits_for_the_one_it_follows(shared_server):
    desk = WireDesk(shared_server, "io2-x", kit.new_agency(), ["MOTCUA"])
    first, second = _dossiers(desk, 20), _dossiers(desk, 20)
    answers: dict[str, httpx.Response] = {}

    def send(name, events):
        answers[name] = desk.request("POST", "/events", json={"events": events, "in_order": True})
    later = threading.Thread(target=send, args=("second", second))
    later.start()                       # the second batch reaches the server first
    time.sleep(0.3)
    send("first", first)
    later.join(30)
    assert answers["first"].status_code == answers["second"].status_code == 200, answers["second"].text
    assert all(x["status"] == "accepted" for name in answers for x in answers[name].json()["results"])
    assert [i for _s, i, _a in _stored(shared_server, desk.id)] == [e["id"] for e in first + second]


def test_the_desks_stream_writes_every_batch_in_order(shared_server):
    desk = WireDesk(shared_server, "io3-x", kit.new_agency(), ["MOTCUA"])
    batches = [_dossiers(desk, 15) for _ in range(12)]
    answered: list[list[str]] = []
    with SyncClient(shared_server.url, desk.token) as client:
        client.push_stream(iter(batches), lambda batch, results: answered.append(
            [r["id"] for r in results if r["status"] == "accepted"]))
    assert answered == [[e["id"] for e in b] for b in batches]
    stored = _stored(shared_server, desk.id)
    assert [i for _s, i, _a in stored] == [e["id"] for b in batches for e in b] and all(a for *_x, a in stored)


def test_a_desk_holds_no_more_than_two_waiting_batches(shared_server):
    """A desk whose batches never follow (a hostile one) holds the server's request threads
    for two of them at most: a third that does not follow is answered at once, not after
    NEXT_WAIT (each such request held a thread for 2 s, and there are 40 for every desk).
    Two wait as before (the desk's stream has two in flight), and a slot freed is taken again."""
    desk = WireDesk(shared_server, "io4-x", kit.new_agency(), ["MOTCUA"])
    _dossiers(desk, 1)                                     # the batch the others follow: never sent
    waiting = [_dossiers(desk, 2) for _ in range(2)]
    answers: dict[int, tuple[int, float]] = {}

    def send(i, events):
        t0 = time.monotonic()
        r = desk.request("POST", "/events", json={"events": events, "in_order": True})
        answers[i] = (r.status_code, time.monotonic() - t0)
    threads = [threading.Thread(target=send, args=(i, b)) for i, b in enumerate(waiting)]
    for t in threads:
        t.start()
    time.sleep(0.5)                                        # both are waiting now
    send(2, _dossiers(desk, 2))
    for t in threads:
        t.join(30)
    assert [answers[i][0] for i in range(3)] == [409, 409, 409], answers
    assert answers[0][1] >= pushing.NEXT_WAIT * 0.9 and answers[1][1] >= pushing.NEXT_WAIT * 0.9, answers
    assert answers[2][1] < pushing.NEXT_WAIT * 0.5, answers
    send(3, _dossiers(desk, 2))                            # the slots were given back
    assert answers[3][0] == 409 and answers[3][1] >= pushing.NEXT_WAIT * 0.9, answers
    assert _stored(shared_server, desk.id) == []
