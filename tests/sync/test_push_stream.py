"""``SyncClient.push_stream`` when the server answers otherwise than "written": a batch judged
before the one it follows, a server older than ``in_order``, a batch refused (403) or a
server gone. A stand-in server (httpx's MockTransport, answering as the real one does: the
real one's answers are held by tests/central_server/test_push_in_order.py) writes a batch only
after the one before it, as the chain requires; each batch's events are named by its number."""

from __future__ import annotations

import json
import threading
import time

import httpx
import pytest

from desk_app.sync.client import Refused, SyncClient, Unreachable


class StandIn:
    def __init__(self, slow: frozenset = frozenset(), older: bool = False, forbid: frozenset = frozenset(),
                 down_at: int | None = None):
        self.slow, self.older, self.forbid, self.down_at = slow, older, forbid, down_at
        self.written: list[int] = []
        self.requests: list[tuple[int, bool]] = []
        self.daemon: list[bool] = []   # whether each request ran on a daemon thread
        self.lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        k = int(body["events"][0]["id"].split("-")[0])
        in_order = body.get("in_order", False)
        with self.lock:
            self.requests.append((k, in_order))
            self.daemon.append(threading.current_thread().daemon)
        if k == self.down_at:
            raise httpx.ConnectError("gone")
        if self.older and "in_order" in body:
            return httpx.Response(422, json={"error": "invalid_request", "message": "Yêu cầu không hợp lệ",
                                             "details": [{"field": "in_order", "message": "không được phép"}]})
        if k in self.slow:
            time.sleep(0.3)
        with self.lock:
            if k in self.forbid:
                return httpx.Response(403, json={"error": "forbidden", "message": "Quầy không có quyền",
                                                 "events": [{"id": body["events"][0]["id"], "reason": "x"}]})
            follows = (self.written[-1] if self.written else -1) == k - 1 or k in self.written
            if in_order and not follows:
                return httpx.Response(409, json={"error": "not_next", "message": "không nối tiếp"})
            if k not in self.written:
                self.written.append(k)
        return httpx.Response(200, json={"results": [{"id": e["id"], "status": "accepted", "server_seq": 1,
                                                      "duplicate": False, "reason": None} for e in body["events"]],
                                         "server_time": "2026-12-02T08:00:00"})


def _batches(n: int) -> list[list[dict]]:
    return [[{"id": "%d-%d" % (k, i)} for i in range(3)] for k in range(n)]


def _stream(server: StandIn, n: int, **kw) -> list[int]:
    done: list[int] = []
    client = SyncClient("http://server.test", "t", transport=httpx.MockTransport(server))
    try:
        client.push_stream(iter(_batches(n)), lambda batch, results: done.append(int(batch[0]["id"].split("-")[0])),
                           **kw)
    finally:
        client.close()
    return done


def test_batches_go_two_at_a_time_and_are_answered_in_order():
    server = StandIn()
    assert _stream(server, 8) == list(range(8)) and server.written == list(range(8))
    assert any(in_order for _k, in_order in server.requests)      # sent before the last one's answer
    assert all(server.daemon)   # a desk closed meanwhile does not wait for the answers (60 s at most)


def test_a_batch_judged_before_the_one_it_follows_is_sent_again():
    server = StandIn(slow=frozenset({2, 5}))   # the next batch reaches the server while these are read
    assert _stream(server, 8) == list(range(8)) and server.written == list(range(8))
    assert len(server.requests) > 8                                # the batches refused were sent again


def test_a_server_older_than_in_order_gets_one_batch_at_a_time():
    server = StandIn(older=True)
    assert _stream(server, 6) == list(range(6)) and server.written == list(range(6))
    asked = [i for i, (_k, in_order) in enumerate(server.requests) if in_order]
    assert asked and max(asked) <= 2    # only the batches sent before the first 422 came back asked it


def test_a_refused_batch_goes_to_the_handler_and_the_rest_goes_on():
    """As the desk does (``services.sync._push_all``): the handler marks the refused events, and
    the source reads again what is left to send, the batch in flight behind it included."""
    server = StandIn(forbid=frozenset({3}))
    batches, done, refused, cursor = _batches(6), [], [], [0]

    def source():
        while cursor[0] < len(batches):
            k = cursor[0]
            cursor[0] += 1
            if k not in done and k not in refused:
                yield batches[k]

    def failed(batch, error):
        assert isinstance(error, Refused)
        refused.append(int(batch[0]["id"].split("-")[0]))
        cursor[0] = 0
        return True
    client = SyncClient("http://server.test", "t", transport=httpx.MockTransport(server))
    client.push_stream(source(), lambda batch, results: done.append(int(batch[0]["id"].split("-")[0])), failed)
    client.close()
    assert refused == [3]
    assert done == [0, 1, 2, 4, 5] and server.written == [0, 1, 2, 4, 5]


def test_a_failure_nobody_handles_is_raised_after_the_batches_in_flight_are_answered():
    server = StandIn(down_at=4)
    done: list[int] = []
    client = SyncClient("http://server.test", "t", transport=httpx.MockTransport(server))
    with pytest.raises(Unreachable):
        client.push_stream(iter(_batches(8)), lambda batch, results: done.append(int(batch[0]["id"].split("-")[0])))
    client.close()
    assert done[:4] == [0, 1, 2, 3] and 4 not in done and set(done) <= set(server.written)
