"""Sync with the central server: enrol the desk, run a round (send, fetch, files, numbers),
and tell the panel where things stand.

A round: upload the attachments the next events announce, push the outbox in batches
(oldest first), pull the events of the dossiers that concern this desk and apply them,
fetch the attachments others added, and keep a block of dossier numbers in hand. Each
step commits what it has done, so a round cut short anywhere (network, power, SIGKILL)
resumes where it stopped: the server takes each event once, pulled events are applied
once (by id, with the cursor in the same transaction), files resume by offset.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable

from ..domain.dossier import EventKind
from ..domain.i18n import tr
from ..domain.procedures import CatalogueError, procedure_from_dict, procedure_to_dict
from ..storage import announcements_repo
from ..storage import repositories as repo
from ..storage import sync_repo
from ..storage.models import ProcedureRow
from ..sync.client import Refused, Rejected, ServerTrouble, SyncClient, SyncError, Unreachable
from ..sync.runner import RunnerEvent, SyncRunner
from ..sync.status import Progress, SyncStatus
from . import changes
from .context import DeskContext, ServiceError

BATCH = 500         # events per push
PAGE = 1000         # events per pull
ANNOUNCEMENT_BATCH = 100
LEASE_NAMESPACE = uuid.UUID("5b1f6c1e-7a39-4d0f-9a53-6f1d2f0c8e11")

ProgressFn = Callable[[str, int, int], None]


class NotEnrolled(ServiceError, Refused):
    """Both a refusal the screens show as it is and a sync error the runner reports plainly."""


@dataclass
class SyncReport:
    pushed: int = 0
    conflicts: int = 0
    refused: int = 0
    pulled: int = 0
    pulled_conflicts: int = 0
    dossiers_received: int = 0
    uploaded: int = 0
    downloaded: int = 0
    leased: int = 0
    profile_sent: bool = False       # the centre's public profile changed and went to the server
    catalogue_sent: bool = False     # so did its catalogue
    announcements: int = 0           # announcements (new, changed, withdrawn) the server took
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class HistoryItem:
    at: datetime
    kind: EventKind
    label: str
    actor: str
    desk: str
    unit: str | None
    server_seq: int | None    # None: not yet acknowledged by the server


@dataclass(frozen=True)
class ConflictView:
    event_id: str
    dossier_code: str
    kind: EventKind
    label: str
    actor: str
    desk: str
    at: datetime
    reason: str
    own: bool
    outcome: str              # conflict | refused


# -- enrolment --------------------------------------------------------------------------
def is_enrolled(ctx: DeskContext) -> bool:
    with ctx.db.session(write=False) as s:
        return sync_repo.config(s) is not None


def enrol(ctx: DeskContext, server_url: str, code: str, desk_name: str | None = None,
          transport=None) -> dict[str, Any]:
    """Exchange the admin's one-time code for this desk's token, and keep it."""
    server_url = server_url.strip().rstrip("/")
    if not (server_url.startswith("http://") or server_url.startswith("https://")):
        raise ServiceError(tr("Địa chỉ máy chủ phải bắt đầu bằng https:// (hoặc http:// trong mạng nội bộ)."))
    with ctx.db.session(write=False) as s:
        agency = repo.get_agency(s)
        if agency is None:
            raise ServiceError(tr("Chưa thiết lập thông tin cơ quan."))
        agency_code = agency.code
    with SyncClient(server_url, transport=transport) as client:
        try:
            answer = client.enrol(code.strip(), ctx.desk_id, desk_name, agency_code)
        except SyncError as e:
            raise ServiceError(e.message) from e
    with ctx.db.session() as s:
        sync_repo.save_enrolment(s, server_url, answer["token"], answer["agency_code"], answer["units"],
                                 answer["scope"], ctx.clock())
    attach(ctx)
    try:  # numbers in hand before the first intake; the next round retries if this fails
        with client_for(ctx, transport=transport) as client:
            _top_up_numbers(ctx, client, SyncReport())
    except SyncError:
        pass
    return {k: v for k, v in answer.items() if k != "token"}


def client_for(ctx: DeskContext, timeout: float = 60.0, transport=None) -> SyncClient:
    with ctx.db.session(write=False) as s:
        cfg = sync_repo.config(s)
        if cfg is None:
            raise NotEnrolled(tr("Quầy chưa đăng ký với máy chủ trung tâm."))
        return SyncClient(cfg.server_url, cfg.token, timeout=timeout, transport=transport)


# -- dossier numbers from the server ------------------------------------------------------
def _lease_request_id(desk_id: str, agency: str, day, n: int) -> str:
    """The same id for the same block asked again (a lost answer, a crash): no number wasted."""
    return str(uuid.uuid5(LEASE_NAMESPACE, "%s/%s/%s/%d" % (desk_id, agency, day.isoformat(), n)))


def server_leaser(ctx: DeskContext, timeout: float = 5.0, transport=None):
    """For ``next_dossier_number``: when the blocks in hand run out, ask the server now."""
    def leaser(session, agency_code: str, day, size: int) -> tuple[int, int]:
        cfg = sync_repo.config(session)
        rank = sync_repo.blocks_count(session, agency_code, day, ctx.desk_id)
        rid = _lease_request_id(ctx.desk_id, agency_code, day, rank)
        try:
            with SyncClient(cfg.server_url, cfg.token, timeout=timeout, transport=transport) as client:
                block = client.lease(day, size, rid)
        except SyncError as e:
            raise ServiceError(tr("Quầy đã dùng hết dãy số hồ sơ máy chủ cấp cho ngày {day} và chưa xin được "
                                  "dãy mới: {reason} Khi có mạng, bấm \"Đồng bộ ngay\" rồi lưu lại hồ sơ.")
                               .format(day=day.strftime("%d/%m/%Y"), reason=e.message)) from e
        return block["first"], block["last"]
    return leaser


def attach(ctx: DeskContext) -> bool:
    """Once enrolled, dossier numbers come from the server's leases, never from the desk's own
    counter (which would collide with other desks')."""
    if is_enrolled(ctx):
        ctx.code_leaser = server_leaser(ctx)
        return True
    return False


def _top_up_numbers(ctx: DeskContext, client: SyncClient, report: SyncReport, days_ahead: int = 1) -> None:
    """Keep at least half a block in hand for today, and a block for the next working day(s)."""
    today = ctx.clock().date()
    with ctx.db.session(write=False) as s:
        cfg = sync_repo.config(s)
        agency, size = cfg.agency_code, repo.get_setting(s, "code_block_size")
    for i in range(days_ahead + 1):
        day = today + timedelta(days=i)
        with ctx.db.session(write=False) as s:
            left = sync_repo.numbers_left(s, agency, day, ctx.desk_id)
            n = sync_repo.blocks_count(s, agency, day, ctx.desk_id)
        if left >= (max(1, size // 2) if i == 0 else 1):
            continue
        try:
            block = client.lease(day, size, _lease_request_id(ctx.desk_id, agency, day, n))
        except Rejected as e:  # e.g. the day's numbers are exhausted: say so, go on
            report.warnings.append(e.message)
            continue
        with ctx.db.session() as s:
            if sync_repo.add_block(s, agency, day, ctx.desk_id, block["first"], block["last"]):
                report.leased += 1
    from . import form_numbers  # the forms' number series (Mẫu 02/03/04) are kept in hand the same way
    report.leased += form_numbers.top_up(ctx, client, report.warnings)


# -- one round --------------------------------------------------------------------------
def sync_once(ctx: DeskContext, progress: ProgressFn | None = None, client: SyncClient | None = None) -> SyncReport:
    """Send what waits, fetch what is new. Raises ``SyncError`` (with a plain message) if the
    round could not finish; what it did before that is kept."""
    progress = progress or (lambda phase, done, total: None)
    own = client is None
    client = client or client_for(ctx)
    report = SyncReport()
    try:
        _push_all(ctx, client, report, progress)
        with changes.gathered():  # the open screens hear of a pull once, at its end, not per page
            _pull_all(ctx, client, report, progress)
        _download_all(ctx, client, report, progress)
        _publish_centre(ctx, client, report, progress)
        _top_up_numbers(ctx, client, report)
    except SyncError as e:
        with ctx.db.session() as s:
            sync_repo.record_attempt(s, ctx.clock(), e.message, reachable=not isinstance(e, Unreachable))
        raise
    finally:
        if own:
            client.close()
    with ctx.db.session() as s:
        sync_repo.record_attempt(s, ctx.clock(), "\n".join(report.warnings) or None, reachable=True)
    return report


def _push_all(ctx: DeskContext, client: SyncClient, report: SyncReport, progress: ProgressFn) -> None:
    """The unsent events in batches, the next sent before the last one's answer
    (``SyncClient.push_stream``); each batch's files uploaded before it."""
    with ctx.db.session(write=False) as s:
        total = sync_repo.count_unsent(s)
    state = {"after": 0, "done": 0}   # the last event read into a batch; how many answered

    def batches():
        while True:
            with ctx.db.session(write=False) as s:
                batch = sync_repo.unsent(s, BATCH, after_seq=state["after"])
                uploads = sync_repo.uploads_needed(s, batch)
                wire = [sync_repo.to_wire(e) for e in batch]
            if not batch:
                return
            state["after"] = batch[-1].seq
            for sha, path in uploads:  # files first: whoever pulls the event finds the file there
                if not path or not Path(path).exists():
                    report.warnings.append(tr("Tệp đính kèm {sha}… không còn trên máy này; sự kiện vẫn được gửi.")
                                           .format(sha=sha[:12]))
                    continue
                progress(tr("Đang gửi tệp đính kèm"), state["done"], total)
                client.upload(sha, Path(path))
                with ctx.db.session() as s:
                    sync_repo.mark_uploaded(s, sha, ctx.clock())
                report.uploaded += 1
            yield wire

    def done(wire: list[dict], results: list[dict]) -> None:
        calendar = ctx.calendar()
        with ctx.db.session() as s:
            accepted, conflicts = sync_repo.mark_pushed(s, results, ctx.clock(), calendar)
        report.pushed += accepted
        report.conflicts += conflicts
        state["done"] += len(wire)
        progress(tr("Đang gửi sự kiện"), state["done"], max(total, state["done"]))

    def failed(wire: list[dict], e: SyncError) -> bool:
        if not (isinstance(e, Refused) and e.code == "forbidden" and e.body.get("events")):
            return False
        calendar = ctx.calendar()
        with ctx.db.session() as s:
            report.refused += sync_repo.mark_refused(s, e.body["events"], ctx.clock(), calendar)
        report.warnings.append(e.message)
        state["after"] = 0   # the batch's other events, and any batch dropped, are read again
        return True
    client.push_stream(batches(), done, failed)


def _pull_all(ctx: DeskContext, client: SyncClient, report: SyncReport, progress: ProgressFn) -> None:
    with ctx.db.session(write=False) as s:
        start = sync_repo.config(s).pull_cursor
    cursor = start
    # The next page is fetched while this one is applied: the server makes it and the desk
    # writes this one at the same time (a month's catch-up is 20 pages and more). A failed
    # fetch surfaces where it would have without: after the pages before it are kept.
    # Not a ``with``: leaving it would wait for a fetch in flight (up to the HTTP timeout) after
    # a failure, and at the app's exit.
    ahead = ThreadPoolExecutor(1, thread_name_prefix="pull")
    try:
        page = client.pull(cursor, PAGE)
        while True:
            if page["more"] and page["cursor"] <= cursor:   # a server that would keep us here forever
                raise ServerTrouble(tr("Máy chủ trung tâm đang gặp sự cố (mã {status}); sẽ thử lại sau.")
                                    .format(status="cursor"))
            following = ahead.submit(client.pull, page["cursor"], PAGE) if page["more"] else None
            calendar = ctx.calendar()
            with ctx.db.session() as s:
                applied = sync_repo.apply_page(s, page, ctx.desk_id, ctx.clock(), calendar)
                sync_repo.config(s).pull_cursor = page["cursor"]
            cursor = page["cursor"]
            report.pulled += applied["events"]
            report.pulled_conflicts += applied["conflicts"]
            report.dossiers_received += applied["dossiers_created"]
            head = max(page.get("head", cursor), cursor)
            progress(tr("Đang nhận sự kiện"), cursor - start, head - start)
            if following is None:
                return
            page = following.result()
    finally:
        ahead.shutdown(wait=False, cancel_futures=True)


def _download_all(ctx: DeskContext, client: SyncClient, report: SyncReport, progress: ProgressFn) -> None:
    with ctx.db.session(write=False) as s:
        rows = [(d.event_id, d.sha256, d.filename) for d in sync_repo.pending_downloads(s, limit=1000)]
    for i, (event_id, sha, filename) in enumerate(rows):
        progress(tr("Đang nhận tệp đính kèm"), i, len(rows))
        target = ctx.attachments_dir / sha[:2] / (sha + Path(filename).suffix.lower())
        if not target.exists():
            try:
                client.download(sha, target)
            except Rejected as e:  # not uploaded yet by the desk that added it: next round
                with ctx.db.session() as s:
                    sync_repo.fail_download(s, event_id, e.message)
                continue
        with ctx.db.session() as s:
            if sync_repo.finish_download(s, event_id, str(target), target.stat().st_size, ctx.clock()):
                report.downloaded += 1


# -- the centre's public data: profile, catalogue, announcements ----------------------------
def centre_profile(ctx: DeskContext) -> dict[str, str]:
    """What the public home page says of the centre: the agency's name and address, the
    phone, e-mail and hours settings, and where results are collected."""
    with ctx.db.session(write=False) as s:
        return _profile(s)


def _profile(s) -> dict[str, str]:
    agency = repo.get_agency(s)
    return {"name": agency.name if agency else "", "address": agency.address if agency else "",
            "phone": repo.get_setting(s, "centre_phone"), "email": repo.get_setting(s, "centre_email"),
            "hours": repo.get_setting(s, "centre_hours"),
            "counter_location": repo.get_setting(s, "counter_location")}


def _catalogue_rows(s, today) -> list[ProcedureRow]:
    """Each procedure's version in force today (the newest, if none is yet)."""
    chosen: dict[str, ProcedureRow] = {}
    for r in s.query(ProcedureRow).order_by(ProcedureRow.code, ProcedureRow.effective_from, ProcedureRow.version):
        held = chosen.get(r.code)
        if held is None or r.effective_from <= today or held.effective_from > today:
            chosen[r.code] = r
    return list(chosen.values())


def public_catalogue(ctx: DeskContext) -> list[dict[str, Any]]:
    """The catalogue as the public pages read it (``procedure_to_dict`` of each procedure)."""
    with ctx.db.session(write=False) as s:
        rows = [r.data for r in _catalogue_rows(s, ctx.clock().date())]
    out = []
    for data in rows:
        try:
            out.append(procedure_to_dict(procedure_from_dict(data)))
        except CatalogueError:  # imported by an older parser and no longer readable: not shown
            continue
    return out


def _fingerprint(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
                          .encode("utf-8")).hexdigest()


def _announcement_wire(a) -> dict[str, Any]:
    return {"id": a.id, "title": a.title, "body": a.body, "valid_from": a.valid_from.isoformat(),
            "valid_until": a.valid_until.isoformat() if a.valid_until else None,
            "procedures": list(a.procedures or []), "fields": list(a.fields or []), "deleted": bool(a.deleted),
            "updated_at": a.updated_at.isoformat()}


def _publish_centre(ctx: DeskContext, client: SyncClient, report: SyncReport, progress: ProgressFn) -> None:
    """Send the profile and the catalogue if they changed since the server last took them (or
    the desk now talks to another server), and every announcement the server has not got.
    A refusal of one of them is a warning of the round, not its failure: the dossiers' sync
    must not stop because a notice is wrong (or the server is older than this desk)."""
    with ctx.db.session(write=False) as s:
        cfg = sync_repo.config(s)
        where = (cfg.server_url, cfg.agency_code)
        profile = _profile(s)
        catalogue_mark = [(r.code, r.version, r.data) for r in _catalogue_rows(s, ctx.clock().date())]
        sent = {key: repo.get_setting(s, key) for key in ("published_profile", "published_catalogue")}
    marks = {"published_profile": _fingerprint(where, profile), "published_catalogue": _fingerprint(where, catalogue_mark)}
    sends = {"published_profile": lambda: client.put_profile(profile),
             "published_catalogue": lambda: client.put_catalogue(public_catalogue(ctx))}
    for key, send in sends.items():
        if marks[key] == sent[key]:
            continue
        progress(tr("Đang gửi thông tin công khai của Trung tâm"), 0, 0)
        try:
            send()
        except Rejected as e:
            report.warnings.append(e.message)
            continue
        with ctx.db.session() as s:
            repo.set_setting(s, key, marks[key])
        if key == "published_profile":
            report.profile_sent = True
        else:
            report.catalogue_sent = True
    for _ in range(1000):  # bounded: an admin editing while it runs cannot keep it here
        with ctx.db.session(write=False) as s:
            batch = [(a.id, a.updated_at, _announcement_wire(a))
                     for a in announcements_repo.unsent(s, ANNOUNCEMENT_BATCH)]
        if not batch:
            return
        progress(tr("Đang gửi thông báo của Trung tâm"), 0, len(batch))
        try:
            results = client.post_announcements([w for _, _, w in batch])
        except (Rejected, Refused) as e:
            if isinstance(e, Refused) and e.code != "forbidden":
                raise
            report.warnings.append(e.message)
            return
        taken = {r["id"] for r in results if r.get("status") in ("stored", "stale")}
        with ctx.db.session() as s:
            marked = announcements_repo.mark_sent(s, [(i, at) for i, at, _ in batch if i in taken], ctx.clock())
        report.announcements += marked
        if not marked:
            return


# -- what the panel and the screens ask ---------------------------------------------------
def status(ctx: DeskContext, runner: SyncRunner | None = None) -> SyncStatus:
    with ctx.db.session(write=False) as s:
        cfg = sync_repo.config(s)
        waiting = sync_repo.count_unsent(s)
        if cfg is None:
            return SyncStatus(enrolled=False, desk_id=ctx.desk_id, waiting_events=waiting)
        st = dict(enrolled=True, server_url=cfg.server_url, desk_id=ctx.desk_id, reachable=cfg.reachable,
                  waiting_events=waiting, waiting_uploads=sync_repo.count_waiting_uploads(s),
                  waiting_downloads=sync_repo.count_pending_downloads(s), last_success=cfg.last_success_at,
                  last_attempt=cfg.last_attempt_at, last_error=cfg.last_error,
                  conflicts=sync_repo.count_open_conflicts(s), unseen=sync_repo.count_unseen(s))
    if runner is not None:
        event: RunnerEvent | None = runner.last_event
        st["running"] = runner.busy
        if runner.busy and event is not None and event.kind == "progress":
            st["progress"] = Progress(event.phase, event.done, event.total)
    return SyncStatus(**st)


def history(ctx: DeskContext, code: str) -> list[HistoryItem]:
    """A dossier's steps in the order the server gave them, whatever the desks' clocks said."""
    with ctx.db.session(write=False) as s:
        return [HistoryItem(e.desk_time, EventKind(e.kind), EventKind(e.kind).label, e.actor, e.desk, e.unit,
                            e.server_seq) for e in sync_repo.history(s, code.strip().upper())]


def conflicts(ctx: DeskContext) -> list[ConflictView]:
    with ctx.db.session(write=False) as s:
        return [ConflictView(c.event_id, c.dossier_code, EventKind(c.kind), EventKind(c.kind).label, c.actor,
                             c.desk, c.desk_time, c.reason, c.own, c.outcome) for c in sync_repo.open_conflicts(s)]


def acknowledge_conflict(ctx: DeskContext, event_id: str) -> None:
    with ctx.db.session() as s:
        sync_repo.acknowledge(s, event_id, ctx.clock())


def unseen(ctx: DeskContext) -> list[str]:
    with ctx.db.session(write=False) as s:
        return sync_repo.unseen_codes(s)


def mark_seen(ctx: DeskContext, code: str) -> None:
    """The dossier was opened here: it is no longer news."""
    with ctx.db.session() as s:
        sync_repo.mark_seen(s, code.strip().upper())


def pending_attachments(ctx: DeskContext, code: str) -> list[dict[str, Any]]:
    with ctx.db.session(write=False) as s:
        return sync_repo.pending_attachments(s, code.strip().upper())


# -- in the background --------------------------------------------------------------------
def start(ctx: DeskContext, listener: Callable[[RunnerEvent], None] | None = None, interval: float = 60.0,
          **runner_options) -> SyncRunner:
    """A background runner for this desk: a round every ``interval`` seconds, at once after
    a local change (it watches the outbox) or ``poke()``, with backoff after failures."""
    clients: dict[tuple[str, str], SyncClient] = {}

    def do_round(progress: ProgressFn) -> SyncReport:
        with ctx.db.session(write=False) as s:
            cfg = sync_repo.config(s)
            if cfg is None:
                raise NotEnrolled(tr("Quầy chưa đăng ký với máy chủ trung tâm."))
            key = (cfg.server_url, cfg.token)
        if key not in clients:  # one keep-alive connection, rebuilt after a new enrolment
            for old in clients.values():
                old.close()
            clients.clear()
            clients[key] = SyncClient(*key)
        return sync_once(ctx, progress, clients[key])

    def probe() -> Any:  # an event written, or an announcement published, starts a round
        with ctx.db.session(write=False) as s:
            return sync_repo.outbox_probe(s), announcements_repo.count_unsent(s)

    return SyncRunner(do_round, listener, interval=interval, change_probe=probe, **runner_options).start()
