"""HTTP client of the central server; every failure becomes a ``SyncError`` with a plain message."""

from __future__ import annotations

import functools
import hashlib
import os
import socket
import threading
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable

import httpx

from ..domain.i18n import tr

API = "/api/v1"
CHUNK = 4 * 1024 * 1024


class SyncError(Exception):
    """``message`` is for the clerk; ``transient`` errors are retried with backoff."""

    transient = True

    def __init__(self, message: str, status: int | None = None, code: str | None = None,
                 body: dict | None = None):
        super().__init__(message)
        self.message, self.status, self.code, self.body = message, status, code, body or {}


class Unreachable(SyncError):
    """No answer: no network, server down, connection cut, timeout."""


class ServerTrouble(SyncError):
    """The server answered 5xx or 429: try again later."""


class Refused(SyncError):
    """401/403: not enrolled, token revoked, or not this desk's to write."""

    transient = False


class Rejected(SyncError):
    """Another 4xx: the request itself is wrong."""

    transient = False


def _message(response: httpx.Response) -> tuple[str | None, dict]:
    try:
        body = response.json()
    except ValueError:
        return None, {}
    return (body.get("message") if isinstance(body, dict) else None), (body if isinstance(body, dict) else {})


@functools.lru_cache(maxsize=1)
def _tls_context():
    """Loading the system's CA certificates takes tens of milliseconds: once per process."""
    return httpx.create_ssl_context()


