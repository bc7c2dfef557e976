"""Blocks of dossier numbers, leased to each desk per day, so codes stay unique offline."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.domain.i18n import tr

from .db import insert_ignore
from .errors import ApiError
from .models import CodeCounter, CodeLease
from .security import DeskIdentity

MAX_NUMBER = 9999  # the code's counter has 4 digits
DAYS_AHEAD = 14    # a desk may stock blocks for the coming days while it is online


def lease(session: Session, desk: DeskIdentity, day: date, size: int, request_id: str,
          now: datetime, max_size: int) -> CodeLease:
    """The next ``size`` numbers of ``day`` for the desk's agency; the same block again for a
    retried request (same ``request_id``), so a lost answer wastes no numbers."""
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
    first = counter.last_leased + 1
    if first > MAX_NUMBER:
        raise ApiError(409, "numbers_exhausted",
                       tr("Đã hết số hồ sơ của ngày {day} cho cơ quan {agency}.").format(
                           day=day.strftime("%d/%m/%Y"), agency=desk.agency_code))
    last = min(first + min(size, max_size) - 1, MAX_NUMBER)
    counter.last_leased = last
    block = CodeLease(request_id=request_id, agency_code=desk.agency_code, day=day, desk_id=desk.id,
                      first=first, last=last, leased_at=now)
    session.add(block)
    session.flush()
    return block
