"""What a desk fetches: the events of the dossiers that concern it, after its cursor.

A dossier concerns a desk from the moment one of its units received, was sent, or acted
on it (``dossier_units.since_seq``); at that moment the dossier's earlier history comes
along too, so a department sees the dossier whole, from its intake on. Desks enrolled
with the scope "agency" (supervisors) see every dossier of their agency.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, not_, or_, select
from sqlalchemy.orm import Session

from .db import among
from .models import Counter, DossierUnit, ServerEvent
from .security import DeskIdentity


def wire(e) -> dict:
    """An event as it travels. Whatever is stored (a value kept before the server refused such
    values, a row edited by hand), the answer is JSON: see ``safejson.SafeJSONResponse``."""
    try:
        at = e.desk_time.isoformat()
    except (AttributeError, ValueError, OverflowError):
        at = None
    return {"id": e.id, "dossier_code": e.dossier_code, "kind": e.kind, "payload": e.payload,
            "actor": e.actor, "desk": e.desk, "desk_time": at, "unit": e.unit,
            "prev_hash": e.prev_hash, "hash": e.hash}


def _visible(desk: DeskIdentity):
    """Events a desk gets: of dossiers that concern it, not its own accepted ones (it has
    them), but its own conflicts (it must see them)."""
    concerns = ServerEvent.agency_code == desk.agency_code
    if desk.scope != "agency":  # unit codes are the agency's own: "MOTCUA" is every centre's counter
        concerns = and_(concerns, ServerEvent.dossier_code.in_(
            select(DossierUnit.dossier_code).where(DossierUnit.unit.in_(desk.units))))
    own = ServerEvent.desk == desk.id
    return or_(and_(concerns, not_(own)), and_(own, ServerEvent.accepted.is_(False)))


# what a page carries, read as plain rows: an ORM object per event cost more than the rest of a
# page's making (a catch-up reads tens of thousands)
_COLUMNS = (ServerEvent.server_seq, ServerEvent.id, ServerEvent.dossier_code, ServerEvent.kind, ServerEvent.payload,
            ServerEvent.actor, ServerEvent.desk, ServerEvent.desk_time, ServerEvent.unit, ServerEvent.prev_hash,
            ServerEvent.hash, ServerEvent.accepted, ServerEvent.reason)


def pull(session: Session, desk: DeskIdentity, cursor: int, limit: int, now: datetime) -> dict:
    top = session.execute(select(Counter.value).where(Counter.name == "server_seq")).scalar_one()
    rows = list(session.execute(select(*_COLUMNS).where(
        ServerEvent.server_seq > cursor, ServerEvent.server_seq <= top, _visible(desk))
        .order_by(ServerEvent.server_seq).limit(limit)))
    more = len(rows) == limit
    upto = rows[-1].server_seq if more else top
    rows += _history_of_new_dossiers(session, desk, cursor, upto)
    rows.sort(key=lambda r: r.server_seq)
    events, conflicts, seen = [], [], set()
    for r in rows:
        if r.id in seen:
            continue
        seen.add(r.id)
        if r.accepted:
            events.append({**wire(r), "server_seq": r.server_seq})
        else:
            conflicts.append({"server_seq": r.server_seq, "event": wire(r), "reason": r.reason})
    return {"events": events, "conflicts": conflicts, "cursor": max(upto, cursor), "head": top, "more": more,
            "server_time": now.isoformat()}


def _history_of_new_dossiers(session: Session, desk: DeskIdentity, cursor: int, upto: int) -> list:
    """Events from before a dossier began to concern the desk, for dossiers that began to in
    (cursor, upto]."""
    if desk.scope == "agency" or upto <= cursor:
        return []
    mine = desk.agency_code + "-"
    candidates = {code: since for code, since in session.execute(
        select(DossierUnit.dossier_code, DossierUnit.since_seq).where(
            DossierUnit.unit.in_(desk.units), DossierUnit.since_seq > cursor, DossierUnit.since_seq <= upto))
        if code.startswith(mine)}
    if not candidates:
        return []
    firsts = dict(session.execute(
        select(DossierUnit.dossier_code, func.min(DossierUnit.since_seq))
        .where(among(session, DossierUnit.dossier_code, candidates), DossierUnit.unit.in_(desk.units))
        .group_by(DossierUnit.dossier_code)).all())
    new = {code: since for code, since in firsts.items() if cursor < since <= upto}
    if not new:
        return []
    own = ServerEvent.desk == desk.id
    # which ones by their numbers first, then only those read whole: most of these dossiers'
    # events are on the page already, and decoding their payloads again was half a page's CPU
    wanted = [seq for seq, code in session.execute(select(ServerEvent.server_seq, ServerEvent.dossier_code).where(
        among(session, ServerEvent.dossier_code, new), ServerEvent.server_seq <= upto,
        or_(not_(own), ServerEvent.accepted.is_(False)))) if seq < new[code]]
    rows: list = []
    step = (len(wanted) or 1) if session.get_bind().dialect.name == "postgresql" else 900  # SQLite < 3.32: 999 at most
    for i in range(0, len(wanted), step):
        rows += session.execute(select(*_COLUMNS).where(among(session, ServerEvent.server_seq, wanted[i:i + step])))
    return rows
