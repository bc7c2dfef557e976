"""A desk as its own process, for the multi-process and crash tests.

    python -m tests.sync.desk_proc agent <data-root> <desk-id>
        reads one JSON command per line on stdin, answers one JSON line on stdout
    python -m tests.sync.desk_proc zygote <data-root> <desk-id>
        forks, on each "fork <seed> <progress-file>" line, a child that takes dossiers and
        syncs in a loop until it is killed; answers the child's pid

The zygote has imported everything but opened nothing (no database, no thread), so each
child starts in milliseconds and can be killed at any point of its work.
"""

from __future__ import annotations

import json
import os
import random
import signal
import time
import sys
import traceback
from pathlib import Path

from desk_app.services import counter, sync, workflow
from desk_app.services.context import open_desk
from desk_app.storage import sync_repo
from tests.sync import desks


def _open(root: Path, desk_id: str, migrate: bool = True):
    from desk_app.services import auth
    from desk_app.services.context import DeskContext
    from desk_app.storage.db import Database
    if migrate:
        ctx = open_desk(root / desk_id, desk_id=desk_id, clock=desks.SkewedClock())
    else:  # a crash-test child: the database is known to be at the newest schema
        ctx = DeskContext(Database(root / desk_id / "desk.sqlite3", migrate=False), root / desk_id, desk_id,
                          desks.SkewedClock())
    sync.attach(ctx)
    ctx.clerk = auth.login(ctx, "tiepnhan", desks.PASSWORD)
    return ctx


def _people(ctx):
    from desk_app.services import auth
    cache = {}

    def login(username: str):
        if username not in cache:
            cache[username] = auth.login(ctx, username, desks.PASSWORD)
        return cache[username]
    return login


def dump(ctx) -> dict:
    """Everything the tests compare between desks and with the server."""
    from sqlalchemy import select
    from desk_app.storage.models import Attachment, Dossier, EventRow, OutboxRow
    with ctx.db.session(write=False) as s:
        events = [{"id": e.id, "code": e.dossier_code, "kind": e.kind, "desk": e.desk, "server_seq": e.server_seq,
                   "hash": e.hash} for e in s.scalars(select(EventRow).order_by(EventRow.seq))]
        dossiers = {d.code: {"status": d.status, "stage": getattr(d, "stage", None)}
                    for d in s.scalars(select(Dossier))}
        attachments = [{"code": code, "sha256": a.sha256, "path": a.stored_path} for a, code in s.execute(
            select(Attachment, Dossier.code).join(Dossier, Dossier.id == Attachment.dossier_id))]
        unsent = sync_repo.count_unsent(s)
        conflicts = [{"id": c.event_id, "code": c.dossier_code, "kind": c.kind, "reason": c.reason, "own": c.own,
                      "outcome": c.outcome} for c in sync_repo.open_conflicts(s)]
        histories = {code: [e.id for e in sync_repo.history(s, code)] for code in dossiers}
        outbox = s.scalar(select(__import__("sqlalchemy").func.count()).select_from(OutboxRow))
    return {"events": events, "dossiers": dossiers, "attachments": attachments, "unsent": unsent,
            "conflicts": conflicts, "histories": histories, "outbox": outbox,
            "integrity": _integrity(ctx)}


def _integrity(ctx) -> str:
    import sqlite3
    con = sqlite3.connect(ctx.db.path)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def agent(root: Path, desk_id: str) -> None:
    ctx = _open(root, desk_id)
    login = _people(ctx)
    runner = None
    for line in sys.stdin:
        cmd = json.loads(line)
        op = cmd["op"]
        try:
            if op == "intake":
                files = [Path(p) for p in cmd.get("files", [])]
                result = {"code": desks.intake(ctx, files)}
            elif op == "step":  # a workflow service, as a person of this desk
                fn = getattr(workflow, cmd["name"])
                r = fn(ctx, login(cmd["user"]), *cmd.get("args", []))
                result = {"status": r.status.value}
            elif op == "sync":
                r = sync.sync_once(ctx)
                result = {"pushed": r.pushed, "pulled": r.pulled, "conflicts": r.conflicts,
                          "downloaded": r.downloaded}
            elif op == "start_runner":
                runner = sync.start(ctx, interval=cmd.get("interval", 3600), probe_every=0.05)
                result = {}
            elif op == "stop_runner":
                runner.stop()
                result = {"rounds": runner.rounds}
            elif op == "details":
                d = counter.details(ctx, cmd["code"])
                result = {"status": d.summary.status.value, "history": [h.kind.value for h in d.history]}
            elif op == "dump":
                result = dump(ctx)
            elif op == "quit":
                print(json.dumps({"ok": True}), flush=True)
                break
            else:
                raise ValueError(op)
            out = {"ok": True, **result}
        except Exception as e:
            out = {"ok": False, "error": "%s: %s" % (type(e).__name__, e), "trace": traceback.format_exc()}
        print(json.dumps(out, ensure_ascii=False, default=str), flush=True)
    if runner is not None:
        runner.stop()


def churn(root: Path, desk_id: str, seed: int, progress: Path) -> None:
    """Take dossiers (with a scan each) and sync, over and over, telling each step done."""
    rng = random.Random(seed)
    log = open(progress, "a", buffering=1)
    ctx = _open(root, desk_id, migrate=False)
    log.write("open %.3f\n" % time.monotonic())
    n = 0
    while True:
        n += 1
        f = root / ("scan-%d-%d.pdf" % (seed, n))
        f.write_bytes(os.urandom(rng.randint(1_000, 300_000)))
        code = desks.intake(ctx, [f])
        log.write("intake %s %.3f\n" % (code, time.monotonic()))
        if rng.random() < 0.5:
            workflow.transfer(ctx, ctx.clerk, code, "STP")
            log.write("transfer %s %.3f\n" % (code, time.monotonic()))
        try:
            sync.sync_once(ctx)
            log.write("sync %.3f\n" % time.monotonic())
        except Exception as e:  # the server may be away: go on taking dossiers
            log.write("sync-failed %s\n" % type(e).__name__)


def zygote(root: Path, desk_id: str) -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    # Load once what each child would otherwise load first (fonts for the control slip, TLS
    # certificates), so the children spend their short lives in intake and sync.
    from desk_app.documents import control_slip  # noqa: F401
    from desk_app.documents.fonts import register_fonts
    from desk_app.services import forms  # noqa: F401
    from desk_app.sync.client import _tls_context
    register_fonts()
    _tls_context()
    for line in sys.stdin:
        parts = line.split()
        if not parts or parts[0] == "quit":
            break
        seed, progress = int(parts[1]), Path(parts[2])
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            try:
                churn(root, desk_id, seed, progress)
            finally:
                os._exit(1)
        print(pid, flush=True)


if __name__ == "__main__":
    mode, root, desk_id = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    {"agent": agent, "zygote": zygote}[mode](root, desk_id)
