"""Supervisor queues on 200,000 dossiers (about a million events), and a year's statistics.

Targets: open under 1 s, change a filter under 200 ms, peak memory under 400 MB;
a year's statistics for a province-sized agency under 2 s.
The data is written straight into a desk database once; the measurements run in a fresh
process so its peak memory is the supervisor's, not the generator's.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from benchmarks.common import Figure, fresh_desk, report, tempdir

UNITS = [("STP", "Sở Tư pháp"), ("SXD", "Sở Xây dựng"), ("VPDKDD", "Văn phòng Đăng ký đất đai"),
         ("CAT", "Công an tỉnh"), ("STC", "Sở Tài chính"), ("SYT", "Sở Y tế"), ("SGD", "Sở Giáo dục"),
         ("SLD", "Sở Nội vụ")]


def populate(data_dir: Path, n: int) -> None:
    from sqlalchemy import select
    from desk_app.domain.dossier import EventKind
    from desk_app.domain.roles import Role
    from desk_app.services import admin, auth, demo
    from desk_app.storage import repositories as repo
    from desk_app.storage.models import Dossier, EventRow, ProcedureRow

    ctx, clerk = fresh_desk(data_dir)
    adm = auth.login(ctx, "admin", "matkhau-admin")
    unit_ids = [admin.save_unit(ctx, adm, c, name).id for c, name in UNITS]
    people = []
    for i, uid in enumerate(unit_ids):
        for k in range(6):
            u = admin.add_person(ctx, adm, "cv%d_%d" % (i, k), "Chuyên viên %d.%d" % (i, k), Role.SPECIALIST,
                                 "matkhau-cv", UNITS[i][0])
            people.append((u.username, uid))
    rng = random.Random(3)
    cal = ctx.calendar()
    with ctx.db.session() as s:
        procs = s.execute(select(ProcedureRow.id, ProcedureRow.code)).all()
    now = datetime(2026, 11, 27, 10, 0)
    start = now - timedelta(days=365)
    stages = ["received", "in_unit", "assigned", "review", "supplement", "result", "returned", "returned",
              "returned", "returned", "returned", "returned"]
    dossiers, events = [], []
    for i in range(n):
        rec = start + timedelta(minutes=int(i * 365 * 24 * 60 / n))
        rec = rec.replace(hour=8 + rng.randint(0, 8), minute=rng.randint(0, 59), second=0, microsecond=0)
        due = cal.add_working_time(rec, timedelta(hours=7.5 * rng.choice((1, 3, 5, 7, 15))))
        # a province's year: most older dossiers are done (a few stuck), last month's mostly open
        if rec < now - timedelta(days=30):
            r = rng.random()
            stage = rng.choice(stages[:5]) if r < 0.05 else "result" if r < 0.08 else "returned"
        else:
            stage = rng.choice(stages)
        user, unit = rng.choice(people)
        status = {"received": 2, "in_unit": 4, "assigned": 4, "review": 4, "supplement": 5, "result": 9,
                  "returned": 10}[stage]
        finished = None
        if status in (9, 10):
            finished = rec + (due - rec) * rng.uniform(0.3, 1.3)
        p = demo.person(rng)
        code = "000.00.06.H56-%s-%04d" % (rec.strftime("%y%m%d"), i % 9000 + 1)
        code = code + "-%d" % i  # unique across the synthetic year
        hop_due = rec + timedelta(hours=rng.randint(4, 60))
        dossiers.append(dict(
            code=code, procedure_id=rng.choice(procs)[0], applicant_type="individual",
            owner={"name": p.name}, submitter=None, owner_name=p.name, owner_id_number=p.id_number,
            owner_phone=p.phone, components=[], sets=1, channel="direct", collect_by_post=False, notes="",
            received_at=rec, due_at=due, appointment_at=due, finished_at=finished,
            returned_at=finished if status == 10 else None, status=status, capability_key="k" * 22,
            clerk_id=clerk.id, desk_id="bench", register_book="01/2026", register_number=i + 1,
            search_text=repo.dossier_search_text(code, [p.name], [p.id_number, p.phone]), stage=stage,
            holder_user=None if stage in ("received", "in_unit", "returned") else user,
            holder_unit_id=None if stage == "received" else unit, holder_since=rec + timedelta(hours=3),
            hop_due_at=hop_due if stage in ("in_unit", "assigned", "review") else None,
            handling_unit_id=unit, supplement_count=1 if stage == "supplement" else 0, paused_seconds=0))
        kinds = [EventKind.RECEIVED, EventKind.TRANSFERRED, EventKind.ARRIVED, EventKind.ASSIGNED,
                 EventKind.RESULT_READY][:5 if status in (9, 10) else 4]
        for k, kind in enumerate(kinds):
            events.append(dict(id=str(uuid.uuid4()), dossier_code=code, kind=kind.value, payload={},
                               actor=user, desk="bench", desk_time=rec + timedelta(hours=k),
                               unit=None, prev_hash="0" * 64, hash="0" * 64))
        if len(dossiers) >= 10000:
            with ctx.db.session() as s:
                s.execute(Dossier.__table__.insert(), dossiers)
                s.execute(EventRow.__table__.insert(), events)
            dossiers, events = [], []
    with ctx.db.session() as s:
        if dossiers:
            s.execute(Dossier.__table__.insert(), dossiers)
            s.execute(EventRow.__table__.insert(), events)
    with ctx.db.session() as s:
        s.connection().exec_driver_sql("ANALYZE")
    ctx.db.dispose()


def measure(data_dir: str) -> dict:
    """Runs in a fresh process: open the supervisor's view, change filters, a year's statistics."""
    import resource
    import time
    from datetime import date
    from desk_app.services import auth, queues, statistics
    from desk_app.services.context import open_desk

    clock_now = datetime(2026, 11, 27, 10, 0)
    ctx = open_desk(Path(data_dir), desk_id="bench", clock=lambda: clock_now)
    from desk_app.domain.roles import Role
    from desk_app.services.context import CurrentUser
    lead = CurrentUser(1, "admin", "Lãnh đạo", Role.SUPERVISOR)
    out = {}
    t = time.perf_counter()
    counts = queues.counts(ctx, lead)
    first = queues.rows(ctx, lead, queues.Filter(queues.Queue.OVERDUE), limit=500)
    hold = queues.holdings(ctx, lead)
    out["open_s"] = time.perf_counter() - t
    out["open_total"] = counts[queues.Queue.OPEN]
    times = []
    for q in (queues.Queue.DUE_SOON, queues.Queue.BEHIND_HOP, queues.Queue.SUPPLEMENT, queues.Queue.SIGNATURE):
        for unit in (None, 3, 5):
            t = time.perf_counter()
            queues.rows(ctx, lead, queues.Filter(q, unit_id=unit), limit=500)
            queues.counts(ctx, lead, unit_id=unit)
            times.append(time.perf_counter() - t)
    out["filter_median_s"] = sorted(times)[len(times) // 2]
    out["filter_max_s"] = max(times)
    t = time.perf_counter()
    rep = statistics.compute(ctx, lead, date(2025, 11, 28), date(2026, 11, 27), statistics.GroupBy.UNIT)
    out["stats_s"] = time.perf_counter() - t
    out["stats_rows"] = rep.total.received
    out["holders"] = len(hold)
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def run(n: int = 200_000) -> list[Figure]:
    tmp = tempdir()
    populate(tmp, n)
    r = subprocess.run([sys.executable, "-m", "benchmarks.bench_supervisor", "--measure", str(tmp)],
                       capture_output=True, text=True, check=True)
    m = json.loads(r.stdout.strip().splitlines()[-1])
    return [
        Figure("open supervisor queues, %d dossiers (%d open)" % (n, m["open_total"]), m["open_s"] * 1000, "ms", 1000),
        Figure("change a filter, median", m["filter_median_s"] * 1000, "ms", 200),
        Figure("change a filter, worst", m["filter_max_s"] * 1000, "ms", 200),
        Figure("peak memory of the supervisor process", m["peak_mb"], "MB", 400),
        Figure("a year's statistics by unit (%d dossiers)" % m["stats_rows"], m["stats_s"] * 1000, "ms", 2000),
    ]


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--measure":
        print(json.dumps(measure(sys.argv[2])))
    else:
        report("Supervisor", run(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000))
