"""The register (Sổ theo dõi hồ sơ, Mẫu 06) as a PDF for ~300 dossiers of the shipped catalogue:
pages, rows per page, and the time to lay it out (target: at least 15 rows a page)."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from benchmarks.common import Figure, Timer, fresh_desk, tempdir


def run(n: int = 300) -> list[Figure]:
    import pypdfium2

    from desk_app.documents.register import register_pdf_bytes
    from desk_app.domain.intake import IntakeInput
    from desk_app.services import catalogue, demo, intake, reports

    clock = [datetime(2026, 11, 2, 7, 45)]
    ctx, clerk = fresh_desk(tempdir(), clock=lambda: clock[0])
    rng = random.Random(11)
    procs = [catalogue.get(ctx, p.code) for p in catalogue.search(ctx, "", limit=1000)]
    procs = [p for p in procs if p and p.terms(next(iter(p.channels)))]
    for i in range(n):
        day = date(2026, 11, 2) + timedelta(days=(i // 20) * 7 // 5)
        clock[0] = datetime.combine(day, datetime.min.time()) + timedelta(hours=7, minutes=45 + (i % 20) * 20)
        p = rng.choice(procs)
        ch = next(iter(p.channels))
        intake.save(ctx, clerk, IntakeInput(procedure_code=p.code, owner=demo.person(rng), channel=ch, case=p.cases[0].key if getattr(p, "cases", None) else "",
                                            components={c.name: c.count for c in p.components}),
                    print_receipt=False)
    data = reports.register(ctx, clerk, date(2026, 11, 1), date(2026, 12, 31))
    with Timer() as t:
        pdf = register_pdf_bytes(data)
    (tempdir() / "register.pdf").write_bytes(pdf)
    import os; os.environ.get("REGISTER_OUT") and open(os.environ["REGISTER_OUT"], "wb").write(pdf)
    pages = len(pypdfium2.PdfDocument(pdf))
    print("register: %d dossiers, %d pages, %.1f rows a page, %.0f ms" % (len(data.rows), pages,
                                                                           len(data.rows) / pages, t.ms))
    return [Figure("register PDF, rows per page (%d dossiers, %d pages)" % (len(data.rows), pages),
                   len(data.rows) / pages, "rows", 15, lower_is_better=False),
            Figure("register PDF layout time", t.ms, "ms", 5000)]
