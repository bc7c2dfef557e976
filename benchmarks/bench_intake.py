"""Save to receipt PDF on disk: median and p95 over 200 dossiers (target: median < 150 ms)."""

from __future__ import annotations

import random
import sys

from benchmarks.common import Figure, Timer, fresh_desk, median, percentile, report, tempdir


def run(n: int = 200) -> list[Figure]:
    from desk_app.services import demo, intake
    from desk_app.domain.intake import IntakeInput
    from desk_app.services import catalogue

    ctx, clerk = fresh_desk(tempdir())
    rng = random.Random(7)
    procs = [catalogue.get(ctx, p.code) for p in catalogue.search(ctx, "", limit=1000)]
    procs = [p for p in procs if p and p.terms(next(iter(p.channels)))]
    forms = []
    for _ in range(n + 5):
        p = rng.choice(procs)
        ch = next(iter(p.channels))
        forms.append(IntakeInput(procedure_code=p.code, owner=demo.person(rng), channel=ch,
                                 components={c.name: c.count for c in p.components},
                                 case=p.cases[0].key if p.has_cases else ""))
    for f in forms[:5]:  # warm up: imports, fonts, first queries
        intake.save(ctx, clerk, f)
    times, no_pdf = [], []
    for f in forms[5:]:
        with Timer() as t:
            saved = intake.save(ctx, clerk, f)
        assert saved.receipt_path and saved.receipt_path.exists(), saved.receipt_error
        times.append(t.ms)
    for f in forms[5:55]:
        with Timer() as t:
            intake.save(ctx, clerk, f, print_receipt=False)
        no_pdf.append(t.ms)
    return [
        Figure("save + receipt PDF on disk, median (n=%d)" % n, median(times), "ms", 150),
        Figure("save + receipt PDF on disk, p95", percentile(times, 95), "ms", 300),
        Figure("save without receipt, median (share of the PDF: see above)", median(no_pdf), "ms", 150),
    ]


if __name__ == "__main__":
    report("Intake", run(int(sys.argv[1]) if len(sys.argv) > 1 else 200))
