"""Pushes judged side by side: a push locks its desk's row and its dossiers' rows to judge, and
the ``server_seq`` counter only to number and write (``central_server.push``). Whatever runs at
once, the numbers stay one gapless order committed in that order, every event is kept once,
each desk's events keep the order it sent them in, and the server's own events on the same
dossiers (a citizen's messages) neither deadlock with pushes nor step over them."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from central_server import citizen
from central_server.models import DossierState, ServerEvent
from central_server.settings import vn_now
from desk_app.domain.dossier import EventKind
from tests.central_server import kit
from tests.central_server.wire import WireDesk


def _run_all(jobs) -> list[BaseException]:
    errors: list[BaseException] = []

    def go(job):
        try:
            job()
        except BaseException as e:  # noqa: BLE001 - reported by the test
            errors.append(e)
    threads = [threading.Thread(target=go, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return errors


def test_desks_pushing_at_once_and_citizens_writing_keep_one_gapless_order(shared_server):
    db = shared_server.database()
    with db.session(write=False) as s:
        start = s.scalar(select(func.coalesce(func.max(ServerEvent.server_seq), 0)))
    desks, batches, shared = [], [], []
    for n in range(4):
        agency = kit.new_agency()
        desk = WireDesk(shared_server, "p%d-%s" % (n, agency), agency, ["MOTCUA"])
        opened = []
        for _ in range(30):
            code = desk.new_code()
            opened += [desk.received(code), desk.event(code, "note", {"note": "ghi chú"})]
        assert all(r["status"] == "accepted" for r in desk.push(opened).json()["results"])
        shared.append(opened[0]["dossier_code"])            # a dossier the citizens write to meanwhile
        codes = [e["dossier_code"] for e in opened[::2]]
        desk_batches = []
        for round_ in range(4):                              # each desk: 4 batches, in order, one after another
            desk_batches.append([desk.event(code, "note", {"note": "lần %d" % round_}) for code in codes])
        desks.append(desk)
        batches.append(desk_batches)
    answers: dict[str, list] = {d.id: [] for d in desks}

    def pushing(desk, desk_batches):
        def job():
            for batch in desk_batches:
                r = desk.push(batch)
                assert r.status_code == 200, r.text
                answers[desk.id].append(r.json()["results"])
        return job

    def writing(code):
        def job():
            for i in range(10):
                with db.session() as s:
                    citizen.append(s, code, EventKind.CITIZEN_MESSAGE, {"text": "Hỏi lần %d" % i, "channel": "web"},
                                   vn_now())
        return job
    errors = _run_all([pushing(d, b) for d, b in zip(desks, batches)] + [writing(c) for c in shared])
    assert not errors, errors[0]

    with db.session(write=False) as s:
        rows = s.execute(select(ServerEvent.server_seq, ServerEvent.id, ServerEvent.desk, ServerEvent.dossier_code,
                                ServerEvent.chain_ok, ServerEvent.accepted)
                         .where(ServerEvent.server_seq > start).order_by(ServerEvent.server_seq)).all()
        last = {r.code: r.last_seq for r in s.execute(select(DossierState.code, DossierState.last_seq)
                                                       .where(DossierState.code.in_(shared)))}
    seqs = [r.server_seq for r in rows]
    assert seqs == list(range(start + 1, start + 1 + len(rows)))          # one order, no gap
    assert len({r.id for r in rows}) == len(rows)                          # each event once
    assert all(r.accepted and r.chain_ok for r in rows)                    # judged as when alone
    for desk, desk_batches in zip(desks, batches):
        sent = [e["id"] for batch in desk_batches for e in batch]
        stored = [r.id for r in rows if r.desk == desk.id and r.id in set(sent)]
        assert stored == sent                                              # the desk's own order
        given = [x["server_seq"] for results in answers[desk.id] for x in results]
        assert given == [r.server_seq for r in rows if r.id in set(sent)]  # the answers tell the stored numbers
    for code in shared:                                                    # 10 messages each, none lost
        on_it = [r for r in rows if r.dossier_code == code]
        assert sum(1 for r in on_it if r.desk.startswith("web:")) == 10
        assert last[code] == on_it[-1].server_seq                          # the state saw its last event
    db.dispose()


def test_the_same_new_batch_sent_four_times_at_once_is_kept_once(shared_server):
    """A desk retrying while its first push is still running: one push of the desk at a time
    (its row's lock), the others answer the same numbers as duplicates."""
    agency = kit.new_agency()
    desk = WireDesk(shared_server, "r-" + agency, agency, ["MOTCUA"])
    batch = []
    for _ in range(40):
        code = desk.new_code()
        batch += [desk.received(code), desk.event(code, "transferred", {"to_unit": "STP"})]
    answers: list = []
    errors = _run_all([lambda: answers.append(desk.push(batch)) for _ in range(4)])
    assert not errors, errors[0]
    results = [r.json()["results"] for r in answers]
    assert all(r.status_code == 200 for r in answers)
    seqs = [x["server_seq"] for x in results[0]]
    assert all([x["server_seq"] for x in res] == seqs for res in results)
    assert sum(1 for res in results if not any(x["duplicate"] for x in res)) == 1   # one stored them
    assert all(all(x["status"] == "accepted" for x in res) for res in results)
    db = shared_server.database()
    with db.session(write=False) as s:
        assert s.scalar(select(func.count()).select_from(ServerEvent).where(ServerEvent.desk == desk.id)) == len(batch)
    db.dispose()
