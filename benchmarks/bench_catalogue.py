"""Importing a 2,000-procedure catalogue, from JSON and from CSV (target: under 5 s)."""

from __future__ import annotations

import csv
import json

from benchmarks.common import Figure, Timer, fresh_desk, report, tempdir


def make_catalogue(n: int) -> list[dict]:
    from desk_app.services.catalogue import BUILTIN_CATALOGUE
    base = json.loads(BUILTIN_CATALOGUE.read_text("utf-8"))["procedures"]
    out = []
    for i in range(n):
        p = json.loads(json.dumps(base[i % len(base)]))
        p["code"] = "%d.%06d" % (1 + i % 3, 100000 + i)
        p["name"] = "%s (biến thể %d)" % (p["name"], i)
        out.append(p)
    return out


def run(n: int = 2000) -> list[Figure]:
    from desk_app.domain.procedures import procedure_from_dict
    from desk_app.services import catalogue
    from desk_app.services.catalogue import CSV_COLUMNS, procedure_to_row

    tmp = tempdir()
    entries = make_catalogue(n)
    jpath = tmp / "catalogue-2000.json"
    jpath.write_text(json.dumps({"format": "desk-app-catalogue", "version": 1, "procedures": entries},
                                ensure_ascii=False), "utf-8")
    cpath = tmp / "catalogue-2000.csv"
    with open(cpath, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, CSV_COLUMNS)
        w.writeheader()
        w.writerows(procedure_to_row(procedure_from_dict(e)) for e in entries)
    figures = []
    for label, path in (("JSON", jpath), ("CSV", cpath)):
        ctx, _ = fresh_desk(tmp / ("desk-" + label))
        with Timer() as t:
            r = catalogue.import_file(ctx, path)
        assert r.added >= n
        figures.append(Figure("import %d procedures from %s" % (n, label), t.ms / 1000, "s", 5))
    return figures


if __name__ == "__main__":
    report("Catalogue import", run())
