"""Importing a 2,000-procedure catalogue, from JSON (format 2, and format 1 migrated on reading),
CSV and XLSX (one row per case) (target: under 5 s)."""

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
    from desk_app.services.catalogue import CSV_COLUMNS, procedure_to_rows
    from openpyxl import Workbook

    tmp = tempdir()
    entries = make_catalogue(n)
    jpath = tmp / "catalogue-2000.json"
    jpath.write_text(json.dumps({"format": "desk-app-catalogue", "version": 2, "procedures": entries},
                                ensure_ascii=False), "utf-8")
    # format 1: one channel table, fee and fee_note (what older desks exported)
    old = []
    for e in entries:
        o = {k: v for k, v in e.items() if k != "cases"}
        o["channels"] = {ch: {"time": t["time"], "unit": t["unit"], "cutoff": t["cutoff"],
                              "fee": next((f["amount"] for f in t["fees"] if f["amount"]), 0) or 0,
                              "fee_note": "; ".join(f["note"] for f in t["fees"] if f["note"])}
                         for ch, t in e["cases"][0]["channels"].items()}
        for c in o["components"]:
            c.pop("use", None)
        old.append(o)
    opath = tmp / "catalogue-2000-format1.json"
    opath.write_text(json.dumps({"format": "desk-app-catalogue", "version": 1, "procedures": old},
                                ensure_ascii=False), "utf-8")
    rows = [r for e in entries for r in procedure_to_rows(procedure_from_dict(e))]
    cpath = tmp / "catalogue-2000.csv"
    with open(cpath, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, CSV_COLUMNS)
        w.writeheader()
        w.writerows(rows)
    xpath = tmp / "catalogue-2000.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(CSV_COLUMNS)
    for r in rows:
        ws.append([r.get(c, "") for c in CSV_COLUMNS])
    wb.save(xpath)
    figures = []
    for label, path in (("JSON", jpath), ("JSON format 1", opath), ("CSV", cpath), ("XLSX", xpath)):
        ctx, _ = fresh_desk(tmp / ("desk-" + label))
        with Timer() as t:
            r = catalogue.import_file(ctx, path)
        assert r.added >= n
        figures.append(Figure("import %d procedures from %s" % (n, label), t.ms / 1000, "s", 5))
    return figures


if __name__ == "__main__":
    report("Catalogue import", run())
