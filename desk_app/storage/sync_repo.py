"""Storage for sync with the central server: the outbox read in order, acknowledgements,
and pulled events applied to the desk's database. None of these functions commits."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Iterable, Sequence

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from ..domain import lifecycle
from ..domain.dossier import EventKind, Status
from ..domain.text import fold
from . import repositories as repo
from .models import Attachment, CodeBlock, Dossier, EventRow, OutboxRow, ProcedureRow, User
from . import projection
from .projection import parse_time as _time
from .sync_models import (AttachmentDownload, AttachmentUpload, SyncConfig, SyncConflict,
                          UnseenDossier)


# -- enrolment --------------------------------------------------------------------------
def config(session: Session) -> SyncConfig | None:
    return session.get(SyncConfig, 1)


def save_enrolment(session: Session, server_url: str, token: str, agency_code: str, units: list[str],
                   scope: str, now: datetime) -> SyncConfig:
    cfg = config(session)
    if cfg is None:
        cfg = SyncConfig(id=1, pull_cursor=0)
        session.add(cfg)
    elif cfg.server_url.rstrip("/") != server_url.rstrip("/"):
        cfg.pull_cursor = 0  # another server: its cursor means nothing here
    cfg.server_url, cfg.token, cfg.agency_code = server_url.rstrip("/"), token, agency_code
    cfg.units, cfg.scope, cfg.enrolled_at = list(units), scope, now
    cfg.last_error, cfg.reachable = None, True
    return cfg


def record_attempt(session: Session, now: datetime, error: str | None, reachable: bool | None) -> None:
    cfg = config(session)
    if cfg is None:
        return
    cfg.last_attempt_at = now
    cfg.last_error = error
    cfg.reachable = reachable
    if error is None:
        cfg.last_success_at = now


# -- the outbox -------------------------------------------------------------------------
def unsent(session: Session, limit: int, after_seq: int = 0) -> Sequence[EventRow]:
    """The oldest events not yet acknowledged by the server, in the order they were written
    (those written after ``after_seq``: the batches already on their way are not read again)."""
    return session.scalars(select(EventRow).join(OutboxRow, OutboxRow.event_id == EventRow.id)
                           .where(OutboxRow.sent_at.is_(None), EventRow.seq > after_seq)
                           .order_by(EventRow.seq).limit(limit)).all()


def count_unsent(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(OutboxRow).where(OutboxRow.sent_at.is_(None))) or 0


def outbox_probe(session: Session) -> tuple[int, int]:
    """Changes whenever an event is written or sent: cheap enough to ask every second."""
    return (count_unsent(session), session.scalar(select(func.max(EventRow.seq))) or 0)


def to_wire(e: EventRow) -> dict[str, Any]:
    return {"id": e.id, "dossier_code": e.dossier_code, "kind": e.kind, "payload": e.payload,
            "actor": e.actor, "desk": e.desk, "desk_time": e.desk_time.isoformat(), "unit": e.unit,
            "prev_hash": e.prev_hash, "hash": e.hash}


def mark_pushed(session: Session, results: list[dict], now: datetime, calendar=None) -> tuple[int, int]:
    """Record the server's answers: sequence numbers, and this desk's events it did not accept.

    Returns (accepted, conflicts)."""
    by_id = {r["id"]: r for r in results}
    rows = {e.id: e for e in session.scalars(select(EventRow).where(EventRow.id.in_(by_id)))}
    accepted = conflicts = 0
    touched = set()
    for event_id, r in by_id.items():
        e = rows.get(event_id)
        if e is None:
            continue
        e.server_seq = r["server_seq"]
        if r["status"] == "conflict":
            conflicts += 1
            touched.add(e.dossier_code)
            _add_conflict(session, to_wire(e), r.get("reason") or "", "conflict", True, r["server_seq"], now)
        else:
            accepted += 1
    session.execute(update(OutboxRow).where(OutboxRow.event_id.in_(list(by_id)))
                    .values(sent_at=now, attempts=OutboxRow.attempts + 1))
    for code in touched:
        project(session, code, now, calendar)
    return accepted, conflicts


def mark_refused(session: Session, refusals: list[dict], now: datetime, calendar=None) -> int:
    """Events the server will never take from this desk: kept here as refused, out of the outbox."""
    ids = [r["id"] for r in refusals]
    rows = {e.id: e for e in session.scalars(select(EventRow).where(EventRow.id.in_(ids)))}
    for r in refusals:
        e = rows.get(r["id"])
        if e is not None:
            _add_conflict(session, to_wire(e), r.get("reason") or "", "refused", True, None, now)
    session.execute(update(OutboxRow).where(OutboxRow.event_id.in_(ids))
                    .values(sent_at=now, attempts=OutboxRow.attempts + 1))
    for code in {e.dossier_code for e in rows.values()}:
        project(session, code, now, calendar)
    return len(rows)


def count_attempt(session: Session, event_ids: Iterable[str]) -> None:
    session.execute(update(OutboxRow).where(OutboxRow.event_id.in_(list(event_ids)))
                    .values(attempts=OutboxRow.attempts + 1))


# -- attachments ------------------------------------------------------------------------
def uploads_needed(session: Session, events: Sequence[EventRow]) -> list[tuple[str, str]]:
    """(sha256, local path) of the attachments these events announce that the server lacks."""
    shas = {e.payload.get("sha256") for e in events
            if e.kind == EventKind.ATTACHMENT_ADDED.value and isinstance(e.payload.get("sha256"), str)}
    if not shas:
        return []
    done = set(session.scalars(select(AttachmentUpload.sha256).where(AttachmentUpload.sha256.in_(shas))))
    paths = dict(session.execute(select(Attachment.sha256, Attachment.stored_path)
                                 .where(Attachment.sha256.in_(shas - done))).all())
    return sorted((sha, paths.get(sha, "")) for sha in shas - done)


def mark_uploaded(session: Session, sha256: str, now: datetime) -> None:
    if session.get(AttachmentUpload, sha256) is None:
        session.add(AttachmentUpload(sha256=sha256, uploaded_at=now))


def count_waiting_uploads(session: Session) -> int:
    return session.scalar(select(func.count(func.distinct(Attachment.sha256))).where(
        Attachment.kind == "scan", Attachment.sha256.not_in(select(AttachmentUpload.sha256)))) or 0


def pending_downloads(session: Session, limit: int = 100) -> Sequence[AttachmentDownload]:
    return session.scalars(select(AttachmentDownload).where(AttachmentDownload.done_at.is_(None))
                           .order_by(AttachmentDownload.queued_at, AttachmentDownload.event_id).limit(limit)).all()


def count_pending_downloads(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AttachmentDownload)
                          .where(AttachmentDownload.done_at.is_(None))) or 0


def finish_download(session: Session, event_id: str, stored_path: str, size: int, now: datetime) -> bool:
    """The file is here: attach it to its dossier. False if the dossier is not here yet."""
    row = session.get(AttachmentDownload, event_id)
    if row is None or row.done_at is not None:
        return True
    dossier = repo.dossier_by_code(session, row.dossier_code)
    if dossier is None:
        return False
    session.add(Attachment(dossier_id=dossier.id, filename=row.filename, sha256=row.sha256, size=size,
                           stored_path=stored_path, kind="scan", added_at=row.added_at))
    row.done_at = now
    mark_uploaded(session, row.sha256, now)  # the server has it: nothing to send back
    return True


def fail_download(session: Session, event_id: str, error: str) -> None:
    row = session.get(AttachmentDownload, event_id)
    if row is not None:
        row.attempts += 1
        row.last_error = error


def pending_attachments(session: Session, code: str) -> list[dict[str, Any]]:
    """Attachments of a dossier that are not where they should be yet: coming from another
    desk ("download"), or not yet on the server ("upload")."""
    out = [{"filename": d.filename, "sha256": d.sha256, "size": d.size, "direction": "download",
            "error": d.last_error}
           for d in session.scalars(select(AttachmentDownload).where(
               AttachmentDownload.dossier_code == code, AttachmentDownload.done_at.is_(None)))]
    dossier = repo.dossier_by_code(session, code)
    if dossier is not None:
        sent = select(AttachmentUpload.sha256)
        out += [{"filename": a.filename, "sha256": a.sha256, "size": a.size, "direction": "upload", "error": None}
                for a in session.scalars(select(Attachment).where(
                    Attachment.dossier_id == dossier.id, Attachment.kind == "scan", Attachment.sha256.not_in(sent)))]
    return out


# -- pulled events ----------------------------------------------------------------------
def _add_conflict(session: Session, e: dict, reason: str, outcome: str, own: bool, server_seq: int | None,
                  now: datetime) -> None:
    if session.get(SyncConflict, e["id"]) is not None:
        return
    session.add(SyncConflict(event_id=e["id"], dossier_code=e["dossier_code"], kind=e["kind"],
                             payload=e.get("payload") or {}, actor=e["actor"], desk=e["desk"],
                             desk_time=_time(e["desk_time"]) or now, unit=e.get("unit"), reason=reason,
                             outcome=outcome, own=own, server_seq=server_seq, detected_at=now))


class _Loaded:
    """What projecting a page of dossiers needs, read in a few queries instead of a few per dossier."""

    def __init__(self, session: Session, codes: Iterable[str], calendar=None):
        codes = list(codes)
        self.dossiers: dict[str, Dossier] = {}
        self.histories: dict[str, list[EventRow]] = {c: [] for c in codes}
        for i in range(0, len(codes), 500):
            chunk = codes[i:i + 500]
            self.dossiers.update((d.code, d) for d in session.scalars(select(Dossier).where(Dossier.code.in_(chunk))))
            rejected = set(session.scalars(select(SyncConflict.event_id).where(SyncConflict.dossier_code.in_(chunk))))
            for e in session.scalars(select(EventRow).where(EventRow.dossier_code.in_(chunk))):
                if e.id not in rejected:
                    self.histories[e.dossier_code].append(e)
        for rows in self.histories.values():
            rows.sort(key=_server_order)
        self.units = projection.Units(session)
        self.procedures: dict[tuple, ProcedureRow] = {}


def _server_order(e: EventRow):
    return (e.server_seq is None, e.server_seq or 0, e.seq)


class _Pulled:
    """A pulled event as just written to the events table: what the reducer and the dossier's
    first values read, without an ORM object or reading back (and decoding) what was written."""

    __slots__ = ("id", "dossier_code", "kind", "payload", "actor", "desk", "desk_time", "unit", "server_seq", "seq")

    def __init__(self, row: dict[str, Any]):
        for name in self.__slots__[:-1]:
            setattr(self, name, row[name])
        self.seq = None


def apply_page(session: Session, page: dict, me: str, now: datetime, calendar=None,
               bulk: bool = True) -> dict[str, int]:
    """Apply one page of pulled events and conflicts; idempotent by event id.

    The dossiers the page brings that this desk does not hold yet (a catch-up is mostly
    those) are folded from their whole history and written in one executemany; the others go
    through ``project`` one by one, as every dossier does with ``bulk=False`` (the reference
    a test holds the bulk path to)."""
    events, conflicts = page.get("events", []), page.get("conflicts", [])
    ids = [e["id"] for e in events]
    have: dict[str, int | None] = {}
    for i in range(0, len(ids), 500):
        have.update(session.execute(select(EventRow.id, EventRow.server_seq)
                                    .where(EventRow.id.in_(ids[i:i + 500]))).all())
    touched: dict[str, tuple[str, str]] = {}
    new_ids: dict[str, set[str]] = {}
    replay_all: set[str] = set()
    rows: list[dict[str, Any]] = []  # the new events, written in one executemany (no ORM object each)
    new = 0
    with session.no_autoflush:
        for e in events:
            if e["id"] in have:
                if have[e["id"]] is None:  # our own, whose acknowledgement was lost
                    session.execute(update(EventRow).where(EventRow.id == e["id"])
                                    .values(server_seq=e["server_seq"]))
                continue
            have[e["id"]] = e["server_seq"]
            rows.append({"id": e["id"], "dossier_code": e["dossier_code"], "kind": e["kind"], "payload": e["payload"],
                         "actor": e["actor"], "desk": e["desk"], "desk_time": _time(e["desk_time"]),
                         "server_seq": e["server_seq"], "unit": e.get("unit"), "prev_hash": e["prev_hash"],
                         "hash": e["hash"]})
            new += 1
            new_ids.setdefault(e["dossier_code"], set()).add(e["id"])
            if e["kind"] == EventKind.ATTACHMENT_ADDED.value and isinstance(e["payload"].get("sha256"), str):
                p = e["payload"]
                session.merge(AttachmentDownload(
                    event_id=e["id"], sha256=p["sha256"], dossier_code=e["dossier_code"],
                    filename=str(p.get("filename") or p["sha256"])[:300], size=int(p.get("size") or 0),
                    added_at=_time(e["desk_time"]) or now, queued_at=now, attempts=0))
            if e["desk"] != me:
                touched[e["dossier_code"]] = (e["kind"], e["desk"])
            else:
                touched.setdefault(e["dossier_code"], ("", ""))
        for c in conflicts:
            ev = c["event"]
            _add_conflict(session, ev, c.get("reason") or "", "conflict", ev["desk"] == me, c.get("server_seq"), now)
            touched.setdefault(ev["dossier_code"], ("", ""))
            if ev["desk"] == me:
                replay_all.add(ev["dossier_code"])
        if rows:
            session.execute(insert(EventRow.__table__), rows)  # in page order, as the ORM would add them
            # what a flush of the rows would have noted: the dossiers whose screens must refresh
            session.info.setdefault(repo._TOUCHED, set()).update(r["dossier_code"] for r in rows)
    session.flush()
    fresh: set[str] = set()  # not held here yet: folded and written in bulk
    if bulk:
        codes = list(touched)
        held: set[str] = set()
        for i in range(0, len(codes), 500):
            held.update(session.scalars(select(Dossier.code).where(Dossier.code.in_(codes[i:i + 500]))))
        fresh = {c for c in codes if c not in held}
    loaded = _Loaded(session, [c for c in touched if c not in fresh], calendar)
    unseen = {u.dossier_code: u for u in session.scalars(
        select(UnseenDossier).where(UnseenDossier.dossier_code.in_([c for c, (k, _) in touched.items() if k])))}
    created = 0
    if fresh:
        made = _create_in_bulk(session, [c for c in touched if c in fresh], rows, now, loaded)
        created += len(made)
        unseen_rows = [{"dossier_code": c, "since": now, "last_kind": touched[c][0], "from_desk": touched[c][1]}
                       for c in made if touched[c][0] and c not in unseen]
        if unseen_rows:
            session.execute(insert(UnseenDossier.__table__), unseen_rows)
        for code in made:
            kind, desk = touched[code]
            if kind and code in unseen:
                unseen[code].last_kind, unseen[code].from_desk = kind, desk
    with session.no_autoflush:
        for code, (kind, desk) in touched.items():
            if code in fresh:
                continue
            existed = code in loaded.dossiers
            dossier = project(session, code, now, calendar, None if code in replay_all else new_ids.get(code),
                              loaded=loaded)
            created += dossier is not None and not existed
            if dossier is not None and kind:
                row = unseen.get(code)
                if row is None:
                    session.add(UnseenDossier(dossier_code=code, since=now, last_kind=kind, from_desk=desk))
                else:
                    row.last_kind, row.from_desk = kind, desk
    return {"events": new, "conflicts": len(conflicts), "dossiers_created": created}


def _create_in_bulk(session: Session, codes: list[str], written: list[dict[str, Any]], now: datetime,
                    loaded: _Loaded) -> list[str]:
    """The dossiers of ``codes`` (none held here yet), each from its intake and its whole
    history folded by the reducer, as ``project`` makes one (same values, same order of
    creation), written in one executemany. Returns the codes of those created (a dossier
    whose intake has not arrived waits for it)."""
    page = {r["id"]: _Pulled(r) for r in written}
    histories: dict[str, list] = {c: [] for c in codes}
    missing: dict[str, int] = {}
    for i in range(0, len(codes), 500):
        chunk = codes[i:i + 500]
        rejected = set(session.scalars(select(SyncConflict.event_id).where(SyncConflict.dossier_code.in_(chunk))))
        for event_id, code, seq in session.execute(select(EventRow.id, EventRow.dossier_code, EventRow.seq)
                                                   .where(EventRow.dossier_code.in_(chunk))):
            if event_id in rejected:
                continue
            e = page.get(event_id)
            if e is None:
                missing[event_id] = seq  # an earlier page's, or this desk's own: read in full below
            else:
                e.seq = seq
                histories[code].append(e)
    ids = list(missing)
    for i in range(0, len(ids), 500):
        for e in session.execute(select(EventRow.__table__).where(EventRow.id.in_(ids[i:i + 500]))):
            histories[e.dossier_code].append(e)
    counter_unit = loaded.units.counter_code()
    values: list[dict[str, Any]] = []
    for code in codes:
        history = sorted(histories[code], key=_server_order)
        received = next((r for r in history if r.kind in OPENING), None)
        if received is None:
            continue  # its intake has not arrived: wait for it
        row = _dossier_values(session, received, now, loaded)
        state = lifecycle.fold(history, default_unit=counter_unit)
        if state is not None:
            row.update(projection.stored_values(state, loaded.units))
        values.append(row)
    if not values:
        return []
    table = Dossier.__table__
    columns = {c.key: c for c in table.columns}
    names = set().union(*values)
    for row in values:
        for name in names:
            if row.get(name) is None:  # what the ORM's insert leaves to the column's default
                row[name] = columns[name].default.arg if columns[name].default is not None else None
    session.execute(insert(table), values)
    made = [row["code"] for row in values]
    session.info.setdefault(repo._TOUCHED, set()).update(made)
    return made


def history(session: Session, code: str) -> Sequence[EventRow]:
    """A dossier's events in the server's order (whatever the desks' clocks said), then this
    desk's own not yet acknowledged; events the server did not accept are left out."""
    rejected = select(SyncConflict.event_id).where(SyncConflict.dossier_code == code)
    return session.scalars(select(EventRow).where(EventRow.dossier_code == code, EventRow.id.not_in(rejected))
                           .order_by(EventRow.server_seq.is_(None), EventRow.server_seq, EventRow.seq)).all()


def project(session: Session, code: str, now: datetime, calendar=None, new_ids: set[str] | None = None,
            loaded: _Loaded | None = None) -> Dossier | None:
    """Bring a dossier's row in line with its history, creating it from the intake event when it
    was received elsewhere. Events that simply come after what the row already reflects are
    applied one by one; anything else (an event of ours the server refused, a step of another
    desk that the server put before one of ours) replays the whole history."""
    if loaded is None:
        session.flush()
        loaded = _Loaded(session, [code], calendar)
    rows = loaded.histories.get(code, [])
    dossier = loaded.dossiers.get(code)
    received = next((r for r in rows if r.kind in OPENING), None)
    if dossier is None:
        if received is None:
            return None  # its intake has not arrived: wait for it
        dossier = _dossier_from(session, received, now, loaded)
        loaded.dossiers[code] = dossier
        new_ids = None
    if new_ids:
        old = [r for r in rows if r.id not in new_ids]
        fresh = [r.server_seq for r in rows if r.id in new_ids]
        if fresh and all(r.server_seq is not None for r in old) and \
                (not old or max(r.server_seq for r in old) < min(fresh)):
            for r in rows:
                if r.id in new_ids:
                    try:
                        projection.apply(dossier, r, loaded.units)
                    except (lifecycle.StepRefusal, lifecycle.PayloadError):
                        pass  # the server kept it as a conflict; it changes nothing
            return dossier
    if received is None:
        return dossier
    projection.replay(dossier, rows, loaded.units)
    return dossier


OPENING = frozenset(k.value for k in lifecycle.OPENING_KINDS)


def _dossier_from(session: Session, received: EventRow, now: datetime, loaded: _Loaded) -> Dossier:
    dossier = Dossier(**_dossier_values(session, received, now, loaded))
    session.add(dossier)
    return dossier


def _dossier_values(session: Session, received, now: datetime, loaded: _Loaded) -> dict[str, Any]:
    """A dossier received elsewhere, from its intake event, before its events are folded in:
    the row's values by attribute name (``procedure_id``/``clerk_id`` for the relationships)."""
    p = received.payload
    owner = p.get("owner") or {}
    submitter = p.get("submitter") or None
    received_at = _time(p.get("received_at")) or received.desk_time
    names = [owner.get("name", "")] + ([submitter.get("name", "")] if submitter else [])
    numbers = [owner.get("id_number", ""), owner.get("phone", "")] + (
        [submitter.get("id_number", ""), submitter.get("phone", "")] if submitter else [])
    return dict(
        code=received.dossier_code,
        procedure_id=_procedure_for(session, p.get("procedure") or {}, received_at, now, loaded).id,
        applicant_type=p.get("applicant_type", "individual"), owner=owner, submitter=submitter,
        owner_name=owner.get("name", ""), owner_id_number=owner.get("id_number", ""),
        owner_phone=owner.get("phone", ""), components=p.get("components") or [], sets=int(p.get("sets") or 1),
        channel=p.get("channel", "direct"), collect_by_post=bool(p.get("collect_by_post")),
        notes=p.get("notes") or "", received_at=received_at, due_at=_time(p.get("due_at")) or received_at,
        status=Status.RECEIVED.value,
        capability_key="",  # only its hash travels; the receiving desk holds the key
        clerk_id=_remote_user(session, received.actor, received.desk, now, loaded).id, desk_id=received.desk,
        register_book="01/%d" % received_at.year, register_number=0,
        search_text=repo.dossier_search_text(received.dossier_code, names, numbers))


def _procedure_for(session: Session, proc: dict, on: datetime, now: datetime, loaded: _Loaded) -> ProcedureRow:
    code = str(proc.get("code") or "?")
    version = proc.get("version")
    key = (code, version, on.date())
    if key not in loaded.procedures:
        loaded.procedures[key] = _find_procedure(session, code, version, on, now, proc)
    return loaded.procedures[key]


def _find_procedure(session: Session, code: str, version, on: datetime, now: datetime, proc: dict) -> ProcedureRow:
    row = None
    if isinstance(version, int):
        row = session.scalars(select(ProcedureRow).where(ProcedureRow.code == code,
                                                         ProcedureRow.version == version)).first()
    row = row or repo.current_procedure(session, code, on.date()) or repo.current_procedure(session, code)
    if row is not None:
        return row
    # Not in this desk's catalogue: keep what the event says, marked as such.
    name = str(proc.get("name") or code)
    row = ProcedureRow(code=code, version=version if isinstance(version, int) else 0, effective_from=on.date(),
                       name=name, field="", level="", search_text=fold(code + " " + name),
                       data={"code": code, "name": name, "field": "", "level": "", "result": "", "source": "",
                             "channels": {}, "components": [], "from_sync": True},
                       imported_at=now)
    session.add(row)
    session.flush()
    return row


def _remote_user(session: Session, actor: str, desk: str, now: datetime, loaded: _Loaded) -> User:
    """The person who acted at another desk (``projection.Units.account``)."""
    return loaded.units.account(actor, desk, now)


# -- unseen dossiers and conflicts ------------------------------------------------------
def mark_unseen(session: Session, code: str, kind: str, desk: str, now: datetime) -> None:
    row = session.get(UnseenDossier, code)
    if row is None:
        session.add(UnseenDossier(dossier_code=code, since=now, last_kind=kind, from_desk=desk))
    else:
        row.last_kind, row.from_desk = kind, desk


def mark_seen(session: Session, code: str) -> None:
    row = session.get(UnseenDossier, code)
    if row is not None:
        session.delete(row)


def unseen_codes(session: Session) -> list[str]:
    return list(session.scalars(select(UnseenDossier.dossier_code).order_by(UnseenDossier.since.desc())))


def count_unseen(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(UnseenDossier)) or 0


def open_conflicts(session: Session) -> Sequence[SyncConflict]:
    return session.scalars(select(SyncConflict).where(SyncConflict.acknowledged_at.is_(None))
                           .order_by(SyncConflict.detected_at, SyncConflict.event_id)).all()


def count_open_conflicts(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(SyncConflict)
                          .where(SyncConflict.acknowledged_at.is_(None))) or 0


def acknowledge(session: Session, event_id: str, now: datetime) -> None:
    row = session.get(SyncConflict, event_id)
    if row is not None and row.acknowledged_at is None:
        row.acknowledged_at = now


# -- dossier numbers --------------------------------------------------------------------
def numbers_left(session: Session, agency_code: str, day: date, desk_id: str) -> int:
    return session.scalar(select(func.coalesce(func.sum(CodeBlock.last - CodeBlock.next_number + 1), 0)).where(
        CodeBlock.agency_code == agency_code, CodeBlock.day == day, CodeBlock.desk_id == desk_id,
        CodeBlock.next_number <= CodeBlock.last)) or 0


def blocks_count(session: Session, agency_code: str, day: date, desk_id: str) -> int:
    """How many blocks this desk holds for the day, used up or not (the next one's rank)."""
    return session.scalar(select(func.count()).select_from(CodeBlock).where(
        CodeBlock.agency_code == agency_code, CodeBlock.day == day, CodeBlock.desk_id == desk_id)) or 0


def add_block(session: Session, agency_code: str, day: date, desk_id: str, first: int, last: int) -> bool:
    """Keep a block the server leased; False if this desk already has it (a retried lease)."""
    if session.scalars(select(CodeBlock.id).where(CodeBlock.agency_code == agency_code, CodeBlock.day == day,
                                                  CodeBlock.first == first)).first() is not None:
        return False
    session.add(CodeBlock(agency_code=agency_code, day=day, desk_id=desk_id, first=first, last=last,
                          next_number=first))
    return True
