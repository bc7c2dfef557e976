"""Numbers of the printed forms that carry one (Mẫu 02, 03, 04: "15/2026/TB-BS"), per form and year.

Like dossier codes, they come from blocks the central server leases to each desk, so two desks
never print the same number, offline included: each spends its own block, and the sync round keeps
a block in hand. A desk that is not enrolled leases from its own database's registry (one site).
The desk keeps the blocks in the dossier numbers' table, under the series' name for the agency
and the first of January of the year for the day.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from ..domain.forms import FormKind, form_number
from ..domain.i18n import tr
from ..storage import repositories as repo
from ..storage import sync_repo
from ..sync.client import Rejected, SyncClient, SyncError
from .context import DeskContext, ServiceError

BLOCK = 20          # numbers per block: a desk prints few of these forms a day
NAMESPACE = uuid.UUID("0d7f3b7e-2b7c-4c55-9a0e-5f4f0c1d2e31")


def _day(year: int) -> date:
    return date(year, 1, 1)


def _request_id(desk_id: str, series: str, year: int, rank: int) -> str:
    """The same id for the same block asked again (a lost answer, a crash): no number wasted."""
    return str(uuid.uuid5(NAMESPACE, "%s/%s/%d/%d" % (desk_id, series, year, rank)))


def _server_leaser(ctx: DeskContext, series: str, timeout: float = 5.0):
    def leaser(session, key: str, day: date, size: int) -> tuple[int, int]:
        cfg = sync_repo.config(session)
        rank = sync_repo.blocks_count(session, key, day, ctx.desk_id)
        try:
            with SyncClient(cfg.server_url, cfg.token, timeout=timeout) as client:
                block = client.lease(day, size, _request_id(ctx.desk_id, series, day.year, rank), series=series)
        except SyncError as e:
            raise ServiceError(tr("Quầy đã dùng hết dãy số phiếu {series} máy chủ cấp và chưa xin được dãy mới: "
                                  "{reason} Khi có mạng, bấm \"Đồng bộ ngay\" rồi in lại.")
                               .format(series=series, reason=e.message)) from e
        return block["first"], block["last"]
    return leaser


def take(ctx: DeskContext, session, kind: FormKind, at: datetime) -> str:
    """The next number of ``kind``'s series for ``at``'s year, inside the caller's transaction
    (if the print fails the number goes back)."""
    series = kind.series
    if series is None:
        raise ValueError("%s carries no number" % kind)
    enrolled = sync_repo.config(session) is not None
    number = repo.next_dossier_number(session, series, _day(at.year), ctx.desk_id, BLOCK,
                                      leaser=_server_leaser(ctx, series) if enrolled else None)
    return form_number(number, at.year, series)


def top_up(ctx: DeskContext, client: SyncClient, warnings: list[str]) -> int:
    """Keep a block of every series in hand for this year (called by the sync round); how many
    blocks were leased."""
    year = ctx.clock().year
    leased = 0
    for kind in FormKind:
        series = kind.series
        if series is None:
            continue
        with ctx.db.session(write=False) as s:
            left = sync_repo.numbers_left(s, series, _day(year), ctx.desk_id)
            rank = sync_repo.blocks_count(s, series, _day(year), ctx.desk_id)
        if left >= BLOCK // 2:
            continue
        try:
            block = client.lease(_day(year), BLOCK, _request_id(ctx.desk_id, series, year, rank), series=series)
        except Rejected as e:
            warnings.append(e.message)
            continue
        with ctx.db.session() as s:
            if sync_repo.add_block(s, series, _day(year), ctx.desk_id, block["first"], block["last"]):
                leased += 1
    return leased
