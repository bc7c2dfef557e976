"""Building events on the wire by hand, hashed and chained the way a desk does it."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from types import SimpleNamespace

import httpx

from desk_app.storage.repositories import GENESIS, event_hash


class WireDesk:
    """An enrolled desk speaking the API directly (no desk database)."""

    def __init__(self, server, desk_id: str, agency: str, units: list[str], scope: str = "units"):
        self.server, self.id, self.agency, self.units = server, desk_id, agency, units
        r = httpx.post(server.url + "/api/v1/enrol", json={
            "code": server.enrolment_code(agency, units, desk_id, scope), "desk_id": desk_id}, timeout=30)
        assert r.status_code == 200, r.text
        self.token = r.json()["token"]
        self.last_hash = GENESIS
        self.numbers = 0
        self.blocks: list[tuple[int, int]] = []
        self.next_number = 0

    @property
    def headers(self) -> dict:
        return {"Authorization": "Bearer " + self.token}

    def request(self, method: str, path: str, **kw) -> httpx.Response:
        headers = {**self.headers, **kw.pop("headers", {})}
        return httpx.request(method, self.server.url + "/api/v1" + path, headers=headers, timeout=60, **kw)

    def event(self, code: str, kind: str, payload: dict | None = None, at: datetime | None = None,
              unit: str | None = None, desk: str | None = None) -> dict:
        row = SimpleNamespace(id=str(uuid.uuid4()), dossier_code=code, kind=kind, payload=payload or {},
                              actor="nguoi-" + self.id, desk=desk or self.id,
                              desk_time=(at or datetime(2026, 11, 10, 9, 30)).replace(microsecond=0), unit=unit)
        h = event_hash(self.last_hash, row)
        e = {"id": row.id, "dossier_code": code, "kind": kind, "payload": row.payload, "actor": row.actor,
             "desk": row.desk, "desk_time": row.desk_time.isoformat(), "unit": unit, "prev_hash": self.last_hash,
             "hash": h}
        self.last_hash = h
        return e

    def lease(self, size: int = 50, day=None) -> httpx.Response:
        """Ask the server for a block of numbers, as the desk does (``services.sync``)."""
        from central_server.settings import vn_now
        day = day or vn_now().date()
        return self.request("POST", "/code-blocks", json={"day": day.isoformat(), "size": size,
                                                          "request_id": str(uuid.uuid4())})

    def new_code(self) -> str:
        """The next number of today's blocks leased to this desk (a block is leased when needed)."""
        from central_server.settings import vn_now
        from desk_app.domain.codes import format_dossier_code
        if not self.blocks or self.next_number > self.blocks[0][1]:
            if self.blocks:
                self.blocks.pop(0)
            if not self.blocks:
                r = self.lease()
                assert r.status_code == 201, r.text
                self.blocks.append((r.json()["first"], r.json()["last"]))
            self.next_number = self.blocks[0][0]
        number, self.next_number = self.next_number, self.next_number + 1
        self.numbers += 1
        return format_dossier_code(self.agency, vn_now().date(), number)

    def received(self, code: str, key: str = "k" * 22, **payload) -> dict:
        return self.event(code, "received", {
            "procedure": {"code": "1.001193", "version": 1, "name": "Thủ tục đăng ký khai sinh"},
            "owner": {"name": "Nguyễn Thị Hồng Nhung", "id_number": "038190012345", "phone": "0912345678"},
            "received_at": "2026-11-10T09:30:00", "due_at": "2026-11-12T09:30:00",
            "key_sha256": hashlib.sha256(key.encode()).hexdigest(), **payload})

    def push(self, events: list[dict]) -> httpx.Response:
        return self.request("POST", "/events", json={"events": events})

    def pull(self, after: int = 0, limit: int = 1000) -> dict:
        r = self.request("GET", "/events", params={"after": after, "limit": limit})
        assert r.status_code == 200, r.text
        return r.json()

    def pull_all(self, after: int = 0, limit: int = 1000) -> tuple[list[dict], list[dict], int]:
        events, conflicts = [], []
        while True:
            page = self.pull(after, limit)
            events += page["events"]
            conflicts += page["conflicts"]
            after = page["cursor"]
            if not page["more"]:
                return events, conflicts, after
