"""The Decision 766/QĐ-TTg indicators the desk can compute, from counts of its dossiers.

Pure: the counts come from the stored columns (``services.indicators``), never from a verdict
computed here; a finished dossier's early / on-time / late is the ``outcome`` the one reducer
gave it (``domain.lifecycle.finished_verdict``: against the legal appointment NgayHenTra, pauses
excluded, more than one supplement request late).

Each formula is cited beside its code from the formulas DVCQG implements ("F766", in
``docs/reference/vn-one-stop-sources.md`` §6). What the desk cannot hold is said beside it and in
``Indicator.note``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Callable

from .i18n import N_, tr


@dataclass(frozen=True)
class Counts:
    """One unit's dossiers in a period. ``received``, ``synced``, ``online`` and ``digitised``
    count dossiers received in the period (NgayTiepNhan); the others dossiers finished in it
    (NgayKetThucXuLy) with a timing verdict (early, on time or late)."""

    received: int = 0
    synced: int = 0               # received, and their intake accepted by the central server
    online: int = 0               # received, KenhThucHien = 2
    digitised: int = 0            # received, with a scanned component or submitted online
    finished: int = 0             # early + on_time + late
    early: int = 0
    on_time: int = 0
    late: int = 0
    processing_seconds: int = 0   # working time of the finished ones, pauses excluded
    e_results: int = 0            # finished, with a result file attached
    rated: int = 0                # finished and rated by the citizen
    satisfied: int = 0            # of the rated: very satisfied or satisfied
    unsatisfied: int = 0          # of the rated: not satisfied

    def __add__(self, other: Counts) -> Counts:
        return Counts(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})


def _share(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole else None


def sync_rate(c: Counts, day_seconds: float) -> float | None:
    # F766 1.4 "Tỷ lệ đồng bộ" = synced dossiers with NgayTiepNhan in the period ÷ dossiers received.
    # The desk syncs to the province's central server, which syncs to DVCQG: the desk counts what
    # the central server has accepted (the step it can see).
    return _share(c.synced, c.received)


def on_time_rate(c: Counts, day_seconds: float) -> float | None:
    # F766 2.1 "Đúng hạn" = dossiers on time ÷ dossiers processed in the period; on time ⇔
    # NgayKetThucXuLy ≤ NgayHenTra (by date; supplement time excluded); > 1 supplement request ⇒
    # late. The desk's ``outcome`` holds exactly that verdict; refused, withdrawn and stopped
    # dossiers have none and are not in the denominator (counted apart, as the statistics do).
    return _share(c.early + c.on_time, c.finished)


def average_days(c: Counts, day_seconds: float) -> float | None:
    # F766 2.2 average processing time: working time from receipt to finish, pauses excluded,
    # in working days, over the dossiers finished in the period (per unit here; per procedure in
    # the statistics grouped by procedure).
    return c.processing_seconds / day_seconds / c.finished if c.finished and day_seconds else None


def online_rate(c: Counts, day_seconds: float) -> float | None:
    # F766 3.3 "Tỷ lệ trực tuyến" = dossiers with KenhThucHien = 2 (and an electronic result where
    # a paper result is required) ÷ all dossiers received. Full points at ≥ 50 %. The desk keeps
    # no electronic results, so the second condition is not checked: online channel only.
    return _share(c.online, c.received)


def e_result_rate(c: Counts, day_seconds: float) -> float | None:
    # F766 4.1 share of dossiers with an electronic result: finished dossiers with a result file
    # attached ÷ finished. Full points at ≥ 80 %.
    return _share(c.e_results, c.finished)


def digitised_rate(c: Counts, day_seconds: float) -> float | None:
    # F766 4.2 "Số hóa" = dossiers whose components (and result) were digitised ÷ dossiers
    # received. Full points at ≥ 80 %. The desk counts a dossier with at least one scan, and one
    # submitted online (its components arrived as files).
    return _share(c.digitised, c.received)


def rated_satisfied(c: Counts, day_seconds: float) -> float | None:
    # 5.x the citizens' ratings (Rất hài lòng / Hài lòng / Không hài lòng, once per dossier):
    # very satisfied or satisfied ÷ rated.
    return _share(c.satisfied, c.rated)


def satisfaction(c: Counts, day_seconds: float) -> float | None:
    # F766 5.4 "Mức độ hài lòng" = 100 % − (late rate + rate of dossiers with a complaint (PAKN)
    # or a "not satisfied" rating). Full points at ≥ 90 %. Both rates over the dossiers finished
    # in the period; the desk records no PAKN, so only the ratings count.
    if not c.finished:
        return None
    return max(0.0, 100.0 - 100.0 * (c.late + c.unsatisfied) / c.finished)


@dataclass(frozen=True)
class Indicator:
    code: str                     # the number in Decision 766's table
    name: str                     # Vietnamese (N_): tr() when shown
    compute: Callable[[Counts, float], float | None]
    unit: str = "%"               # "%" or "days"
    full_at: float | None = None  # the full-points threshold F766 gives, where it gives one
    note: str = ""                # what the desk cannot hold (N_)


INDICATORS: tuple[Indicator, ...] = (
    Indicator("1.4", N_("Tỷ lệ hồ sơ đồng bộ"), sync_rate,
              note=N_("đồng bộ lên máy chủ trung tâm của tỉnh")),
    Indicator("2.1", N_("Tỷ lệ giải quyết đúng hạn"), on_time_rate),
    Indicator("2.2", N_("Thời gian giải quyết trung bình (ngày làm việc)"), average_days, unit="days"),
    Indicator("3.3", N_("Tỷ lệ hồ sơ trực tuyến"), online_rate, full_at=50.0,
              note=N_("không kiểm tra kết quả điện tử")),
    Indicator("4.1", N_("Tỷ lệ có kết quả điện tử"), e_result_rate, full_at=80.0,
              note=N_("bàn làm việc chưa lưu tệp kết quả")),
    Indicator("4.2", N_("Tỷ lệ hồ sơ được số hóa"), digitised_rate, full_at=80.0,
              note=N_("hồ sơ có bản quét hoặc nộp trực tuyến; chưa tính tệp kết quả")),
    Indicator("5.x", N_("Tỷ lệ đánh giá hài lòng"), rated_satisfied),
    Indicator("5.4", N_("Mức độ hài lòng"), satisfaction, full_at=90.0,
              note=N_("chưa tính phản ánh, kiến nghị")),
)


def values(c: Counts, day_seconds: float) -> dict[str, float | None]:
    """Every indicator of ``c`` by its code (None where its denominator is empty)."""
    return {i.code: i.compute(c, day_seconds) for i in INDICATORS}


def heading(i: Indicator) -> str:
    """The column heading: "2.1 Tỷ lệ giải quyết đúng hạn (%)"."""
    return "%s %s%s" % (i.code, tr(i.name), " (%)" if i.unit == "%" else "")