class SyncClient:
    def __init__(self, base_url: str, token: str | None = None, timeout: float = 60.0,
                 transport: httpx.BaseTransport | None = None):
        self.base_url = base_url.rstrip("/")
        self.token = token
        if transport is None:  # no Nagle: a request written in two pieces must not wait for an ACK
            transport = httpx.HTTPTransport(verify=_tls_context(),
                                            socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])
        self.ordered_pushes = True   # push_stream may send a batch before the last one's answer
        self._http = httpx.Client(base_url=self.base_url, transport=transport,
                                  timeout=httpx.Timeout(timeout, connect=5.0),
                                  headers={"User-Agent": "desk-app-sync/1"})

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "SyncClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- plumbing -------------------------------------------------------------------------
    def _request(self, method: str, path: str, ok: tuple[int, ...] = (200, 201), **kw) -> httpx.Response:
        headers = kw.pop("headers", {})
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        try:
            r = self._http.request(method, API + path, headers=headers, **kw)
            if method != "HEAD":
                r.read()
        except httpx.TransportError as e:
            raise Unreachable(tr("Không kết nối được máy chủ trung tâm ({url}). Dữ liệu vẫn được lưu trên "
                                 "máy này và sẽ tự gửi khi có mạng.").format(url=self.base_url)) from e
        if r.status_code in ok:
            return r
        message, body = _message(r)
        code = body.get("error")
        if r.status_code in (401, 403):
            raise Refused(message or tr("Máy chủ từ chối yêu cầu của quầy."), r.status_code, code, body)
        if r.status_code == 429 or r.status_code >= 500:
            raise ServerTrouble(message or tr("Máy chủ trung tâm đang gặp sự cố (mã {status}); sẽ thử lại sau.")
                                .format(status=r.status_code), r.status_code, code, body)
        raise Rejected(message or tr("Máy chủ không nhận yêu cầu (mã {status}).").format(status=r.status_code),
                       r.status_code, code, body)

    def _json(self, r: httpx.Response) -> Any:
        try:
            return r.json()
        except ValueError as e:
            raise Unreachable(tr("Câu trả lời của máy chủ bị cắt ngang; sẽ thử lại.")) from e

    # -- the API ---------------------------------------------------------------------------
    def health(self) -> dict:
        return self._json(self._request("GET", "/health"))

    def enrol(self, code: str, desk_id: str, desk_name: str | None = None, agency_code: str | None = None) -> dict:
        return self._json(self._request("POST", "/enrol", json={"code": code, "desk_id": desk_id,
                                                                 "desk_name": desk_name, "agency_code": agency_code}))

    def me(self) -> dict:
        return self._json(self._request("GET", "/me"))

    def push(self, events: list[dict], in_order: bool = False) -> list[dict]:
        """One result per event: ``{"id", "status": "accepted"|"conflict", "server_seq", "duplicate", "reason"}``.
        ``in_order``: the server stores nothing (``Rejected``, code ``not_next``) unless the
        batch's first new event continues this desk's chain as the server holds it."""
        body: dict[str, Any] = {"events": events}
        if in_order:
            body["in_order"] = True
        return self._json(self._request("POST", "/events", json=body))["results"]

    def push_stream(self, batches: Iterable[list[dict]], done: Callable[[list[dict], list[dict]], None],
                    failed: Callable[[list[dict], SyncError], bool] = lambda batch, e: False,
                    depth: int = 2) -> None:
        """Push ``batches`` in their order, each sent before the answer to the one before it
        (``depth`` at once): the server reads the next batch while it writes the last, and the
        desk makes the next while both work. One after another, each batch waited for the
        server's part and then PostgreSQL's with nothing overlapping: one desk pushed
        5,500-5,900 events/s where two batches at once went at 7,500-8,200 (measured).

        ``batches`` is read a batch at a time, when one is to be sent (make each when asked,
        its files uploaded first). ``done(batch, results)`` is called for each batch in their
        order, in this thread. A batch may only be written after the one before it (its
        events go on from that one's), so a batch sent while another is in flight is sent
        ``in_order``: if the server judged it first, it is refused whole (``not_next``), and it
        and those behind it are sent again. A batch sent with nothing in flight goes without
        the condition, as every batch did before: the server keeps it even where the desk's
        chain broke (a batch it refused), and notes the break. A server older than ``in_order``
        (it answers 422 naming the field) gets one batch at a time from then on. On any other
        failure of a batch, the batches in flight are answered (``done`` called for those the
        server wrote, the others dropped) and ``failed(batch, error)`` says whether it dealt
        with it: if so the push goes on with what ``batches`` gives next (which should then be
        what is left to send: nothing dropped was written), else the error is raised."""
        from collections import deque
        from concurrent.futures import Future
        source = iter(batches)
        again: deque[list[dict]] = deque()                    # to send again, before new ones
        flight: deque[tuple[list[dict], Any]] = deque()       # (batch, its answer to come)

        def submit(batch: list[dict], in_order: bool) -> Future:
            """The push on a daemon thread of its own: a desk closed while a batch is on its way
            does not wait for the answer (a pool's threads are joined at exit: up to the HTTP
            timeout, 60 s), and the batch unanswered is sent again next time ("duplicate")."""
            future: Future = Future()

            def work() -> None:
                try:
                    future.set_result(self.push(batch, in_order))
                except BaseException as e:  # noqa: BLE001 - handed to whoever reads the future
                    future.set_exception(e)
            threading.Thread(target=work, name="push", daemon=True).start()
            return future

        def land() -> list[tuple[list[dict], list[dict] | None]]:
            """Every batch in flight, answered: its results, or None if it failed."""
            out = []
            while flight:
                batch, future = flight.popleft()
                try:
                    out.append((batch, future.result()))
                except SyncError:
                    out.append((batch, None))
            return out
        while True:
            while len(flight) < (depth if self.ordered_pushes else 1):
                batch = again.popleft() if again else next(source, None)
                if batch is None:
                    break
                flight.append((batch, submit(batch, bool(flight))))
            if not flight:
                return
            batch, future = flight.popleft()
            try:
                done(batch, future.result())
                continue
            except Rejected as e:
                older = e.status == 422 and any(str(d.get("field", "")).endswith("in_order")
                                                for d in e.body.get("details", []) if isinstance(d, dict))
                if e.code == "not_next" or (older and self.ordered_pushes):
                    self.ordered_pushes = self.ordered_pushes and not older
                    # it and all behind it again, in order (a batch of events the server
                    # already holds is answered the same again: "duplicate")
                    again.extendleft(reversed([batch] + [b for b, _r in land()]))
                    continue
                error: SyncError = e
            except SyncError as e:
                error = e
            for b, r in land():
                if r is not None:
                    done(b, r)
            again.clear()
            if not failed(batch, error):
                raise error

    def pull(self, after: int, limit: int = 1000) -> dict:
        return self._json(self._request("GET", "/events", params={"after": after, "limit": limit}))

    def lease(self, day: date, size: int, request_id: str, series: str | None = None) -> dict:
        """A block of the day's dossier numbers, or with ``series`` of a form's numbers for the day's year."""
        body = {"day": day.isoformat(), "size": size, "request_id": request_id}
        if series is not None:
            body["series"] = series
        return self._json(self._request("POST", "/code-blocks", json=body))

    # -- the centre's public data ------------------------------------------------------------
    def put_profile(self, profile: dict) -> dict:
        """``{"name", "address", "phone", "email", "hours", "counter_location"}`` of the desk's centre."""
        return self._json(self._request("PUT", "/centre/profile", json=profile))

    def put_catalogue(self, procedures: list[dict]) -> dict:
        """The centre's whole catalogue (``procedure_to_dict`` of each); replaces the server's."""
        return self._json(self._request("PUT", "/centre/catalogue", json={"procedures": procedures}))

    def post_announcements(self, announcements: list[dict]) -> list[dict]:
        """One result per announcement: ``{"id", "status": "stored"|"stale"}``."""
        return self._json(self._request("POST", "/centre/announcements",
                                        json={"announcements": announcements}))["results"]

    # -- notices to the citizen (Zalo, e-mail) ------------------------------------------------
    def notices(self, code: str) -> dict:
        """``{"dossier", "notify", "zalo_linked", "links": [...], "notices": [...]}`` of one dossier."""
        return self._json(self._request("GET", "/notices", params={"dossier": code}))

    def notices_overview(self, limit: int = 200) -> dict:
        """``{"linked": [...], "problems": [...], "zalo_awaiting_consent", "truncated"}`` of the desk's dossiers."""
        return self._json(self._request("GET", "/notices/overview", params={"limit": limit}))

    def set_notify(self, code: str, notify: bool) -> dict:
        return self._json(self._request("PUT", "/dossiers/%s/notify" % code, json={"notify": notify}))

    def attachment_state(self, sha256: str) -> dict | None:
        r = self._request("HEAD", "/attachments/" + sha256, ok=(200, 404))
        if r.status_code == 404:
            return None
        return {"offset": int(r.headers.get("Upload-Offset", 0)), "size": int(r.headers.get("Upload-Length", 0)),
                "complete": r.headers.get("Upload-Complete") == "1"}

    def upload(self, sha256: str, path: Path, chunk: int = CHUNK,
               progress: Callable[[int, int], None] | None = None) -> None:
        """Send the file, resuming where the server stopped; returns when it is complete there."""
        size = os.path.getsize(path)
        state = self.attachment_state(sha256)
        if state and state["complete"]:
            return
        offset = state["offset"] if state else 0
        restarts = 0
        with open(path, "rb") as f:
            while True:
                f.seek(offset)
                data = f.read(chunk)
                try:
                    r = self._request("PUT", "/attachments/" + sha256, params={"offset": offset, "total": size},
                                      content=data, headers={"Content-Type": "application/octet-stream"})
                except Rejected as e:
                    if e.code == "wrong_offset" and "offset" in e.body:
                        offset = int(e.body["offset"])  # somebody else sent some: go on from there
                        continue
                    if e.code == "hash_mismatch" and restarts == 0:
                        restarts += 1
                        offset = 0
                        continue
                    raise
                answer = self._json(r)
                offset = int(answer["offset"])
                if progress:
                    progress(offset, size)
                if answer["complete"]:
                    return
                if not data:
                    raise Rejected(tr("Tệp {name} ngắn hơn kích thước đã khai.").format(name=Path(path).name))

    def download(self, sha256: str, target: Path) -> Path:
        """Fetch the file into ``target`` (resuming a ``.part`` left by an earlier try), check
        its SHA-256, and move it into place."""
        part = Path(str(target) + ".part")
        part.parent.mkdir(parents=True, exist_ok=True)
        have = part.stat().st_size if part.exists() else 0
        headers = {"Authorization": "Bearer " + self.token} if self.token else {}
        if have:
            headers["Range"] = "bytes=%d-" % have
        try:
            with self._http.stream("GET", API + "/attachments/" + sha256, headers=headers) as r:
                if r.status_code not in (200, 206):
                    r.read()
                    message, body = _message(r)
                    cls = Refused if r.status_code in (401, 403) else Rejected if r.status_code < 500 else ServerTrouble
                    raise cls(message or tr("Máy chủ chưa có tệp này."), r.status_code, body.get("error"), body)
                mode = "ab" if r.status_code == 206 else "wb"
                with open(part, mode) as f:
                    for chunk in r.iter_bytes(1 << 20):
                        f.write(chunk)
                    f.flush()
                    os.fsync(f.fileno())
        except httpx.TransportError as e:
            raise Unreachable(tr("Mất kết nối khi nhận tệp đính kèm; sẽ nhận tiếp sau.")) from e
        h = hashlib.sha256()
        with open(part, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        if h.hexdigest() != sha256:
            part.unlink()
            raise Unreachable(tr("Tệp đính kèm nhận được bị hỏng; sẽ nhận lại."))
        os.replace(part, target)
        return target
