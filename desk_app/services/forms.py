"""Building the printed forms' data from a dossier and its events, and keeping the PDFs."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from ..domain.dossier import EventKind
from ..domain.lifecycle import finished_verdict
from ..domain.forms import (ApologyData, ControlSlipData, FormHeader, Hop, RefusalData,
                            SupplementRequestData)
from ..domain.i18n import tr
from ..storage import repositories as repo
from ..storage.models import Dossier, Unit, User
from .context import DeskContext


def header(s, at: datetime) -> FormHeader:
    a = repo.get_agency(s)
    return FormHeader(a.parent_name.upper(), a.name.upper(), a.place, at)


def kept_path(root: Path, d: Dossier, at: datetime, kind: str | None = None) -> Path:
    """A new file name for a printed PDF kept with the dossier: never overwrites an earlier print."""
    folder = root / d.received_at.strftime("%Y/%m")
    folder.mkdir(parents=True, exist_ok=True)
    stem = "-".join(p for p in (d.code, kind, at.strftime("%Y%m%d%H%M%S")) if p)
    path, n = folder / (stem + ".pdf"), 1
    while path.exists():
        n += 1
        path = folder / ("%s-%d.pdf" % (stem, n))
    return path


def _kept(ctx: DeskContext, d: Dossier, kind: str, at: datetime) -> Path:
    return kept_path(ctx.data_dir / "forms", d, at, kind)


def hops(ctx: DeskContext, s, d: Dossier, now: datetime | None = None) -> list[Hop]:
    """The control slip's hand-overs, each judged against its own allowed time.

    A hop starts when a unit hands the dossier over and ends when the receiving unit
    hands it on; its verdict compares, by date as the statistics do, the end with the
    start plus the hop's allowed working time (supplement pauses added).
    """
    units = {u.code: u.name for u in s.scalars(select(Unit))}
    names = {u.username: u.full_name for u in s.scalars(select(User))}
    events = list(repo.events_of(s, d.code))
    cal = ctx.calendar()
    now = now or ctx.clock()
    out: list[Hop] = []
    transfers = [i for i, e in enumerate(events) if e.kind == EventKind.TRANSFERRED.value]
    for n, i in enumerate(transfers):
        e = events[i]
        end_index = transfers[n + 1] if n + 1 < len(transfers) else None
        receiver = next((x for x in events[i + 1:end_index] if x.kind == EventKind.ARRIVED.value), None)
        allowed = e.payload.get("allowed_hours")
        verdict_text, note = "", e.payload.get("note", "")
        if allowed:
            due = cal.add_working_time(e.desk_time, timedelta(hours=allowed))
            paused = timedelta(0)
            span = events[i + 1:end_index] if end_index else events[i + 1:]
            for x in span:  # every event that ends a pause says how long the clock stood still
                if isinstance(x.payload.get("paused_seconds"), int):
                    paused += timedelta(seconds=x.payload["paused_seconds"])
            due = cal.shift(due, paused)
            end = events[end_index].desk_time if end_index is not None else None
            verdict_text = finished_verdict(end, due, 0).label if end is not None else ""
            note = (note + " " if note else "") + tr("Thời hạn bước: {h} giờ làm việc, đến {due}").format(
                h=("%g" % allowed).replace(".", ","), due=due.strftime("%H:%M %d/%m/%Y"))
        out.append(Hop(units.get(e.payload.get("from_unit") or "", e.payload.get("from_unit") or ""),
                       units.get(e.payload.get("to_unit"), e.payload.get("to_unit")), e.desk_time,
                       names.get(e.actor, e.actor),
                       names.get(receiver.actor, receiver.actor) if receiver else "", verdict_text, note))
    return out


def control_slip(ctx: DeskContext, s, d: Dossier) -> Path:
    from ..documents.control_slip import render_control_slip
    now = ctx.clock()
    data = ControlSlipData(header(s, now), d.code, d.owner_name, d.procedure.name, d.received_at,
                           d.due_at, tuple(hops(ctx, s, d, now)))  # the legal appointment
    return render_control_slip(data, _kept(ctx, d, "phieu-kiem-soat", now))


def supplement_request(ctx: DeskContext, s, d: Dossier, reason: str, missing: list[str]) -> Path:
    from ..documents.supplement import render_supplement_request
    now = ctx.clock()
    clerk = d.clerk.full_name
    data = SupplementRequestData(header(s, now), d.code, d.owner_name, d.procedure.name, d.received_at,
                                 reason, tuple(missing), clerk)
    return render_supplement_request(data, _kept(ctx, d, "yeu-cau-bo-sung", now))


def refusal(ctx: DeskContext, s, d: Dossier, reasons: list[str]) -> Path:
    from ..documents.refusal import render_refusal
    now = ctx.clock()
    data = RefusalData(header(s, now), d.code, d.owner_name, d.procedure.name, tuple(reasons), d.clerk.full_name)
    return render_refusal(data, _kept(ctx, d, "tu-choi", now))


def apology(ctx: DeskContext, s, d: Dossier) -> Path:
    from ..documents.apology import render_apology
    now = ctx.clock()
    e = [x for x in repo.events_of(s, d.code) if x.kind == EventKind.APPOINTMENT_MOVED.value][-1]
    p = e.payload
    director = repo.get_setting(s, "director_name")
    data = ApologyData(header(s, now), d.code, d.owner_name, d.procedure.name, d.received_at,
                       datetime.fromisoformat(p["old_appointment"]), p["late_unit"], p["reason"],
                       datetime.fromisoformat(p["new_appointment"]),
                       "%s, %s" % (repo.get_setting(s, "counter_location"), repo.get_agency(s).address),
                       tr("GIÁM ĐỐC"), director)
    return render_apology(data, _kept(ctx, d, "xin-loi-hen-lai", now))

