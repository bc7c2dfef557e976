"""Blocks of dossier numbers, leased to each desk per day, so codes stay unique offline."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk_app.domain.i18n import tr
from desk_app.domain.forms import SERIES_NAMES
from desk_app.domain.leasing import MAX_NUMBER, MAX_SERIES_NUMBER, allowed_size, next_block

from .db import insert_ignore
from .errors import ApiError
from .models import CodeCounter, CodeLease, SeriesCounter, SeriesLease
from .security import DeskIdentity

DAYS_AHEAD = 14    # a desk may stock blocks for the coming days while it is online


def lease(session: Session, desk: DeskIdentity, day: date, size: int, request_id: str,
          now: datetime, max_size: int, daily_max: int | None = None) -> CodeLease:
    """The next ``size`` numbers of ``day`` for the desk's agency; the same block again for a
    retried request (same ``request_id``), so a lost answer wastes no numbers.

    A desk takes at most ``daily_max`` numbers a day (all its blocks together), so one desk
    cannot take the whole day's numbers from the others; past it the answer is 429."""
    if not (now.date() - timedelta(days=1) <= day <= now.date() + timedelta(days=DAYS_AHEAD)):
        raise ApiError(422, "invalid_day", tr("Chỉ cấp dãy số cho hôm nay và {n} ngày tới.").format(n=DAYS_AHEAD))
    insert_ignore(session, CodeCounter.__table__, {"agency_code": desk.agency_code, "day": day, "last_leased": 0})
    counter = session.execute(select(CodeCounter).where(
        CodeCounter.agency_code == desk.agency_code, CodeCounter.day == day).with_for_update()).scalar_one()
    again = session.scalars(select(CodeLease).where(CodeLease.request_id == request_id)).first()
    if again is not None:
        if again.desk_id != desk.id:
            raise ApiError(409, "request_id_taken", tr("Mã yêu cầu đã được dùng."))
        return again
    if daily_max is None:
        daily_max = MAX_NUMBER
    taken = session.scalar(select(func.coalesce(func.sum(CodeLease.last - CodeLease.first + 1), 0)).where(
        CodeLease.desk_id == desk.id, CodeLease.agency_code == desk.agency_code, CodeLease.day == day)) or 0
    granted = allowed_size(size, max_size, int(taken), daily_max)
    if granted < 1:
        raise ApiError(429, "lease_limit",
                       tr("Quầy đã nhận đủ {n} số hồ sơ cho ngày {day}, mức tối đa một quầy được cấp trong "
                          "một ngày. Liên hệ quản trị viên nếu cần thêm.").format(
                           n=daily_max, day=day.strftime("%d/%m/%Y")), limit=daily_max)
    block = next_block(counter.last_leased, granted, MAX_NUMBER)
    if block is None:
        raise ApiError(409, "numbers_exhausted",
                       tr("Đã hết số hồ sơ của ngày {day} cho cơ quan {agency}.").format(
                           day=day.strftime("%d/%m/%Y"), agency=desk.agency_code))
    first, last = block
    counter.last_leased = last
    row = CodeLease(request_id=request_id, agency_code=desk.agency_code, day=day, desk_id=desk.id,
                    first=first, last=last, leased_at=now)
    session.add(row)
    session.flush()
    return row


def claim(session: Session, desk: DeskIdentity, day: date, number: int, now: datetime | None,
          daily_max: int | None = None) -> tuple[int, int] | None:
    """Lease ``number`` to the desk now, if no desk was leased it yet: the block from the day's
    next free number up to it, within the desk's daily allowance. For a dossier the desk took
    before it was enrolled (its own counter gave the number). None if the number is taken, or
    the block would pass the allowance."""
    if not 1 <= number <= MAX_NUMBER:
        return None
    insert_ignore(session, CodeCounter.__table__, {"agency_code": desk.agency_code, "day": day, "last_leased": 0})
    counter = session.execute(select(CodeCounter).where(
        CodeCounter.agency_code == desk.agency_code, CodeCounter.day == day).with_for_update()).scalar_one()
    if number <= counter.last_leased:
        return None  # leased already: to another desk (the caller looked at this one's blocks)
    taken = session.scalar(select(func.coalesce(func.sum(CodeLease.last - CodeLease.first + 1), 0)).where(
        CodeLease.desk_id == desk.id, CodeLease.agency_code == desk.agency_code, CodeLease.day == day)) or 0
    size = number - counter.last_leased
    if allowed_size(size, size, int(taken), MAX_NUMBER if daily_max is None else daily_max) < size:
        return None
    first, last = next_block(counter.last_leased, size, MAX_NUMBER)
    counter.last_leased = last
    import uuid
    session.add(CodeLease(request_id=str(uuid.uuid4()), agency_code=desk.agency_code, day=day, desk_id=desk.id,
                          first=first, last=last, leased_at=now or datetime.now()))
    session.flush()
    return first, last


def lease_series(session: Session, desk: DeskIdentity, series: str, year: int, size: int, request_id: str,
                 now: datetime, max_size: int) -> SeriesLease:
    """The next ``size`` numbers of a form's number series (Mẫu 02/03/04, "15/2026/TB-BS") for the
    desk's agency and ``year``: the same mechanism as dossier numbers, so two desks never print the
    same number, offline included (each spends its own block). A retried request gets the same block."""
    if series not in SERIES_NAMES:
        raise ApiError(422, "invalid_series", tr("Không có dãy số giấy tờ {series}.").format(series=series[:20]))
    if year not in (now.year, (now + timedelta(days=DAYS_AHEAD)).year):
        raise ApiError(422, "invalid_day", tr("Chỉ cấp dãy số giấy tờ cho năm nay."))
    insert_ignore(session, SeriesCounter.__table__,
                  {"agency_code": desk.agency_code, "series": series, "year": year, "last_leased": 0})
    counter = session.execute(select(SeriesCounter).where(
        SeriesCounter.agency_code == desk.agency_code, SeriesCounter.series == series,
        SeriesCounter.year == year).with_for_update()).scalar_one()
    again = session.scalars(select(SeriesLease).where(SeriesLease.request_id == request_id)).first()
    if again is not None:
        if again.desk_id != desk.id or again.series != series:
            raise ApiError(409, "request_id_taken", tr("Mã yêu cầu đã được dùng."))
        return again
    block = next_block(counter.last_leased, min(size, max_size), MAX_SERIES_NUMBER)
    if block is None:
        raise ApiError(409, "numbers_exhausted", tr("Đã hết số của dãy {series} năm {year}.").format(
            series=series, year=year))
    first, last = block
    counter.last_leased = last
    row = SeriesLease(request_id=request_id, agency_code=desk.agency_code, series=series, year=year,
                      desk_id=desk.id, first=first, last=last, leased_at=now)
    session.add(row)
    session.flush()
    return row
