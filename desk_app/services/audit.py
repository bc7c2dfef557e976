"""Checking the events' hash chains: an edited, inserted or deleted event row is found."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..domain.i18n import tr
from ..storage import repositories as repo
from ..storage.models import EventRow
from .context import DeskContext


@dataclass(frozen=True)
class AuditResult:
    events: int
    desks: int
    broken_event: str | None = None     # id of the first event whose chain does not hold
    broken_seq: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_event is None


def verify(ctx: DeskContext) -> AuditResult:
    """Walk every desk's chain in order; name the first event that does not fit."""
    last: dict[str, str] = {}
    n = 0
    with ctx.db.session(write=False) as s:
        for e in s.execute(select(EventRow).order_by(EventRow.seq)).scalars():
            n += 1
            expected_prev = last.get(e.desk, repo.GENESIS)
            if e.prev_hash != expected_prev:
                return AuditResult(n, len(last), e.id, e.seq,
                                   tr("sự kiện trước nó trong chuỗi của quầy {desk} đã bị xóa hoặc sửa").format(desk=e.desk))
            if repo.event_hash(e.prev_hash, e) != e.hash:
                return AuditResult(n, len(last), e.id, e.seq, tr("nội dung sự kiện đã bị sửa"))
            last[e.desk] = e.hash
    return AuditResult(n, len(last))
