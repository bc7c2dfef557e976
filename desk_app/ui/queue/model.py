"""Queue rows as a table: where each dossier is, who holds it since when, and how urgent it is."""

from __future__ import annotations

from datetime import datetime
from typing import Callable

from PySide6.QtCore import QObject, Qt

from ...domain.i18n import tr
from ...domain.lifecycle import Verdict, stage_words
from ...services.queues import QueueRow
from ..common.records import Column, RecordTableModel, fmt_moment
from ..counter.model import VERDICT_COLOURS

CODE, OWNER, PROCEDURE, WHERE, HOLDER, SINCE, HOP_DUE, APPOINTMENT, PROGRESS = range(9)
_RANK = {Verdict.OVERDUE: 0, Verdict.DUE_SOON: 1, Verdict.IN_TIME: 2}


def stage_label(stage: str, held_by_viewer: bool = False) -> str:
    return stage_words(stage, held_by_viewer)  # one table of stage names, in the domain


def urgency(row: QueueRow, now: datetime) -> tuple:
    """Most urgent first: late, then due soon, behind at its hop, by appointment; paused ones last."""
    behind_hop = row.hop_due_at is not None and row.hop_due_at < now
    return (row.verdict is Verdict.PAUSED, _RANK.get(row.verdict, 3), not behind_hop,
            min(row.appointment_at, row.due_at), row.code)


def by_urgency(rows: list[QueueRow], now: datetime) -> list[QueueRow]:
    seen: set[str] = set()
    unique = [r for r in rows if not (r.code in seen or seen.add(r.code))]
    return sorted(unique, key=lambda r: urgency(r, now))


def _progress(row: QueueRow) -> str:
    return row.verdict.label


def _progress_tip(row: QueueRow) -> str:
    if row.verdict is Verdict.PAUSED:
        return tr("Tạm dừng tính thời gian: {why}").format(why=stage_label(row.stage))
    return tr("Hạn giải quyết: {due}").format(due=fmt_moment(row.due_at))


def queue_columns(now: Callable[[], datetime], viewer: tuple[str, ...] = ()) -> list[Column[QueueRow]]:
    """``viewer``: the names the user's rows carry as holder (username, full name)."""
    centre = Qt.AlignmentFlag.AlignCenter

    def where(r: QueueRow) -> str:
        stage = stage_label(r.stage, bool(viewer) and r.holder in viewer)
        return "%s · %s" % (r.unit_name, stage) if r.unit_name else stage

    def hop_colour(r: QueueRow) -> str | None:
        return ("#b71c1c" if r.hop_due_at is not None and r.hop_due_at < now() and r.verdict is not Verdict.PAUSED
                else None)

    def progress_colour(r: QueueRow, which: int) -> str | None:
        return VERDICT_COLOURS[r.verdict][which]

    return [
        Column(tr("Mã hồ sơ"), lambda r: r.code),
        Column(tr("Chủ hồ sơ"), lambda r: r.owner_name, tooltip=lambda r: r.owner_name),
        Column(tr("Thủ tục"), lambda r: r.procedure_name, tooltip=lambda r: r.procedure_name),
        Column(tr("Đang ở"), where, tooltip=where),
        Column(tr("Người giữ"), lambda r: r.holder or tr("(chưa nhận)")),
        Column(tr("Từ lúc"), lambda r: fmt_moment(r.holder_since), centre),
        Column(tr("Hạn bước"), lambda r: fmt_moment(r.hop_due_at), centre, foreground=hop_colour),
        Column(tr("Hẹn trả"), lambda r: fmt_moment(r.appointment_at), centre,
               tooltip=lambda r: tr("Hạn giải quyết theo quy định: {due}").format(due=fmt_moment(r.due_at))),
        Column(tr("Tiến độ"), _progress, centre, tooltip=_progress_tip, foreground=lambda r: progress_colour(r, 0),
               background=lambda r: progress_colour(r, 1), bold=lambda r: r.verdict in (Verdict.OVERDUE, Verdict.LATE)),
    ]


# starting widths of the columns whose text can be long
WIDTHS = {OWNER: 150, WHERE: 185, HOLDER: 130}  # the procedure keeps some room at 1366 px


def queue_model(now: Callable[[], datetime], parent: QObject | None = None,
                viewer: tuple[str, ...] = ()) -> RecordTableModel[QueueRow]:
    return RecordTableModel(queue_columns(now, viewer), parent)
