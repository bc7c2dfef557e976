"""A desk process killed with SIGKILL at random points while it takes dossiers and syncs,
again and again: afterwards no event lost, none applied twice, every attachment present."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import time

from sqlalchemy import select

from central_server.blobs import BlobStore
from central_server.models import ServerEvent
from desk_app.services import sync
from desk_app.services.context import open_desk
from desk_app.storage import repositories as repo
from desk_app.storage import sync_repo
from desk_app.storage.models import Attachment, Dossier, EventRow
from tests.central_server import kit
from tests.sync import desks
from tests.sync.agents import DeskProcess

TRIALS = int(os.environ.get("DESK_KILL_TRIALS", "100"))


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_desk_killed_at_random_points_loses_nothing(server, backend, tmp_path):
    agency = kit.new_agency()
    counter_id, dept_id = "quay-" + agency, "stp-" + agency
    desks.enrolled_desk(tmp_path, server, counter_id, agency, ["MOTCUA"]).db.dispose()
    desks.enrolled_desk(tmp_path, server, dept_id, agency, ["STP"]).db.dispose()
    zygote = DeskProcess(tmp_path, counter_id, mode="zygote")
    dept = DeskProcess(tmp_path, dept_id)
    rng = random.Random(20261110 + (backend == "postgresql"))
    logs = []
    try:
        for trial in range(TRIALS):
            progress = tmp_path / ("trial-%03d.log" % trial)
            zygote.send("fork %d %s" % (trial + 1, progress))
            pid = int(zygote.answer())
            kit.wait_until(lambda: progress.exists() and progress.read_text().startswith("open"), 30,
                           "trial %d to open its database" % trial)
            # The point of the test is a random moment: somewhere in an intake, a transfer, an
            # upload, a push, a pull, a lease, or between them.
            time.sleep(rng.uniform(0, 0.4))
            os.kill(pid, signal.SIGKILL)
            kit.wait_until(lambda: not alive(pid), 30, "the killed desk to be gone")
            logs.append(progress.read_text().split("\n"))
            if trial % 10 == 9:
                dept("sync")  # the department keeps pulling while the counter crashes
    finally:
        zygote.close()

    # The counter restarts and syncs; the department catches up.
    counter = open_desk(tmp_path / counter_id, desk_id=counter_id)
    sync.attach(counter)
    sync.sync_once(counter)
    sync.sync_once(counter)
    dept("sync")
    dept_state = dept("dump")
    dept.close()

    last = [next((line.split()[0] for line in reversed(log) if line), "open") for log in logs]
    during = {"open": "intake", "sync": "intake", "sync-failed": "intake", "intake": "transfer or sync",
              "transfer": "sync"}
    killed = [during[step] for step in last]
    print("\n%d trials, killed during: %s" % (TRIALS, {k: killed.count(k) for k in sorted(set(killed))}))

    db = server.database()
    with db.session(write=False) as s:
        on_server = s.scalars(select(ServerEvent).order_by(ServerEvent.server_seq)).all()
    db.dispose()
    assert all(e.accepted for e in on_server), [e.reason for e in on_server if not e.accepted]
    assert all(e.chain_ok for e in on_server)  # each desk's hash chain arrived whole and in order

    with counter.db.session(write=False) as s:
        local = s.scalars(select(EventRow).order_by(EventRow.seq)).all()
        codes = list(s.scalars(select(Dossier.code)))
        attachments = s.scalars(select(Attachment)).all()
        assert sync_repo.count_unsent(s) == 0
    # committed work is never lost: every intake a trial reported is here, and on the server
    reported = {line.split()[1] for log in logs for line in log if line.startswith("intake ")}
    assert reported <= set(codes)
    assert len(codes) == len(set(codes))
    mine = [e for e in local if e.desk == counter_id]
    assert [e.id for e in mine] == [e.id for e in on_server if e.desk == counter_id]
    assert [e.server_seq for e in mine] == [e.server_seq for e in on_server if e.desk == counter_id]
    prev = repo.GENESIS  # the counter's own chain is intact after all those kills
    for e in mine:
        assert e.prev_hash == prev and repo.event_hash(prev, e) == e.hash
        prev = e.hash
    received = [e.dossier_code for e in on_server if e.kind == "received"]
    assert sorted(received) == sorted(codes)  # each dossier received once, none twice

    # every attachment is on the server, whole, and at the department for the dossiers it got
    store = BlobStore(server.files_dir / "blobs")
    for a in attachments:
        state = store.state(a.sha256)
        assert state is not None and state.complete, a.filename
        assert hashlib.sha256(store.path(a.sha256).read_bytes()).hexdigest() == a.sha256
    transferred = {e.dossier_code for e in on_server if e.kind == "transferred"}
    dept_files = {(x["code"], x["sha256"]) for x in dept_state["attachments"]}
    expected = {(code, a.sha256) for a in attachments for code in [_code(counter, a)] if code in transferred}
    assert expected <= dept_files
    for x in dept_state["attachments"]:
        assert hashlib.sha256(open(x["path"], "rb").read()).hexdigest() == x["sha256"]
    # the department applied each event once, in the server's order
    ids = [e["id"] for e in dept_state["events"]]
    assert len(ids) == len(set(ids))
    for code in transferred:
        assert dept_state["histories"][code] == [e.id for e in on_server if e.dossier_code == code]
    counter.db.dispose()


def _code(ctx, attachment) -> str:
    with ctx.db.session(write=False) as s:
        return s.get(Dossier, attachment.dossier_id).code
