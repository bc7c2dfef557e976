"""Diacritics-insensitive name search over 100,000 dossiers: FTS index against a LIKE scan.

Target: p95 under 50 ms and at least 20 times faster than the scan over the same rows.
"""

from __future__ import annotations

import random
import sys
from datetime import datetime, timedelta

from benchmarks.common import Figure, Timer, fresh_desk, median, percentile, report, tempdir


def populate(ctx, n: int, seed: int = 1) -> list[str]:
    """Insert ``n`` dossiers straight into the table (the triggers fill the index)."""
    from sqlalchemy import select
    from desk_app.services import demo
    from desk_app.storage import repositories as repo
    from desk_app.storage.models import Dossier, ProcedureRow

    rng = random.Random(seed)
    names = []
    with ctx.db.session() as s:
        proc_id = s.scalars(select(ProcedureRow.id)).first()
        start = datetime(2025, 1, 2, 8, 0)
        batch = []
        for i in range(n):
            p = demo.person(rng)
            code = "000.00.06.H56-%s-%04d" % ((start + timedelta(days=i // 400)).strftime("%y%m%d"), i % 400 + 1)
            batch.append(dict(
                code=code, procedure_id=proc_id, applicant_type="individual",
                owner={"name": p.name, "phone": p.phone, "address": p.address}, submitter=None,
                owner_name=p.name, owner_id_number=p.id_number, owner_phone=p.phone, components=[],
                sets=1, channel="direct", collect_by_post=False, notes="",
                received_at=start + timedelta(minutes=i * 3), due_at=start + timedelta(days=5 + i // 400),
                status=2, capability_key="k" * 22, clerk_id=1, desk_id="bench", register_book="01/2025",
                register_number=i + 1,
                search_text=repo.dossier_search_text(code, [p.name], [p.id_number, p.phone])))
            names.append(p.name)
            if len(batch) == 5000:
                s.execute(Dossier.__table__.insert(), batch)
                batch = []
        if batch:
            s.execute(Dossier.__table__.insert(), batch)
    return names


def run(n: int = 100_000, queries: int = 200) -> list[Figure]:
    ctx, _ = fresh_desk(tempdir())
    with Timer() as t_fill:
        names = populate(ctx, n)
    return [Figure("fill %d dossiers (insert + index)" % n, t_fill.ms / 1000, "s", 120)] + measure(ctx, names, queries)


def names_in(ctx, count: int = 2000, seed: int = 7) -> list[str]:
    """Owners' names of dossiers picked at random from a filled desk."""
    from sqlalchemy import text
    with ctx.db.session(write=False) as s:
        top = s.execute(text("SELECT max(id) FROM dossiers")).scalar() or 0
        rng = random.Random(seed)
        ids = sorted({rng.randint(1, top) for _ in range(count)})
        return list(s.execute(text("SELECT owner_name FROM dossiers WHERE id IN (%s)" % ",".join(map(str, ids))))
                    .scalars())


def measure(ctx, names: list[str], queries: int = 200) -> list[Figure]:
    """Clerks' queries for these names, through the service's path and as the two bare queries."""
    from sqlalchemy import text
    from desk_app.domain.text import fold
    from desk_app.storage import repositories as repo

    rng = random.Random(5)
    # what clerks type: a full name, or surname + given name, without diacritics
    qs = []
    for _ in range(queries):
        parts = fold(rng.choice(names)).split()
        qs.append(" ".join(parts) if rng.random() < 0.6 else "%s %s" % (parts[0], parts[-1]))
    fts, raw_fts, scan, found = [], [], [], 0
    with ctx.db.session(write=False) as s:
        repo.search_dossiers(s, "warm up")
        for q in qs:
            with Timer() as t:
                rows = repo.search_dossiers(s, q)
            fts.append(t.ms)
            found += bool(rows)
        # the same question asked two ways, both returning the ids of the newest 200 matches
        for q in qs:
            words = ['"%s"' % w for w in q.split()]   # as the service asks (repo.search_dossiers)
            match = " ".join(words[:-1] + [words[-1] + "*"])
            with Timer() as t:
                s.execute(text("SELECT rowid FROM dossier_fts WHERE dossier_fts MATCH :m "
                               "ORDER BY rowid DESC LIMIT 200"), {"m": match}).all()
            raw_fts.append(t.ms)
        for q in qs[:60]:
            like = "%" + "%".join(q.split()) + "%"
            with Timer() as t:
                s.execute(text("SELECT id FROM dossiers WHERE search_text LIKE :q "
                               "ORDER BY id DESC LIMIT 200"), {"q": like}).all()
            scan.append(t.ms)
    assert found == len(qs), "every query names an existing person"
    return [
        Figure("FTS name search p95 (%d queries, service path)" % queries, percentile(fts, 95), "ms", 50),
        Figure("FTS name search median", median(fts), "ms", 50),
        Figure("index query alone (ids), median", median(raw_fts), "ms", 50),
        Figure("index query alone (ids), p95", percentile(raw_fts, 95), "ms", 50),
        Figure("LIKE scan (ids, same query), median", median(scan), "ms", 10_000),
        Figure("LIKE scan (ids, same query), p95", percentile(scan, 95), "ms", 10_000),
        Figure("speed-up at the median: LIKE scan / index", median(scan) / median(raw_fts), "x", 20,
               lower_is_better=False),
        Figure("speed-up at p95: LIKE scan / index", percentile(scan, 95) / percentile(raw_fts, 95), "x", 20,
               lower_is_better=False),
        Figure("speed-up, LIKE scan p95 / service p95 (rows loaded too)", percentile(scan, 95) / percentile(fts, 95),
               "x", 20, lower_is_better=False),
    ]


if __name__ == "__main__":
    report("Dossier search", run(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
