"""The procedure catalogue: import from CSV, XLSX or JSON, export, search."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Iterator

from sqlalchemy import select

from ..domain.i18n import tr
from ..domain.procedures import (CatalogueError, Channel, Procedure, procedure_from_dict,
                                 procedure_to_dict)
from ..domain.roles import Action
from ..domain.text import fold
from ..storage import repositories as repo
from ..storage.models import ProcedureRow
from .context import CurrentUser, DeskContext, ServiceError, require

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
BUILTIN_CATALOGUE = RESOURCES / "procedures" / "catalogue.json"
FORMAT_VERSION = 2   # cases, fees with their basis, papers to show; format 1 files are still read

_HEAD = ("code", "name", "field", "field_code", "level", "agency", "result", "legal_basis", "effective_from",
         "source")
# One row per case of a procedure (rows with the same code and effective date are one procedure;
# its own columns and components are read from its first row). ``{channel}_fees`` holds one fee a
# line, "name|amount|basis|note", the amount "?" when it is to be confirmed. Files of format 1
# ({channel}_fee, {channel}_fee_note, no case columns) are still read.
CSV_COLUMNS = list(_HEAD) + ["case_key", "case_name"] + [
    f"{ch.value}_{k}" for ch in Channel for k in ("time", "unit", "cutoff", "fees")] + ["components"]


class ImportRefused(ServiceError):
    """The file has bad rows; nothing was imported. ``problems`` holds one line per row."""

    def __init__(self, problems: list[str]):
        shown = problems[:100]
        more = [tr("... và {n} dòng lỗi khác.").format(n=len(problems) - 100)] if len(problems) > 100 else []
        super().__init__(tr("Tệp có {n} dòng lỗi, không nhập thủ tục nào:").format(n=len(problems))
                         + "\n" + "\n".join(shown + more))
        self.problems = problems


@dataclass(frozen=True)
class ImportReport:
    added: int
    new_versions: int
    unchanged: int


@dataclass(frozen=True)
class ProcedureSummary:
    code: str
    name: str
    field: str
    level: str
    version: int


# -- reading files ----------------------------------------------------------------------
def read_entries(path: Path) -> Iterator[tuple[str, dict[str, Any] | Exception]]:
    """(row label, entry or the error reading it) for every entry of the file."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        try:
            data = json.loads(path.read_text("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ImportRefused([tr("Tệp JSON không đọc được: {error}").format(error=e)]) from None
        entries = data.get("procedures") if isinstance(data, dict) else data
        if not isinstance(entries, list):
            raise ImportRefused([tr("Tệp JSON phải có danh sách \"procedures\".")])
        for i, e in enumerate(entries, start=1):
            yield tr("Mục {n}").format(n=i), e if isinstance(e, dict) else ValueError(tr("không phải một thủ tục"))
    elif suffix == ".csv":
        try:
            text = path.read_text("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportRefused([tr("Tệp CSV phải được lưu với bảng mã UTF-8.")]) from None
        yield from _rows(csv.reader(io.StringIO(text)))
    elif suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook
        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception as e:  # openpyxl raises many kinds for a damaged file
            raise ImportRefused([tr("Tệp Excel không đọc được: {error}").format(error=e)]) from None
        rows = ([("" if c is None else str(c)) for c in row] for row in wb.active.iter_rows(values_only=True))
        yield from _rows(rows)
    else:
        raise ImportRefused([tr("Chỉ nhập được tệp .csv, .xlsx hoặc .json.")])


def _rows(rows: Iterable[list[str]]) -> Iterator[tuple[str, dict[str, Any] | Exception]]:
    it = iter(rows)
    header = [h.strip().lower() for h in next(it, [])]
    missing = [c for c in ("code", "name", "field", "level", "result", "source") if c not in header]
    if missing:
        raise ImportRefused([tr("Dòng 1: thiếu cột {cols}.").format(cols=", ".join(missing))])
    groups: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
    for n, row in enumerate(it, start=2):
        if not any(str(c).strip() for c in row):
            continue
        cells = dict(zip(header, (str(c).strip() for c in row)))
        label = tr("Dòng {n}").format(n=n)
        try:
            entry = _flat_to_entry(cells)
        except ValueError as e:
            yield label, e
            continue
        key = (entry["code"].upper(), entry["effective_from"])
        if key in groups:  # another case of a procedure already read
            groups[key][1]["cases"].extend(entry["cases"])
        else:
            groups[key] = (label, entry)
    yield from groups.values()


def _fees_cell(text: str) -> list[dict[str, Any]]:
    fees = []
    for line in filter(None, (x.strip() for x in text.splitlines())):
        bits = [b.strip() for b in line.split("|")] + ["", "", ""]
        fees.append({"name": bits[0], "amount": bits[1], "basis": bits[2], "note": bits[3]})
    return fees


def _flat_to_entry(cells: dict[str, str]) -> dict[str, Any]:
    entry: dict[str, Any] = {k: cells.get(k, "") for k in _HEAD}
    channels: dict[str, Any] = {}
    for ch in Channel:
        t = cells.get(f"{ch.value}_time", "")
        if t == "":
            continue
        terms: dict[str, Any] = {"time": t.replace(",", "."), "unit": cells.get(f"{ch.value}_unit") or "working_days",
                                 "cutoff": cells.get(f"{ch.value}_cutoff") or None}
        if f"{ch.value}_fees" in cells:
            terms["fees"] = _fees_cell(cells[f"{ch.value}_fees"])
        else:  # format 1
            terms["fee"] = (cells.get(f"{ch.value}_fee") or "0").replace(".", "")
            terms["fee_note"] = cells.get(f"{ch.value}_fee_note", "")
        channels[ch.value] = terms
    entry["cases"] = [{"key": cells.get("case_key", ""), "name": cells.get("case_name", ""), "channels": channels}]
    comps = []
    # One component per line inside the cell (names themselves may hold ";" and ",").
    for part in filter(None, (p.strip() for p in cells.get("components", "").splitlines())):
        bits = [b.strip() for b in part.split("|")]
        if len(bits) < 2:
            raise ValueError(tr("thành phần \"{part}\" phải có dạng tên|hình thức|số lượng|bắt buộc|nộp hoặc xuất trình").format(part=part[:200]))
        comp: dict[str, Any] = {
            "name": bits[0], "form": bits[1], "count": bits[2] if len(bits) > 2 and bits[2] else 1,
            "required": (bits[3].lower() not in ("0", "không", "khong", "no", "false", "optional"))
            if len(bits) > 3 and bits[3] else True}
        if len(bits) > 4 and bits[4]:
            comp["use"] = bits[4]
        comps.append(comp)
    entry["components"] = comps
    return entry


def _fee_cell(fees: list[dict[str, Any]]) -> str:
    return "\n".join("%s|%s|%s|%s" % (f["name"], "?" if f["amount"] is None else f["amount"], f["basis"], f["note"])
                     for f in fees)


def procedure_to_rows(p: Procedure) -> list[dict[str, str]]:
    """The CSV rows of a procedure, one per case (the inverse of the CSV reader)."""
    d = procedure_to_dict(p)
    head = {k: str(d.get(k) or "") for k in _HEAD}
    head["components"] = "\n".join("%s|%s|%d|%s|%s" % (c["name"], c["form"], c["count"], "1" if c["required"] else "0",
                                                       c["use"]) for c in d["components"])
    rows = []
    for case in d["cases"]:
        row = dict(head, case_key=case["key"], case_name=case["name"])
        for ch in Channel:
            t = case["channels"].get(ch.value)
            row[f"{ch.value}_time"] = "" if not t else str(t["time"])
            row[f"{ch.value}_unit"] = "" if not t else t["unit"]
            row[f"{ch.value}_cutoff"] = "" if not t or not t["cutoff"] else t["cutoff"]
            row[f"{ch.value}_fees"] = "" if not t else _fee_cell(t["fees"])
        rows.append(row)
    return rows


def procedure_to_row(p: Procedure) -> dict[str, str]:
    """The first CSV row of a procedure (its only one when it has a single case)."""
    return procedure_to_rows(p)[0]


def export_rows(ctx: DeskContext) -> list[dict[str, str]]:
    """Every current procedure as CSV/XLSX rows."""
    with ctx.db.session(write=False) as s:
        latest: dict[str, ProcedureRow] = {}
        for row in s.scalars(select(ProcedureRow).order_by(ProcedureRow.version)):
            latest[row.code] = row
        datas = [row.data for _, row in sorted(latest.items())]
    return [r for data in datas for r in procedure_to_rows(procedure_from_dict(data))]


def export_csv(ctx: DeskContext, path: Path | str) -> int:
    """Write the catalogue as CSV (UTF-8 with BOM so that Excel reads the accents)."""
    rows = export_rows(ctx)
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.DictWriter(f, CSV_COLUMNS)
        w.writeheader()
        w.writerows(rows)
    return len(rows)


def export_xlsx(ctx: DeskContext, path: Path | str) -> int:
    """Write the catalogue as an Excel sheet with the CSV's columns."""
    from openpyxl import Workbook
    rows = export_rows(ctx)
    wb = Workbook()
    ws = wb.active
    ws.title = "Danh muc TTHC"
    ws.append(CSV_COLUMNS)
    for r in rows:
        ws.append([r.get(c, "") for c in CSV_COLUMNS])
    wb.save(path)
    return len(rows)


# -- use cases --------------------------------------------------------------------------
def import_file(ctx: DeskContext, path: Path | str, user: CurrentUser | None = None) -> ImportReport:
    """Import a catalogue file; any bad row refuses the whole file with every row's problem."""
    if user is not None:
        require(user, Action.IMPORT_CATALOGUE)
    path = Path(path)
    if not path.exists():
        raise ServiceError(tr("Không tìm thấy tệp {path}.").format(path=path))
    problems: list[str] = []
    procedures: list[Procedure] = []
    seen: dict[tuple[str, date], str] = {}
    for label, entry in read_entries(path):
        if isinstance(entry, Exception):
            problems.append("%s: %s" % (label, entry))
            continue
        try:
            p = procedure_from_dict(entry)
        except CatalogueError as e:
            problems.append("%s: %s" % (label, "; ".join(e.messages)))
            continue
        key = (p.code, p.effective_from)
        if key in seen:
            problems.append(tr("{row}: mã thủ tục {code} trùng với {other}").format(row=label, code=p.code, other=seen[key]))
            continue
        seen[key] = label
        procedures.append(p)
    if problems:
        raise ImportRefused(problems)
    if not procedures:
        raise ImportRefused([tr("Tệp không có thủ tục nào.")])
    return _store(ctx, procedures)


def _store(ctx: DeskContext, procedures: list[Procedure]) -> ImportReport:
    added = versions = unchanged = 0
    now = ctx.clock()
    with ctx.db.session() as s:
        latest: dict[str, ProcedureRow] = {}
        for row in s.scalars(select(ProcedureRow).order_by(ProcedureRow.version)):
            latest[row.code] = row
        new_rows = []
        for p in procedures:
            data = procedure_to_dict(p)
            old = latest.get(p.code)
            if old is not None:
                try:  # a row of an older format compares in the newest one
                    old_cmp = dict(procedure_to_dict(procedure_from_dict(old.data)), version=None)
                except CatalogueError:
                    old_cmp = dict(old.data, version=None)
                if old_cmp == dict(data, version=None):
                    unchanged += 1
                    continue
                version = old.version + 1
                versions += 1
            else:
                version = 1
                added += 1
            data["version"] = version
            row = dict(code=p.code, version=version, effective_from=p.effective_from, name=p.name,
                       field=p.field, level=p.level, search_text=fold(" ".join((p.code, p.name, p.field))),
                       data=data, imported_at=now)
            new_rows.append(row)
        if new_rows:
            s.execute(ProcedureRow.__table__.insert(), new_rows)
    return ImportReport(added, versions, unchanged)


def export_json(ctx: DeskContext, path: Path | str) -> int:
    """Write the newest version of every procedure in the catalogue's JSON shape."""
    with ctx.db.session(write=False) as s:
        latest: dict[str, ProcedureRow] = {}
        for row in s.scalars(select(ProcedureRow).order_by(ProcedureRow.version)):
            latest[row.code] = row
        entries = [row.data for _, row in sorted(latest.items())]
    entries = [procedure_to_dict(procedure_from_dict(e)) for e in entries]  # older rows in the newest format
    Path(path).write_text(json.dumps({"format": "desk-app-catalogue", "version": FORMAT_VERSION, "procedures": entries},
                                     ensure_ascii=False, indent=1), "utf-8")
    return len(entries)


def export_file(ctx: DeskContext, path: Path | str) -> int:
    """Export the catalogue in the format its suffix names (.json, .csv, .xlsx); what it returns
    is the number of procedures (JSON) or rows, one per case (CSV, XLSX)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return export_csv(ctx, path)
    if suffix in (".xlsx", ".xlsm"):
        return export_xlsx(ctx, path)
    if suffix == ".json":
        return export_json(ctx, path)
    raise ServiceError(tr("Chỉ xuất được tệp .csv, .xlsx hoặc .json."))


def search(ctx: DeskContext, query: str, limit: int = 50) -> list[ProcedureSummary]:
    """Procedures whose code, name or field holds every word of ``query`` (diacritics optional)."""
    with ctx.db.session(write=False) as s:
        return [ProcedureSummary(r.code, r.name, r.field, r.level, r.version)
                for r in repo.search_procedures(s, query, limit)]


def get(ctx: DeskContext, code: str, on: date | None = None) -> Procedure | None:
    with ctx.db.session(write=False) as s:
        row = repo.current_procedure(s, code, on)
        return procedure_from_dict(row.data) if row else None


def ensure_builtin(ctx: DeskContext) -> None:
    """Load the catalogue shipped in ``resources/`` into an empty database."""
    with ctx.db.session(write=False) as s:
        if s.scalars(select(ProcedureRow.id).limit(1)).first() is not None:
            return
    import_file(ctx, BUILTIN_CATALOGUE)
