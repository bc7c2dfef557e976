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

CSV_COLUMNS = ["code", "name", "field", "level", "agency", "result", "legal_basis", "effective_from",
               "source"] + [f"{ch.value}_{k}" for ch in Channel
                            for k in ("time", "unit", "cutoff", "fee", "fee_note")] + ["components"]


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
    for n, row in enumerate(it, start=2):
        if not any(str(c).strip() for c in row):
            continue
        cells = dict(zip(header, (str(c).strip() for c in row)))
        try:
            yield tr("Dòng {n}").format(n=n), _flat_to_entry(cells)
        except ValueError as e:
            yield tr("Dòng {n}").format(n=n), e


def _flat_to_entry(cells: dict[str, str]) -> dict[str, Any]:
    entry: dict[str, Any] = {k: cells.get(k, "") for k in
                             ("code", "name", "field", "level", "agency", "result", "legal_basis",
                              "effective_from", "source")}
    channels = {}
    for ch in Channel:
        t = cells.get(f"{ch.value}_time", "")
        if t == "":
            continue
        channels[ch.value] = {"time": t.replace(",", "."), "unit": cells.get(f"{ch.value}_unit") or "working_days",
                              "cutoff": cells.get(f"{ch.value}_cutoff") or None,
                              "fee": (cells.get(f"{ch.value}_fee") or "0").replace(".", ""),
                              "fee_note": cells.get(f"{ch.value}_fee_note", "")}
    entry["channels"] = channels
    comps = []
    # One component per line inside the cell (names themselves may hold ";" and ",").
    for part in filter(None, (p.strip() for p in cells.get("components", "").splitlines())):
        bits = [b.strip() for b in part.split("|")]
        if len(bits) < 2:
            raise ValueError(tr("thành phần \"{part}\" phải có dạng tên|hình thức|số lượng|bắt buộc").format(part=part))
        comps.append({"name": bits[0], "form": bits[1], "count": bits[2] if len(bits) > 2 and bits[2] else 1,
                      "required": (bits[3].lower() not in ("0", "không", "khong", "no", "false", "optional"))
                      if len(bits) > 3 and bits[3] else True})
    entry["components"] = comps
    return entry


def procedure_to_row(p: Procedure) -> dict[str, str]:
    """One CSV row of a procedure (the inverse of the CSV reader)."""
    d = procedure_to_dict(p)
    row = {k: str(d[k]) for k in ("code", "name", "field", "level", "agency", "result", "legal_basis",
                                   "effective_from", "source")}
    for ch in Channel:
        t = d["channels"].get(ch.value)
        for k in ("time", "unit", "cutoff", "fee", "fee_note"):
            row[f"{ch.value}_{k}"] = "" if not t or t[k] is None else str(t[k])
    row["components"] = "\n".join("%s|%s|%d|%s" % (c["name"], c["form"], c["count"], "1" if c["required"] else "0")
                                  for c in d["components"])
    return row


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
    Path(path).write_text(json.dumps({"format": "desk-app-catalogue", "version": 1, "procedures": entries},
                                     ensure_ascii=False, indent=1), "utf-8")
    return len(entries)


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
