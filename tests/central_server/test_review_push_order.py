"""Pushes judged before they take the ``server_seq`` counter must answer as the serial order
would (every push waiting for the counter first). A review of 4c2fc8e (which judged under the
desk's and the dossiers' row locks) found two cases where they did not; the agency's lock
(``push.lock_agency``) closed both, and these tests hold them closed:

1. Two desks of an agency both took a dossier on the same number before they were enrolled (a
   number nobody was leased: ``concern`` leases it to the first desk that pushes it, ``leases.claim``).
   One after the other, the second push is answered 200 with its ``received`` kept as a conflict
   (a second intake of a known dossier). Judged side by side, the second push read "no such
   dossier" before the first committed, then waited on the day's number counter inside
   ``leases.claim``, found the number leased and refused its whole batch with 403; the desk then
   marks every event of the batch refused (``services.sync``), and the server keeps none of them.

2. Two pushes carrying the same new event id (a hostile or broken desk; ids are the desks')
   both read the id as unknown; the second's ``COPY`` meets the first's row on the unique key.
   ``push.run`` is meant to run such a push again (its docstring: "a concurrent push of the same
   new event"), but COPY goes through psycopg's own cursor, so its error is psycopg's
   ``UniqueViolation``, not SQLAlchemy's ``DBAPIError``: not retried, the push answers 500.
   One after the other, it is answered 200 (the id known, a conflict).

Each case is set up without timing: the test holds the counter's row lock in a connection of
its own, waits until the pushes are seen waiting on a lock in ``pg_stat_activity``, then lets go.
PostgreSQL only (SQLite's BEGIN IMMEDIATE runs one push at a time).
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import create_engine, text

from central_server.settings import vn_now
from desk_app.domain.codes import format_dossier_code
from tests.central_server import kit
from tests.central_server.conftest import database_url
from tests.central_server.wire import WireDesk


@pytest.fixture(scope="module")
def shared_server(request, tmp_path_factory):
    """PostgreSQL only (SQLite's BEGIN IMMEDIATE runs one write at a time: nothing to race), one
    server for the module (each test uses its own agency and desks)."""
    tmp = tmp_path_factory.mktemp("pg-server")
    server = kit.ServerProcess(database_url(request.config, tmp, "postgresql"), tmp,
                               public_rate=5, public_burst=20).start()
    server.backend = "postgresql"
    yield server
    server.stop()


def _pg(server) -> str:
    return server.database_url.replace("postgresql://", "postgresql+psycopg://", 1)


class _Counter:
    """The ``server_seq`` counter's row lock, held by the test until ``release``."""

    def __init__(self, url: str):
        self.engine = create_engine(url)
        self.conn = self.engine.connect()
        self.tx = self.conn.begin()
        self.conn.execute(text("SELECT value FROM counters WHERE name = 'server_seq' FOR UPDATE"))
        self.watch = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    def waiting(self) -> int:
        return self.watch.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()")).scalar_one()

    def wait_for(self, n: int, limit: float = 60.0) -> None:
        deadline = time.monotonic() + limit
        while self.waiting() < n:
            assert time.monotonic() < deadline, "the pushes never waited on a lock"
            time.sleep(0.02)

    def release(self) -> None:
        self.tx.rollback()
        self.conn.close()
        self.watch.close()
        self.engine.dispose()


def _start(desk: WireDesk, batch: list[dict], answers: dict) -> threading.Thread:
    t = threading.Thread(target=lambda: answers.__setitem__(desk.id, desk.push(batch)))
    t.start()
    return t


def _pre_enrolment_code(agency: str) -> str:
    return format_dossier_code(agency, vn_now().date(), 5)   # no desk of the agency leased a number today


def test_one_after_the_other_the_second_intake_of_an_unleased_number_is_a_conflict(shared_server):
    _pg(shared_server)
    agency = kit.new_agency()
    first = WireDesk(shared_server, "pa-" + agency, agency, ["MOTCUA"])
    second = WireDesk(shared_server, "pb-" + agency, agency, ["MOTCUA"])
    code = _pre_enrolment_code(agency)
    r = first.push([first.received(code)])
    assert r.status_code == 200 and r.json()["results"][0]["status"] == "accepted", r.text
    r = second.push([second.received(code, key="x" * 22)])
    assert r.status_code == 200, r.text
    assert r.json()["results"][0]["status"] == "conflict"


def test_side_by_side_the_second_intake_of_an_unleased_number_is_a_conflict_too(shared_server):
    url = _pg(shared_server)
    agency = kit.new_agency()
    first = WireDesk(shared_server, "qa-" + agency, agency, ["MOTCUA"])
    second = WireDesk(shared_server, "qb-" + agency, agency, ["MOTCUA"])
    code = _pre_enrolment_code(agency)
    answers: dict = {}
    counter = _Counter(url)
    try:
        threads = [_start(first, [first.received(code)], answers)]
        counter.wait_for(1)        # the first has judged (and leased the number): it waits for the counter
        threads.append(_start(second, [second.received(code, key="x" * 22)], answers))
        counter.wait_for(2)        # the second has read the dossier as unknown: it waits for the number's counter
    finally:
        counter.release()
    for t in threads:
        t.join(120)
    assert answers[first.id].status_code == 200, answers[first.id].text
    assert answers[first.id].json()["results"][0]["status"] == "accepted"
    r = answers[second.id]
    assert r.status_code == 200, r.text    # 403: "Số hồ sơ ... không thuộc dãy số máy chủ đã cấp cho quầy này"
    assert r.json()["results"][0]["status"] == "conflict"


def _same_id_batches(shared_server, prefix: str):
    agency = kit.new_agency()
    a = WireDesk(shared_server, prefix + "a-" + agency, agency, ["MOTCUA"])
    b = WireDesk(shared_server, prefix + "b-" + agency, agency, ["MOTCUA"])
    ea = a.received(a.new_code())
    eb = b.received(b.new_code())
    eb["id"] = ea["id"]    # a desk that sends another desk's event id (its chain no longer holds: judged, kept)
    return a, b, [ea], [eb]


def test_one_after_the_other_an_event_id_already_kept_is_answered_as_a_conflict(shared_server):
    _pg(shared_server)
    a, b, batch_a, batch_b = _same_id_batches(shared_server, "ra")
    assert a.push(batch_a).status_code == 200
    r = b.push(batch_b)
    assert r.status_code == 200, r.text
    assert r.json()["results"][0]["duplicate"] is True


def test_side_by_side_the_same_new_event_id_is_run_again_not_a_500(shared_server):
    url = _pg(shared_server)
    a, b, batch_a, batch_b = _same_id_batches(shared_server, "rb")
    answers: dict = {}
    counter = _Counter(url)
    try:
        threads = [_start(a, batch_a, answers), _start(b, batch_b, answers)]
        counter.wait_for(2)        # both judged the id unknown; both wait for the counter
    finally:
        counter.release()
    for t in threads:
        t.join(120)
    assert answers[a.id].status_code == 200 and answers[b.id].status_code == 200, \
        (answers[a.id].text, answers[b.id].text)
